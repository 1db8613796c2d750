// YAML <-> JSON for the configuration files (`voxgate org import FILE.yaml`, examples/): YAML is
// what people write, Boost.JSON values are what the core reads. Uses yaml-cpp; stateless and
// thread-safe. Scalars follow the YAML 1.2 core schema narrowed to JSON's number grammar.
#pragma once
#include <string>
#include <string_view>

#include <boost/json/value.hpp>

#include "core/result.hpp"
#include "ports/yaml.hpp"

namespace vg::adapters {

// One YAML document to JSON. Maps become objects (document order kept; a duplicate key is an
// error), sequences arrays. Plain (unquoted) scalars: null, ~ or nothing -> null; true/false
// (also True/TRUE/False/FALSE) -> bool; JSON-grammar integers -> int64 (uint64 or double when
// too large), other JSON-grammar numbers -> double, .inf/-.inf/.nan -> double; anything else,
// and every quoted or block scalar, is a string, so "+15125550100", 08:00, 007 and yes stay
// text. Keys are always text. Tags !!str, !!int, !!float, !!bool, !!null, !!map, !!seq are
// honoured; other tags are errors. Anchors and aliases are expanded (with a size limit, so a
// "billion laughs" file fails instead of exhausting memory). Documents nested deeper than 64
// levels, streams of several documents and text that is not UTF-8 are rejected. An empty text
// is null. Errors read "line L, column C: message" (1-based). Never throws for any input (short
// of running out of memory), including inputs on which yaml-cpp 0.7's own loaders never return.
vg::result<boost::json::value> yaml_to_json(std::string_view yaml_text);

// Block-style YAML (two-space indent, document order, [] and {} for empty lists and maps),
// ending in a newline. Strings are double-quoted when a plain scalar would read back as
// something else, here or in YAML 1.1 readers such as PyYAML ("123", "true", "+15125550100",
// "2026-03-14", "yes"), or holds control characters; multi-line strings ending in one newline
// are literal blocks ("|"). Doubles are written in their shortest exact form with a '.' or an
// exponent. For any value whose strings are valid UTF-8, nested at most 64 deep and without
// NaN, yaml_to_json(json_to_yaml(v)) == v, kinds included (a double stays a double).
std::string json_to_yaml(const boost::json::value& v);

// The YAML port over the two functions above.
class yaml_codec final : public ports::yaml {
 public:
  vg::result<boost::json::value> to_json(std::string_view yaml_text) const override { return yaml_to_json(yaml_text); }
  std::string to_yaml(const boost::json::value& v) const override { return json_to_yaml(v); }
};

}  // namespace vg::adapters
