// vg::agent::validate / check_schema / describe: every keyword and format, error paths and
// messages, $ref against a root document, cycles, and the book_service tool schema end to end.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "core/agent/json_schema.hpp"

namespace vg::agent {
namespace {
namespace js = boost::json;

js::value J(std::string_view text) { return js::parse(text); }

// The describe() line for `instance` against `schema`: "" when valid.
std::string check(std::string_view schema, std::string_view instance) {
  return describe(validate(J(schema), J(instance)));
}
std::string check_with_root(const js::value& root, std::string_view pointer, std::string_view instance) {
  return describe(validate(root.at_pointer(pointer), J(instance), root));
}
std::string schema_problems(std::string_view schema) { return describe(check_schema(J(schema))); }

// --- type ------------------------------------------------------------------------------------

TEST(json_schema, type_string) {
  EXPECT_EQ(check(R"({"type":"string"})", R"("hi")"), "");
  EXPECT_EQ(check(R"({"type":"string"})", "5"), "must be a string");
  EXPECT_EQ(check(R"({"type":"string"})", "null"), "must be a string");
  EXPECT_EQ(check(R"({"type":"string"})", "[]"), "must be a string");
}

TEST(json_schema, type_integer_accepts_whole_doubles_only) {
  EXPECT_EQ(check(R"({"type":"integer"})", "3"), "");
  EXPECT_EQ(check(R"({"type":"integer"})", "-3"), "");
  EXPECT_EQ(check(R"({"type":"integer"})", "3.0"), "");
  EXPECT_EQ(check(R"({"type":"integer"})", "18446744073709551615"), "");
  EXPECT_EQ(check(R"({"type":"integer"})", "3.5"), "must be a whole number");
  EXPECT_EQ(check(R"({"type":"integer"})", R"("3")"), "must be a whole number");
  EXPECT_EQ(check(R"({"type":"integer"})", "true"), "must be a whole number");
}

TEST(json_schema, type_number_accepts_integers) {
  EXPECT_EQ(check(R"({"type":"number"})", "3"), "");
  EXPECT_EQ(check(R"({"type":"number"})", "3.25"), "");
  EXPECT_EQ(check(R"({"type":"number"})", "18446744073709551615"), "");
  EXPECT_EQ(check(R"({"type":"number"})", R"("3.25")"), "must be a number");
}

TEST(json_schema, other_types_and_their_messages) {
  EXPECT_EQ(check(R"({"type":"boolean"})", "false"), "");
  EXPECT_EQ(check(R"({"type":"boolean"})", "0"), "must be true or false");
  EXPECT_EQ(check(R"({"type":"object"})", "{}"), "");
  EXPECT_EQ(check(R"({"type":"object"})", "[]"), "must be an object");
  EXPECT_EQ(check(R"({"type":"array"})", "[]"), "");
  EXPECT_EQ(check(R"({"type":"array"})", "{}"), "must be a list");
  EXPECT_EQ(check(R"({"type":"null"})", "null"), "");
  EXPECT_EQ(check(R"({"type":"null"})", "0"), "must be null");
}

TEST(json_schema, type_list) {
  const auto schema = R"({"type":["string","null"]})";
  EXPECT_EQ(check(schema, R"("x")"), "");
  EXPECT_EQ(check(schema, "null"), "");
  EXPECT_EQ(check(schema, "1"), "must be a string or null");
  EXPECT_EQ(check(R"({"type":["integer","number","boolean"]})", R"("x")"), "must be a number or true or false");
  EXPECT_EQ(check(R"({"type":["integer","string","array"]})", "{}"), "must be a string, a whole number or a list");
}

TEST(json_schema, type_mismatch_is_the_only_error_for_that_value) {
  EXPECT_EQ(check(R"({"type":"string","minLength":3,"enum":["abc"],"format":"email"})", "5"), "must be a string");
}

TEST(json_schema, nullable_allows_null) {
  EXPECT_EQ(check(R"({"type":"string","nullable":true,"minLength":2})", "null"), "");
  EXPECT_EQ(check(R"({"type":"string","nullable":true,"minLength":2})", R"("a")"), "must be at least 2 characters");
  EXPECT_EQ(check(R"({"type":"string","nullable":false})", "null"), "must be a string");
  EXPECT_EQ(check(R"({"type":"string"})", "null"), "must be a string");
}

// --- objects ---------------------------------------------------------------------------------

TEST(json_schema, required_properties) {
  const auto schema = R"({"type":"object","properties":{"name":{"type":"string"},"email":{"type":"string"}},
                          "required":["name","email"]})";
  EXPECT_EQ(check(schema, R"({"name":"Ana","email":"a@b.co"})"), "");
  EXPECT_EQ(check(schema, R"({"name":"Ana"})"), "email: is required");
  EXPECT_EQ(check(schema, "{}"), "name: is required; email: is required");
  EXPECT_EQ(check(schema, R"({"name":5})"), "name: must be a string; email: is required");
}

TEST(json_schema, optional_properties_may_be_absent_and_extra_fields_are_allowed_by_default) {
  const auto schema = R"({"type":"object","properties":{"a":{"type":"string"}}})";
  EXPECT_EQ(check(schema, "{}"), "");
  EXPECT_EQ(check(schema, R"({"b":1})"), "");
  EXPECT_EQ(check(schema, R"({"a":1})"), "a: must be a string");
}

TEST(json_schema, required_name_missing_from_properties_is_still_enforced) {
  EXPECT_EQ(check(R"({"type":"object","required":["id"]})", "{}"), "id: is required");
  EXPECT_EQ(check(R"({"type":"object","required":["id"]})", R"({"id":null})"), "");
}

