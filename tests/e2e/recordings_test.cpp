// Twilio recordings end to end: the assistant asks Twilio to record, the recording callback
// comes, voxgate downloads the media (after Twilio answers "not ready" twice), keeps it in the
// blob store, and serves it through the API with range requests.
#include <sys/resource.h>

#include <csignal>
#include <filesystem>
#include <fstream>

#include "adapters/fs_blob_store.hpp"
#include "adapters/sqlite_store.hpp"
#include "adapters/zone_lookup.hpp"
#include "app/recordings/recording_file.hpp"
#include "app/recordings/recording_links.hpp"
#include "app/retention.hpp"
#include "core/audio/wav.hpp"
#include "tests/e2e/api_client.hpp"
#include "tests/fakes/fake_twilio_rest.hpp"

namespace vg::e2e {
namespace {
using fakes::wait_until;
using namespace std::chrono_literals;

constexpr const char* admin = "admin-token-for-recording-tests-0123456789";

constexpr const char* org_document = R"({
  "organization": {"id": "vox", "name": "Vox Demo", "numbers": ["+15125550177"]},
  "assistants": [{"name": "Vox", "settings": {"recording": {"twilio": true}}}]
})";

class recordings_test : public bridge_test {
 protected:
  // With `shared`: S3 (VOXGATE_TEST_S3_ENDPOINT) and PostgreSQL (VOXGATE_TEST_POSTGRES_URL), the
  // scale-out setup; the organisation then gets a number of its own (the database is shared).
  std::string org_number = "+15125550177";
  void start(bool delete_at_twilio = false, const char* document = org_document, bool shared = false) {
    storage = std::filesystem::temp_directory_path() / ("voxgate-rec-" + std::to_string(::getpid()) + "-" +
                                                        std::to_string(reinterpret_cast<std::uintptr_t>(this)));
    std::filesystem::remove_all(storage);
    start_server([&](app::config& c) {
      c.api_token = admin;
      c.twilio_account_sid = twilio.account_sid();
      c.twilio_api_url = twilio.url();
      c.storage_url = "file:" + storage.string();
      if (shared) {
        c.storage_url = "s3://voxgate-test/e2e-" + std::to_string(::getpid());
        c.s3_env = {{"S3_ENDPOINT", std::getenv("VOXGATE_TEST_S3_ENDPOINT")}, {"S3_REGION", "us-east-1"},
                    {"S3_ACCESS_KEY_ID", "S3RVER"}, {"S3_SECRET_ACCESS_KEY", "S3RVER"}};
        c.database_url = std::getenv("VOXGATE_TEST_POSTGRES_URL");
      }
      c.recording_retry = 20ms;
      c.delete_twilio_recordings = delete_at_twilio;
    });
    std::string doc = document;
    if (shared) {
      call_api(loop, port, "DELETE", "/api/v1/orgs/vox", {}, admin);  // from an earlier run
      org_number = "+1512" + std::to_string(1000000 + ::getpid() % 8999999);
      doc.replace(doc.find("+15125550177"), 12, org_number);
    }
    ASSERT_EQ(call_api(loop, port, "POST", "/api/v1/orgs", R"({"id":"vox","name":"Vox Demo"})", admin).status, 201);
    ASSERT_EQ(call_api(loop, port, "PUT", "/api/v1/orgs/vox/document", doc, admin).status, 200);
    auto opts = caller_options();
    opts.to = org_number;
    opts.caller_audio = std::string(1600, '\x11');  // 200 ms of a recognisable caller sound
    caller = make_caller(opts);
    ASSERT_EQ(caller->place_call(), 200);
    twilio.add_live_call(caller->call_sid(), opts.from, opts.to);
    ASSERT_EQ(caller->open_stream(), 101);
  }
  void TearDown() override {
    bridge_test::TearDown();
    std::filesystem::remove_all(storage);
  }

