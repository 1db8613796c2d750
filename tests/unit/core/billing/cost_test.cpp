#include "core/billing/cost.hpp"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

namespace vg::billing {
namespace {

constexpr const char* usage_ga = R"({"total_tokens":1300,"input_tokens":1000,"output_tokens":300,
  "input_token_details":{"text_tokens":400,"audio_tokens":600,"image_tokens":0,"cached_tokens":500,
                         "cached_tokens_details":{"text_tokens":300,"audio_tokens":200,"image_tokens":0}},
  "output_token_details":{"text_tokens":60,"audio_tokens":240}})";

TEST(billing, usage_from_response_done_and_its_stored_form) {
  auto u = parse_realtime_usage(usage_ga);
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->input_text, 400);
  EXPECT_EQ(u->input_audio, 600);
  EXPECT_EQ(u->cached_text, 300);
  EXPECT_EQ(u->cached_audio, 200);
  EXPECT_EQ(u->output_text, 60);
  EXPECT_EQ(u->output_audio, 240);
  token_usage total;
  total.add(*u);
  total.add(*u);
  EXPECT_EQ(total.output_audio, 480);
  EXPECT_EQ(total.responses, 2);
  auto back = usage_from_json(boost::json::serialize(to_json(total)));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, total);
  EXPECT_FALSE(parse_realtime_usage("[1]").ok());
  EXPECT_EQ(usage_from_json("")->responses, 0);
}

TEST(billing, cost_prices_cached_tokens_at_the_cached_rate) {
  const auto u = *parse_realtime_usage(usage_ga);
  // gpt-realtime: audio 32/0.40/64, text 4/0.40/16 per 1M.
  const double expected = (400 * 32.0 + 200 * 0.40 + 100 * 4.0 + 300 * 0.40 + 240 * 64.0 + 60 * 16.0) / 1e6;
  const auto c = compute_cost(default_prices(), "gpt-realtime", u, 61, "inbound", 2);
  EXPECT_NEAR(c.model_usd, expected, 1e-12);
  EXPECT_NEAR(c.twilio_voice_usd, 2 * 0.0085, 1e-12);  // 61 s = 2 started minutes
  EXPECT_NEAR(c.sms_usd, 2 * 0.0079, 1e-12);
  EXPECT_NEAR(c.total_usd(), expected + 0.017 + 0.0158, 1e-12);
  EXPECT_NEAR(compute_cost(default_prices(), "gpt-realtime", {}, 60, "outbound-api", 0).twilio_voice_usd, 0.013, 1e-12);
  // An unknown model is not free.
  EXPECT_NEAR(compute_cost(default_prices(), "some-new-model", u, 0, "inbound", 0).model_usd, expected, 1e-12);
}

TEST(billing, a_price_file_overrides_the_defaults_and_names_mistakes) {
  auto t = parse_price_table(R"({"models":{"gpt-realtime":{"audio_out":50}},"twilio":{"sms_per_segment":0.01}})");
  ASSERT_TRUE(t.ok()) << t.error_message();
  EXPECT_EQ(t->models.at("gpt-realtime").audio_out, 50);
  EXPECT_EQ(t->models.at("gpt-realtime").audio_in, 32);  // untouched
  EXPECT_EQ(t->sms_per_segment, 0.01);
  EXPECT_NE(parse_price_table(R"({"models":{"x":{"audio_outt":1}}})").error_message().find("models.x.audio_outt"), std::string::npos);
  EXPECT_NE(parse_price_table(R"({"twilio":{"inbound_per_min":-1}})").error_message().find("twilio.inbound_per_min"), std::string::npos);
  EXPECT_NE(parse_price_table(R"({"currency":"EUR"})").error_message().find("currency"), std::string::npos);
}

TEST(billing, sms_segments_follow_gsm_and_ucs2_limits) {
  EXPECT_EQ(sms_segments(""), 1);
  EXPECT_EQ(sms_segments(std::string(160, 'a')), 1);
  EXPECT_EQ(sms_segments(std::string(161, 'a')), 2);
  EXPECT_EQ(sms_segments(std::string(306, 'a')), 2);
  EXPECT_EQ(sms_segments(std::string(307, 'a')), 3);
  std::string accents;
  for (int i = 0; i < 70; ++i) accents += "\xc3\xa9";  // é: UCS-2
  EXPECT_EQ(sms_segments(accents), 1);
  EXPECT_EQ(sms_segments(accents + "x"), 2);
}

}  // namespace
}  // namespace vg::billing