TEST(json_schema, errors_follow_the_schema_property_order) {
  const auto schema = R"({"properties":{"a":{"type":"string"},"b":{"type":"string"},"c":{"type":"string"}},
                          "required":["c","b","a"]})";
  EXPECT_EQ(check(schema, R"({"c":1,"a":2})"), "a: must be a string; b: is required; c: must be a string");
}

TEST(json_schema, additional_properties_false) {
  const auto schema = R"({"properties":{"a":{}},"additionalProperties":false})";
  EXPECT_EQ(check(schema, R"({"a":1})"), "");
  EXPECT_EQ(check(schema, R"({"a":1,"x":2,"y":3})"), "x: is not an allowed field; y: is not an allowed field");
  EXPECT_EQ(check(R"({"additionalProperties":false})", R"({"x":1})"), "x: is not an allowed field");
  EXPECT_EQ(check(R"({"properties":{"a":{}},"additionalProperties":true})", R"({"x":1})"), "");
}

TEST(json_schema, additional_properties_schema) {
  const auto schema = R"({"properties":{"id":{"type":"integer"}},"additionalProperties":{"type":"string"}})";
  EXPECT_EQ(check(schema, R"({"id":1,"tag":"x"})"), "");
  EXPECT_EQ(check(schema, R"({"id":1,"tag":2})"), "tag: must be a string");
}

TEST(json_schema, object_keywords_ignore_non_objects) {
  EXPECT_EQ(check(R"({"required":["a"],"additionalProperties":false})", R"("text")"), "");
}

TEST(json_schema, nested_paths) {
  const auto schema = R"({"type":"object","properties":{
      "owner":{"type":"object","properties":{"email":{"type":"string","format":"email"}},"required":["email"]},
      "items":{"type":"array","items":{"type":"object","properties":{"name":{"type":"string"}},"required":["name"]}}}})";
  EXPECT_EQ(check(schema, R"({"owner":{"email":"a@example.com"},"items":[{"name":"x"}]})"), "");
  EXPECT_EQ(check(schema, R"({"owner":{"email":"nope"},"items":[{"name":"x"},{"name":7},{}]})"),
            "owner.email: must be an email address such as name@example.com; items[1].name: must be a string; "
            "items[2].name: is required");
  const auto errors = validate(J(schema), J(R"({"owner":{}})"));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].path, "owner.email");
  EXPECT_EQ(errors[0].message, "is required");
}

TEST(json_schema, root_array_paths) {
  const auto errors = validate(J(R"({"items":{"type":"integer"}})"), J(R"([1,"a",3,null])"));
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].path, "[1]");
  EXPECT_EQ(errors[1].path, "[3]");
  EXPECT_EQ(errors[1].message, "must be a whole number");
}

// --- enum, const -----------------------------------------------------------------------------

TEST(json_schema, enum_of_strings) {
  const auto schema = R"({"type":"string","enum":["morning","afternoon"]})";
  EXPECT_EQ(check(schema, R"("morning")"), "");
  EXPECT_EQ(check(schema, R"("evening")"), "must be one of: morning, afternoon");
  EXPECT_EQ(check(schema, R"("Morning")"), "must be one of: morning, afternoon");
}

TEST(json_schema, enum_compares_json_values) {
  const auto schema = R"({"enum":[1,2.5,null,true,{"a":[1,2]}]})";
  EXPECT_EQ(check(schema, "1.0"), "");
  EXPECT_EQ(check(schema, "2.5"), "");
  EXPECT_EQ(check(schema, "null"), "");
  EXPECT_EQ(check(schema, "true"), "");
  EXPECT_EQ(check(schema, R"({"a":[1,2]})"), "");
  EXPECT_EQ(check(schema, R"({"a":[2,1]})"), R"(must be one of: 1, 2.5, null, true, {"a":[1,2]})");
  EXPECT_EQ(check(schema, R"("1")"), R"(must be one of: 1, 2.5, null, true, {"a":[1,2]})");
  EXPECT_EQ(check(schema, "false"), R"(must be one of: 1, 2.5, null, true, {"a":[1,2]})");
}

TEST(json_schema, const_keyword) {
  EXPECT_EQ(check(R"({"const":"yes"})", R"("yes")"), "");
  EXPECT_EQ(check(R"({"const":"yes"})", R"("no")"), "must be yes");
  EXPECT_EQ(check(R"({"const":{"x":1,"y":2}})", R"({"y":2,"x":1.0})"), "");
  EXPECT_EQ(check(R"({"const":{"x":1,"y":2}})", R"({"x":1})"), R"(must be {"x":1,"y":2})");
}

// --- strings ---------------------------------------------------------------------------------

TEST(json_schema, string_length_limits) {
  const auto schema = R"({"type":"string","minLength":2,"maxLength":40})";
  EXPECT_EQ(check(schema, R"("ab")"), "");
  EXPECT_EQ(check(schema, '"' + std::string(40, 'x') + '"'), "");
  EXPECT_EQ(check(schema, R"("a")"), "must be at least 2 characters");
  EXPECT_EQ(check(schema, '"' + std::string(41, 'x') + '"'), "must be at most 40 characters");
  EXPECT_EQ(check(R"({"minLength":1})", R"("")"), "must be at least 1 character");
  EXPECT_EQ(check(R"({"maxLength":1})", R"("ab")"), "must be at most 1 character");
}