  // Twilio's recording callback (docs/protocols/twilio-webhooks.md#recording-status-callback), signed over PUBLIC_URL.
  int recording_callback(const std::string& recording_sid, const std::string& status) {
    const twilio::form form{{"AccountSid", twilio.account_sid()}, {"CallSid", caller->call_sid()},
                            {"RecordingSid", recording_sid},     {"RecordingUrl", twilio.recording_url(recording_sid)},
                            {"RecordingStatus", status},         {"RecordingDuration", "6"},
                            {"RecordingChannels", "2"},          {"RecordingSource", "StartCallRecordingAPI"}};
    return post_twilio_form(loop, port, "/recording-status", form);  // the seed's path
  }

  std::vector<ports::recording_row> rows() {
    return server->store().query([sid = caller->call_sid()](ports::store& s) { return s.recordings_of_call(sid); }).get();
  }

  static std::string fake_wav() {
    std::string wav = "RIFF....WAVEfmt ";
    for (int i = 0; i < 4000; ++i) wav += static_cast<char>(i * 7);
    return wav;
  }

  std::filesystem::path storage;
  fakes::fake_twilio_rest twilio{fakes::fake_twilio_rest::default_account_sid, auth_token};
  std::unique_ptr<fakes::simulated_caller> caller;
};

TEST_F(recordings_test, the_assistant_asks_twilio_to_record_both_channels) {
  start();
  ASSERT_TRUE(wait_until([&] { return twilio.recordings_started().size() == 1; }));
  const auto started = twilio.recordings_started()[0];
  EXPECT_EQ(started.call_sid, caller->call_sid());
  EXPECT_EQ(started.channels, "dual");
  EXPECT_EQ(started.status_callback, "https://voxgate.example.com/twilio/recording");
}

