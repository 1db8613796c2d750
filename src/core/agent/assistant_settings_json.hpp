// Assistant settings in and out of JSON. Reading refuses unknown fields and bad values with
// their paths ("assistants[0].settings.mode: must be realtime or gather"); writing gives back
// what was read, as the user wrote it.
#pragma once
#include <string>

#include <boost/json/value.hpp>

#include "core/agent/assistant_settings.hpp"
#include "core/agent/config_reader.hpp"

namespace vg::agent {

// The settings map at `path` (null reads as no settings); every problem goes to `r`.
assistant_settings read_settings(config_reader& r, const boost::json::value& v, const std::string& path);

boost::json::object to_json(const assistant_settings& s);

}  // namespace vg::agent