TEST(json_schema, string_length_counts_code_points_not_bytes) {
  // "José" is 5 bytes, "日本語" 9 bytes, "😀" 4 bytes: lengths are 4, 3 and 1.
  EXPECT_EQ(check(R"({"maxLength":4,"minLength":4})", R"("José")"), "");
  EXPECT_EQ(check(R"({"maxLength":3,"minLength":3})", R"("日本語")"), "");
  EXPECT_EQ(check(R"({"maxLength":1})", R"("😀")"), "");
  EXPECT_EQ(check(R"({"maxLength":1})", R"("\ud83d\ude00")"), "");
  EXPECT_EQ(check(R"({"maxLength":2})", R"("日本語")"), "must be at most 2 characters");
  EXPECT_EQ(check(R"({"minLength":5})", R"("José")"), "must be at least 5 characters");
}

TEST(json_schema, pattern_uses_search_semantics) {
  EXPECT_EQ(check(R"({"pattern":"[0-9]{5}"})", R"("zip 78701 here")"), "");
  EXPECT_EQ(check(R"({"pattern":"[0-9]{5}"})", R"("zip 787")"), "is not in the expected format");
  EXPECT_EQ(check(R"({"pattern":"^[A-Z]{2}-\\d+$"})", R"("TX-42")"), "");
  EXPECT_EQ(check(R"({"pattern":"^[A-Z]{2}-\\d+$"})", R"("xTX-42")"), "is not in the expected format");
  EXPECT_EQ(check(R"({"pattern":"^a"})", "5"), "");  // only strings are matched
}

