// TwiML: escaping and the exact documents voxgate answers with (docs/protocols/twiml.md).
#include <gtest/gtest.h>

#include <string>

#include "core/twilio/twiml.hpp"

namespace vg::twiml {
namespace {

constexpr const char* prolog = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>";

TEST(twiml, xml_escape_covers_the_five_entities) {
  EXPECT_EQ(xml_escape("&<>\"'"), "&amp;&lt;&gt;&quot;&apos;");
  EXPECT_EQ(xml_escape("Tom & Jerry <3 \"quoted\" it's"), "Tom &amp; Jerry &lt;3 &quot;quoted&quot; it&apos;s");
  EXPECT_EQ(xml_escape("&amp;"), "&amp;amp;");  // escaping is not idempotent: no double-unescape tricks
  EXPECT_EQ(xml_escape("plain text, UTF-8 \xc3\xa9"), "plain text, UTF-8 \xc3\xa9");
  EXPECT_EQ(xml_escape(""), "");
}

TEST(twiml, element_escapes_attributes_and_text) {
  std::string out;
  element("Say").attr("voice", "a&b\"c'd<e>f").text("x & y < z > w \" ' ").write(out);
  EXPECT_EQ(out, "<Say voice=\"a&amp;b&quot;c&apos;d&lt;e&gt;f\">x &amp; y &lt; z &gt; w &quot; &apos; </Say>");
}

TEST(twiml, empty_elements_self_close_and_attributes_keep_their_order) {
  std::string out;
  element("Pause").attr("length", "1").write(out);
  EXPECT_EQ(out, "<Pause length=\"1\"/>");
  out.clear();
  element("Gather").attr("input", "speech dtmf").attr("action", "/gather").attr("speechTimeout", "auto").write(out);
  EXPECT_EQ(out, "<Gather input=\"speech dtmf\" action=\"/gather\" speechTimeout=\"auto\"/>");
  out.clear();
  element("Response").write(out);
  EXPECT_EQ(out, "<Response/>");
}

TEST(twiml, element_nests_children) {
  std::string out;
  element("Gather").attr("input", "speech").child(element("Say").text("How can I help?")).write(out);
  EXPECT_EQ(out, "<Gather input=\"speech\"><Say>How can I help?</Say></Gather>");
}

TEST(twiml, write_appends) {
  std::string out = "<!-- before -->";
  hangup().write(out);
  EXPECT_EQ(out, "<!-- before --><Hangup/>");
}

TEST(twiml, empty_document) {
  EXPECT_EQ(document({}), std::string(prolog) + "<Response></Response>");
}

TEST(twiml, connect_stream_with_parameters_is_exact) {
  stream_options s;
  s.url = "wss://voice.example.com/twilio/stream";
  s.action_url = "https://voice.example.com/twilio/stream-ended?x=1&y=2";
  s.parameters = {{"token", "1700000000.abc&123"}, {"callSid", "CA0123"}, {"quote", "say \"hi\" <now> 'ok'"}};
  EXPECT_EQ(document({connect_stream(s)}),
            std::string(prolog) +
                "<Response>"
                "<Connect action=\"https://voice.example.com/twilio/stream-ended?x=1&amp;y=2\">"
                "<Stream url=\"wss://voice.example.com/twilio/stream\">"
                "<Parameter name=\"token\" value=\"1700000000.abc&amp;123\"/>"
                "<Parameter name=\"callSid\" value=\"CA0123\"/>"
                "<Parameter name=\"quote\" value=\"say &quot;hi&quot; &lt;now&gt; &apos;ok&apos;\"/>"
                "</Stream>"
                "</Connect>"
                "</Response>");
}

TEST(twiml, connect_stream_without_action_or_parameters) {
  stream_options s;
  s.url = "wss://x.example/s";
  EXPECT_EQ(document({connect_stream(s)}),
            std::string(prolog) + "<Response><Connect><Stream url=\"wss://x.example/s\"/></Connect></Response>");
}

TEST(twiml, canonical_document_from_protocols_c3) {
  stream_options s;
  s.url = "wss://example.com/media-stream";
  s.action_url = "https://example.com/stream-ended";
  s.parameters = {{"callToken", "abc&123"}};
  EXPECT_EQ(document({say("Please wait while we connect you.", {"Google.en-US-Chirp3-HD-Aoede", ""}),
                      element("Pause").attr("length", "1"), connect_stream(s)}),
            std::string(prolog) +
                "<Response><Say voice=\"Google.en-US-Chirp3-HD-Aoede\">Please wait while we connect you.</Say>"
                "<Pause length=\"1\"/><Connect action=\"https://example.com/stream-ended\">"
                "<Stream url=\"wss://example.com/media-stream\"><Parameter name=\"callToken\" value=\"abc&amp;123\"/>"
                "</Stream></Connect></Response>");
}

TEST(twiml, say_then_hangup_document) {
  EXPECT_EQ(document({say("Tom & Jerry <3", {"Polly.Joanna", "en-US"}), hangup()}),
            std::string(prolog) +
                "<Response><Say voice=\"Polly.Joanna\" language=\"en-US\">Tom &amp; Jerry &lt;3</Say><Hangup/></Response>");
}

TEST(twiml, say_without_options_has_no_attributes) {
  EXPECT_EQ(document({say("Sorry, we cannot take your call right now. Goodbye."), hangup()}),
            std::string(prolog) +
                "<Response><Say>Sorry, we cannot take your call right now. Goodbye.</Say><Hangup/></Response>");
  std::string out;
  say("Hola", {"", "es-ES"}).write(out);
  EXPECT_EQ(out, "<Say language=\"es-ES\">Hola</Say>");
}

}  // namespace
}  // namespace vg::twiml

