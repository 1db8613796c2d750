#include "core/agent/assistant_settings_json.hpp"

#include <boost/json.hpp>

#include "core/agent/config_fields.hpp"
#include "core/agent/json_schema.hpp"

namespace vg::agent {
namespace json = boost::json;
namespace {

using reader = config_reader;

// The map at obj[key] read by `read`, or nullopt when left out (or null).
template <class T, class Read>
std::optional<T> section(reader& r, const json::object& obj, const std::string& path, std::string_view key, Read read) {
  const auto* v = obj.if_contains(key);
  if (v == nullptr || v->is_null()) return std::nullopt;
  return read(r, *v, reader::join(path, key));
}

std::optional<recording_settings> read_recording(reader& r, const json::value& v, const std::string& path) {
  const auto* o = r.object(v, path, fields::recording);
  if (o == nullptr) return std::nullopt;
  return recording_settings{r.flag(*o, path, "twilio"), r.flag(*o, path, "own")};
}

std::optional<extraction_settings> read_extraction(reader& r, const json::value& v, const std::string& path) {
  const auto* o = r.object(v, path, fields::extraction);
  if (o == nullptr) return std::nullopt;
  extraction_settings out;
  const std::string spath = reader::join(path, "schema");
  if (const auto* s = o->if_contains("schema"); s == nullptr || s->is_null()) {
    r.fail(spath, "is required");
  } else if (!s->is_object() || s->as_object().if_contains("type") == nullptr || s->as_object().at("type") != "object") {
    // Structured output answers with an object: any other root is refused by the API.
    r.fail(spath, "must be an object schema ({type: object, properties: ...})");
  } else {
    out.schema = *s;
    for (const auto& e : check_schema(*s)) r.fail(reader::join(spath, e.path), e.message);
  }
  out.model = r.text(*o, path, "model", false, 100);
  out.instructions = r.text(*o, path, "instructions", false, 20000);
  return out;
}

std::optional<booking_settings> read_booking(reader& r, const json::value& v, const std::string& path) {
  const auto* o = r.object(v, path, fields::booking);
  if (o == nullptr) return std::nullopt;
  return booking_settings{r.whole_if_given(*o, path, "min_lead_minutes", 0, 365 * 24 * 60)};
}

bool is_dtmf(const std::string& s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || c == '*' || c == '#')) return false;
  }
  return true;
}

std::optional<gate_settings> read_gate(reader& r, const json::value& v, const std::string& path) {
  const auto* o = r.object(v, path, fields::gate);
  if (o == nullptr) return std::nullopt;
  gate_settings g;
  g.press_any_key = r.flag(*o, path, "press_any_key");
  g.digits = r.text(*o, path, "digits", false, 20);
  if (!is_dtmf(g.digits)) r.fail(reader::join(path, "digits"), "may hold only the keys 0-9, * and #");
  g.prompt = r.text(*o, path, "prompt", false, 1000);
  g.timeout_s = r.positive(*o, path, "timeout_s", 600);
  g.attempts = r.whole_if_given(*o, path, "attempts", 1, 10);
  g.goodbye = r.text(*o, path, "goodbye", false, 1000);
  return g;
}

std::optional<gather_settings> read_gather(reader& r, const json::value& v, const std::string& path) {
  const auto* o = r.object(v, path, fields::gather);
  if (o == nullptr) return std::nullopt;
  return gather_settings{r.text(*o, path, "model", false, 100), r.text(*o, path, "voice", false, 100),
                         r.whole_if_given(*o, path, "attempts", 1, 10)};
}

// One of `names` (as text) at key, or nullopt when left out (or after reporting).
template <class Enum, std::size_t N>
std::optional<Enum> choice(reader& r, const json::object& o, const std::string& path, std::string_view key,
                           const std::pair<std::string_view, Enum> (&names)[N]) {
  const auto* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) return std::nullopt;
  if (const auto* s = v->if_string()) {
    for (const auto& [name, value] : names) {
      if (*s == name) return value;
    }
  }
  std::string options;
  for (std::size_t i = 0; i < N; ++i) options += (i == 0 ? "" : (i + 1 == N ? " or " : ", ")) + std::string(names[i].first);
  r.fail(reader::join(path, key), "must be " + options);
  return std::nullopt;
}

