// GET /api/v1/calls/{sid}/recording[?source=twilio|voxgate][&id=ID]: the stored audio, with HTTP range
// requests (RFC 9110 14) so a browser's audio player can seek. Only stored recordings are served.
#include <boost/json.hpp>

#include "app/api/api_routes.hpp"
#include "core/http/byte_range.hpp"

namespace vg::app {

awaitable<net::http_response> api_routes::call_recording(net::http_request req, std::string call_sid, api::principal who) {
  if (req.method != "GET") co_return api::method_not_allowed("GET");
  struct found {
    std::optional<ports::call_row> call;
    std::vector<ports::recording_row> recordings;
  };
  auto read = [call_sid](ports::store& s) { return found{s.find_call(call_sid), s.recordings_of_call(call_sid)}; };
  const found f = co_await store_.run(std::move(read));
  if (!f.call) co_return api::not_found("call " + call_sid);
  if (!who.may_access(f.call->org_id)) co_return api::forbidden();
  const std::string source = api::query_value(req, "source");
  if (!source.empty() && source != "twilio" && source != "voxgate") co_return api::invalid("source: must be twilio or voxgate");
  const std::string id = api::query_value(req, "id");
  const ports::recording_row* chosen = nullptr;
  for (const auto& r : f.recordings) {
    const bool wanted = (source.empty() || r.source == source) && (id.empty() || r.id == id);
    if (r.status == "stored" && wanted) chosen = &r;  // the latest stored
  }
  if (chosen == nullptr) co_return api::not_found(id.empty() ? "recording of call " + call_sid : "recording " + id + " of call " + call_sid);
  const std::string key = chosen->blob_key, type = chosen->content_type.empty() ? "audio/wav" : chosen->content_type;
  auto info = co_await recs_.blobs().stat(key);
  if (!info && info.error_kind() == error_kind::not_found) {
    // Not an outage: the row says stored but the audio is gone (removed by hand, another bucket).
    co_return api::error_response(404, "not_found", "the recording's audio is missing from the store (" + key + ")");
  }
  if (!info) co_return api::error_response(503, "storage_unavailable", "the recording could not be read: " + info.error_message());
  const std::uint64_t size = info->size;
  const std::string_view range_header = req.header("range");
  http::range_request asked;  // whole, unless the header names a range
  if (!range_header.empty()) asked = http::parse_range_header(range_header, size);
  if (asked.what == http::range_request::kind::unsatisfiable) {
    auto r = api::error_response(416, "range_not_satisfiable", "the recording has " + std::to_string(size) + " bytes");
    r.headers.emplace_back("content-range", "bytes */" + std::to_string(size));
    co_return r;
  }
  const bool partial = asked.what == http::range_request::kind::range;
  const std::uint64_t first = partial ? asked.range.first : 0;
  // Streamed a piece at a time: an hour of stereo audio is over 100 MB.
  // The first piece is read before answering, so that a store that is down is a 503.
  auto body = std::make_shared<net::streamed_body>();
  body->size = partial ? asked.range.length() : size;
  auto head = co_await recs_.blobs().get(key, first, std::min(body->size, body->piece));
  if (!head) co_return api::error_response(503, "storage_unavailable", "the recording could not be read: " + head.error_message());
  body->read = [blobs = &recs_.blobs(), key, first](std::uint64_t offset, std::uint64_t max) {
    return blobs->get(key, first + offset, max);
  };
  net::http_response r{partial ? 206 : 200, type, std::move(*head), {}, std::move(body)};
  r.headers.emplace_back("accept-ranges", "bytes");
  r.headers.emplace_back("cache-control", "private, max-age=3600");
  if (partial) r.headers.emplace_back("content-range", http::content_range_header(asked.range, size));
  co_return r;
}

}  // namespace vg::app
