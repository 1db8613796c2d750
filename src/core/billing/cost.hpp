// What a call cost: the Realtime model's token usage (summed from every response.done) and the
// after-call extraction's (one Chat Completions answer) priced by a table, plus Twilio's
// minutes and SMS segments. Pure; the price table has defaults from the public price lists
// (prices.cpp, one place to update) and can be replaced by a JSON file.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "core/result.hpp"

namespace vg::billing {

// Token counts (Realtime: docs/protocols/openai-realtime.md#usage; a Chat Completions answer has text counts only);
// cached tokens are part of the input counts.
struct token_usage {
  std::int64_t input_text = 0, input_audio = 0;
  std::int64_t cached_text = 0, cached_audio = 0;
  std::int64_t output_text = 0, output_audio = 0;
  std::int64_t responses = 0;
  void add(const token_usage& o);
  bool operator==(const token_usage&) const = default;
};

// response.done's `usage` object -> counts (missing members count as 0).
result<token_usage> parse_realtime_usage(std::string_view usage_json);
boost::json::object to_json(const token_usage& u);
result<token_usage> usage_from_json(std::string_view json_text);  // what to_json wrote

struct model_price {  // US dollars per 1M tokens
  double audio_in = 0, audio_cached = 0, audio_out = 0;
  double text_in = 0, text_cached = 0, text_out = 0;
};

struct price_table {
  // By model name. A dated name (gpt-4o-mini-2024-07-18) not listed takes its base name's
  // price (gpt-4o-mini); "*" applies to models still unknown.
  std::map<std::string, model_price> models;
  double twilio_inbound_per_min = 0;
  double twilio_outbound_per_min = 0;
  double sms_per_segment = 0;
};

const price_table& default_prices();
// {"models": {"gpt-realtime": {"audio_in": 32, ...}}, "twilio": {"inbound_per_min": ..., ...}}
// over the defaults; unknown fields are errors.
result<price_table> parse_price_table(std::string_view json_text);

// How many SMS segments a body takes: GSM-7 160 (153 per part), otherwise UCS-2 70 (67).
int sms_segments(std::string_view body_utf8);

// The price of `model` as price_table::models describes (nullptr when neither it, its base
// name nor "*" is listed).
const model_price* find_price(const price_table& prices, std::string_view model);

// What `usage` of `model` costs; cached tokens at the cached rate.
double tokens_cost(const price_table& prices, std::string_view model, const token_usage& usage);

struct call_cost {
  double model_usd = 0;       // the Realtime model
  double extraction_usd = 0;  // the after-call extraction (Chat Completions)
  double twilio_voice_usd = 0, sms_usd = 0;
  double total_usd() const { return model_usd + extraction_usd + twilio_voice_usd + sms_usd; }
};

// Twilio bills started minutes; outbound when direction starts with "outbound". The
// extraction's model and usage are those stored on the call (none: costs nothing).
call_cost compute_cost(const price_table& prices, const std::string& model, const token_usage& usage,
                       std::int64_t duration_s, std::string_view direction, int sms_segments_sent,
                       std::string_view extraction_model = {}, const token_usage& extraction_usage = {});

}  // namespace vg::billing
