// Typed assistant settings: each is read with its default, an unknown field and a bad value of
// each are refused with their exact path, and the JSON written back is what the user wrote.
#include "core/agent/assistant_settings_json.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "core/agent/org_config_json.hpp"

namespace vg::agent {
namespace {
namespace json = boost::json;

json::value document_with_settings(const std::string& settings) {
  return json::parse(R"({"organization": {"name": "X", "fallback_number": "+15125550101"},
                          "assistants": [{"name": "A", "settings": )" + settings + "}]}");
}

std::string error_of(const std::string& settings) {
  auto d = document_from_json(document_with_settings(settings));
  return d.ok() ? std::string("(accepted)") : d.error_message();
}

assistant_settings read(const std::string& settings) {
  auto d = document_from_json(document_with_settings(settings));
  EXPECT_TRUE(d.ok()) << settings << ": " << d.error_message();
  return d.ok() ? d->assistants.at(0).settings : assistant_settings{};
}

constexpr const char* every_setting = R"({
  "mode": "gather",
  "gate": {"press_any_key": false, "digits": "12#", "prompt": "Press 1, 2, then the hash key.", "timeout_s": 7.5,
           "attempts": 3, "goodbye": "Bye."},
  "max_call_seconds": 600,
  "idle_timeout_s": 20,
  "fallback": "transfer",
  "gather": {"model": "gpt-4.1-nano", "voice": "Polly.Joanna", "attempts": 3},
  "recording": {"twilio": true, "own": false},
  "extraction": {"schema": {"type": "object", "properties": {"name": {"type": "string"}}}, "model": "gpt-4.1-mini",
                 "instructions": "Be brief."},
  "booking": {"min_lead_minutes": 120}
})";

TEST(assistant_settings, every_setting_is_read_into_its_field) {
  const auto s = read(every_setting);
  EXPECT_EQ(s.mode, conversation_mode::gather);
  ASSERT_TRUE(s.gate);
  EXPECT_EQ(s.gate->press_any_key, false);
  EXPECT_EQ(s.gate->digits, "12#");
  EXPECT_EQ(s.gate->prompt, "Press 1, 2, then the hash key.");
  EXPECT_EQ(s.gate->timeout_s, 7.5);
  EXPECT_EQ(s.gate->attempts, 3);
  EXPECT_EQ(s.gate->goodbye, "Bye.");
  EXPECT_EQ(s.max_call_seconds, 600.0);
  EXPECT_EQ(s.idle_timeout_s, 20.0);
  EXPECT_EQ(s.fallback, fallback_route::transfer);
  EXPECT_EQ(s.on_model_failure(), fallback_route::transfer);
  EXPECT_EQ(s.conversation(), conversation_mode::gather);
  ASSERT_TRUE(s.gather);
  EXPECT_EQ(s.gather->model, "gpt-4.1-nano");
  EXPECT_EQ(s.gather->voice, "Polly.Joanna");
  EXPECT_EQ(s.gather->attempts, 3);
  EXPECT_TRUE(s.records_twilio());
  EXPECT_FALSE(s.records_own());
  ASSERT_TRUE(s.extraction);
  EXPECT_EQ(s.extraction->schema.at("properties").at("name").at("type"), "string");
  EXPECT_EQ(s.extraction->model, "gpt-4.1-mini");
  EXPECT_EQ(s.extraction->instructions, "Be brief.");
  EXPECT_EQ(s.min_lead_minutes(), 120);
}

TEST(assistant_settings, defaults_when_left_out) {
  for (const char* text : {"null", "{}", R"({"recording": {}, "booking": {}})"}) {
    const auto s = read(text);
    EXPECT_FALSE(s.records_twilio()) << text;
    EXPECT_FALSE(s.records_own()) << text;
    EXPECT_EQ(s.min_lead_minutes(), 0) << text;
    EXPECT_FALSE(s.extraction) << text;
    EXPECT_FALSE(s.mode) << text;
    EXPECT_FALSE(s.gate) << text;
    EXPECT_FALSE(s.max_call_seconds) << text;
    EXPECT_FALSE(s.fallback) << text;
    EXPECT_FALSE(s.idle_timeout_s) << text;
    EXPECT_EQ(s.conversation(), conversation_mode::realtime) << text;
    EXPECT_EQ(s.on_model_failure(), fallback_route::apology) << text;
  }
}

struct refusal {
  const char* settings;
  const char* message;  // the whole error, after "assistants[0].settings"
};

TEST(assistant_settings, an_unknown_field_of_each_setting_is_refused_with_its_path) {
  const refusal cases[] = {
      {R"({"recordng": {"own": true}})", ".recordng: is not a known field"},
      {R"({"recording": {"ownn": true}})", ".recording.ownn: is not a known field"},
      {R"({"extraction": {"schema": {"type": "object"}, "modle": "x"}})", ".extraction.modle: is not a known field"},
      {R"({"booking": {"min_lead": 60}})", ".booking.min_lead: is not a known field"},
      {R"({"gate": {"press_any": true}})", ".gate.press_any: is not a known field"},
  };
  for (const auto& c : cases) EXPECT_EQ(error_of(c.settings), std::string("assistants[0].settings") + c.message) << c.settings;
}

