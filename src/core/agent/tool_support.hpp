// Pure helpers the tool runner needs: filling message templates from a call's data, making
// references callers can read out, the Realtime tool list of an assistant, and checking a
// requested booking slot against the assistant's hours and lead time.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "core/agent/org_config.hpp"
#include "core/agent/prompt_builder.hpp"

namespace vg::agent {

// "Hi {name}, ref {ref}." with values from `fields`; an unknown {placeholder} stays as written
// and is returned in `missing` so the caller can log it. Non-text values are written as JSON.
std::string fill_template(std::string_view text, const boost::json::object& fields, std::string* missing = nullptr);

// Six characters from an alphabet without look-alikes (no 0/O, 1/I/L), easy to say on a phone:
// 30^6 = 729 million values. `random` supplies the entropy (6 bytes).
std::string make_reference(const std::uint8_t random[6]);

// [{"type":"function","name":...,"description":...,"parameters":{...}}, ...] for session.update.
std::string realtime_tools_json(const assistant& a);

// The same tools as Chat Completions takes them (docs/protocols/chat-completions.md#tools):
// [{"type":"function","function":{"name":...,"description":...,"parameters":{...}}}, ...];
// `parameters` is left out for a tool that declares none, `strict` always (the tool runner
// checks the arguments itself, with formats strict mode does not know).
boost::json::array chat_tools(const assistant& a);

// Why a requested slot cannot be booked (empty when it can): outside business hours, in the
// past, or sooner than `min_lead_minutes` from now. `date` is YYYY-MM-DD and `time` HH:MM in the
// organisation's time zone; `now` is that zone's wall clock.
std::string check_booking_slot(const assistant& a, std::string_view date, std::string_view time, const local_clock& now,
                               int min_lead_minutes);

}  // namespace vg::agent
