// The results: the human-readable report on stdout and the --json file.
#include "loadgen.hpp"

#include <cstdio>

namespace loadgen {

// ---- results -------------------------------------------------------------------------------------
void Loadgen::report() {
  double win_s = win_end_ != kNever && win_start_ != kNever ? double(win_end_ - win_start_) / 1e9 : 0;
  double lg_cpu = win_s > 0 ? lg_cpu1_ - lg_cpu0_ : 0;
  double srv_cpu = srv_cpu0_ >= 0 && srv_cpu1_ >= 0 ? srv_cpu1_ - srv_cpu0_ : -1;
  double per_call_s = srv_cpu >= 0 && established_ && win_s > 0 ? srv_cpu / (double(established_) * win_s) : -1;
  double srv_pct = srv_cpu >= 0 && win_s > 0 ? srv_cpu / (win_s * 10) : -1;
  double kib_per_call = rss_idle_ >= 0 && rss_end_ >= 0 && established_ ? double(rss_end_ - rss_idle_) / established_ : -1;
  uint32_t failed = 0;
  for (int f = 1; f < kFailCount; ++f) failed += fails_[f];
  auto lost = [](const Dir& d) { return d.sent_win > d.recv_win ? d.sent_win - d.recv_win : 0; };

  FILE* out = stdout;
  fprintf(out, "\n== voxgate-loadgen results%s ==\n", aborted_ ? " (ABORTED: partial)" : "");
  fprintf(out,
          "How measured: calls ramp at %.0f/s; the window opens %.1f s after every call is set up or has failed\n"
          "(set up = webhook 200 + WebSocket 101 + the fake model saw the call's audio) and lasts %.2f s.\n"
          "Frames/latency count only frames whose embedded send time (CLOCK_MONOTONIC, taken just before write())\n"
          "falls in the window; latency = time right after read() - send time, 10 us buckets; lost = sent - received\n"
          "(receiving continues 1 s after the window). CPU: getrusage (loadgen), utime+stime of /proc/PID/stat\n"
          "(server), both over the window. RSS: VmRSS of /proc/PID/status before the first call and at window end.\n\n",
          o_.ramp, o_.settle, win_s);
  fprintf(out, "calls: requested %u, established %u, failed %u, dropped after setup %u\n", o_.calls, established_,
          failed, dropped_);
  if (failed) {
    fprintf(out, "  failures:");
    for (int f = 1; f < kFailCount; ++f) if (fails_[f]) fprintf(out, " %s=%u", kFailNames[f], fails_[f]);
    fprintf(out, "\n");
  }
  if (dropped_) {
    fprintf(out, "  drops:");
    for (int f = 1; f < kFailCount; ++f) if (drops_[f]) fprintf(out, " %s=%u", kFailNames[f], drops_[f]);
    fprintf(out, "\n");
  }
  fprintf(out, "\n%-14s %10s %10s %8s %6s %6s %9s %9s %9s\n", "direction", "sent", "received", "lost", "ooo",
          "bad", "p50 ms", "p99 ms", "max ms");
  const Dir* dirs[2] = {&up_, &down_};
  const char* names[2] = {"caller->model", "model->caller"};
  for (int k = 0; k < 2; ++k) {
    const Dir& d = *dirs[k];
    fprintf(out, "%-14s %10llu %10llu %8llu %6llu %6llu %9.2f %9.2f %9.2f\n", names[k],
            (unsigned long long)d.sent_win, (unsigned long long)d.recv_win, (unsigned long long)lost(d),
            (unsigned long long)d.ooo, (unsigned long long)d.bad, d.lat.quantile_ms(0.5), d.lat.quantile_ms(0.99),
            d.lat.max_ms());
  }
  fprintf(out, "\nmarks: received %llu, echoed %llu, clears %llu; wrong streamSid %llu; cross-talk up %llu down %llu\n",
          (unsigned long long)marks_rx_, (unsigned long long)marks_echoed_, (unsigned long long)clears_rx_,
          (unsigned long long)wrong_sid_, (unsigned long long)up_crosstalk_, (unsigned long long)down_crosstalk_);
  fprintf(out, "fake model: connections %u (open at exit %u), session.update %llu, response.create %llu, no auth %llu\n",
          model_conns_total_, models_open_at_exit_, (unsigned long long)model_session_updates_,
          (unsigned long long)model_response_creates_, (unsigned long long)model_no_auth_);
  if (bad_json_ || bad_b64_ || protocol_errors_ || mask_errors_ || slips_ || accept_overflow_ || marks_overflow_)
    fprintf(out, "anomalies: bad json %llu, bad base64 %llu, ws protocol errors %llu, mask errors %llu, "
                 "schedule slips %llu, accept overflow %llu, mark overflow %llu\n",
            (unsigned long long)bad_json_, (unsigned long long)bad_b64_, (unsigned long long)protocol_errors_,
            (unsigned long long)mask_errors_, (unsigned long long)slips_, (unsigned long long)accept_overflow_,
            (unsigned long long)marks_overflow_);
  double lg_pct = win_s > 0 ? lg_cpu / (win_s * 10) : 0;
  fprintf(out, "loadgen CPU: %.0f ms over the window (%.1f%% of one core); pacing: max lag %.2f ms, %llu frames >5 ms late\n",
          lg_cpu, lg_pct, double(max_lag_) / 1e6, (unsigned long long)late_sends_);
  bool saturated = lg_pct > 85 || slips_ > 0 || late_sends_ > (up_.sent_win + down_.sent_win) / 100;
  if (saturated)
    fprintf(out, "WARNING: the loadgen could not keep its own schedule (saturated, or starved of CPU by other processes);\n         latency and loss then include its own queueing. Pin it to a free core (taskset).\n");
  if (o_.server_pid > 0) {
    fprintf(out, "server pid %d: CPU %.0f ms over the window = %.3f ms per call-second (%.1f%% of one core)\n",
            o_.server_pid, srv_cpu, per_call_s, srv_pct);
    if (srv_pct >= 95)
      fprintf(out, "note: the server used ~all of a core; per call-second CPU is then a lower bound and latency "
                   "includes its queueing\n");
    fprintf(out, "server RSS: idle %ld KiB, end of window %ld KiB => %.1f KiB per call\n", rss_idle_, rss_end_,
            kib_per_call);
  }
  fflush(out);

  if (o_.json_path.empty()) return;
  FILE* j = fopen(o_.json_path.c_str(), "w");
  if (!j) { perror(o_.json_path.c_str()); return; }
  fprintf(j, "{\n  \"aborted\": %s,\n  \"calls_requested\": %u,\n  \"calls_established\": %u,\n"
             "  \"calls_failed\": %u,\n  \"calls_dropped\": %u,\n",
          aborted_ ? "true" : "false", o_.calls, established_, failed, dropped_);
  for (int f = 1; f < kFailCount; ++f) fprintf(j, "  \"fail_%s\": %u,\n", kFailNames[f], fails_[f]);
  fprintf(j, "  \"window_s\": %.3f,\n", win_s);
  const char* keys[2] = {"up", "down"};
  for (int k = 0; k < 2; ++k) {
    const Dir& d = *dirs[k];
    fprintf(j, "  \"%s_sent\": %llu,\n  \"%s_received\": %llu,\n  \"%s_lost\": %llu,\n  \"%s_ooo\": %llu,\n"
               "  \"%s_bad\": %llu,\n  \"%s_p50_ms\": %.2f,\n  \"%s_p99_ms\": %.2f,\n  \"%s_max_ms\": %.2f,\n",
            keys[k], (unsigned long long)d.sent_win, keys[k], (unsigned long long)d.recv_win, keys[k],
            (unsigned long long)lost(d), keys[k], (unsigned long long)d.ooo, keys[k], (unsigned long long)d.bad,
            keys[k], d.lat.quantile_ms(0.5), keys[k], d.lat.quantile_ms(0.99), keys[k], d.lat.max_ms());
  }
  fprintf(j, "  \"marks_received\": %llu,\n  \"marks_echoed\": %llu,\n  \"clears\": %llu,\n"
             "  \"wrong_stream_sid\": %llu,\n  \"crosstalk_up\": %llu,\n  \"crosstalk_down\": %llu,\n"
             "  \"model_connections\": %u,\n  \"model_open_at_exit\": %u,\n  \"ws_protocol_errors\": %llu,\n"
             "  \"loadgen_cpu_ms\": %.1f,\n  \"loadgen_cpu_pct\": %.1f,\n  \"loadgen_max_lag_ms\": %.2f,\n"
             "  \"loadgen_late_sends\": %llu,\n  \"loadgen_saturated\": %s,\n",
          (unsigned long long)marks_rx_, (unsigned long long)marks_echoed_, (unsigned long long)clears_rx_,
          (unsigned long long)wrong_sid_, (unsigned long long)up_crosstalk_, (unsigned long long)down_crosstalk_,
          model_conns_total_, models_open_at_exit_, (unsigned long long)protocol_errors_, lg_cpu, lg_pct,
          double(max_lag_) / 1e6, (unsigned long long)late_sends_, saturated ? "true" : "false");
  if (o_.server_pid > 0)
    fprintf(j, "  \"server_cpu_ms\": %.1f,\n  \"server_cpu_pct\": %.1f,\n  \"server_cpu_ms_per_call_s\": %.4f,\n  \"server_rss_idle_kib\": %ld,\n"
               "  \"server_rss_end_kib\": %ld,\n  \"server_kib_per_call\": %.1f,\n",
            srv_cpu, srv_pct, per_call_s, rss_idle_, rss_end_, kib_per_call);
  fprintf(j, "  \"server_pid\": %d\n}\n", o_.server_pid);
  fclose(j);
}

}  // namespace loadgen