TEST(json_schema, bad_pattern_is_skipped_by_validate_and_reported_by_check_schema) {
  const auto schema = R"({"type":"string","pattern":"(unclosed"})";
  std::vector<schema_error> errors;
  EXPECT_NO_THROW(errors = validate(J(schema), J(R"("x")")));
  EXPECT_TRUE(errors.empty());
  EXPECT_EQ(schema_problems(schema), "pattern: is not a valid regular expression");
  EXPECT_EQ(schema_problems(R"({"pattern":"a{2,1}"})"), "pattern: is not a valid regular expression");
}

TEST(json_schema, pattern_refuses_very_long_strings_instead_of_risking_the_stack) {
  const auto schema = R"({"pattern":"^(a|b)*$"})";
  EXPECT_EQ(check(schema, '"' + std::string(500, 'a') + '"'), "");
  EXPECT_EQ(check(schema, '"' + std::string(500, 'a') + "c\""), "is not in the expected format");
  EXPECT_EQ(check(schema, '"' + std::string(5000, 'a') + '"'), "is too long to check");
}

// --- formats ---------------------------------------------------------------------------------

std::string format_check(std::string_view format, std::string_view value) {
  js::object schema{{"type", "string"}, {"format", format}};
  return describe(validate(schema, js::value(value)));
}

TEST(json_schema, format_e164_and_phone) {
  for (const auto* f : {"e164", "phone"}) {
    for (const auto* ok : {"+15125550100", "+442071838750", "+12345678", "+123456789012345"})
      EXPECT_EQ(format_check(f, ok), "") << f << ' ' << ok;
    for (const auto* bad : {"15125550100", "+1 512 555 0100", "+1-512-555-0100", "+05125550100", "+1234567",
                            "+1234567890123456", "+", "", "+1512555010a"})
      EXPECT_EQ(format_check(f, bad), "must be an E.164 phone number such as +15125550100") << f << ' ' << bad;
  }
}

TEST(json_schema, format_email) {
  for (const auto* ok : {"name@example.com", "a.b+tag@mail.example.co.uk", "x@y.z"})
    EXPECT_EQ(format_check("email", ok), "") << ok;
  const std::string long_local(250, 'a');
  for (const std::string& bad : std::vector<std::string>{"name", "@example.com", "name@", "name@example", "a@@b.com", "a@b@c.com",
                                "na me@example.com", "name@exa mple.com", "name@.com", "name@example.",
                                "name@example..com", long_local + "@b.com", std::string("a\tb@c.com")})
    EXPECT_EQ(format_check("email", bad), "must be an email address such as name@example.com") << bad;
}

TEST(json_schema, format_date_checks_the_calendar) {
  for (const auto* ok : {"2026-03-14", "2024-02-29", "2000-02-29", "2026-12-31", "2026-01-01"})
    EXPECT_EQ(format_check("date", ok), "") << ok;
  for (const auto* bad : {"2023-02-29", "1900-02-29", "2026-04-31", "2026-13-01", "2026-00-10", "2026-01-00",
                          "2026-1-05", "26-03-14", "2026/03/14", "2026-03-14T10:00:00Z", "tomorrow", ""})
    EXPECT_EQ(format_check("date", bad), "must be a date such as 2026-03-14") << bad;
}

TEST(json_schema, format_time) {
  for (const auto* ok : {"14:30", "00:00", "23:59", "09:05:59"}) EXPECT_EQ(format_check("time", ok), "") << ok;
  for (const auto* bad : {"24:00", "12:60", "9:30", "12:30:60", "12:30:5", "2pm", "12:30 ", "12.30", ""})
    EXPECT_EQ(format_check("time", bad), "must be a time such as 14:30") << bad;
}

TEST(json_schema, format_date_time) {
  for (const auto* ok : {"2026-03-14T14:30:00Z", "2026-03-14T14:30:00+02:00", "2026-03-14T14:30:00-05:30",
                         "2026-03-14T14:30:00.123Z", "2024-02-29t00:00:00z"})
    EXPECT_EQ(format_check("date-time", ok), "") << ok;
  for (const auto* bad : {"2026-03-14T14:30Z", "2026-03-14 14:30:00Z", "2026-03-14T14:30:00", "2026-02-30T10:00:00Z",
                          "2026-03-14T25:00:00Z", "2026-03-14T14:30:00+2:00", "2026-03-14T14:30:00.Z",
                          "2026-03-14T14:30:00+24:00", "2026-03-14"})
    EXPECT_EQ(format_check("date-time", bad), "must be a date and time such as 2026-03-14T14:30:00Z") << bad;
}

TEST(json_schema, format_uri) {
  for (const auto* ok : {"https://example.com", "http://user@host:8080/path?q=1#f", "HTTPS://example.com",
                         "mailto:ana@example.com", "tel:+15125550100", "urn:isbn:0451450523", "http://[::1]:80/"})
    EXPECT_EQ(format_check("uri", ok), "") << ok;
  for (const auto* bad : {"example.com", "https://", "https:///path", "http://:80", "https:example.com",
                          "http://exa mple.com", "1http://x.com", ":nothing", "mailto:", "ht tp://x.com", "http://[]/"})
    EXPECT_EQ(format_check("uri", bad), "must be a URI such as https://example.com") << bad;
}

TEST(json_schema, format_uuid) {
  for (const auto* ok : {"123e4567-e89b-12d3-a456-426614174000", "00000000-0000-0000-0000-000000000000",
                         "123E4567-E89B-12D3-A456-426614174000"})
    EXPECT_EQ(format_check("uuid", ok), "") << ok;
  for (const auto* bad : {"123e4567e89b12d3a456426614174000", "123e4567-e89b-12d3-a456-42661417400",
                          "123e4567-e89b-12d3-a456-42661417400g", "{123e4567-e89b-12d3-a456-426614174000}"})
    EXPECT_EQ(format_check("uuid", bad), "must be a UUID such as 123e4567-e89b-12d3-a456-426614174000") << bad;
}

TEST(json_schema, unknown_format_is_ignored_by_validate_and_reported_by_check_schema) {
  EXPECT_EQ(check(R"({"type":"string","format":"int64"})", R"("anything")"), "");
  EXPECT_EQ(schema_problems(R"({"properties":{"phone":{"type":"string","format":"telephone"}}})"),
            "properties.phone.format: is not a supported format: telephone");
}

TEST(json_schema, format_applies_to_strings_only) {
  EXPECT_EQ(check(R"({"format":"email"})", "5"), "");
  EXPECT_EQ(check(R"({"format":"email"})", R"("5")"), "must be an email address such as name@example.com");
}

// --- numbers ---------------------------------------------------------------------------------

TEST(json_schema, minimum_and_maximum) {
  const auto schema = R"({"type":"integer","minimum":1,"maximum":10})";
  EXPECT_EQ(check(schema, "1"), "");
  EXPECT_EQ(check(schema, "10"), "");
  EXPECT_EQ(check(schema, "10.0"), "");
  EXPECT_EQ(check(schema, "0"), "must be at least 1");
  EXPECT_EQ(check(schema, "11"), "must be at most 10");
  EXPECT_EQ(check(R"({"minimum":2.5})", "2.4"), "must be at least 2.5");
  EXPECT_EQ(check(R"({"minimum":2.5})", "3"), "");
  EXPECT_EQ(check(R"({"maximum":-1})", "-0.5"), "must be at most -1");
  EXPECT_EQ(check(R"({"minimum":1})", R"("0")"), "");  // only numbers are compared
}

TEST(json_schema, exclusive_bounds_as_numbers_and_as_openapi_booleans) {
  EXPECT_EQ(check(R"({"exclusiveMinimum":0})", "0.001"), "");
  EXPECT_EQ(check(R"({"exclusiveMinimum":0})", "0"), "must be greater than 0");
  EXPECT_EQ(check(R"({"exclusiveMaximum":100})", "99"), "");
  EXPECT_EQ(check(R"({"exclusiveMaximum":100})", "100.0"), "must be less than 100");
  EXPECT_EQ(check(R"({"minimum":0,"exclusiveMinimum":true})", "0"), "must be greater than 0");
  EXPECT_EQ(check(R"({"minimum":0,"exclusiveMinimum":false})", "0"), "");
  EXPECT_EQ(check(R"({"maximum":5,"exclusiveMaximum":true})", "5"), "must be less than 5");
  EXPECT_EQ(check(R"({"maximum":5,"exclusiveMaximum":true})", "4"), "");
}

TEST(json_schema, number_bounds_are_exact_for_large_integers) {
  EXPECT_EQ(check(R"({"maximum":9007199254740992})", "9007199254740993"), "must be at most 9007199254740992");
  EXPECT_EQ(check(R"({"minimum":-1})", "18446744073709551615"), "");
  EXPECT_EQ(check(R"({"maximum":-1})", "18446744073709551615"), "must be at most -1");
  EXPECT_EQ(check(R"({"minimum":18446744073709551615})", "-1"), "must be at least 18446744073709551615");
}

// --- arrays ----------------------------------------------------------------------------------

TEST(json_schema, item_count_limits) {
  const auto schema = R"({"type":"array","minItems":1,"maxItems":2})";
  EXPECT_EQ(check(schema, "[1]"), "");
  EXPECT_EQ(check(schema, "[1,2]"), "");
  EXPECT_EQ(check(schema, "[]"), "must have at least 1 item");
  EXPECT_EQ(check(schema, "[1,2,3]"), "must have at most 2 items");
  EXPECT_EQ(check(R"({"minItems":2})", "[1]"), "must have at least 2 items");
}

TEST(json_schema, unique_items) {
  const auto schema = R"({"uniqueItems":true})";
  EXPECT_EQ(check(schema, R"([1,2,"1",[1],{"a":1}])"), "");
  EXPECT_EQ(check(schema, "[1,2,1.0]"), "must not contain duplicate items");
  EXPECT_EQ(check(schema, R"([{"a":1,"b":2},{"b":2,"a":1}])"), "must not contain duplicate items");
  EXPECT_EQ(check(R"({"uniqueItems":false})", "[1,1]"), "");
}

TEST(json_schema, items_schema_applies_to_every_item) {
  const auto schema = R"({"type":"array","items":{"type":"string","enum":["a","b"]}})";
  EXPECT_EQ(check(schema, R"(["a","b","a"])"), "");
  EXPECT_EQ(check(schema, R"(["a","c",1])"), "[1]: must be one of: a, b; [2]: must be a string");
}

// --- combinators -----------------------------------------------------------------------------

TEST(json_schema, any_of) {
  const auto schema = R"({"anyOf":[{"type":"string","format":"email"},{"type":"string","format":"e164"}]})";
  EXPECT_EQ(check(schema, R"("a@example.com")"), "");
  EXPECT_EQ(check(schema, R"("+15125550100")"), "");
  // Neither matched: the first of the closest branches explains.
  EXPECT_EQ(check(schema, R"("nope")"), "must be an email address such as name@example.com");
  EXPECT_EQ(check(schema, "5"), "must be a string");
}

TEST(json_schema, any_of_prefers_the_branch_whose_type_matched) {
  const auto schema = R"({"anyOf":[{"type":"integer","minimum":1},{"type":"string","minLength":3},{"type":"null"}]})";
  EXPECT_EQ(check(schema, R"("ab")"), "must be at least 3 characters");
  EXPECT_EQ(check(schema, "0"), "must be at least 1");
  EXPECT_EQ(check(schema, "null"), "");
  EXPECT_EQ(check(schema, "true"), "must be a string, a whole number or null");
}

TEST(json_schema, one_of) {
  const auto schema = R"({"oneOf":[{"type":"integer"},{"type":"number","minimum":10}]})";
  EXPECT_EQ(check(schema, "5"), "");
  EXPECT_EQ(check(schema, "10.5"), "");
  EXPECT_EQ(check(schema, "12"), "must match exactly one allowed form, but matches several");
  EXPECT_EQ(check(schema, "2.5"), "must be at least 10");
  EXPECT_EQ(check(schema, R"("x")"), "must be a number");
}

TEST(json_schema, all_of) {
  const auto schema = R"({"allOf":[{"type":"string","minLength":3},{"type":"string","pattern":"^[a-z]+$"}]})";
  EXPECT_EQ(check(schema, R"("abc")"), "");
  EXPECT_EQ(check(schema, R"("A")"), "must be at least 3 characters; is not in the expected format");
  EXPECT_EQ(check(schema, "1"), "must be a string");  // the same complaint twice is said once
}

TEST(json_schema, boolean_schemas) {
  EXPECT_EQ(check("true", "123"), "");
  EXPECT_EQ(check("false", "123"), "is not allowed");
  EXPECT_EQ(check(R"({"properties":{"legacy":false}})", R"({"legacy":1})"), "legacy: is not allowed");
  EXPECT_EQ(check(R"({"properties":{"legacy":false}})", "{}"), "");
}

TEST(json_schema, annotations_are_ignored) {
  const auto schema = R"({"type":"string","description":"d","title":"t","default":"x","examples":["x"],
                          "example":"x","$comment":"c"})";
  EXPECT_EQ(check(schema, R"("y")"), "");
  EXPECT_EQ(check(schema, "1"), "must be a string");
  EXPECT_EQ(schema_problems(schema), "");
}

