// DTMF key presses as in-band audio (ITU-T Q.23 frequencies), 8 kHz mu-law, so a call can
// "press keys" on a phone menu through the media stream it already has (Twilio's media
// stream has no message to send DTMF). Pure.
#pragma once
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace vg::audio {

struct dtmf_timing {
  int tone_ms = 100;   // each key's tone (Q.24 asks for at least 40 ms)
  int gap_ms = 100;    // silence after each key
  int pause_ms = 500;  // what a 'w' in the digits stands for (Twilio's sendDigits convention)
};

// Whether every character is a key (0-9 * # A-D) or a pause ('w'/'W').
bool valid_dtmf(std::string_view digits) noexcept;

// The mu-law audio for `digits`; an error names the first character that is not a key.
result<std::string> dtmf_audio(std::string_view digits, dtmf_timing timing = {});

}  // namespace vg::audio
