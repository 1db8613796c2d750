// GET /api/v1/calls/{sid}/recording[?source=twilio|voxgate][&id=ID]: the stored audio, with HTTP range
// requests (RFC 9110 14) so a browser's audio player can seek. Only stored recordings are served.
#include <charconv>

#include <boost/json.hpp>

#include "app/api_routes.hpp"

namespace vg::app {

namespace {

struct byte_range {
  std::uint64_t first = 0;
  std::uint64_t last = 0;  // inclusive
};

// "bytes=a-b", "bytes=a-", "bytes=-n" against a blob of `size` bytes. nullopt: not satisfiable or
// not understood (several ranges are answered with the whole body, as RFC 9110 allows).
std::optional<byte_range> parse_range(std::string_view header, std::uint64_t size, bool& whole) {
  whole = false;
  if (!header.starts_with("bytes=") || header.find(',') != std::string_view::npos) {
    whole = true;
    return std::nullopt;
  }
  header.remove_prefix(6);
  const auto dash = header.find('-');
  if (dash == std::string_view::npos || size == 0) return std::nullopt;
  const auto number = [](std::string_view s) -> std::optional<std::uint64_t> {
    std::uint64_t v = 0;
    const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
    return v;
  };
  const std::string_view a = header.substr(0, dash), b = header.substr(dash + 1);
  if (a.empty()) {  // the last n bytes
    const auto n = number(b);
    if (!n || *n == 0) return std::nullopt;
    return byte_range{*n >= size ? 0 : size - *n, size - 1};
  }
  const auto first = number(a);
  if (!first || *first >= size) return std::nullopt;
  std::uint64_t last = size - 1;
  if (!b.empty()) {
    const auto l = number(b);
    if (!l || *l < *first) return std::nullopt;
    last = std::min(*l, size - 1);
  }
  return byte_range{*first, last};
}

}  // namespace

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
  if (!info && info.error_message() == "not found: " + key) {
    // Not an outage: the row says stored but the audio is gone (removed by hand, another bucket).
    co_return api::error_response(404, "not_found", "the recording's audio is missing from the store (" + key + ")");
  }
  if (!info) co_return api::error_response(503, "storage_unavailable", "the recording could not be read: " + info.error_message());
  const std::uint64_t size = info->size;
  const std::string_view range_header = req.header("range");
  bool whole = range_header.empty();
  std::optional<byte_range> range;
  if (!whole) range = parse_range(range_header, size, whole);
  if (!whole && !range) {
    auto r = api::error_response(416, "range_not_satisfiable", "the recording has " + std::to_string(size) + " bytes");
    r.headers.emplace_back("content-range", "bytes */" + std::to_string(size));
    co_return r;
  }
  const std::uint64_t first = range ? range->first : 0;
  // Streamed a piece at a time: an hour of stereo audio is over 100 MB.
  // The first piece is read before answering, so that a store that is down is a 503.
  auto body = std::make_shared<net::streamed_body>();
  body->size = range ? range->last - range->first + 1 : size;
  auto head = co_await recs_.blobs().get(key, first, std::min(body->size, body->piece));
  if (!head) co_return api::error_response(503, "storage_unavailable", "the recording could not be read: " + head.error_message());
  body->read = [blobs = &recs_.blobs(), key, first](std::uint64_t offset, std::uint64_t max) {
    return blobs->get(key, first + offset, max);
  };
  net::http_response r{range ? 206 : 200, type, std::move(*head), {}, std::move(body)};
  r.headers.emplace_back("accept-ranges", "bytes");
  r.headers.emplace_back("cache-control", "private, max-age=3600");
  if (range) {
    r.headers.emplace_back("content-range", "bytes " + std::to_string(range->first) + "-" + std::to_string(range->last) + "/" +
                                                std::to_string(size));
  }
  co_return r;
}

}  // namespace vg::app