// --- $ref ------------------------------------------------------------------------------------

const char* const openapi_doc = R"({
  "openapi": "3.0.3",
  "info": {"title": "voxgate", "version": "1"},
  "paths": {},
  "components": {"schemas": {
    "Customer": {"type": "object", "required": ["name"], "properties": {
      "name": {"type": "string", "minLength": 1},
      "email": {"type": "string", "format": "email", "nullable": true}}},
    "Item": {"type": "object", "required": ["name", "qty"], "properties": {
      "name": {"type": "string", "minLength": 1},
      "qty": {"type": "integer", "minimum": 1}}},
    "Booking": {"type": "object", "required": ["owner", "items"], "additionalProperties": false, "properties": {
      "owner": {"$ref": "#/components/schemas/Customer"},
      "items": {"type": "array", "minItems": 1, "items": {"$ref": "#/components/schemas/Item"}}}},
    "Broken": {"properties": {"x": {"$ref": "#/components/schemas/Nowhere"}}}
  }}
})";

TEST(json_schema, ref_to_openapi_components_against_a_root) {
  const auto root = J(openapi_doc);
  EXPECT_EQ(check_with_root(root, "/components/schemas/Booking",
                            R"({"owner":{"name":"Ana","email":null},"items":[{"name":"cut","qty":1}]})"),
            "");
  EXPECT_EQ(check_with_root(root, "/components/schemas/Booking",
                            R"({"owner":{"name":"Ana","email":"nope"},"items":[{"name":"","qty":0},{"qty":2}],"x":1})"),
            "owner.email: must be an email address such as name@example.com; items[0].name: must be at least 1 "
            "character; items[0].qty: must be at least 1; items[1].name: is required; x: is not an allowed field");
  EXPECT_EQ(check_with_root(root, "/components/schemas/Booking", R"({"owner":"Ana","items":[]})"),
            "owner: must be an object; items: must have at least 1 item");
  for (const auto& m : root.at_pointer("/components/schemas").as_object())
    EXPECT_EQ(describe(check_schema(m.value())), "") << m.key();
}

