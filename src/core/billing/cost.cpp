#include "core/billing/cost.hpp"

#include <boost/json.hpp>

#include "core/json_fields.hpp"

namespace vg::billing {
namespace json = boost::json;

void token_usage::add(const token_usage& o) {
  input_text += o.input_text;
  input_audio += o.input_audio;
  cached_text += o.cached_text;
  cached_audio += o.cached_audio;
  output_text += o.output_text;
  output_audio += o.output_audio;
  responses += o.responses;
}

namespace {

using json_fields::count_at;
using json_fields::object_at;

}  // namespace

result<token_usage> parse_realtime_usage(std::string_view usage_json) {
  boost::system::error_code ec;
  const json::value v = json::parse(usage_json, ec);
  if (ec || !v.is_object()) return make_error("usage is not a JSON object");
  const auto& o = v.as_object();
  token_usage u;
  u.responses = 1;
  if (const auto* in = object_at(o, "input_token_details")) {
    u.input_text = count_at(*in, "text_tokens");
    u.input_audio = count_at(*in, "audio_tokens");
    if (const auto* cached = object_at(*in, "cached_tokens_details")) {
      u.cached_text = count_at(*cached, "text_tokens");
      u.cached_audio = count_at(*cached, "audio_tokens");
    } else {
      u.cached_text = count_at(*in, "cached_tokens");  // without the split, count cached as text
    }
  } else {
    u.input_text = count_at(o, "input_tokens");
  }
  if (const auto* out = object_at(o, "output_token_details")) {
    u.output_text = count_at(*out, "text_tokens");
    u.output_audio = count_at(*out, "audio_tokens");
  } else {
    u.output_text = count_at(o, "output_tokens");
  }
  return u;
}

json::object to_json(const token_usage& u) {
  return json::object{{"input_text_tokens", u.input_text},   {"input_audio_tokens", u.input_audio},
                      {"cached_text_tokens", u.cached_text}, {"cached_audio_tokens", u.cached_audio},
                      {"output_text_tokens", u.output_text}, {"output_audio_tokens", u.output_audio},
                      {"responses", u.responses}};
}

result<token_usage> usage_from_json(std::string_view text) {
  if (text.empty()) return token_usage{};
  boost::system::error_code ec;
  const json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return make_error("stored usage is not a JSON object");
  const auto& o = v.as_object();
  return token_usage{count_at(o, "input_text_tokens"),  count_at(o, "input_audio_tokens"),
                     count_at(o, "cached_text_tokens"), count_at(o, "cached_audio_tokens"),
                     count_at(o, "output_text_tokens"), count_at(o, "output_audio_tokens"),
                     count_at(o, "responses")};
}

result<price_table> parse_price_table(std::string_view json_text) {
  boost::system::error_code ec;
  const json::value v = json::parse(json_text, ec);
  if (ec || !v.is_object()) return make_error("the price table is not a JSON object");
  price_table t = default_prices();
  for (const auto& [key, value] : v.as_object()) {
    if (key == "models") {
      if (!value.is_object()) return make_error("models: must be a map of model names to prices");
      for (const auto& [name, p] : value.as_object()) {
        if (!p.is_object()) return make_error("models." + std::string(name) + ": must be a map of prices");
        model_price mp = t.models.count(std::string(name)) ? t.models[std::string(name)] : model_price{};
        for (const auto& [field, n] : p.as_object()) {
          double* target = field == "audio_in"       ? &mp.audio_in
                           : field == "audio_cached" ? &mp.audio_cached
                           : field == "audio_out"    ? &mp.audio_out
                           : field == "text_in"      ? &mp.text_in
                           : field == "text_cached"  ? &mp.text_cached
                           : field == "text_out"     ? &mp.text_out
                                                     : nullptr;
          if (target == nullptr) return make_error("models." + std::string(name) + "." + std::string(field) + ": is not a known price");
          if (!n.is_number() || n.to_number<double>() < 0) {
            return make_error("models." + std::string(name) + "." + std::string(field) + ": must be a number of dollars per 1M tokens");
          }
          *target = n.to_number<double>();
        }
        t.models[std::string(name)] = mp;
      }
    } else if (key == "twilio") {
      if (!value.is_object()) return make_error("twilio: must be a map of prices");
      for (const auto& [field, n] : value.as_object()) {
        double* target = field == "inbound_per_min"    ? &t.twilio_inbound_per_min
                         : field == "outbound_per_min" ? &t.twilio_outbound_per_min
                         : field == "sms_per_segment"  ? &t.sms_per_segment
                                                       : nullptr;
        if (target == nullptr) return make_error("twilio." + std::string(field) + ": is not a known price");
        if (!n.is_number() || n.to_number<double>() < 0) return make_error("twilio." + std::string(field) + ": must be a number of dollars");
        *target = n.to_number<double>();
      }
    } else {
      return make_error(std::string(key) + ": is not a known field (models, twilio)");
    }
  }
  return t;
}

int sms_segments(std::string_view body) {
  // GSM-7 basic set approximated as printable ASCII plus newline; anything else forces UCS-2.
  bool gsm = true;
  std::size_t chars = 0;
  for (std::size_t i = 0; i < body.size(); ++i) {
    const auto c = static_cast<unsigned char>(body[i]);
    if ((c & 0xC0) != 0x80) ++chars;  // count code points
    if (c >= 0x80 || (c < 0x20 && c != '\n' && c != '\r')) gsm = false;
  }
  const std::size_t single = gsm ? 160 : 70, part = gsm ? 153 : 67;
  if (chars <= single) return 1;
  return static_cast<int>((chars + part - 1) / part);
}

namespace {

// "gpt-4o-mini-2024-07-18" -> "gpt-4o-mini"; "" when `model` does not end in -YYYY-MM-DD.
std::string_view undated(std::string_view model) {
  constexpr std::string_view form = "-0000-00-00";
  if (model.size() <= form.size()) return {};
  const std::string_view tail = model.substr(model.size() - form.size());
  for (std::size_t i = 0; i < form.size(); ++i) {
    const bool digit = tail[i] >= '0' && tail[i] <= '9';
    if (form[i] == '-' ? tail[i] != '-' : !digit) return {};
  }
  return model.substr(0, model.size() - form.size());
}

}  // namespace

const model_price* find_price(const price_table& prices, std::string_view model) {
  for (const std::string_view name : {model, undated(model), std::string_view("*")}) {
    if (name.empty()) continue;
    if (const auto it = prices.models.find(std::string(name)); it != prices.models.end()) return &it->second;
  }
  return nullptr;
}

double tokens_cost(const price_table& prices, std::string_view model, const token_usage& u) {
  const model_price* p = find_price(prices, model);
  if (p == nullptr) return 0;
  const auto per_token = [](double per_million, std::int64_t tokens) { return per_million * static_cast<double>(tokens) / 1e6; };
  // Cached tokens are part of the input counts, billed at the cached rate instead.
  return per_token(p->audio_in, u.input_audio - u.cached_audio) + per_token(p->audio_cached, u.cached_audio) +
         per_token(p->text_in, u.input_text - u.cached_text) + per_token(p->text_cached, u.cached_text) +
         per_token(p->audio_out, u.output_audio) + per_token(p->text_out, u.output_text);
}

call_cost compute_cost(const price_table& prices, const std::string& model, const token_usage& u, std::int64_t duration_s,
                       std::string_view direction, int sms_segments_sent, std::string_view extraction_model,
                       const token_usage& extraction_usage) {
  call_cost c;
  c.model_usd = tokens_cost(prices, model, u);
  if (extraction_usage != token_usage{}) c.extraction_usd = tokens_cost(prices, extraction_model, extraction_usage);
  const std::int64_t minutes = (duration_s + 59) / 60;
  const double per_min = direction.starts_with("outbound") ? prices.twilio_outbound_per_min : prices.twilio_inbound_per_min;
  c.twilio_voice_usd = per_min * static_cast<double>(minutes);
  c.sms_usd = prices.sms_per_segment * sms_segments_sent;
  return c;
}

}  // namespace vg::billing
