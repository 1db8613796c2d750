// The telephony port over Twilio's REST API (docs/protocols/twilio-rest.md): SMS, live-call updates and call
// recordings, with HTTP Basic auth. Holds only immutable settings, so any number of coroutines on any
// threads may share one instance; each request runs on the calling coroutine's executor.
#pragma once
#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

#include "core/twilio/webhook.hpp"
#include "net/http_client.hpp"
#include "ports/telephony.hpp"

namespace vg::adapters {

class twilio_rest final : public ports::telephony {
 public:
  static constexpr std::size_t max_sms_chars = 1600;  // Twilio's limit on Body (docs/protocols/twilio-rest.md#send-sms)

  // `tls` must outlive the adapter, and the adapter its requests. `tls` serves https:// only. `api_base_url` is
  // https://api.twilio.com in production, or a local fake (http://127.0.0.1:PORT) in tests.
  twilio_rest(asio::ssl::context& tls, std::string api_base_url, std::string account_sid, std::string auth_token,
              std::chrono::milliseconds timeout = std::chrono::seconds(10));

  // Never retried: a retry after an ambiguous failure could text the caller twice.
  awaitable<result<ports::sms_sent>> send_sms(ports::sms_request request) override;
  // true: Twilio changed the call. false: a hang-up found the call already gone (404/20404),
  // which is still success. A hang-up is retried once on a transport failure or a 5xx because
  // ending a call twice is harmless; a transfer is not (it would restart the new TwiML).
  awaitable<result<bool>> update_call(std::string call_sid, ports::call_update update) override;

  // Largest recording media fetch_recording accepts (a long dual-channel WAV is ~115 MiB/hour).
  static constexpr std::size_t max_recording_bytes = 256 * 1024 * 1024;
  // A media download gets at least this long, whatever the per-request timeout.
  static constexpr std::chrono::seconds min_media_timeout{120};

  // POST .../Calls/{CallSid}/Recordings.json (RecordingChannels, and RecordingStatusCallback with
  // RecordingStatusCallbackEvent=completed when a callback is set). Never retried: a retry after
  // an ambiguous failure could start a second recording.
  awaitable<result<std::string>> start_recording(std::string call_sid, ports::recording_request request) override;
  // GET recording_url (+ ".wav" unless it already ends in .wav or .mp3). Refused without any
  // request unless scheme, host and port equal the API base URL's (and the path lies under its
  // path): the Basic auth header would otherwise hand the account's credentials to that host.
  // 404 -> "not ready: Twilio 20404: ..." (not_ready); transport failure -> "Twilio unreachable:
  // ..." (unreachable); not retried here (the caller backs off and retries).
  awaitable<result<ports::recording_media>> fetch_recording(std::string recording_url) override;
  // DELETE .../Recordings/{Sid}.json. true: deleted; false: already gone (404/20404), still
  // success. Retried once on a transport failure or a 5xx: deleting twice is harmless.
  awaitable<result<bool>> delete_recording(std::string recording_sid) override;
  std::string recording_media_url(const std::string& recording_sid) const override;

  // Whether `url` has the API base URL's scheme, host and port and lies under its path.
  bool under_api_base(std::string_view url) const;

 private:
  // One request to an absolute URL; a transport failure comes back as "Twilio unreachable: ...".
  awaitable<result<net::client_response>> send(net::client_request request, std::size_t max_body,
                                               std::chrono::milliseconds timeout) const;
  // One form POST to base URL + path.
  awaitable<result<net::client_response>> post(std::string path, twilio::form params) const;
  // A change that may be repeated `attempts` times after a transport failure or a 5xx: 2xx ->
  // true; with gone_is_done, 404/20404 -> false (what was asked already holds).
  awaitable<result<bool>> change(net::client_request request, int attempts, bool gone_is_done) const;
  std::string account_path() const;

  asio::ssl::context& tls_;
  std::string base_url_;
  std::string account_sid_;
  std::string authorization_;  // "Basic base64(sid:token)", built once
  std::chrono::milliseconds timeout_;
};

// Number of Unicode characters in UTF-8 text (what Twilio's 1600 limit counts, not bytes).
std::size_t utf8_length(std::string_view text);

}  // namespace vg::adapters