namespace vg::twiml {
namespace {
TEST(twiml, a_conference_dial_names_its_room_escaped) {
  EXPECT_EQ(document({dial_conference("support & sales")}),
            R"(<?xml version="1.0" encoding="UTF-8"?><Response><Dial><Conference>support &amp; sales</Conference></Dial></Response>)");
}
}  // namespace
}  // namespace vg::twiml

namespace vg::twiml {
namespace {

TEST(twiml, a_key_gather_with_its_prompt_and_a_redirect_is_exact) {
  gather_options g;
  g.input = "dtmf";
  g.num_digits = 1;
  g.timeout_s = 5;
  g.finish_on_key = "";
  g.action_url = "https://voice.example.com/twilio/gate?org=demo&assistant=vox&attempt=1";
  EXPECT_EQ(document({gather(g, {say("Press any key to start.", {"Polly.Joanna", ""})}),
                      redirect("https://voice.example.com/twilio/gate?org=demo&assistant=vox&attempt=2")}),
            std::string(prolog) +
                "<Response>"
                "<Gather input=\"dtmf\" numDigits=\"1\" timeout=\"5\" finishOnKey=\"\" "
                "action=\"https://voice.example.com/twilio/gate?org=demo&amp;assistant=vox&amp;attempt=1\">"
                "<Say voice=\"Polly.Joanna\">Press any key to start.</Say>"
                "</Gather>"
                "<Redirect>https://voice.example.com/twilio/gate?org=demo&amp;assistant=vox&amp;attempt=2</Redirect>"
                "</Response>");
}

TEST(twiml, a_gather_writes_only_what_is_set_in_a_fixed_order) {
  EXPECT_EQ([] {
    std::string out;
    gather({}, {}).write(out);
    return out;
  }(), "<Gather/>");
  gather_options g;
  g.method = "POST";
  g.action_url = "/gather";
  g.language = "es-MX";
  g.speech_timeout = "auto";
  g.input = "speech dtmf";
  std::string out;
  gather(g, {say("Hola")}).write(out);
  EXPECT_EQ(out, "<Gather input=\"speech dtmf\" speechTimeout=\"auto\" language=\"es-MX\" action=\"/gather\" "
                 "method=\"POST\"><Say>Hola</Say></Gather>");
  out.clear();
  gather_options keys;
  keys.finish_on_key = "#";
  keys.num_digits = 4;
  gather(keys, {}).write(out);
  EXPECT_EQ(out, "<Gather numDigits=\"4\" finishOnKey=\"#\"/>");
}

TEST(twiml, a_redirect_escapes_its_url) {
  std::string out;
  redirect("https://x.example/a?b=1&c=2").write(out);
  EXPECT_EQ(out, "<Redirect>https://x.example/a?b=1&amp;c=2</Redirect>");
}

TEST(twiml, play_digits_plays_its_keys) {
  EXPECT_EQ(document({play_digits("1w2#")}), std::string(prolog) + "<Response><Play digits=\"1w2#\"/></Response>");
}

}  // namespace
}  // namespace vg::twiml
