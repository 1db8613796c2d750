// The TwiML of the gather flow (settings.mode: gather; docs/protocols/twiml.md#gather-turns):
// each turn speaks the assistant's words inside a <Gather> that listens for speech and keys,
// with a <Redirect> after it, which Twilio follows when the caller says nothing; a turn that
// ends the conversation speaks, then carries out the follow-up (<Dial>, <Hangup/>), and
// <Play digits> plays keys before listening again. Pure.
#pragma once
#include <string>
#include <string_view>

#include "core/call/follow_up.hpp"
#include "core/twilio/twiml.hpp"

namespace vg::twiml {

// What every turn of one call shares.
struct gather_voice {
  std::string voice;         // <Say voice>; empty: Twilio's default
  std::string language;      // <Gather language>, a Twilio speech tag (en-US); empty: Twilio's default, en-US
  std::string action_url;    // where Twilio posts what the caller said (SpeechResult or Digits)
  std::string no_input_url;  // the <Redirect> after the <Gather>: requested when nothing was said
};

// <Gather input="speech dtmf" action=.. speechTimeout="auto" language=..><Say voice=..>text</Say></Gather>
// <Redirect>no_input_url</Redirect>. Empty text: a <Gather> that only listens.
std::string gather_turn(std::string text, const gather_voice& v);

// The assistant's words, then what its tool asked for: transfer_to -> <Dial>number</Dial>,
// join_conference -> <Dial><Conference>, hang_up -> <Hangup/>; send_digits -> <Play digits>,
// then listening again as gather_turn does.
std::string gather_reply_then(std::string text, const call::follow_up& then, const gather_voice& v);

// <Say voice=..>text</Say><Hangup/> (a goodbye, an apology).
std::string say_and_hang_up(std::string text, const std::string& voice);

// A language for Twilio's speech recognition from a BCP 47 tag: a tag with a region is kept
// (case normalised: "es-mx" -> "es-MX"); a bare language gets its most common region ("en" ->
// "en-US", "es" -> "es-US", "fr" -> "fr-FR"); a bare language not in the table gives "" (Twilio's
// default, en-US). Twilio refuses bare tags (warning 13512: "en" is invalid, "en-US" valid).
std::string speech_language(std::string_view bcp47);

}  // namespace vg::twiml
