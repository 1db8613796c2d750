// A validator for the JSON Schema subset used by OpenAI function-calling tool parameters and by
// our REST API's OpenAPI file. Tool arguments come from a model, so problems are reported as
// short plain-English sentences the model can relay to a caller ("phone: is required").
// Pure: no I/O, no clock. Nothing here throws for any schema or instance.
//
// Supported keywords: type (a name or a list; "integer" accepts 3.0, "number" accepts 3),
// properties, required, additionalProperties (bool or schema), items, enum, const,
// minLength/maxLength (in UTF-8 code points), minimum/maximum, exclusiveMinimum/
// exclusiveMaximum (a number, or OpenAPI 3.0's boolean modifier), minItems/maxItems,
// uniqueItems, pattern (ECMAScript, searched anywhere in the string, on UTF-8 bytes; strings
// over 512 bytes are refused as "too long to check", see the .cpp), format,
// nullable (OpenAPI 3.0), anyOf/oneOf/allOf, $defs, and $ref of the form
// "#/components/schemas/NAME" or "#/$defs/NAME". Annotations (description, title, default,
// examples, example, $comment) are ignored. true/false are accepted as schemas.
// Formats: e164 and phone, email, date, time, date-time, uri, uuid.
#pragma once
#include <string>
#include <vector>

#include <boost/json/value.hpp>

namespace vg::agent {

struct schema_error {
  std::string path;     // instance path: "" for the root, "phone", "items[0].name", "owner.email"
  std::string message;  // "is required", "must be a string", "must be at most 40 characters"
};

// Every problem of `instance` against `schema`, empty when it is valid. Order follows the
// schema: an object's properties in the order the schema lists them (a missing required one
// where it would have been), then fields the schema does not allow, array items by index.
// A value failing "type", "enum" or "const" gets that one error and nothing more about it.
// validate() trusts the schema to have passed check_schema(): keywords it cannot interpret
// (unknown ones, wrongly typed values, bad regexes, unknown formats) are skipped. It fails
// closed, though, when a whole subschema is unusable: not an object, a $ref that does not
// resolve, references nested deeper than 64 (a cycle), or an instance too large to check.
// $ref resolves against the schema itself.
std::vector<schema_error> validate(const boost::json::value& schema,
                                   const boost::json::value& instance);
// The same, resolving $ref against `root` (an OpenAPI document with components.schemas, or a
// schema with $defs), so one schema out of a larger document can be checked.
std::vector<schema_error> validate(const boost::json::value& schema,
                                   const boost::json::value& instance,
                                   const boost::json::value& root);

// Problems of a schema itself, so a config import can reject a broken tool definition: an
// unsupported keyword, a keyword of the wrong type, an unknown format, a regex that does not
// compile, "required" naming a property missing from "properties", min above max, a $ref of an
// unsupported form or to a missing "#/$defs/" entry. Paths are schema paths such as
// "properties.phone.format" or "anyOf[1].type". "#/components/schemas/" refs are checked for
// form only: the document holding them is not known here.
std::vector<schema_error> check_schema(const boost::json::value& schema);

// "phone: must be an E.164 phone number such as +15125550100; email: is required".
// A root error has no "path: " prefix. Empty for no errors.
std::string describe(const std::vector<schema_error>& errors);

}  // namespace vg::agent