TEST(json_schema, unresolvable_ref_fails_closed) {
  const auto root = J(openapi_doc);
  EXPECT_EQ(check_with_root(root, "/components/schemas/Broken", R"({"x":1})"),
            "x: cannot be checked: its schema reference is missing");
  EXPECT_EQ(check_with_root(root, "/components/schemas/Broken", "{}"), "");
  // Without the document, a components ref cannot resolve.
  EXPECT_EQ(check(R"({"$ref":"#/components/schemas/Item"})", "{}"),
            "cannot be checked: its schema reference is missing");
  EXPECT_EQ(check(R"({"$ref":"https://example.com/schema.json"})", "{}"),
            "cannot be checked: its schema reference is missing");
}

TEST(json_schema, ref_to_defs_in_the_schema_itself) {
  const auto schema = R"({"$defs":{"slot":{"type":"string","enum":["morning","afternoon"]},"a/b":{"type":"integer"}},
                          "type":"object","properties":{"slot":{"$ref":"#/$defs/slot"},"n":{"$ref":"#/$defs/a~1b"}}})";
  EXPECT_EQ(check(schema, R"({"slot":"morning","n":2})"), "");
  EXPECT_EQ(check(schema, R"({"slot":"night","n":"2"})"),
            "slot: must be one of: morning, afternoon; n: must be a whole number");
  EXPECT_EQ(schema_problems(schema), "");
}

TEST(json_schema, ref_cycle_is_an_error_not_a_hang) {
  const auto schema = R"({"$defs":{"a":{"$ref":"#/$defs/b"},"b":{"allOf":[{"$ref":"#/$defs/a"}]}},"$ref":"#/$defs/a"})";
  EXPECT_EQ(check(schema, "1"), "is nested too deeply to check");
  EXPECT_EQ(check(R"({"$ref":"#"})", "1"), "cannot be checked: its schema reference is missing");
}

std::string nested_tree(int depth) {
  std::string s = R"({"children":[]})";
  for (int i = 0; i < depth; ++i) s = R"({"children":[)" + s + "]}";
  return s;
}

TEST(json_schema, recursive_schema_checks_deep_data_up_to_the_ref_limit) {
  const auto schema = R"({"$defs":{"node":{"type":"object","additionalProperties":false,"properties":{
                            "children":{"type":"array","items":{"$ref":"#/$defs/node"}}}}},
                          "$ref":"#/$defs/node"})";
  EXPECT_EQ(check(schema, nested_tree(10)), "");
  EXPECT_EQ(check(schema, R"({"children":[{"children":[{"x":1}]}]})"),
            "children[0].children[0].x: is not an allowed field");
  js::parse_options deep;
  deep.max_depth = 1000;
  const auto errors = validate(J(schema), js::parse(nested_tree(100), {}, deep));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].message, "is nested too deeply to check");
  EXPECT_TRUE(errors[0].path.starts_with("children[0].children[0]."));
}

TEST(json_schema, exponential_any_of_stops_at_the_work_limit) {
  // Each level tries two branches that both fail at the bottom: 2^30 paths without a limit.
  const auto schema = R"({"$defs":{"n":{"type":"array","items":{"anyOf":[{"$ref":"#/$defs/n"},{"$ref":"#/$defs/n"}]}}},
                          "$ref":"#/$defs/n"})";
  std::string instance = "[5]";
  for (int i = 0; i < 30; ++i) instance = '[' + instance + ']';
  js::parse_options deep;
  deep.max_depth = 100;
  const auto errors = validate(J(schema), js::parse(instance, {}, deep));
  ASSERT_FALSE(errors.empty());
  EXPECT_EQ(errors.back().path, "");
  EXPECT_EQ(errors.back().message, "is too large to check");
}

TEST(json_schema, a_large_valid_payload_is_not_mistaken_for_runaway_work) {
  // 10000 rows x 4 nullable fields is ~120k subschema visits: more than the fixed allowance.
  const auto schema = R"({"type":"array","items":{"type":"object","properties":{
      "a":{"anyOf":[{"type":"null"},{"type":"string"}]},"b":{"anyOf":[{"type":"null"},{"type":"string"}]},
      "c":{"anyOf":[{"type":"null"},{"type":"string"}]},"d":{"anyOf":[{"type":"null"},{"type":"string"}]}}}})";
  js::array rows;
  for (int i = 0; i < 10000; ++i) rows.push_back(js::object{{"a", "x"}, {"b", "y"}, {"c", "z"}, {"d", nullptr}});
  EXPECT_TRUE(validate(J(schema), rows).empty());
  rows[9999].as_object()["d"] = 5;
  EXPECT_EQ(describe(validate(J(schema), rows)), "[9999].d: must be a string or null");
}

// --- robustness ------------------------------------------------------------------------------

