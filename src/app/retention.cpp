#include "app/retention.hpp"
#include "app/wall_clock.hpp"

#include "net/log.hpp"

namespace vg::app {

awaitable<bool> erase_call(store_writer& store, ports::blob_store& blobs, std::string call_sid, bool delete_row) {
  auto read = [call_sid](ports::store& s) {
    std::pair<bool, std::vector<ports::recording_row>> r{s.find_call(call_sid).has_value(), s.recordings_of_call(call_sid)};
    return r;
  };
  const auto found = co_await store.run(std::move(read));
  if (!found.first) co_return false;
  // Blobs first: if this stops half-way, the rows still say where the rest is.
  for (const auto& r : found.second) {
    if (r.blob_key.empty()) continue;
    auto removed = co_await blobs.remove(r.blob_key);
    if (!removed) throw std::runtime_error("cannot delete " + r.blob_key + ": " + removed.error_message());
  }
  auto erase = [call_sid, delete_row](ports::store& s) {
    if (delete_row) return s.delete_call(call_sid);
    s.purge_call_content(call_sid);
    return true;
  };
  co_await store.run(std::move(erase));
  co_return true;
}

awaitable<int> sweep_retention(store_writer& store, directory& dir, ports::blob_store& blobs, std::int64_t now_ms) {
  int purged = 0;
  const auto snap = dir.current();
  for (const auto& [org_id, entry] : snap->orgs) {
    if (entry.org.retention_days <= 0) continue;
    const std::int64_t before = now_ms - static_cast<std::int64_t>(entry.org.retention_days) * 86'400'000;
    auto list = [org = org_id, before](ports::store& s) { return s.calls_to_purge(org, before, 500); };
    const auto sids = co_await store.run(std::move(list));
    for (const auto& sid : sids) {
      const bool done = co_await erase_call(store, blobs, sid, false);
      if (done) ++purged;
    }
    if (!sids.empty()) {
      log::info("retention: purged recordings and transcripts of " + std::to_string(sids.size()) + " call(s) of '" + org_id +
                "' older than " + std::to_string(entry.org.retention_days) + " days");
    }
  }
  co_return purged;
}

awaitable<void> retention_loop(const config& cfg, store_writer& store, directory& dir, ports::blob_store& blobs) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  for (;;) {
    timer.expires_after(cfg.retention_sweep);
    auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    if (ec) co_return;
    const auto now = unix_ms();
    try {
      co_await sweep_retention(store, dir, blobs, now);
    } catch (const std::exception& e) {
      log::error(std::string("retention sweep failed, retried at the next one: ") + e.what());
    }
  }
}

}  // namespace vg::app
