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

// The after-call extraction: one Chat Completions answer's text tokens.
token_usage chat_answer(std::int64_t prompt, std::int64_t cached, std::int64_t completion) {
  token_usage u;
  u.input_text = prompt;
  u.cached_text = cached;
  u.output_text = completion;
  u.responses = 1;
  return u;
}

TEST(billing, text_models_have_text_prices) {
  // OpenAI's price list, per 1M tokens: input / cached input / output.
  const auto& t = default_prices();
  const auto expect_text = [&](const char* model, double in, double cached, double out) {
    const model_price* p = find_price(t, model);
    ASSERT_NE(p, nullptr) << model;
    EXPECT_EQ(p->text_in, in) << model;
    EXPECT_EQ(p->text_cached, cached) << model;
    EXPECT_EQ(p->text_out, out) << model;
    EXPECT_EQ(p->audio_in + p->audio_cached + p->audio_out, 0) << model;
  };
  expect_text("gpt-4o-mini", 0.15, 0.075, 0.60);
  expect_text("gpt-4o", 2.50, 1.25, 10.00);
  expect_text("gpt-4.1", 2.00, 0.50, 8.00);
  expect_text("gpt-4.1-mini", 0.40, 0.10, 1.60);
  expect_text("gpt-4.1-nano", 0.10, 0.025, 0.40);
  expect_text("gpt-5-mini", 0.25, 0.025, 2.00);
}

TEST(billing, a_dated_model_name_takes_its_base_names_price) {
  const auto& t = default_prices();
  EXPECT_EQ(find_price(t, "gpt-4o-mini-2024-07-18"), find_price(t, "gpt-4o-mini"));
  EXPECT_EQ(find_price(t, "gpt-4o-2024-08-06"), find_price(t, "gpt-4o"));
  EXPECT_EQ(find_price(t, "gpt-realtime-2025-08-28"), find_price(t, "gpt-realtime"));
  // Not a date: the unknown model's price ("*").
  EXPECT_EQ(find_price(t, "gpt-4o-mini-2024-07"), find_price(t, "*"));
  EXPECT_EQ(find_price(t, "gpt-4o-mini-2024-07-1x"), find_price(t, "*"));
  EXPECT_EQ(find_price(t, "-2024-07-18"), find_price(t, "*"));
  EXPECT_NE(find_price(t, "gpt-4o-mini"), find_price(t, "*"));
  // A listed dated name keeps its own price.
  auto own = parse_price_table(R"({"models":{"gpt-4o-2024-05-13":{"text_in":5,"text_out":15}}})");
  ASSERT_TRUE(own.ok());
  EXPECT_EQ(find_price(*own, "gpt-4o-2024-05-13")->text_in, 5);
  EXPECT_EQ(find_price(*own, "gpt-4o-2024-08-06")->text_in, 2.50);
  price_table none;
  EXPECT_EQ(find_price(none, "gpt-4o-mini"), nullptr);
  EXPECT_EQ(tokens_cost(none, "gpt-4o-mini", chat_answer(1000, 0, 1000)), 0);
}

TEST(billing, the_extraction_is_priced_at_its_models_text_rates_and_in_the_total) {
  // The fake chat server's answer: 82 prompt, 17 completion tokens on gpt-4o-mini.
  const double extraction = (82 * 0.15 + 17 * 0.60) / 1e6;
  EXPECT_NEAR(tokens_cost(default_prices(), "gpt-4o-mini", chat_answer(82, 0, 17)), extraction, 1e-15);
  // Cached prompt tokens at the cached rate.
  EXPECT_NEAR(tokens_cost(default_prices(), "gpt-4.1-mini", chat_answer(2006, 1920, 300)),
              (86 * 0.40 + 1920 * 0.10 + 300 * 1.60) / 1e6, 1e-15);
  const auto u = *parse_realtime_usage(usage_ga);
  const double realtime = (400 * 32.0 + 200 * 0.40 + 100 * 4.0 + 300 * 0.40 + 240 * 64.0 + 60 * 16.0) / 1e6;
  const auto c = compute_cost(default_prices(), "gpt-realtime", u, 61, "inbound", 2, "gpt-4o-mini", chat_answer(82, 0, 17));
  EXPECT_NEAR(c.model_usd, realtime, 1e-12);  // the Realtime model's part is its own
  EXPECT_NEAR(c.extraction_usd, extraction, 1e-15);
  EXPECT_NEAR(c.total_usd(), realtime + extraction + 2 * 0.0085 + 2 * 0.0079, 1e-12);
  // A dated name as the API reports it costs the same.
  EXPECT_NEAR(compute_cost(default_prices(), "gpt-realtime", {}, 0, "inbound", 0, "gpt-4o-mini-2024-07-18", chat_answer(82, 0, 17))
                  .extraction_usd,
              extraction, 1e-15);
  // No extraction (or no answer): nothing, whatever the model.
  EXPECT_EQ(compute_cost(default_prices(), "gpt-realtime", u, 61, "inbound", 2).extraction_usd, 0);
  EXPECT_EQ(compute_cost(default_prices(), "gpt-realtime", u, 61, "inbound", 2, "", {}).extraction_usd, 0);
  // An unknown extraction model is priced at "*"'s text rates rather than free.
  EXPECT_NEAR(compute_cost(default_prices(), "gpt-realtime", {}, 0, "inbound", 0, "some-new-model", chat_answer(1000, 0, 100))
                  .extraction_usd,
              (1000 * 4.0 + 100 * 16.0) / 1e6, 1e-15);
  // A price file changes the text prices like any other.
  auto t = parse_price_table(R"({"models":{"gpt-4o-mini":{"text_out":1.0}}})");
  ASSERT_TRUE(t.ok()) << t.error_message();
  EXPECT_NEAR(tokens_cost(*t, "gpt-4o-mini", chat_answer(82, 0, 17)), (82 * 0.15 + 17 * 1.0) / 1e6, 1e-15);
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
