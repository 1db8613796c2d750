// YAML <-> JSON for the configuration files (`voxgate org import FILE.yaml`, examples/): YAML is
// what people write, Boost.JSON values are what the core reads. Uses yaml-cpp; stateless and
// thread-safe. Scalars follow the YAML 1.2 core schema narrowed to JSON's number grammar.
#pragma once
#include <string>
#include <string_view>

#include <boost/json/value.hpp>

#include "core/result.hpp"

namespace vg::adapters {

// One YAML document to JSON. Maps become objects (document order kept; a duplicate key is an
// error), sequences arrays. Plain (unquoted) scalars: null, ~ or nothing -> null; true/false
// (also True/TRUE/False/FALSE) -> bool; JSON-grammar integers -> int64 (uint64 or double when
// too large), other JSON-grammar numbers -> double, .inf/-.inf/.nan -> double; anything else,
// and every quoted or block scalar, is a string, so "+15125550100", 08:00, 007 and yes stay
// text. Keys are always text. Tags !!str, !!int, !!float, !!bool, !!null, !!map, !!seq are
// honoured; other tags are errors. Anchors and aliases are expanded (with a size limit, so a
// "billion laughs" file fails instead of exhausting memory). Documents nested deeper than 64
// levels, and streams of several documents, are rejected. An empty text is null.
// Errors read "line L, column C: message" (1-based).
vg::result<boost::json::value> yaml_to_json(std::string_view yaml_text);

// Block-style YAML (two-space indent, document order, no trailing document marker), ending in
// a newline. Strings are quoted exactly when a plain scalar would read back differently;
// multi-line strings ending in one newline are written as literal blocks ("|"). For any value
// whose strings are valid UTF-8 and nested at most 64 deep, yaml_to_json(json_to_yaml(v)) == v
// (doubles are written in their shortest exact form, always with a '.' or an exponent).
std::string json_to_yaml(const boost::json::value& v);

}  // namespace vg::adapters