TEST_F(recordings_test, a_recording_is_downloaded_after_two_not_ready_answers_kept_and_served_with_ranges) {
  start(true);
  const std::string sid = "RE0123456789abcdef0123456789abcdef";
  const std::string wav = fake_wav();
  twilio.add_recording(sid, caller->call_sid(), wav, 2);
  EXPECT_EQ(recording_callback(sid, "in-progress"), 204);  // nothing to fetch yet
  EXPECT_EQ(recording_callback(sid, "completed"), 204);
  ASSERT_TRUE(wait_until([&] {
    const auto r = rows();
    return r.size() == 1 && r[0].status == "stored";
  })) << (rows().empty() ? std::string("no row") : rows()[0].status + " " + rows()[0].error);
  EXPECT_EQ(twilio.recording_fetches(sid), 3);  // 404, 404, the audio
  const auto row = rows()[0];
  EXPECT_EQ(row.source, "twilio");
  EXPECT_EQ(row.duration_s, 6);
  EXPECT_EQ(row.channels, 2);
  EXPECT_EQ(row.bytes, static_cast<std::int64_t>(wav.size()));
  // Kept in the blob store (a local directory here), byte for byte.
  std::ifstream in(storage / row.blob_key, std::ios::binary);
  ASSERT_TRUE(in) << (storage / row.blob_key);
  std::string kept((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_TRUE(kept == wav);
  // Deleted at Twilio once safe (DELETE_TWILIO_RECORDINGS).
  ASSERT_TRUE(wait_until([&] { return twilio.recording_deleted(sid); }));
  // A repeated callback does nothing.
  EXPECT_EQ(recording_callback(sid, "completed"), 204);
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(twilio.recording_fetches(sid), 3);
  EXPECT_EQ(rows().size(), 1u);

  // Served through the API: whole, and by ranges for a seeking audio player.
  const std::string path = "/api/v1/calls/" + caller->call_sid() + "/recording";
  auto r = call_api(loop, port, "GET", path, {}, admin);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(r.body == wav);
  EXPECT_EQ(r.header("accept-ranges"), "bytes");
  const auto ranged = [&](const std::string& range) {
    net::client_request req;
    req.url = "http://127.0.0.1:" + std::to_string(port) + path;
    req.headers = {{"Authorization", std::string("Bearer ") + admin}, {"Range", range}};
    return loop.run_sync(fetch(std::move(req))).second;
  };
  auto part = ranged("bytes=0-9");
  ASSERT_TRUE(part.has_value());
  EXPECT_EQ(part->status, 206);
  EXPECT_EQ(part->body, wav.substr(0, 10));
  EXPECT_EQ(part->header("content-range"), "bytes 0-9/" + std::to_string(wav.size()));
  part = ranged("bytes=-4");
  EXPECT_EQ(part->status, 206);
  EXPECT_TRUE(part->body == wav.substr(wav.size() - 4));
  part = ranged("bytes=100-");
  EXPECT_TRUE(part->body == wav.substr(100));
  part = ranged("bytes=999999-");
  EXPECT_EQ(part->status, 416);
  EXPECT_EQ(part->header("content-range"), "bytes */" + std::to_string(wav.size()));
  EXPECT_EQ(call_api(loop, port, "GET", path, {}, "").status, 401);
  EXPECT_EQ(call_api(loop, port, "GET", path + "?source=voxgate", {}, admin).status, 404);
  // What started it (Twilio's RecordingSource) is kept, and the call lists the recording.
  EXPECT_EQ(rows()[0].origin, "StartCallRecordingAPI");
  r = call_api(loop, port, "GET", "/api/v1/calls/" + caller->call_sid(), {}, admin);
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(r.json.at("recordings").as_array().size(), 1u) << r.body;
  const auto& listed = r.json.at("recordings").at(0);
  EXPECT_EQ(listed.at("id"), js::value(sid));
  EXPECT_EQ(listed.at("source"), "twilio");
  EXPECT_EQ(listed.at("origin"), "StartCallRecordingAPI");
  EXPECT_EQ(listed.at("status"), "stored");
  EXPECT_EQ(listed.at("bytes"), static_cast<std::int64_t>(wav.size()));
  EXPECT_EQ(listed.at("url"), js::value(path + "?id=" + sid));
}

TEST_F(recordings_test, a_recording_that_never_becomes_ready_is_marked_failed) {
  start();
  const std::string sid = "RE00000000000000000000000000000000";
  twilio.add_recording(sid, caller->call_sid(), fake_wav(), 100);
  EXPECT_EQ(recording_callback(sid, "completed"), 204);
  ASSERT_TRUE(wait_until([&] {
    const auto r = rows();
    return r.size() == 1 && r[0].status == "failed";
  }, 10s));
  EXPECT_NE(rows()[0].error.find("not ready"), std::string::npos) << rows()[0].error;
  EXPECT_EQ(twilio.recording_fetches(sid), 6);  // RECORDING attempts, then it gives up
  EXPECT_EQ(call_api(loop, port, "GET", "/api/v1/calls/" + caller->call_sid() + "/recording", {}, admin).status, 404);
}

TEST_F(recordings_test, voxgates_own_stereo_recording_places_what_the_caller_heard_and_cuts_at_the_barge_in) {
  fakes::realtime_script script;
  script.response_bytes = 24000;  // 3 s of speech, sent much faster than real time
  model.set_script(script);
  start(false, R"({"organization": {"id": "vox", "name": "Vox Demo", "numbers": ["+15125550177"]},
                   "assistants": [{"name": "Vox", "settings": {"recording": {"own": true}}}]})");
  ASSERT_TRUE(wait_until([&] { return caller->played_ms() >= 700; }));
  model.send(0, R"({"type":"input_audio_buffer.speech_started","audio_start_ms":700,"item_id":"u1"})");
  std::this_thread::sleep_for(600ms);
  caller->send_stop();
  const std::string id = "VG" + caller->call_sid();
  ASSERT_TRUE(wait_until([&] {
    for (const auto& r : rows()) {
      if (r.id == id && r.status == "stored") return true;
    }
    return false;
  }, 10s));
  ports::recording_row row;
  for (const auto& r : rows()) {
    if (r.id == id) row = r;
  }
  EXPECT_EQ(row.source, "voxgate");
  EXPECT_EQ(row.channels, 2);
  std::ifstream in(storage / row.blob_key, std::ios::binary);
  ASSERT_TRUE(in);
  const std::string file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto info = audio::parse_wav(file);
  ASSERT_TRUE(info.ok()) << info.error_message();
  EXPECT_EQ(info->format, 7);
  EXPECT_EQ(info->channels, 2);
  EXPECT_EQ(info->sample_rate, 8000u);
  const std::string_view data = std::string_view(file).substr(info->data_offset, info->data_size);
  const std::size_t samples = data.size() / 2;
  EXPECT_GT(samples, 8u * 1200) << "about 1.3 s of call";  // 700 ms + 600 ms at least
  EXPECT_LT(samples, 8u * 5000);
  // Left: the caller's 200 ms sound at the start.
  std::size_t first_caller = samples, caller_samples = 0;
  for (std::size_t i = 0; i < samples; ++i) {
    if (static_cast<unsigned char>(data[2 * i]) == 0x11) {
      first_caller = std::min(first_caller, i);
      ++caller_samples;
    }
  }
  EXPECT_LT(first_caller, 8u * 40) << "the caller's sound starts within the first frames";
  // The simulated caller stamps frames from its own clock, like Twilio, so a frame may overlap
  // the previous one by a millisecond or two; the overlap is dropped, never doubled.
  EXPECT_LE(caller_samples, 1600u);
  EXPECT_GE(caller_samples, 1600u - 8 * 10);
  // Right: the assistant until the caller barged in (about 700-800 ms), then silence although
  // 3 s had been sent: what was cleared was never heard, so it is not in the recording.
  std::size_t last_voice = 0;
  for (std::size_t i = 0; i < samples; ++i) {
    if (static_cast<unsigned char>(data[2 * i + 1]) != 0xFF) last_voice = i;
  }
  const auto heard_ms = static_cast<double>(last_voice) / 8.0;
  EXPECT_GT(heard_ms, 600.0);
  EXPECT_LT(heard_ms, 1100.0) << "the right channel goes on after the barge-in";
  // The recording is served like Twilio's.
  auto r = call_api(loop, port, "GET", "/api/v1/calls/" + caller->call_sid() + "/recording?source=voxgate", {}, admin);
  ASSERT_EQ(r.status, 200);
  EXPECT_TRUE(r.body == file);
  EXPECT_FALSE(std::filesystem::exists(base_config().recording_spool + "/" + caller->call_sid() + ".wav"));  // local copy gone
  EXPECT_EQ(row.origin, "voxgate");
  r = call_api(loop, port, "GET", "/api/v1/calls/" + caller->call_sid(), {}, admin);
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(r.json.at("recordings").as_array().size(), 1u) << r.body;
  const auto& listed = r.json.at("recordings").at(0);
  EXPECT_EQ(listed.at("id"), js::value(id));
  EXPECT_EQ(listed.at("source"), "voxgate");
  EXPECT_EQ(listed.at("origin"), "voxgate");
  EXPECT_EQ(listed.at("content_type"), "audio/wav");
  EXPECT_EQ(listed.at("channels"), 2);
  EXPECT_EQ(listed.at("bytes"), static_cast<std::int64_t>(file.size()));
  EXPECT_TRUE(listed.at("error").is_null());
  EXPECT_EQ(listed.at("url"), js::value("/api/v1/calls/" + caller->call_sid() + "/recording?id=VG" + caller->call_sid()));
}

TEST_F(recordings_test, a_call_is_deleted_on_request_and_old_calls_are_purged_by_retention) {
  start();
  const std::string sid = "RE11111111111111111111111111111111";
  twilio.add_recording(sid, caller->call_sid(), fake_wav(), 0);
  ASSERT_EQ(recording_callback(sid, "completed"), 204);
  ASSERT_TRUE(wait_until([&] { return !rows().empty() && rows()[0].status == "stored"; }));
  const auto key = rows()[0].blob_key;
  ASSERT_TRUE(std::filesystem::exists(storage / key));
  caller->send_stop();
  ASSERT_TRUE(wait_until([&] { return server->active_calls() == 0; }));

  // Retention: 1 day for this organisation; a sweep "two days later" purges recordings and the
  // transcript but keeps the call row for the statistics.
  auto org = call_api(loop, port, "GET", "/api/v1/orgs/vox", {}, admin).json.as_object();
  org["retention_days"] = 1;
  ASSERT_EQ(call_api(loop, port, "PUT", "/api/v1/orgs/vox", js::serialize(org), admin).status, 200);
  adapters::zone_lookup zones;
  app::directory dir{zones};
  server->store().query([&dir](ports::store& s) { dir.reload(s); return true; }).get();
  adapters::fs_blob_store blobs(storage.string());
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  EXPECT_EQ(loop.run_sync(app::sweep_retention(server->store(), dir, blobs, now)), 0);  // not old yet
  EXPECT_EQ(loop.run_sync(app::sweep_retention(server->store(), dir, blobs, now + 2 * 86'400'000)), 1);
  EXPECT_FALSE(std::filesystem::exists(storage / key));
  EXPECT_TRUE(rows().empty());
  auto r = call_api(loop, port, "GET", "/api/v1/calls/" + caller->call_sid(), {}, admin);
  ASSERT_EQ(r.status, 200);
  EXPECT_TRUE(r.json.at("transcript").as_array().empty());

  // Deleted on request: nothing is left.
  EXPECT_EQ(call_api(loop, port, "DELETE", "/api/v1/calls/" + caller->call_sid(), {}, "").status, 401);
  EXPECT_EQ(call_api(loop, port, "DELETE", "/api/v1/calls/" + caller->call_sid(), {}, admin).status, 204);
  EXPECT_EQ(call_api(loop, port, "GET", "/api/v1/calls/" + caller->call_sid(), {}, admin).status, 404);
  EXPECT_EQ(call_api(loop, port, "DELETE", "/api/v1/calls/" + caller->call_sid(), {}, admin).status, 404);
}

TEST_F(recordings_test, both_recordings_work_on_s3_and_postgresql_too) {
  if (std::getenv("VOXGATE_TEST_S3_ENDPOINT") == nullptr || std::getenv("VOXGATE_TEST_POSTGRES_URL") == nullptr) {
    GTEST_SKIP() << "needs VOXGATE_TEST_S3_ENDPOINT and VOXGATE_TEST_POSTGRES_URL (scripts/test.sh sets both)";
  }
  start(false, R"({"organization": {"id": "vox", "name": "Vox Demo", "numbers": ["+15125550177"]},
                   "assistants": [{"name": "Vox", "settings": {"recording": {"twilio": true, "own": true}}}]})", true);
  ASSERT_TRUE(wait_until([&] { return caller->media_received() >= 10; }));
  const std::string sid = "RE2222222222222222222222222222" + std::to_string(1000 + ::getpid() % 9000);
  const std::string wav = fake_wav();
  twilio.add_recording(sid, caller->call_sid(), wav, 2);
  ASSERT_EQ(recording_callback(sid, "completed"), 204);
  caller->send_stop();
  ASSERT_TRUE(wait_until([&] {
    int stored = 0;
    for (const auto& r : rows()) stored += r.status == "stored" ? 1 : 0;
    return stored == 2;
  }, 10s));
  const std::string path = "/api/v1/calls/" + caller->call_sid() + "/recording";
  auto r = call_api(loop, port, "GET", path + "?source=twilio", {}, admin);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(r.body == wav);
  net::client_request req;
  req.url = "http://127.0.0.1:" + std::to_string(port) + path + "?source=voxgate";
  req.headers = {{"Authorization", std::string("Bearer ") + admin}, {"Range", "bytes=0-3"}};
  auto part = loop.run_sync(fetch(std::move(req))).second;
  ASSERT_TRUE(part.has_value());
  EXPECT_EQ(part->status, 206);
  EXPECT_EQ(part->body, "RIFF");
  EXPECT_EQ(call_api(loop, port, "DELETE", "/api/v1/calls/" + caller->call_sid(), {}, admin).status, 204);
}

