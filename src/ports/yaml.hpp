// The YAML port: configuration files as people write them (`voxgate org import FILE.yaml`,
// `org export`), as the JSON values the core reads. Implemented with yaml-cpp by
// adapters/yaml_json.hpp (yaml_codec), whose free functions document the exact rules.
#pragma once
#include <string>
#include <string_view>

#include <boost/json/value.hpp>

#include "core/result.hpp"

namespace vg::ports {

class yaml {
 public:
  virtual ~yaml() = default;
  // One YAML document as JSON; errors read "line L, column C: message".
  virtual vg::result<boost::json::value> to_json(std::string_view yaml_text) const = 0;
  // Block-style YAML that to_json reads back as the same value.
  virtual std::string to_yaml(const boost::json::value& v) const = 0;
};

}  // namespace vg::ports