constexpr std::pair<std::string_view, conversation_mode> mode_names[] = {{"realtime", conversation_mode::realtime},
                                                                         {"gather", conversation_mode::gather}};
constexpr std::pair<std::string_view, fallback_route> fallback_names[] = {
    {"apology", fallback_route::apology}, {"gather", fallback_route::gather}, {"transfer", fallback_route::transfer}};

template <class Enum, std::size_t N>
std::string_view name_of(Enum value, const std::pair<std::string_view, Enum> (&names)[N]) {
  for (const auto& [name, v] : names) {
    if (v == value) return name;
  }
  return {};
}

void put_if(json::object& o, std::string_view key, const std::string& value) {
  if (!value.empty()) o[key] = value;
}

template <class T>
void put_if(json::object& o, std::string_view key, const std::optional<T>& value) {
  if (value) o[key] = *value;
}

}  // namespace

assistant_settings read_settings(reader& r, const json::value& v, const std::string& path) {
  assistant_settings s;
  if (v.is_null()) return s;
  const auto* o = r.object(v, path, fields::settings);
  if (o == nullptr) return s;
  s.mode = choice(r, *o, path, "mode", mode_names);
  s.gate = section<gate_settings>(r, *o, path, "gate", read_gate);
  s.max_call_seconds = r.positive(*o, path, "max_call_seconds", 86400);
  s.idle_timeout_s = r.positive(*o, path, "idle_timeout_s", 3600);
  s.fallback = choice(r, *o, path, "fallback", fallback_names);
  s.gather = section<gather_settings>(r, *o, path, "gather", read_gather);
  s.recording = section<recording_settings>(r, *o, path, "recording", read_recording);
  s.extraction = section<extraction_settings>(r, *o, path, "extraction", read_extraction);
  s.booking = section<booking_settings>(r, *o, path, "booking", read_booking);
  return s;
}

json::object to_json(const assistant_settings& s) {
  json::object out;
  if (s.mode) out["mode"] = name_of(*s.mode, mode_names);
  if (s.gate) {
    json::object g;
    put_if(g, "press_any_key", s.gate->press_any_key);
    put_if(g, "digits", s.gate->digits);
    put_if(g, "prompt", s.gate->prompt);
    if (s.gate->timeout_s) g["timeout_s"] = number_to_json(*s.gate->timeout_s);
    put_if(g, "attempts", s.gate->attempts);
    put_if(g, "goodbye", s.gate->goodbye);
    out["gate"] = std::move(g);
  }
  if (s.max_call_seconds) out["max_call_seconds"] = number_to_json(*s.max_call_seconds);
  if (s.idle_timeout_s) out["idle_timeout_s"] = number_to_json(*s.idle_timeout_s);
  if (s.fallback) out["fallback"] = name_of(*s.fallback, fallback_names);
  if (s.gather) {
    json::object g;
    put_if(g, "model", s.gather->model);
    put_if(g, "voice", s.gather->voice);
    put_if(g, "attempts", s.gather->attempts);
    out["gather"] = std::move(g);
  }
  if (s.recording) {
    json::object rec;
    put_if(rec, "twilio", s.recording->twilio);
    put_if(rec, "own", s.recording->own);
    out["recording"] = std::move(rec);
  }
  if (s.extraction) {
    json::object e{{"schema", s.extraction->schema}};
    put_if(e, "model", s.extraction->model);
    put_if(e, "instructions", s.extraction->instructions);
    out["extraction"] = std::move(e);
  }
  if (s.booking) {
    json::object b;
    put_if(b, "min_lead_minutes", s.booking->min_lead_minutes);
    out["booking"] = std::move(b);
  }
  return out;
}

}  // namespace vg::agent
