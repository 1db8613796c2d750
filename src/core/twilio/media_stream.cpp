#include "core/twilio/media_stream.hpp"

#include "core/json_scan.hpp"

namespace vg::twilio {
namespace {

result<stream_start> parse_start(const json::value_view& v) {
  if (v.type != json::kind::object) return make_error("start is not an object");
  auto start = json::object_view::parse(v.raw);
  if (!start) return start.failure();
  stream_start s;
  s.stream_sid = json::string_text(start->find("streamSid"));
  s.call_sid = json::string_text(start->find("callSid"));
  s.account_sid = json::string_text(start->find("accountSid"));
  if (s.stream_sid.empty() || s.call_sid.empty()) return make_error("start without streamSid or callSid");
  if (const auto* params = start->find("customParameters"); params && params->type == json::kind::object) {
    auto obj = json::object_view::parse(params->raw);
    if (!obj) return obj.failure();
    for (const auto& m : *obj) {
      std::string scratch;
      std::string value = m.value.type == json::kind::string ? std::string(json::text_of(m.value, scratch))
                                                             : std::string(m.value.raw);
      s.custom_parameters.emplace_back(std::string(m.key), std::move(value));
    }
  }
  if (const auto* fmt = start->find("mediaFormat"); fmt && fmt->type == json::kind::object) {
    auto obj = json::object_view::parse(fmt->raw);
    if (obj) {
      s.encoding = json::string_text(obj->find("encoding"));
      s.sample_rate = static_cast<int>(obj->integer("sampleRate").value_or(0));
      s.channels = static_cast<int>(obj->integer("channels").value_or(0));
    }
  }
  return s;
}

stream_event_kind kind_of(std::string_view name) {
  if (name == "media") return stream_event_kind::media;
  if (name == "mark") return stream_event_kind::mark;
  if (name == "start") return stream_event_kind::start;
  if (name == "dtmf") return stream_event_kind::dtmf;
  if (name == "stop") return stream_event_kind::stop;
  if (name == "connected") return stream_event_kind::connected;
  return stream_event_kind::unknown;
}

result<json::object_view> nested(const json::object_view& top, std::string_view key) {
  const auto* v = top.find(key);
  if (v == nullptr || v->type != json::kind::object) return make_error(std::string(key) + " object missing");
  return json::object_view::parse(v->raw);
}

}  // namespace

std::string_view stream_start::parameter(std::string_view name) const {
  for (const auto& [n, v] : custom_parameters) {
    if (n == name) return v;
  }
  return {};
}

result<stream_event> parse_stream_event(std::string_view text) {
  auto top = json::object_view::parse(text);
  if (!top) return top.failure();
  stream_event e;
  e.event_name = top->string("event");
  if (e.event_name.empty()) return make_error("message without an event field");
  e.kind = kind_of(e.event_name);
  e.stream_sid = top->string("streamSid");
  switch (e.kind) {
    case stream_event_kind::media: {
      auto media = nested(*top, "media");
      if (!media) return make_error("media: " + media.error_message());
      const auto* payload = media->find("payload");
      if (payload == nullptr || payload->type != json::kind::string) return make_error("media without payload");
      e.payload = payload->raw;
      e.payload_escaped = payload->has_escapes;
      e.timestamp_ms = media->integer("timestamp").value_or(0);
      e.track = media->string("track");
      break;
    }
    case stream_event_kind::mark: {
      auto mark = nested(*top, "mark");
      if (!mark) return make_error("mark: " + mark.error_message());
      e.mark_name = mark->string("name");
      break;
    }
    case stream_event_kind::dtmf: {
      auto dtmf = nested(*top, "dtmf");
      if (!dtmf) return make_error("dtmf: " + dtmf.error_message());
      e.digit = dtmf->string("digit");
      e.track = dtmf->string("track");
      if (e.digit.empty()) return make_error("dtmf without digit");
      break;
    }
    case stream_event_kind::start: {
      const auto* start = top->find("start");
      if (start == nullptr) return make_error("start message without start object");
      auto s = parse_start(*start);
      if (!s) return make_error("start: " + s.error_message());
      e.start = std::move(*s);
      break;
    }
    case stream_event_kind::connected:
    case stream_event_kind::stop:
    case stream_event_kind::unknown:
      break;
  }
  return e;
}

void append_media(std::string& out, std::string_view stream_sid, std::string_view payload_base64) {
  out += R"({"event":"media","streamSid":")";
  json::append_escaped(out, stream_sid);
  out += R"(","media":{"payload":")";
  out += payload_base64;  // base64 needs no escaping
  out += R"("}})";
}

void append_mark(std::string& out, std::string_view stream_sid, std::string_view name) {
  out += R"({"event":"mark","streamSid":")";
  json::append_escaped(out, stream_sid);
  out += R"(","mark":{"name":")";
  json::append_escaped(out, name);
  out += R"("}})";
}

void append_clear(std::string& out, std::string_view stream_sid) {
  out += R"({"event":"clear","streamSid":")";
  json::append_escaped(out, stream_sid);
  out += R"("})";
}

}  // namespace vg::twilio