TEST(json_schema, broken_schemas_never_throw_and_never_accept_by_accident) {
  EXPECT_EQ(check("[]", "1"), "cannot be checked: its schema is invalid");
  EXPECT_EQ(check(R"("string")", "1"), "cannot be checked: its schema is invalid");
  EXPECT_EQ(check("null", "1"), "cannot be checked: its schema is invalid");
  EXPECT_EQ(check(R"({"items":5})", "[1]"), "[0]: cannot be checked: its schema is invalid");
  const char* const schemas[] = {
      R"({"type":5})", R"({"type":[]})", R"({"type":["bogus"]})", R"({"enum":5})", R"({"enum":[]})",
      R"({"minLength":-1})", R"({"maxLength":"3"})", R"({"minLength":1e300})", R"({"maxItems":2.5})",
      R"({"minimum":"a"})", R"({"exclusiveMinimum":"a"})", R"({"properties":[]})", R"({"properties":{"a":3}})",
      R"({"required":"x"})", R"({"required":[1]})", R"({"additionalProperties":3})", R"({"items":[{}]})",
      R"({"pattern":5})", R"({"pattern":"["})", R"({"format":7})", R"({"$ref":5})", R"({"$ref":"#/$defs/"})",
      R"({"$ref":"#/$defs/a~2"})", R"({"anyOf":{}})", R"({"oneOf":[]})", R"({"allOf":[5,"x"]})",
      R"({"nullable":"yes"})", R"({"uniqueItems":1})", R"({"$defs":[]})", R"({"unknown":1})", "0", "true"};
  const char* const instances[] = {"null", "0", "-1", "1.5", R"("")", R"("abc")", "[]", "[1,1]", "{}",
                                   R"({"a":1})", "true", "18446744073709551615"};
  for (const auto* s : schemas) {
    EXPECT_NO_THROW(check_schema(J(s))) << s;
    for (const auto* i : instances) EXPECT_NO_THROW(validate(J(s), J(i))) << s << " / " << i;
  }
}

// --- check_schema ----------------------------------------------------------------------------

TEST(json_schema, check_schema_accepts_every_supported_keyword) {
  EXPECT_EQ(schema_problems(R"({
    "$defs": {"d": {"type": "integer"}},
    "type": ["object", "null"], "nullable": true, "description": "x", "title": "x",
    "properties": {
      "a": {"type": "string", "minLength": 1, "maxLength": 5, "pattern": "^[a-z]+$", "format": "email",
            "enum": ["a", "b"], "const": "a", "default": "a", "examples": ["a"], "example": "a", "$comment": "c"},
      "b": {"type": "number", "minimum": 0, "maximum": 10.5, "exclusiveMinimum": true, "exclusiveMaximum": 11},
      "c": {"type": "array", "items": {"$ref": "#/$defs/d"}, "minItems": 0, "maxItems": 3, "uniqueItems": true},
      "d": {"anyOf": [{"type": "string"}, {"type": "null"}]},
      "e": {"oneOf": [true, {"type": "integer"}], "allOf": [{}]},
      "f": {"$ref": "#/components/schemas/Elsewhere"}
    },
    "required": ["a", "b"], "additionalProperties": {"type": "string"}
  })"),
            "");
}

TEST(json_schema, check_schema_reports_unsupported_and_mistyped_keywords_with_paths) {
  EXPECT_EQ(schema_problems(R"({"type":"object","properties":{"phone":{"type":"string","patternProperties":{}}}})"),
            "properties.phone.patternProperties: is not a supported keyword");
  EXPECT_EQ(schema_problems(R"({"properties":{"name":{"maxLength":"40"}}})"),
            "properties.name.maxLength: must be a non-negative whole number");
  EXPECT_EQ(schema_problems(R"({"properties":{"tags":{"items":{"type":"text"}}}})"),
            "properties.tags.items.type: is not a known type: text");
  EXPECT_EQ(schema_problems(R"({"type":["string","bogus","string"]})"),
            "type[1]: is not a known type; type[2]: repeats a type");
  EXPECT_EQ(schema_problems(R"({"anyOf":[]})"), "anyOf: must be a non-empty array");
  EXPECT_EQ(schema_problems(R"({"oneOf":[{"type":"string"},{"minimum":"0"}]})"), "oneOf[1].minimum: must be a number");
  EXPECT_EQ(schema_problems(R"({"enum":"a"})"), "enum: must be a non-empty array");
  EXPECT_EQ(schema_problems(R"({"description":5,"nullable":"true","uniqueItems":1})"),
            "description: must be a string; nullable: must be true or false; uniqueItems: must be true or false");
  EXPECT_EQ(schema_problems(R"({"additionalProperties":"no"})"),
            "additionalProperties: must be a schema object, true or false");
  EXPECT_EQ(schema_problems(R"({"properties":{"a":5}})"), "properties.a: must be a schema object, true or false");
  EXPECT_EQ(schema_problems("[]"), "must be a schema object, true or false");
  EXPECT_EQ(schema_problems("5"), "must be a schema object, true or false");
  EXPECT_EQ(schema_problems(R"({"minLength":-1,"exclusiveMaximum":"x","examples":"x"})"),
            "minLength: must be a non-negative whole number; exclusiveMaximum: must be a number or a boolean; "
            "examples: must be an array");
}

TEST(json_schema, check_schema_reports_required_names_not_in_properties) {
  EXPECT_EQ(schema_problems(R"({"properties":{"name":{},"phone":{}},"required":["name","phnoe"]})"),
            "required[1]: names phnoe, which is not in properties");
  EXPECT_EQ(schema_problems(R"({"additionalProperties":false,"required":["id"]})"),
            "required[0]: names id, which is not in properties");
  EXPECT_EQ(schema_problems(R"({"required":["id"]})"), "");  // an allOf mix-in adds requirements only
  EXPECT_EQ(schema_problems(R"({"properties":{},"required":[5]})"), "required[0]: must be a string");
  EXPECT_EQ(schema_problems(R"({"required":{}})"), "required: must be an array of property names");
}

