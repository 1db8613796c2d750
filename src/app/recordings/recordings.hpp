// Recordings after (and during) the call: Twilio's recording callback downloads the media with
// the account's credentials, retrying with backoff while Twilio answers "not ready", keeps it in
// the blob store and records it on the call (idempotent: Twilio may call twice). Also starts a
// Twilio recording when the assistant asks for one. Coroutines on the caller's executor.
#pragma once
#include <string>

#include "app/background_work.hpp"
#include "app/config.hpp"
#include "app/store_writer.hpp"
#include "core/agent/org_config.hpp"
#include "core/twilio/webhook.hpp"
#include "net/asio.hpp"
#include "ports/blob_store.hpp"
#include "ports/telephony.hpp"

namespace vg::app {

class recordings {
 public:
  // Every argument must outlive this object; telephony may be null (no Twilio credentials).
  // Downloads and uploads are counted in `work` while they run.
  recordings(const config& cfg, store_writer& store, ports::blob_store& blobs, ports::telephony* telephony,
             background_work& work);

  // A verified docs/protocols/twilio-webhooks.md#recording-status-callback: starts the download in the background.
  void on_twilio_callback(asio::any_io_executor ex, const twilio::form& params);
  // Starts a dual-channel Twilio recording of a live call, with the callback to this server.
  void start_twilio_recording(asio::any_io_executor ex, std::string call_sid);

  // voxgate's own recording, finished in the local file at `path`: kept in the blob store and
  // recorded on the call, then the local file is removed (kept, and logged, if storing fails).
  void store_own(asio::any_io_executor ex, std::string call_sid, std::string path);
  // Own recordings left in the spool directory by a process that stopped mid-call (or whose
  // upload failed): each is repaired (recording_file::repair) and stored like a finished one.
  // Run at start, before calls are taken: a running call's spool file must not be touched.
  // Returns how many were found.
  std::size_t recover_spool(asio::any_io_executor ex);
  // Twilio recordings left "downloading" for over stale_download_ms (the process stopped while it
  // fetched them) are fetched again, once per row across nodes; returns how many this node took.
  // start_resuming_stale_downloads runs it now and then every half of that, until the executor stops.
  static constexpr std::int64_t stale_download_ms = 10 * 60 * 1000;
  awaitable<std::size_t> resume_stale_downloads(std::int64_t now_ms);
  void start_resuming_stale_downloads(asio::any_io_executor ex);
  // Whether the assistant's settings ask for recording `kind` ("twilio" or "own").
  static bool wanted(const agent::assistant* a, std::string_view kind);

  ports::blob_store& blobs() { return blobs_; }
  static std::string blob_key(const std::string& call_sid, const std::string& id, std::string_view ext);

 private:
  awaitable<void> download(std::string call_sid, std::string recording_sid, std::string url, std::int64_t duration_s,
                           std::int64_t channels, std::string origin);
  awaitable<void> keep_own(std::string call_sid, std::string path);
  // Fetches the media (retrying while Twilio says "not ready"), stores it, updates the claimed row.
  awaitable<void> fetch_and_store(ports::recording_row row, std::string url);
  awaitable<void> resume_stale_downloads_forever();

  const config& cfg_;
  store_writer& store_;
  ports::blob_store& blobs_;
  ports::telephony* telephony_;
  background_work& work_;
};

}  // namespace vg::app
