// TwiML documents (docs/protocols/twiml.md): a tiny XML element builder that escapes everything,
// plus the few documents voxgate answers with. Pure.
#pragma once
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vg::twiml {

std::string xml_escape(std::string_view s);

class element {
 public:
  explicit element(std::string name) : name_(std::move(name)) {}
  element& attr(std::string name, std::string value);
  element& text(std::string value);
  element& child(element e);
  void write(std::string& out) const;

 private:
  std::string name_;
  std::vector<std::pair<std::string, std::string>> attrs_;
  std::string text_;
  std::vector<element> children_;
};

// <?xml ...?><Response>children</Response>
std::string document(const std::vector<element>& verbs);

struct say_options {
  std::string voice;     // empty: Twilio's default
  std::string language;  // empty: Twilio's default
};

element say(std::string text, const say_options& options = {});
element hangup();
// <Dial>+15551230000</Dial>: connects the caller to that number (a transfer).
element dial(std::string number);
// <Dial><Conference>room</Conference></Dial>: puts the call into a named conference room.
element dial_conference(std::string room);
// <Redirect>url</Redirect>: Twilio requests url (POST) and runs the TwiML it answers.
element redirect(std::string url);
// <Play digits="1w2#"/>: plays DTMF tones into the call ('w': a half-second pause).
element play_digits(std::string digits);

// <Gather>'s attributes (docs/protocols/twiml.md#gather); an empty field is left out, so
// Twilio's default applies.
struct gather_options {
  std::string input;           // "dtmf", "speech" or "speech dtmf"
  std::string action_url;      // where the input is POSTed; empty: the document's own URL
  std::string speech_timeout;  // "auto" or whole seconds of silence that end the speech
  std::string timeout;         // whole seconds to wait for input to start
  std::string num_digits;      // stop after this many keys
  std::string language;        // the speech recogniser's language, as en-US
};

// <Gather ...>nested</Gather>: nested verbs (<Say>, <Play>, <Pause>) play while Twilio listens;
// speaking or pressing a key interrupts them.
element gather(const gather_options& options, std::vector<element> nested = {});

struct stream_options {
  std::string url;          // ws:// or wss://, no query string (Twilio error 31920)
  std::string action_url;   // <Connect action>: requested when the stream closes
  std::vector<std::pair<std::string, std::string>> parameters;  // -> start.customParameters
};

// <Connect action=..><Stream url=..><Parameter .../></Stream></Connect>
element connect_stream(const stream_options& options);

}  // namespace vg::twiml