TEST(json_schema, check_schema_reports_contradictory_limits) {
  EXPECT_EQ(schema_problems(R"({"minLength":5,"maxLength":3})"), "maxLength: is less than minLength");
  EXPECT_EQ(schema_problems(R"({"minItems":2,"maxItems":1})"), "maxItems: is less than minItems");
  EXPECT_EQ(schema_problems(R"({"minimum":10,"maximum":9.5})"), "maximum: is less than minimum");
  EXPECT_EQ(schema_problems(R"({"minLength":3,"maxLength":3,"minimum":1,"maximum":1})"), "");
}

TEST(json_schema, check_schema_reports_bad_refs) {
  EXPECT_EQ(schema_problems(R"({"$ref":"#/definitions/x"})"),
            "$ref: must be a string such as #/components/schemas/NAME or #/$defs/NAME");
  EXPECT_EQ(schema_problems(R"({"$ref":"#/components/schemas/a/b"})"),
            "$ref: must be a string such as #/components/schemas/NAME or #/$defs/NAME");
  EXPECT_EQ(schema_problems(R"({"$ref":7})"), "$ref: must be a string such as #/components/schemas/NAME or #/$defs/NAME");
  EXPECT_EQ(schema_problems(R"({"$defs":{"a":{}},"properties":{"x":{"$ref":"#/$defs/b"}}})"),
            "properties.x.$ref: refers to a missing definition: #/$defs/b");
  EXPECT_EQ(schema_problems(R"({"$defs":{"a":{"type":"strin"}}})"), "$defs.a.type: is not a known type: strin");
}

// --- describe --------------------------------------------------------------------------------

TEST(json_schema, describe_joins_errors_into_one_sentence_list) {
  EXPECT_EQ(describe({}), "");
  EXPECT_EQ(describe({{"", "must be an object"}}), "must be an object");
  EXPECT_EQ(describe({{"phone", "must be an E.164 phone number such as +15125550100"}, {"email", "is required"}}),
            "phone: must be an E.164 phone number such as +15125550100; email: is required");
  EXPECT_EQ(describe({{"items[0].name", "is required"}, {"", "is too large to check"}}),
            "items[0].name: is required; is too large to check");
}

// --- a real tool -----------------------------------------------------------------------------

const char* const book_service = R"({
  "type": "object",
  "description": "Book an appointment for the caller.",
  "properties": {
    "name": {"type": "string", "description": "The caller's full name", "minLength": 1, "maxLength": 40},
    "phone": {"type": "string", "format": "e164", "description": "Callback number"},
    "service": {"type": "string", "enum": ["haircut", "color", "beard trim"]},
    "date": {"type": "string", "format": "date"},
    "time": {"type": "string", "format": "time"},
    "notes": {"type": ["string", "null"], "maxLength": 200}
  },
  "required": ["name", "phone", "service", "date", "time", "notes"],
  "additionalProperties": false
})";

TEST(json_schema, book_service_tool_schema_end_to_end) {
  const auto schema = J(book_service);
  EXPECT_TRUE(check_schema(schema).empty()) << describe(check_schema(schema));
  EXPECT_EQ(check(book_service, R"({"name":"Zoë Álvarez","phone":"+15125550100","service":"beard trim",
                                    "date":"2028-02-29","time":"09:30","notes":null})"),
            "");
  EXPECT_EQ(check(book_service, R"({"name":"Ana","phone":"+15125550100","service":"color",
                                    "date":"2026-03-14","time":"17:45:00","notes":"first visit"})"),
            "");

  const auto errors = validate(schema, J(R"({"name":"Maximiliana Esperanza de la Cruz Villanueva",
      "phone":"512-555-0100","service":"manicure","date":"2026-02-30","notes":7,"email":"ana@example.com"})"));
  ASSERT_EQ(errors.size(), 7u) << describe(errors);
  EXPECT_EQ(errors[0].path, "name");
  EXPECT_EQ(errors[4].path, "time");
  EXPECT_EQ(errors[4].message, "is required");
  EXPECT_EQ(describe(errors),
            "name: must be at most 40 characters; "
            "phone: must be an E.164 phone number such as +15125550100; "
            "service: must be one of: haircut, color, beard trim; "
            "date: must be a date such as 2026-03-14; "
            "time: is required; "
            "notes: must be a string or null; "
            "email: is not an allowed field");

  EXPECT_EQ(check(book_service, "[]"), "must be an object");
  EXPECT_EQ(check(book_service, "{}"),
            "name: is required; phone: is required; service: is required; date: is required; time: is required; "
            "notes: is required");
}

TEST(json_schema, book_service_with_a_typo_is_rejected_by_check_schema) {
  auto schema = J(book_service);
  schema.at_pointer("/properties/phone").as_object()["format"] = "e.164";
  schema.as_object()["required"].as_array().emplace_back("email");
  schema.at_pointer("/properties/time").as_object()["pattern"] = "([0-2][0-9]:[0-5][0-9]";
  EXPECT_EQ(describe(check_schema(schema)),
            "properties.phone.format: is not a supported format: e.164; "
            "properties.time.pattern: is not a valid regular expression; "
            "required[6]: names email, which is not in properties");
}

}  // namespace
}  // namespace vg::agent