TEST_F(recordings_test, an_own_recording_left_by_a_crash_is_repaired_and_stored_at_the_next_start) {
  // What a process killed mid-call leaves: the header with sizes 0, then the audio so far, the
  // last stereo frame torn in half.
  const std::string sid = "CA00000000000000000000000000c0ffee";
  storage = std::filesystem::temp_directory_path() / ("voxgate-rec-crash-" + std::to_string(::getpid()));
  std::filesystem::remove_all(storage);
  const auto spool = storage / "spool";
  std::filesystem::create_directories(spool);
  {
    std::ofstream out(spool / (sid + ".wav"), std::ios::binary);
    out << audio::wav_header(7, 2, 8000, 8, 0) << std::string(16001, '\x2a');
  }
  start_server([&](app::config& c) {
    c.storage_url = "file:" + (storage / "blobs").string();
    c.recording_spool = spool.string();
  });
  const auto stored = [&] {
    return server->store().query([&](ports::store& s) { return s.recordings_of_call(sid); }).get();
  };
  ASSERT_TRUE(wait_until([&] { return !stored().empty() && stored()[0].status == "stored"; }, 10s));
  const auto row = stored()[0];
  EXPECT_EQ(row.source, "voxgate");
  EXPECT_EQ(row.duration_s, 1);
  std::ifstream in(storage / "blobs" / row.blob_key, std::ios::binary);
  const std::string file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto info = audio::parse_wav(file);
  ASSERT_TRUE(info.ok()) << info.error_message();
  EXPECT_EQ(info->data_size, 16000u) << "whole frames only";
  EXPECT_EQ(file.size(), info->data_offset + 16000);
  EXPECT_FALSE(std::filesystem::exists(spool / (sid + ".wav"))) << "the spool copy goes once stored";
}

