#include "app/recordings/recordings.hpp"

#include <filesystem>

#include "app/recordings/recording_file.hpp"
#include "app/wall_clock.hpp"
#include "core/call/stereo_recording.hpp"
#include "core/json_scan.hpp"
#include "net/log.hpp"
#include "net/log_failure.hpp"

namespace vg::app {

recordings::recordings(const config& cfg, store_writer& store, ports::blob_store& blobs, ports::telephony* telephony,
                       background_work& work)
    : cfg_(cfg), store_(store), blobs_(blobs), telephony_(telephony), work_(work) {}

std::string recordings::blob_key(const std::string& call_sid, const std::string& id, std::string_view ext) {
  return "calls/" + call_sid + "/" + id + std::string(ext);
}

void recordings::on_twilio_callback(asio::any_io_executor ex, const twilio::form& params) {
  const std::string call_sid(twilio::form_value(params, "CallSid"));
  const std::string sid(twilio::form_value(params, "RecordingSid"));
  const std::string status(twilio::form_value(params, "RecordingStatus"));
  const std::string url(twilio::form_value(params, "RecordingUrl"));
  log::info(call_sid, "recording " + sid + " " + status);
  if (status != "completed" || sid.empty() || url.empty()) return;  // in-progress, absent: nothing to fetch
  const auto duration = json::to_integer(twilio::form_value(params, "RecordingDuration")).value_or(0);
  const auto channels = json::to_integer(twilio::form_value(params, "RecordingChannels")).value_or(1);
  std::string origin(twilio::form_value(params, "RecordingSource"));  // what started it (docs/protocols/twilio-webhooks.md#recording-status-callback); may be absent
  asio::co_spawn(ex, download(call_sid, sid, url, duration, channels, std::move(origin)),
                 net::log_failure(call_sid, "recording " + sid + " was not stored", [busy = work_.begin()](auto&&...) {}));
}

awaitable<void> recordings::download(std::string call_sid, std::string recording_sid, std::string url, std::int64_t duration_s,
                                     std::int64_t channels, std::string origin) {
  const std::int64_t now = unix_ms();
  ports::recording_row row{recording_sid, call_sid, "twilio", "downloading", {}, {}, 0, duration_s, channels, {}, now, now,
                           std::move(origin)};
  auto claim = [row](ports::store& s) { return s.claim_recording(row); };
  const bool first = co_await store_.run(std::move(claim));
  if (!first) {
    log::info(call_sid, "recording " + recording_sid + " callback repeated: already handled");
    co_return;
  }
  co_await fetch_and_store(std::move(row), std::move(url));
}

awaitable<void> recordings::fetch_and_store(ports::recording_row row, std::string url) {
  const std::string call_sid = row.call_sid, recording_sid = row.id;
  std::string error = "no Twilio credentials to fetch it with";
  std::optional<ports::recording_media> media;
  auto wait = cfg_.recording_retry;
  for (int attempt = 1; telephony_ != nullptr && attempt <= cfg_.recording_attempts; ++attempt) {
    auto fetched = co_await telephony_->fetch_recording(url);
    if (fetched) {
      media = std::move(*fetched);
      break;
    }
    error = fetched.error_message();
    const auto kind = fetched.error_kind();
    if (kind != error_kind::not_ready && kind != error_kind::unreachable) break;  // will not improve
    if (attempt == cfg_.recording_attempts) break;
    asio::steady_timer pause(co_await asio::this_coro::executor);
    pause.expires_after(wait);
    co_await pause.async_wait(asio::use_awaitable);
    wait *= 2;  // the media is usually there within seconds; back off to spare the API
  }
  if (media) {
    const std::string key = blob_key(call_sid, recording_sid, ".wav");
    const std::string type = media->content_type.empty() ? std::string("audio/x-wav") : media->content_type;
    auto stored = co_await blobs_.put(key, std::move(media->bytes), type);
    if (stored) {
      row.status = "stored";
      row.blob_key = key;
      row.content_type = type;
      row.bytes = static_cast<std::int64_t>(stored->size);
      error.clear();
    } else {
      error = "blob store: " + stored.error_message();
    }
  }
  if (!error.empty()) {
    row.status = "failed";
    row.error = error;
    log::error(call_sid, "recording " + recording_sid + " not stored: " + error);
  } else {
    log::info(call_sid, "recording " + recording_sid + " stored as " + row.blob_key + " (" + std::to_string(row.bytes) + " bytes)");
  }
  row.updated_at_ms = unix_ms();
  store_.post(call_sid, [row](ports::store& s) { s.update_recording(row); });
  if (row.status == "stored" && cfg_.delete_twilio_recordings && telephony_ != nullptr) {
    auto deleted = co_await telephony_->delete_recording(recording_sid);
    if (!deleted) log::warn(call_sid, "recording " + recording_sid + " stored, but not deleted at Twilio: " + deleted.error_message());
  }
}

awaitable<std::size_t> recordings::resume_stale_downloads(std::int64_t now_ms) {
  if (telephony_ == nullptr) co_return 0;
  const std::int64_t before = now_ms - stale_download_ms;
  auto list = [before](ports::store& s) { return s.recordings_downloading_since_before(before, 100); };
  const auto stale = co_await store_.run(std::move(list));
  std::size_t resumed = 0;
  for (auto row : stale) {
    // Compare and set on updated_at: of several nodes seeing the same row, one takes it.
    auto take = [id = row.id, seen = row.updated_at_ms, now_ms](ports::store& s) { return s.touch_recording(id, seen, now_ms); };
    const bool mine = co_await store_.run(std::move(take));
    if (!mine) continue;
    ++resumed;
    log::warn(row.call_sid, "recording " + row.id + " was left downloading (the process stopped?): fetching it again");
    row.updated_at_ms = now_ms;
    std::string url = telephony_->recording_media_url(row.id);
    co_await fetch_and_store(std::move(row), std::move(url));
  }
  co_return resumed;
}

awaitable<void> recordings::resume_stale_downloads_forever() {
  asio::steady_timer pause(co_await asio::this_coro::executor);
  for (;;) {
    {
      const auto busy = work_.begin();  // while fetching, not while waiting for the next round
      co_await resume_stale_downloads(unix_ms());
    }
    pause.expires_after(std::chrono::milliseconds(stale_download_ms / 2));
    auto [ec] = co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
    if (ec) co_return;
  }
}

void recordings::start_resuming_stale_downloads(asio::any_io_executor ex) {
  // A member coroutine, not a lambda: a lambda's captures die with the lambda, before the loop.
  asio::co_spawn(ex, resume_stale_downloads_forever(), net::log_failure("the stale recording check stopped by an unexpected error"));
}

bool recordings::wanted(const agent::assistant* a, std::string_view kind) {
  if (a == nullptr) return false;
  if (kind == "twilio") return a->settings.records_twilio();
  if (kind == "own") return a->settings.records_own();
  return false;
}

void recordings::store_own(asio::any_io_executor ex, std::string call_sid, std::string path) {
  asio::co_spawn(ex, keep_own(call_sid, path),
                 net::log_failure(call_sid, "own recording not stored", [busy = work_.begin()](auto&&...) {}));
}

awaitable<void> recordings::keep_own(std::string call_sid, std::string path) {
  std::error_code size_error;
  const std::uint64_t bytes = std::filesystem::file_size(path, size_error);
  const std::uint64_t known = size_error ? 0 : bytes;
  const std::int64_t now = unix_ms();
  ports::recording_row row{"VG" + call_sid, call_sid, "voxgate", "stored", blob_key(call_sid, "voxgate", ".wav"), "audio/wav",
                           static_cast<std::int64_t>(known), recording_file::seconds_in(known),
                           call::stereo_recording::channels, {}, now, now, "voxgate"};
  // Copied from the spool file a piece at a time, never whole in memory (about 1 MB a minute).
  std::string key = row.blob_key, source = path, type = row.content_type;
  auto stored = co_await blobs_.put_file(std::move(key), std::move(source), std::move(type));
  if (stored) {
    std::error_code ec;
    std::filesystem::remove(path, ec);
    log::info(call_sid, "own recording stored as " + row.blob_key + " (" + std::to_string(row.bytes) + " bytes)");
  } else {
    row.status = "failed";
    row.error = "blob store: " + stored.error_message() + " (kept in " + path + ")";
    log::error(call_sid, "own recording not stored: " + row.error);
  }
  store_.post(call_sid, [row](ports::store& s) {
    if (!s.claim_recording(row)) s.update_recording(row);
  });
}

std::size_t recordings::recover_spool(asio::any_io_executor ex) {
  std::error_code ec;
  std::filesystem::directory_iterator it(cfg_.recording_spool, ec);
  if (ec) return 0;  // no spool yet: nothing was left
  std::size_t found = 0;
  for (const auto& entry : it) {
    const auto& path = entry.path();
    if (!entry.is_regular_file(ec) || path.extension() != ".wav") continue;
    const std::string call_sid = path.stem().string();
    ++found;
    auto repaired = recording_file::repair(path.string());
    if (!repaired) {
      log::error(call_sid, "own recording left in the spool cannot be recovered: " + repaired.error_message());
      continue;
    }
    log::info(call_sid, "own recording left in the spool by an earlier run (" + std::to_string(*repaired) + " bytes): storing it");
    store_own(ex, call_sid, path.string());
  }
  return found;
}

namespace {
awaitable<void> start_recording(ports::telephony* telephony, std::string call_sid, ports::recording_request req) {
  auto sid = co_await telephony->start_recording(call_sid, std::move(req));
  if (sid) log::info(call_sid, "Twilio is recording: " + *sid);
  else log::warn(call_sid, "Twilio recording not started: " + sid.error_message());
}
}  // namespace

void recordings::start_twilio_recording(asio::any_io_executor ex, std::string call_sid) {
  if (telephony_ == nullptr) {
    log::warn(call_sid, "the assistant asks for a Twilio recording, but Twilio credentials are not set");
    return;
  }
  ports::recording_request req;
  if (!cfg_.public_url.empty()) req.status_callback = cfg_.public_url + "/twilio/recording";
  asio::co_spawn(ex, start_recording(telephony_, call_sid, std::move(req)), net::log_failure(call_sid, "recording not started"));
}

}  // namespace vg::app
