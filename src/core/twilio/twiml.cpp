#include "core/twilio/twiml.hpp"

namespace vg::twiml {

std::string xml_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (const char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += c;
    }
  }
  return out;
}

element& element::attr(std::string name, std::string value) {
  attrs_.emplace_back(std::move(name), std::move(value));
  return *this;
}
element& element::text(std::string value) {
  text_ = std::move(value);
  return *this;
}
element& element::child(element e) {
  children_.push_back(std::move(e));
  return *this;
}

void element::write(std::string& out) const {
  out += '<';
  out += name_;
  for (const auto& [name, value] : attrs_) {
    out += ' ';
    out += name;
    out += "=\"";
    out += xml_escape(value);
    out += '"';
  }
  if (text_.empty() && children_.empty()) {
    out += "/>";
    return;
  }
  out += '>';
  out += xml_escape(text_);
  for (const auto& c : children_) c.write(out);
  out += "</";
  out += name_;
  out += '>';
}

std::string document(const std::vector<element>& verbs) {
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response>";
  for (const auto& v : verbs) v.write(out);
  out += "</Response>";
  return out;
}

element say(std::string text, const say_options& options) {
  element e("Say");
  if (!options.voice.empty()) e.attr("voice", options.voice);
  if (!options.language.empty()) e.attr("language", options.language);
  e.text(std::move(text));
  return e;
}

element hangup() { return element("Hangup"); }

element dial(std::string number) { return element("Dial").text(std::move(number)); }

element dial_conference(std::string room) { return element("Dial").child(element("Conference").text(std::move(room))); }

element play_digits(std::string digits) { return element("Play").attr("digits", std::move(digits)); }

element connect_stream(const stream_options& options) {
  element stream("Stream");
  stream.attr("url", options.url);
  for (const auto& [name, value] : options.parameters) {
    stream.child(element("Parameter").attr("name", name).attr("value", value));
  }
  element connect("Connect");
  if (!options.action_url.empty()) connect.attr("action", options.action_url);
  connect.child(std::move(stream));
  return connect;
}

element gather(const gather_options& o, std::vector<element> nested) {
  element g("Gather");
  if (!o.input.empty()) g.attr("input", o.input);
  if (o.num_digits > 0) g.attr("numDigits", std::to_string(o.num_digits));
  if (o.timeout_s > 0) g.attr("timeout", std::to_string(o.timeout_s));
  if (o.finish_on_key) g.attr("finishOnKey", *o.finish_on_key);
  if (!o.speech_timeout.empty()) g.attr("speechTimeout", o.speech_timeout);
  if (!o.language.empty()) g.attr("language", o.language);
  if (!o.action_url.empty()) g.attr("action", o.action_url);
  if (!o.method.empty()) g.attr("method", o.method);
  for (auto& e : nested) g.child(std::move(e));
  return g;
}

element redirect(std::string url) { return element("Redirect").text(std::move(url)); }

}  // namespace vg::twiml