TEST_F(recordings_test, a_download_left_running_by_a_stopped_process_is_fetched_again_at_the_next_start) {
  storage = std::filesystem::temp_directory_path() / ("voxgate-rec-stale-" + std::to_string(::getpid()));
  std::filesystem::remove_all(storage);
  std::filesystem::create_directories(storage);
  const std::string db = (storage / "voxgate.db").string();
  const std::string sid = "RE44444444444444444444444444444444", call_sid = "CA44444444444444444444444444444444";
  const std::string wav = fake_wav();
  twilio.add_recording(sid, call_sid, wav, 1);  // still "not ready" once: the retries apply again
  {
    // What the stopped process left: the row claimed 11 minutes ago, never finished.
    adapters::sqlite_store left(db);
    left.migrate();
    const auto then = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch()).count() - 11 * 60 * 1000;
    ASSERT_TRUE(left.claim_recording({sid, call_sid, "twilio", "downloading", "", "", 0, 6, 2, "", then, then, "DialVerb"}));
  }
  start_server([&](app::config& c) {
    c.database_url = "sqlite:" + db;
    c.twilio_account_sid = twilio.account_sid();
    c.twilio_api_url = twilio.url();
    c.storage_url = "file:" + (storage / "blobs").string();
    c.recording_retry = 20ms;
  });
  const auto row = [&] {
    return server->store().query([&](ports::store& s) { return s.recordings_of_call(call_sid); }).get().at(0);
  };
  ASSERT_TRUE(wait_until([&] { return row().status == "stored"; }, 10s)) << row().status << " " << row().error;
  EXPECT_EQ(row().origin, "DialVerb");
  EXPECT_EQ(row().duration_s, 6);
  std::ifstream in(storage / "blobs" / row().blob_key, std::ios::binary);
  const std::string kept((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_TRUE(kept == wav) << "the bytes differ";
}

// A full disk in the middle of a call (here the file size limit, EFBIG, as ENOSPC would): the
// call goes on, and what was written before the failure is a valid recording.
TEST(recording_file, a_write_failure_keeps_the_audio_written_before_it) {
  const auto dir = std::filesystem::temp_directory_path() / ("voxgate-spool-full-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  auto file = app::recording_file::create(dir.string(), "CAfull");
  ASSERT_TRUE(file.ok()) << file.error_message();
  auto& rec = **file;
  ASSERT_TRUE(rec.append(std::string(8000, '\x11')));
  const std::uint64_t header = audio::wav_header_size(7);
  rlimit old{};
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &old), 0);
  const auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
  rlimit small = old;
  small.rlim_cur = header + 8000 + 101;  // room for 101 more bytes: 50 whole stereo frames and a half
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &small), 0);
  const bool appended = rec.append(std::string(16000, '\x22'));
  const auto closed = rec.close();
  ::setrlimit(RLIMIT_FSIZE, &old);
  std::signal(SIGXFSZ, old_handler);
  EXPECT_FALSE(appended);
  EXPECT_NE(rec.error().find("File too large"), std::string::npos) << rec.error();
  ASSERT_TRUE(closed.ok()) << closed.error_message();
  EXPECT_EQ(*closed, header + 8100);
  std::ifstream in(rec.path(), std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto info = audio::parse_wav(bytes);
  ASSERT_TRUE(info.ok()) << info.error_message();
  EXPECT_EQ(info->data_size, 8100u);
  EXPECT_EQ(bytes.substr(info->data_offset, 8000), std::string(8000, '\x11'));
  EXPECT_EQ(bytes.substr(info->data_offset + 8000), std::string(100, '\x22'));
  std::filesystem::remove_all(dir);
}

