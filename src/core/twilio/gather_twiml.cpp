#include "core/twilio/gather_twiml.hpp"

#include <cctype>
#include <variant>

namespace vg::twiml {
namespace {

element listening(std::vector<element> nested, const gather_voice& v) {
  gather_options g;
  g.input = "speech dtmf";
  g.action_url = v.action_url;
  g.speech_timeout = "auto";  // Twilio ends the speech at the caller's pause (not with speechModel)
  g.language = v.language;
  return gather(g, std::move(nested));
}

say_options voice_of(const gather_voice& v) { return {v.voice, {}}; }

std::string listen_after(std::vector<element> verbs, std::vector<element> nested, const gather_voice& v) {
  verbs.push_back(listening(std::move(nested), v));
  if (!v.no_input_url.empty()) verbs.push_back(redirect(v.no_input_url));
  return document(verbs);
}

}  // namespace

std::string gather_turn(std::string text, const gather_voice& v) {
  std::vector<element> nested;
  if (!text.empty()) nested.push_back(say(std::move(text), voice_of(v)));
  return listen_after({}, std::move(nested), v);
}

std::string gather_reply_then(std::string text, const call::follow_up& then, const gather_voice& v) {
  std::vector<element> verbs;
  if (!text.empty()) verbs.push_back(say(std::move(text), voice_of(v)));
  struct visitor {
    std::vector<element>& verbs;
    const gather_voice& v;
    std::string operator()(const call::transfer_to& t) {
      verbs.push_back(dial(t.number));
      return document(verbs);
    }
    std::string operator()(const call::join_conference& c) {
      verbs.push_back(dial_conference(c.room));
      return document(verbs);
    }
    std::string operator()(const call::hang_up&) {
      verbs.push_back(hangup());
      return document(verbs);
    }
    std::string operator()(const call::send_digits& d) {
      verbs.push_back(play_digits(d.digits));
      return listen_after(std::move(verbs), {}, v);
    }
  };
  return std::visit(visitor{verbs, v}, then);
}

std::string say_and_hang_up(std::string text, const std::string& voice) {
  return document({say(std::move(text), {voice, {}}), hangup()});
}

std::string speech_language(std::string_view tag) {
  if (tag.empty()) return {};
  const auto dash = tag.find('-');
  std::string lang;
  for (char c : tag.substr(0, dash)) lang += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (dash != std::string_view::npos) {
    std::string region;
    for (char c : tag.substr(dash + 1)) region += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return lang + "-" + region;
  }
  // The region Twilio's callers most likely speak, per language (US numbers first).
  static constexpr std::pair<std::string_view, std::string_view> regions[] = {
      {"en", "en-US"}, {"es", "es-US"}, {"fr", "fr-FR"}, {"de", "de-DE"}, {"it", "it-IT"}, {"pt", "pt-BR"},
      {"nl", "nl-NL"}, {"ja", "ja-JP"}, {"ko", "ko-KR"}, {"zh", "zh-CN"}, {"ru", "ru-RU"}, {"pl", "pl-PL"},
      {"sv", "sv-SE"}, {"da", "da-DK"}, {"nb", "nb-NO"}, {"no", "nb-NO"}, {"fi", "fi-FI"}, {"hi", "hi-IN"},
      {"tr", "tr-TR"}, {"uk", "uk-UA"}, {"vi", "vi-VN"}, {"ar", "ar-AE"}, {"he", "he-IL"}, {"id", "id-ID"}};
  for (const auto& [bare, full] : regions) {
    if (bare == lang) return std::string(full);
  }
  return {};
}

}  // namespace vg::twiml
