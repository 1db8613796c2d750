// TwiML documents (docs/protocols/twiml.md): a tiny XML element builder that escapes everything,
// plus the few documents voxgate answers with. Pure.
#pragma once
#include <optional>
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
// <Play digits="1w2#"/>: plays DTMF tones into the call ('w': a half-second pause).
element play_digits(std::string digits);

struct stream_options {
  std::string url;          // ws:// or wss://, no query string (Twilio error 31920)
  std::string action_url;   // <Connect action>: requested when the stream closes
  std::vector<std::pair<std::string, std::string>> parameters;  // -> start.customParameters
};

// <Connect action=..><Stream url=..><Parameter .../></Stream></Connect>
element connect_stream(const stream_options& options);

// <Gather> (docs/protocols/twiml.md#gather): collects keys or speech while its nested verbs
// (<Say>) play, then requests `action` with Digits or SpeechResult. With no input before the
// timeout Twilio runs the verb after </Gather>. Attributes are written only when set, in this
// order: input, numDigits, timeout, finishOnKey, speechTimeout, language, action, method.
struct gather_options {
  std::string input;            // "dtmf", "speech", "dtmf speech"; empty: Twilio's default (dtmf)
  int num_digits = 0;           // 0: unlimited (not written)
  int timeout_s = 0;            // whole seconds > 0 (Twilio error 13313 otherwise); 0: default (5)
  std::optional<std::string> finish_on_key;  // "" disables the finish key (every key is a digit)
  std::string speech_timeout;   // "auto" or seconds; empty: not written
  std::string language;         // BCP-47; empty: Twilio's default (en-US)
  std::string action_url;       // empty: the document's own URL
  std::string method;           // empty: Twilio's default (POST)
};
element gather(const gather_options& options, std::vector<element> nested);

// <Redirect>URL</Redirect>: leaves this document for the TwiML at URL (POST, Twilio's default).
element redirect(std::string url);

}  // namespace vg::twiml
