// The gather flow's TwiML (docs/protocols/twiml.md#gather-turns): every document byte for byte,
// and the speech-recognition language Twilio accepts for an assistant's language.
#include <gtest/gtest.h>

#include "core/twilio/gather_twiml.hpp"

namespace vg::twiml {
namespace {

constexpr const char* prolog = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>";

gather_voice knotty() {
  gather_voice v;
  v.voice = "Polly.Joanna";
  v.language = "en-US";
  v.action_url = "https://v.example/twilio/gather?org=masseurmatch&assistant=knotty";
  v.no_input_url = "https://v.example/twilio/gather?silence=1&org=masseurmatch&assistant=knotty";
  return v;
}

const std::string listen =
    "<Gather input=\"speech dtmf\" speechTimeout=\"auto\" language=\"en-US\" "
    "action=\"https://v.example/twilio/gather?org=masseurmatch&amp;assistant=knotty\">";
const std::string redirect_after =
    "<Redirect>https://v.example/twilio/gather?silence=1&amp;org=masseurmatch&amp;assistant=knotty</Redirect>";

TEST(gather_twiml, a_turn_says_the_words_inside_the_gather_then_redirects_on_silence) {
  EXPECT_EQ(gather_turn("Hi & welcome! May I have your name?", knotty()),
            std::string(prolog) + "<Response>" + listen +
                "<Say voice=\"Polly.Joanna\">Hi &amp; welcome! May I have your name?</Say></Gather>" + redirect_after +
                "</Response>");
}

TEST(gather_twiml, without_voice_language_or_words_those_are_left_out) {
  gather_voice v;
  v.action_url = "https://v.example/twilio/gather";
  EXPECT_EQ(gather_turn("", v), std::string(prolog) +
                                    "<Response><Gather input=\"speech dtmf\" speechTimeout=\"auto\" "
                                    "action=\"https://v.example/twilio/gather\"/></Response>");
  EXPECT_EQ(gather_turn("Hello", v),
            std::string(prolog) +
                "<Response><Gather input=\"speech dtmf\" speechTimeout=\"auto\" "
                "action=\"https://v.example/twilio/gather\"><Say>Hello</Say></Gather></Response>");
}

TEST(gather_twiml, a_follow_up_comes_after_the_words) {
  const std::string said = "<Say voice=\"Polly.Joanna\">One moment.</Say>";
  EXPECT_EQ(gather_reply_then("One moment.", call::transfer_to{"+15550100402"}, knotty()),
            std::string(prolog) + "<Response>" + said + "<Dial>+15550100402</Dial></Response>");
  EXPECT_EQ(gather_reply_then("One moment.", call::hang_up{}, knotty()),
            std::string(prolog) + "<Response>" + said + "<Hangup/></Response>");
  EXPECT_EQ(gather_reply_then("One moment.", call::join_conference{"room-1"}, knotty()),
            std::string(prolog) + "<Response>" + said + "<Dial><Conference>room-1</Conference></Dial></Response>");
  // Keys are played, then the caller (or the phone menu) is listened to again.
  EXPECT_EQ(gather_reply_then("", call::send_digits{"1w2"}, knotty()),
            std::string(prolog) + "<Response><Play digits=\"1w2\"/>" + listen.substr(0, listen.size() - 1) + "/>" +
                redirect_after + "</Response>");
}

TEST(gather_twiml, say_and_hang_up) {
  EXPECT_EQ(say_and_hang_up("Sorry. Goodbye.", ""), std::string(prolog) + "<Response><Say>Sorry. Goodbye.</Say><Hangup/></Response>");
  EXPECT_EQ(say_and_hang_up("Bye", "alice"),
            std::string(prolog) + "<Response><Say voice=\"alice\">Bye</Say><Hangup/></Response>");
}

TEST(gather_twiml, speech_language_gives_twilio_a_tag_with_a_region) {
  EXPECT_EQ(speech_language("en"), "en-US");
  EXPECT_EQ(speech_language("es"), "es-US");
  EXPECT_EQ(speech_language("fr"), "fr-FR");
  EXPECT_EQ(speech_language("EN"), "en-US");
  EXPECT_EQ(speech_language("es-MX"), "es-MX");
  EXPECT_EQ(speech_language("en-gb"), "en-GB");
  EXPECT_EQ(speech_language("xx"), "") << "unknown: Twilio's default";
  EXPECT_EQ(speech_language(""), "");
}

}  // namespace
}  // namespace vg::twiml
