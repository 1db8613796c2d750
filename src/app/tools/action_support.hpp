// What the action families (records, messaging, call control) share: the shape of a result
// for the model, and the caller's number, the SMS sender and template filling.
#pragma once
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "app/tools/tool_runner.hpp"
#include "core/json_fields.hpp"

namespace vg::app::actions {

tool_outcome ok(boost::json::object o);
tool_outcome failed(std::string message);

// The string member `key` of an object, or "" (core/json_fields.hpp).
using json_fields::string_at;

// The number an SMS to "the caller" goes to: the phone they gave, else the number they call from.
std::string caller_phone(const tool_context& ctx, const boost::json::object& data);

// The organisation's number the call came in on, else the server's TWILIO_PHONE_NUMBER.
std::string sms_from(const tool_runner& runner, const tool_context& ctx);

// Fields a template may use: the record's data plus ref, org and the caller's number.
boost::json::object template_fields(const tool_context& ctx, const boost::json::object& data, const std::string& ref);

// Sends the template `name` (if any) and says how it went, for the model: "" when name is
// empty, "sent to +1..." or "not sent: why".
awaitable<std::string> maybe_sms(tool_runner& runner, tool_context ctx, std::string name, boost::json::object fields,
                                 std::string to);

}  // namespace vg::app::actions