TEST_F(recordings_test, an_unsigned_recording_callback_is_refused) {
  start();
  net::client_request req;
  req.method = "POST";
  req.url = "http://127.0.0.1:" + std::to_string(port) + "/twilio/recording";
  req.body = "RecordingSid=RE1&RecordingStatus=completed&RecordingUrl=http://evil.example/x";
  req.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
  auto [error, res] = loop.run_sync(fetch(std::move(req)));
  ASSERT_TRUE(res.has_value()) << error;
  EXPECT_EQ(res->status, 403);
}

// The call's JSON lists every recording: what started it (null when Twilio did not say), a
// failed one with its error, and on every stored one the `url` that plays it (by id), while
// `?source=` plays the latest stored of that source.
TEST_F(recordings_test, the_call_lists_its_recordings_with_the_url_that_serves_each) {
  start();
  const std::string first = "RE0000000000000000000000000000000a", second = "RE0000000000000000000000000000000b",
                    broken = "RE0000000000000000000000000000000c";
  const std::string first_wav = fake_wav(), second_wav = fake_wav() + "second";
  twilio.add_recording(first, caller->call_sid(), first_wav);
  ASSERT_EQ(recording_callback(first, "completed"), 204);  // RecordingSource=StartCallRecordingAPI
  ASSERT_TRUE(wait_until([&] { return rows().size() == 1 && rows()[0].status == "stored"; }));
  // Another, from a callback that does not say where it came from.
  twilio.add_recording(second, caller->call_sid(), second_wav);
  const twilio::form form{{"AccountSid", twilio.account_sid()}, {"CallSid", caller->call_sid()},
                          {"RecordingSid", second},            {"RecordingUrl", twilio.recording_url(second)},
                          {"RecordingStatus", "completed"},    {"RecordingDuration", "7"},
                          {"RecordingChannels", "1"}};
  ASSERT_EQ(post_twilio_form(loop, port, "/twilio/recording", form), 204);
  ASSERT_TRUE(wait_until([&] { return rows().size() == 2 && rows()[1].status == "stored"; }));
  // And one Twilio never makes ready.
  twilio.add_recording(broken, caller->call_sid(), fake_wav(), 100);
  ASSERT_EQ(recording_callback(broken, "completed"), 204);
  ASSERT_TRUE(wait_until([&] { return rows().size() == 3 && rows()[2].status == "failed"; }, 10s));

  const std::string call_path = "/api/v1/calls/" + caller->call_sid();
  auto r = call_api(loop, port, "GET", call_path, {}, admin);
  ASSERT_EQ(r.status, 200) << r.body;
  const auto& listed = r.json.at("recordings").as_array();
  ASSERT_EQ(listed.size(), 3u) << r.body;
  EXPECT_EQ(listed[0].at("id"), js::value(first));
  EXPECT_EQ(listed[0].at("origin"), "StartCallRecordingAPI");
  EXPECT_EQ(listed[0].at("status"), "stored");
  EXPECT_EQ(listed[0].at("url"), js::value(call_path + "/recording?id=" + first));
  EXPECT_EQ(listed[1].at("id"), js::value(second));
  EXPECT_TRUE(listed[1].at("origin").is_null()) << r.body;
  EXPECT_EQ(listed[1].at("duration_s"), 7);
  EXPECT_EQ(listed[1].at("channels"), 1);
  EXPECT_EQ(listed[1].at("content_type"), "audio/x-wav");
  EXPECT_EQ(listed[1].at("url"), js::value(call_path + "/recording?id=" + second));
  EXPECT_EQ(listed[2].at("id"), js::value(broken));
  EXPECT_EQ(listed[2].at("status"), "failed");
  EXPECT_NE(std::string(listed[2].at("error").as_string()).find("not ready"), std::string::npos) << r.body;
  EXPECT_TRUE(listed[2].at("url").is_null());
  EXPECT_EQ(listed[2].at("bytes"), 0);
  EXPECT_TRUE(listed[2].at("content_type").is_null());
  for (const auto& item : listed) {
    // The same time format as the call's own times.
    for (const char* key : {"created_at", "updated_at"}) {
      const std::string t(item.at(key).as_string());
      EXPECT_EQ(t.size(), 24u) << t;
      EXPECT_TRUE(t.ends_with("Z") && t[10] == 'T' && t[19] == '.') << t;
    }
  }
  // Each listed URL plays the recording it is listed with; ?source= the latest of that source.
  auto audio = call_api(loop, port, "GET", std::string(listed[0].at("url").as_string()), {}, admin);
  ASSERT_EQ(audio.status, 200);
  EXPECT_TRUE(audio.body == first_wav);
  audio = call_api(loop, port, "GET", std::string(listed[1].at("url").as_string()), {}, admin);
  ASSERT_EQ(audio.status, 200);
  EXPECT_TRUE(audio.body == second_wav);
  audio = call_api(loop, port, "GET", call_path + "/recording?source=twilio", {}, admin);
  ASSERT_EQ(audio.status, 200);
  EXPECT_TRUE(audio.body == second_wav);
  EXPECT_EQ(call_api(loop, port, "GET", call_path + "/recording?id=" + broken, {}, admin).status, 404) << "not stored";
  EXPECT_EQ(call_api(loop, port, "GET", call_path + "/recording?id=" + first + "&source=voxgate", {}, admin).status, 404);
  // The signed link plays without a token, ranges included, and only that recording; one that
  // expired, or altered to another recording, is refused.
  const std::string link(listed[1].at("signed_url").as_string());
  audio = call_api(loop, port, "GET", link, {}, "");
  ASSERT_EQ(audio.status, 200) << audio.body;
  EXPECT_TRUE(audio.body == second_wav);
  net::client_request ranged;
  ranged.url = "http://127.0.0.1:" + std::to_string(port) + link;
  ranged.headers = {{"Range", "bytes=4-7"}};
  auto part = loop.run_sync(fetch(std::move(ranged))).second;
  ASSERT_TRUE(part.has_value());
  EXPECT_EQ(part->status, 206);
  EXPECT_EQ(part->body, second_wav.substr(4, 4));
  std::string other = link;
  other.replace(other.find(second), second.size(), first);
  EXPECT_EQ(call_api(loop, port, "GET", other, {}, "").status, 401) << "signed for another recording";
  const auto expired = app::recording_link(base_config(), caller->call_sid(), second, 1'000'000'000);
  ASSERT_TRUE(expired.has_value());
  EXPECT_EQ(call_api(loop, port, "GET", *expired, {}, "").status, 401) << "expired in 2001";
  const auto later = app::recording_link(base_config(), caller->call_sid(), second, 4'102'444'800);
  EXPECT_EQ(call_api(loop, port, "GET", *later, {}, "").status, 200) << "made by the server's key";
  EXPECT_TRUE(listed[2].at("signed_url").is_null()) << "not stored, no link";
  app::config keyless;
  keyless.twilio_auth_token.clear();
  keyless.webhook_secret.clear();
  EXPECT_FALSE(app::recording_link(keyless, caller->call_sid(), second, 4'102'444'800).has_value());
  // A row that says stored whose audio has gone from the store is a 404, not an outage.
  std::filesystem::remove(storage / rows()[0].blob_key);
  auto gone = call_api(loop, port, "GET", std::string(listed[0].at("url").as_string()), {}, admin);
  EXPECT_EQ(gone.status, 404) << gone.body;
  EXPECT_NE(gone.body.find("missing from the store"), std::string::npos) << gone.body;
  // The transcript endpoint is unchanged by it.
  EXPECT_EQ(call_api(loop, port, "GET", call_path + "/transcript", {}, admin).status, 200);
}

}  // namespace
}  // namespace vg::e2e
