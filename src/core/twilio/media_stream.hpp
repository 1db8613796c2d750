// Twilio Media Streams messages (docs/protocols/media-streams.md): parsing what Twilio sends and writing what
// we send back. Parsing keeps views into the message text and never allocates for `media`,
// the 50-per-second message. Pure.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.hpp"

namespace vg::twilio {

enum class stream_event_kind { connected, start, media, dtmf, mark, stop, unknown };

struct stream_start {
  std::string stream_sid;
  std::string call_sid;
  std::string account_sid;
  std::vector<std::pair<std::string, std::string>> custom_parameters;
  std::string encoding;  // "audio/x-mulaw"
  int sample_rate = 0;
  int channels = 0;

  std::string_view parameter(std::string_view name) const;
};

// One parsed message. Views point into the text given to parse(); the caller keeps it alive.
struct stream_event {
  stream_event_kind kind = stream_event_kind::unknown;
  std::string_view event_name;   // as sent, for logging unknown events
  std::string_view stream_sid;
  // media
  std::string_view payload;      // base64 as sent (JSON-escaped form; Twilio never escapes it)
  bool payload_escaped = false;
  std::int64_t timestamp_ms = 0;
  std::string_view track;
  // dtmf / mark
  std::string_view digit;
  std::string_view mark_name;
  // start (only filled for kind == start)
  stream_start start;
};

result<stream_event> parse_stream_event(std::string_view text);

// Outgoing messages, appended to `out` (JSON text of one WebSocket message).
void append_media(std::string& out, std::string_view stream_sid, std::string_view payload_base64);
void append_mark(std::string& out, std::string_view stream_sid, std::string_view name);
void append_clear(std::string& out, std::string_view stream_sid);

}  // namespace vg::twilio
