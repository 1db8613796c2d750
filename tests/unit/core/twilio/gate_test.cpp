// The key-press gate: defaults, which keys open it, and the exact documents of each attempt
// (docs/protocols/twiml.md#gate).
#include <gtest/gtest.h>

#include <string>

#include "core/twilio/gate.hpp"

namespace vg::gate {
namespace {

constexpr const char* prolog = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>";
constexpr const char* prefix = "https://v.example/twilio/gate?org=demo&assistant=vox&attempt=";

agent::gate_settings any_key() {
  agent::gate_settings g;
  g.press_any_key = true;
  return g;
}

agent::gate_settings digits(std::string d) {
  agent::gate_settings g;
  g.digits = std::move(d);
  return g;
}

TEST(gate, is_active_with_digits_or_unless_press_any_key_is_false) {
  EXPECT_FALSE(active(std::nullopt));
  EXPECT_TRUE(active(any_key()));
  EXPECT_TRUE(active(digits("1")));
  EXPECT_TRUE(active(agent::gate_settings{}));  // {}: any key
  agent::gate_settings off;
  off.press_any_key = false;
  EXPECT_FALSE(active(off));
  off.digits = "9";
  EXPECT_TRUE(active(off));
}

TEST(gate, defaults) {
  const plan p = plan_of(any_key());
  EXPECT_EQ(p.digits, "");
  EXPECT_EQ(p.prompt, "Press any key to start.");
  EXPECT_EQ(p.timeout_s, 5);
  EXPECT_EQ(p.attempts, 2);
  EXPECT_EQ(p.goodbye, "Goodbye.");
  EXPECT_EQ(plan_of(digits("1")).prompt, "Press 1 to start.");
  EXPECT_EQ(plan_of(digits("4*#")).prompt, "Press 4 star pound to start.");
}

TEST(gate, settings_override_the_defaults_and_timeouts_round_up_to_whole_seconds) {
  agent::gate_settings g = digits("1");
  g.prompt = "Press 1 to join the waitlist.";
  g.timeout_s = 2.2;
  g.attempts = 3;
  g.goodbye = "No key pressed. Bye!";
  const plan p = plan_of(g);
  EXPECT_EQ(p.prompt, "Press 1 to join the waitlist.");
  EXPECT_EQ(p.timeout_s, 3);
  EXPECT_EQ(p.attempts, 3);
  EXPECT_EQ(p.goodbye, "No key pressed. Bye!");
  g.timeout_s = 0.1;
  EXPECT_EQ(plan_of(g).timeout_s, 1);
}

TEST(gate, any_key_opens_an_any_key_gate_and_only_the_digits_open_a_digits_gate) {
  const plan any = plan_of(any_key());
  for (const char* k : {"0", "5", "*", "#"}) EXPECT_TRUE(accepts(any, k)) << k;
  EXPECT_FALSE(accepts(any, ""));
  const plan one = plan_of(digits("1"));
  EXPECT_TRUE(accepts(one, "1"));
  EXPECT_FALSE(accepts(one, "2"));
  EXPECT_FALSE(accepts(one, ""));
  EXPECT_FALSE(accepts(one, "11"));
  const plan pin = plan_of(digits("42"));
  EXPECT_TRUE(accepts(pin, "42"));
  EXPECT_FALSE(accepts(pin, "24"));
}

TEST(gate, next_opens_on_the_key_retries_on_a_wrong_one_and_replays_a_redirect) {
  const plan p = plan_of(digits("1"));
  const auto open = next(p, 1, std::string_view("1"));
  EXPECT_TRUE(open.open);
  const auto wrong = next(p, 1, std::string_view("7"));
  EXPECT_FALSE(wrong.open);
  EXPECT_EQ(wrong.attempt, 2);
  const auto empty = next(p, 2, std::string_view(""));  // a Gather that sent no digits
  EXPECT_FALSE(empty.open);
  EXPECT_EQ(empty.attempt, 3);  // past the last: goodbye
  const auto redirected = next(p, 2, std::nullopt);  // the <Redirect> after silence names the attempt to play
  EXPECT_FALSE(redirected.open);
  EXPECT_EQ(redirected.attempt, 2);
  EXPECT_EQ(next(p, 0, std::nullopt).attempt, 1);  // no or a bad attempt number: the first
}

TEST(gate, the_first_attempt_prompts_inside_a_gather_then_redirects_to_the_next) {
  EXPECT_EQ(document(plan_of(any_key()), 1, prefix, {"Polly.Joanna", ""}),
            std::string(prolog) +
                "<Response>"
                "<Gather input=\"dtmf\" numDigits=\"1\" timeout=\"5\" finishOnKey=\"\" "
                "action=\"https://v.example/twilio/gate?org=demo&amp;assistant=vox&amp;attempt=1\">"
                "<Say voice=\"Polly.Joanna\">Press any key to start.</Say>"
                "</Gather>"
                "<Redirect>https://v.example/twilio/gate?org=demo&amp;assistant=vox&amp;attempt=2</Redirect>"
                "</Response>");
}

TEST(gate, the_last_attempt_says_goodbye_and_hangs_up_after_its_gather) {
  agent::gate_settings g = digits("12");
  g.timeout_s = 8;
  EXPECT_EQ(document(plan_of(g), 2, prefix, {}),
            std::string(prolog) +
                "<Response>"
                "<Gather input=\"dtmf\" numDigits=\"2\" timeout=\"8\" finishOnKey=\"\" "
                "action=\"https://v.example/twilio/gate?org=demo&amp;assistant=vox&amp;attempt=2\">"
                "<Say>Press 1 2 to start.</Say>"
                "</Gather>"
                "<Say>Goodbye.</Say><Hangup/>"
                "</Response>");
}

TEST(gate, past_the_last_attempt_only_the_goodbye_is_left) {
  EXPECT_EQ(document(plan_of(any_key()), 3, prefix, {"alice", ""}),
            std::string(prolog) + "<Response><Say voice=\"alice\">Goodbye.</Say><Hangup/></Response>");
}

TEST(gate, a_single_attempt_gate_says_goodbye_after_its_only_gather) {
  agent::gate_settings g = any_key();
  g.attempts = 1;
  const std::string doc = document(plan_of(g), 1, prefix, {});
  EXPECT_EQ(doc.find("<Redirect>"), std::string::npos);
  EXPECT_NE(doc.find("</Gather><Say>Goodbye.</Say><Hangup/></Response>"), std::string::npos);
}

}  // namespace
}  // namespace vg::gate