TEST(assistant_settings, a_bad_value_of_each_setting_is_refused_with_its_path) {
  const refusal cases[] = {
      {"[]", ": must be an object"},
      {R"({"mode": "voice"})", ".mode: must be realtime or gather"},
      {R"({"mode": 1})", ".mode: must be realtime or gather"},
      {R"({"gate": true})", ".gate: must be an object"},
      {R"({"gate": {"press_any_key": "yes"}})", ".gate.press_any_key: must be true or false"},
      {R"({"gate": {"digits": "12a"}})", ".gate.digits: may hold only the keys 0-9, * and #"},
      {R"({"gate": {"digits": "123456789012345678901"}})", ".gate.digits: must be at most 20 characters"},
      {R"({"gate": {"prompt": 5}})", ".gate.prompt: must be text"},
      {R"({"gate": {"timeout_s": 0}})", ".gate.timeout_s: must be a number above 0 and at most 600"},
      {R"({"gate": {"attempts": 0}})", ".gate.attempts: must be a whole number from 1 to 10"},
      {R"({"gate": {"attempts": 1.5}})", ".gate.attempts: must be a whole number from 1 to 10"},
      {R"({"gate": {"goodbye": ["bye"]}})", ".gate.goodbye: must be text"},
      {R"({"max_call_seconds": 0})", ".max_call_seconds: must be a number above 0 and at most 86400"},
      {R"({"max_call_seconds": -60})", ".max_call_seconds: must be a number above 0 and at most 86400"},
      {R"({"max_call_seconds": "60"})", ".max_call_seconds: must be a number above 0 and at most 86400"},
      {R"({"fallback": "voicemail"})", ".fallback: must be apology, gather or transfer"},
      {R"({"idle_timeout_s": 0})", ".idle_timeout_s: must be a number above 0 and at most 3600"},
      {R"({"idle_timeout_s": "30"})", ".idle_timeout_s: must be a number above 0 and at most 3600"},
      {R"({"gather": "fast"})", ".gather: must be an object"},
      {R"({"gather": {"modle": "gpt-4o-mini"}})", ".gather.modle: is not a known field"},
      {R"({"gather": {"model": 5}})", ".gather.model: must be text"},
      {R"({"gather": {"voice": 3}})", ".gather.voice: must be text"},
      {R"({"gather": {"attempts": 11}})", ".gather.attempts: must be a whole number from 1 to 10"},
      {R"({"recording": true})", ".recording: must be an object"},
      {R"({"recording": {"twilio": "yes"}})", ".recording.twilio: must be true or false"},
      {R"({"recording": {"own": 1}})", ".recording.own: must be true or false"},
      {R"({"extraction": {"model": "gpt-4o-mini"}})", ".extraction.schema: is required"},
      {R"({"extraction": {"schema": {"type": "string"}}})", ".extraction.schema: must be an object schema ({type: object, properties: ...})"},
      {R"({"extraction": {"schema": {"type": "object", "properties": {"at": {"type": "string", "format": "someday"}}}}})",
       ".extraction.schema.properties.at.format: is not a supported format: someday"},
      {R"({"extraction": {"schema": {"type": "object"}, "model": false}})", ".extraction.model: must be text"},
      {R"({"extraction": {"schema": {"type": "object"}, "instructions": 5}})", ".extraction.instructions: must be text"},
      {R"({"booking": {"min_lead_minutes": -1}})", ".booking.min_lead_minutes: must be zero or more"},
      {R"({"booking": {"min_lead_minutes": 1.5}})", ".booking.min_lead_minutes: must be a whole number up to 525600"},
  };
  for (const auto& c : cases) EXPECT_EQ(error_of(c.settings), std::string("assistants[0].settings") + c.message) << c.settings;
}

// Only what was written comes back: GET returns the settings as the user wrote them.
TEST(assistant_settings, writes_back_as_written) {
  for (const char* text : {every_setting, R"({"recording": {"own": true}})", R"({"recording": {}})",
                           R"({"mode": "realtime", "gate": {"press_any_key": true}, "max_call_seconds": 60})",
                           R"({"max_call_seconds": 90.5, "gate": {"digits": "1", "timeout_s": 5}})",
                           R"({"extraction": {"schema": {"type": "object"}}})", R"({"booking": {"min_lead_minutes": 0}})",
                           R"({"fallback": "gather"})", R"({"fallback": "apology", "gather": {}})"}) {
    EXPECT_EQ(json::value(to_json(read(text))), json::parse(text)) << text;
  }
}

}  // namespace
}  // namespace vg::agent
