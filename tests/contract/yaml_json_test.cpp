// vg::adapters::yaml_to_json and json_to_yaml against the real yaml-cpp: the core-schema scalar
// rules, error messages with positions, limits (depth, alias expansion), and exact round trips.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "adapters/yaml_json.hpp"

namespace vg {
namespace {
namespace json = boost::json;
using adapters::json_to_yaml;
using adapters::yaml_to_json;

json::value load(std::string_view yaml) {
  auto r = yaml_to_json(yaml);
  EXPECT_TRUE(r.ok()) << yaml << "\n-> " << (r.ok() ? "" : r.error_message());
  return r.ok() ? *r : json::value("<error>");
}

std::string error_of(std::string_view yaml) {
  auto r = yaml_to_json(yaml);
  EXPECT_FALSE(r.ok()) << yaml << "\n-> " << (r.ok() ? json::serialize(*r) : "");
  return r.ok() ? "" : r.error_message();
}

// Loads "v: <scalar>" and returns the value.
json::value scalar(const std::string& text) { return load("v: " + text).at("v"); }

void expect_round_trip(const json::value& v) {
  const std::string yaml = json_to_yaml(v);
  auto back = yaml_to_json(yaml);
  ASSERT_TRUE(back.ok()) << json::serialize(v) << "\nYAML:\n" << yaml << "\n" << back.error_message();
  EXPECT_EQ(*back, v) << json::serialize(v) << "\nYAML:\n" << yaml << "\nread back: " << json::serialize(*back);
  // Kinds too: operator== lets int64 5 equal uint64 5, but a double must stay a double.
  if (v.is_double()) {
    EXPECT_TRUE(back->is_double()) << yaml;
  }
}

TEST(yaml_json, plain_scalars_follow_the_core_schema) {
  EXPECT_TRUE(scalar("null").is_null());
  EXPECT_TRUE(scalar("~").is_null());
  EXPECT_TRUE(scalar("NULL").is_null());
  EXPECT_TRUE(load("v:").at("v").is_null());
  EXPECT_EQ(scalar("true"), json::value(true));
  EXPECT_EQ(scalar("False"), json::value(false));
  EXPECT_EQ(scalar("TRUE"), json::value(true));
  EXPECT_EQ(scalar("42").kind(), json::kind::int64);
  EXPECT_EQ(scalar("42"), json::value(42));
  EXPECT_EQ(scalar("-7"), json::value(-7));
  EXPECT_EQ(scalar("0"), json::value(0));
  EXPECT_EQ(scalar("299.5"), json::value(299.5));
  EXPECT_EQ(scalar("1e-7"), json::value(1e-7));
  EXPECT_EQ(scalar("2E3"), json::value(2000.0));
  EXPECT_TRUE(scalar("2E3").is_double());
  EXPECT_TRUE(scalar("1.0").is_double());
  EXPECT_EQ(scalar(".inf"), json::value(std::numeric_limits<double>::infinity()));
  EXPECT_EQ(scalar("-.inf"), json::value(-std::numeric_limits<double>::infinity()));
  EXPECT_TRUE(std::isnan(scalar(".nan").as_double()));
  EXPECT_EQ(scalar("9223372036854775807"), json::value(std::int64_t{9223372036854775807}));
  EXPECT_EQ(scalar("-9223372036854775808").kind(), json::kind::int64);
  EXPECT_EQ(scalar("18446744073709551615"), json::value(std::uint64_t{18446744073709551615u}));
  EXPECT_EQ(scalar("18446744073709551615").kind(), json::kind::uint64);
  EXPECT_TRUE(scalar("123456789012345678901234").is_double());
  EXPECT_EQ(scalar("123456789012345678901234"), json::value(1.2345678901234568e23));
}

TEST(yaml_json, whatever_is_not_json_grammar_stays_text) {
  // YAML 1.1 booleans, phone numbers, times, leading zeros, hex, octal and other forms.
  for (const char* s : {"yes", "no", "on", "off", "y", "n", "+15125550100", "+1", "08:00", "9:30", "007", "0x1F",
                        "0o17", ".5", "5.", "1_000", "1e", "--1", "1.2.3", "12abc", "nan", "inf", "Infinity",
                        "2026-03-14", "tRUE", "nULL", "1,000", "$120"}) {
    EXPECT_EQ(scalar(s), json::value(s)) << s;
  }
  EXPECT_EQ(load("numbers: [+15125550100, +15125550101]"),
            json::parse(R"({"numbers": ["+15125550100", "+15125550101"]})"));
}

TEST(yaml_json, quoted_and_block_scalars_are_always_strings) {
  EXPECT_EQ(scalar("\"+15125550100\""), json::value("+15125550100"));
  EXPECT_EQ(scalar("'08:00'"), json::value("08:00"));
  EXPECT_EQ(scalar("\"123\""), json::value("123"));
  EXPECT_EQ(scalar("'true'"), json::value("true"));
  EXPECT_EQ(scalar("\"null\""), json::value("null"));
  EXPECT_EQ(scalar("\"\""), json::value(""));
  EXPECT_EQ(scalar("''"), json::value(""));
  EXPECT_EQ(scalar("!!str 5"), json::value("5"));
  EXPECT_EQ(scalar("! 5"), json::value("5"));
  EXPECT_EQ(load("v: |\n  line one\n  line two\n"), json::parse(R"({"v": "line one\nline two\n"})"));
  EXPECT_EQ(load("v: |-\n  12\n"), json::parse(R"({"v": "12"})"));
  EXPECT_EQ(load("v: >\n  folded\n  text\n"), json::parse(R"({"v": "folded text\n"})"));
  EXPECT_EQ(scalar("\"caf\\u00e9 \\u2713\""), json::value("caf\xC3\xA9 \xE2\x9C\x93"));
}

TEST(yaml_json, tags_are_honoured_or_rejected) {
  EXPECT_EQ(scalar("!!int 12"), json::value(12));
  EXPECT_TRUE(scalar("!!float 12").is_double());
  EXPECT_EQ(scalar("!!bool true"), json::value(true));
  EXPECT_TRUE(scalar("!!null null").is_null());
  EXPECT_EQ(load("v: !!seq [1]"), json::parse(R"({"v": [1]})"));
  EXPECT_EQ(load("v: !!map {a: 1}"), json::parse(R"({"v": {"a": 1}})"));
  EXPECT_EQ(error_of("v: !!int twelve"), "line 1, column 4: 'twelve' is not an integer (tag !!int)");
  EXPECT_EQ(error_of("v: !!bool yes"), "line 1, column 4: 'yes' is not true or false (tag !!bool)");
  EXPECT_EQ(error_of("a:\n  b: !secret x"), "line 2, column 6: unsupported tag !secret (quote the value to keep it as text)");
  EXPECT_EQ(error_of("v: !!binary aGk="), "line 1, column 4: unsupported tag !!binary (quote the value to keep it as text)");
  EXPECT_EQ(error_of("v: !!set {a}"), "line 1, column 4: unsupported tag !!set");
}

TEST(yaml_json, maps_keep_document_order_and_keys_are_text) {
  const auto v = load("zeta: 1\nalpha: 2\nmid: 3\n7: seven\ntrue: yes\n\"\": empty\n");
  ASSERT_TRUE(v.is_object());
  std::vector<std::string> keys;
  for (const auto& kv : v.as_object()) keys.emplace_back(kv.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"zeta", "alpha", "mid", "7", "true", ""}));
  EXPECT_EQ(v.at("7"), json::value("seven"));
  EXPECT_EQ(v.at("true"), json::value("yes"));
  EXPECT_EQ(error_of("? [a, b]\n: c\n"), "line 1, column 3: a key must be text, not a list or a map");
  EXPECT_EQ(error_of("~: x\n"), "line 1, column 1: a key must not be empty or null (quote it: \"null\")");
}

TEST(yaml_json, duplicate_keys_are_errors_naming_key_and_line) {
  EXPECT_EQ(error_of("name: a\nvoice: marin\nname: b\n"), "line 3, column 1: duplicate key 'name'");
  EXPECT_EQ(error_of("assistants:\n  - tools:\n      - {name: x, name: y}\n"),
            "line 3, column 19: duplicate key 'name'");
  // The same key in different maps is fine.
  EXPECT_EQ(load("a: {x: 1}\nb: {x: 2}\n"), json::parse(R"({"a": {"x": 1}, "b": {"x": 2}})"));
}

TEST(yaml_json, syntax_errors_give_line_and_column) {
  EXPECT_EQ(error_of("a:\n  - b\n - c\n"), "line 3, column 2: end of map not found");
  EXPECT_EQ(error_of("a: [1, 2\n"), "line 2, column 1: end of sequence flow not found");
  EXPECT_EQ(error_of("a: 'open"), "line 1, column 9: illegal EOF in scalar");
  EXPECT_EQ(error_of("a: b: c\n"), "line 1, column 5: illegal map value");
  EXPECT_EQ(error_of("x: 1\ny: @x\n"), "line 2, column 4: unknown token");
  EXPECT_EQ(error_of("v: \"x\\q\"\n"), "line 1, column 8: unknown escape character: q");
  EXPECT_EQ(error_of("a: *nowhere\n"), "line 1, column 4: the referenced anchor is not defined");
  const std::string tab = error_of("a:\n\tb: 1\n");
  EXPECT_EQ(tab.rfind("line 2, column ", 0), 0u) << tab;
}

TEST(yaml_json, text_must_be_utf8) {
  EXPECT_EQ(error_of("a: ok\nb: caf\xE9\n"), "line 2, column 7: the text is not valid UTF-8 (save the file as UTF-8)");
  EXPECT_EQ(error_of("\xFF\xFE" "a: 1"), "line 1, column 1: the text is not valid UTF-8 (save the file as UTF-8)");
  EXPECT_FALSE(yaml_to_json("v: \xC0\xAF").ok());          // overlong '/'
  EXPECT_FALSE(yaml_to_json("v: \xED\xA0\x80").ok());      // a surrogate
  EXPECT_FALSE(yaml_to_json("v: \xF4\x90\x80\x80").ok());  // above U+10FFFF
  EXPECT_FALSE(yaml_to_json("v: \xE2\x9C").ok());          // cut short
  EXPECT_EQ(load("v: \xF0\x9F\x98\x80 \xE2\x9C\x93 \xC3\xA9"), json::parse("{\"v\": \"\xF0\x9F\x98\x80 \xE2\x9C\x93 \xC3\xA9\"}"));
  EXPECT_EQ(load("\xEF\xBB\xBFv: 1\n"), json::parse(R"({"v": 1})"));  // a byte-order mark is fine
}

TEST(yaml_json, documents_and_empty_input) {
  EXPECT_TRUE(load("").is_null());
  EXPECT_TRUE(load("# only a comment\n").is_null());
  EXPECT_EQ(load("---\na: 1\n...\n"), json::parse(R"({"a": 1})"));
  EXPECT_EQ(error_of("--- 1\n--- 2\n"), "line 2, column 1: expected one document, found 2");
  EXPECT_EQ(error_of("--- 1\n--- 2\n--- 3\n"), "line 2, column 1: expected one document, found more than 2");
  EXPECT_EQ(error_of("- a\nb: 1\n"), "line 2, column 1: expected one document, found 2");
  // yaml-cpp 0.7 alone would loop forever on these (its issue #1040).
  EXPECT_EQ(error_of(","), "line 1, column 1: unexpected ','");
  EXPECT_EQ(error_of("[1]\n,\n"), "line 2, column 1: unexpected ','");
  EXPECT_EQ(load("[1, two, 3.5]"), json::parse(R"([1, "two", 3.5])"));
  EXPECT_EQ(load("just text"), json::value("just text"));
}

TEST(yaml_json, anchors_and_aliases_are_expanded) {
  const auto v = load("base: &b {type: string, minLength: 1}\nname: *b\nlist: &l [1, 2]\nagain: *l\n");
  EXPECT_EQ(v.at("name"), json::parse(R"({"type": "string", "minLength": 1})"));
  EXPECT_EQ(v.at("again"), json::parse("[1, 2]"));
  // An alias to its own container would nest forever.
  EXPECT_EQ(error_of("&a [*a]"), "line 1, column 5: an alias cannot refer to a list or map that contains it");
  EXPECT_EQ(error_of("a: &m {b: [1, *m]}"), "line 1, column 15: an alias cannot refer to a list or map that contains it");
  // A scalar anchor can name a key; a list cannot.
  EXPECT_EQ(load("- &k name\n- {*k : x}\n"), json::parse(R"(["name", {"name": "x"}])"));
  EXPECT_EQ(load("- &n 12\n- {*n : x}\n"), json::parse(R"([12, {"12": "x"}])"));
  EXPECT_EQ(error_of("- &l [1]\n- {*l : x}\n"), "line 2, column 4: a key must be text, not a list or a map");
  // Aliases inside anchored values expand too, and count towards the depth where they land.
  EXPECT_EQ(load("a: &a [1]\nb: &b [*a, *a]\nc: *b\n"), json::parse(R"({"a": [1], "b": [[1], [1]], "c": [[1], [1]]})"));
  const std::string deep40 = "a: &d " + std::string(40, '[') + std::string(40, ']') + "\n";
  EXPECT_TRUE(yaml_to_json(deep40 + "b: " + std::string(23, '[') + "*d" + std::string(23, ']') + "\n").ok());
  EXPECT_EQ(error_of(deep40 + "b: " + std::string(24, '[') + "*d" + std::string(24, ']') + "\n"),
            "line 2, column 28: nested deeper than 64 levels");
}

TEST(yaml_json, billion_laughs_is_refused) {
  std::string yaml = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
  std::string prev = "a";
  for (char c = 'b'; c <= 'i'; ++c) {
    const std::string name(1, c);
    yaml += name + ": &" + name + " [";
    for (int i = 0; i < 9; ++i) yaml += (i ? ", *" : "*") + prev;
    yaml += "]\n";
    prev = name;
  }
  const std::string e = error_of(yaml);
  EXPECT_NE(e.find("too many values"), std::string::npos) << e;
  // Anchors nested in anchors: the copies kept for aliases count as well.
  std::string nested;
  for (int i = 0; i < 60; ++i) nested += "&a" + std::to_string(i) + " [";
  nested += "[";
  for (int i = 0; i < 50000; ++i) nested += "1,";
  nested += "]" + std::string(60, ']');
  const std::string e2 = error_of(nested);
  EXPECT_NE(e2.find("too many values"), std::string::npos) << e2;
  // Modest reuse is fine.
  EXPECT_TRUE(yaml_to_json("a: &a [x, y]\nb: [*a, *a, *a, *a]\n").ok());
}

TEST(yaml_json, depth_is_limited_to_64) {
  const auto nested = [](int n) { return std::string(n, '[') + std::string(n, ']'); };
  EXPECT_TRUE(yaml_to_json(nested(64)).ok());
  EXPECT_EQ(error_of(nested(65)), "line 1, column 65: nested deeper than 64 levels");
  std::string maps;
  for (int i = 0; i < 65; ++i) maps += std::string(2 * i, ' ') + "k:\n";
  EXPECT_NE(error_of(maps).find("nested deeper than 64 levels"), std::string::npos);
  // Far deeper input is refused (by yaml-cpp's own guard or ours), without a crash.
  EXPECT_FALSE(yaml_to_json(nested(100000)).ok());
  EXPECT_FALSE(yaml_to_json(std::string(100000, '[')).ok());
}

TEST(yaml_json, design_sketch_reads_as_expected) {
  const auto v = load(R"(organization:
  name: Bright Smile Dental
  timezone: America/Chicago
  owner: { phone: "+15125550100", email: owner@brightsmile.example }
  fallback_number: "+15125550101"
  numbers: ["+15125550199"]
assistants:
  - name: Ava
    voice: marin
    languages: [en, es]
    hours: { mon-fri: "08:00-17:00", sat: 09:00-12:00 }
    services:
      - { name: Cleaning, minutes: 45, price: 120, add_ons: [{ name: Fluoride, price: 25 }] }
    tools:
      - { name: transfer_call, description: Hand the caller to a person., action: { transfer: fallback } }
)");
  EXPECT_EQ(v.at("organization").at("owner").at("phone"), json::value("+15125550100"));
  EXPECT_EQ(v.at("assistants").at(0).at("hours"), json::parse(R"({"mon-fri": "08:00-17:00", "sat": "09:00-12:00"})"));
  EXPECT_EQ(v.at("assistants").at(0).at("services").at(0).at("price"), json::value(120));
  EXPECT_EQ(v.at("assistants").at(0).at("tools").at(0).at("description"), json::value("Hand the caller to a person."));
}

TEST(yaml_json, writes_readable_block_yaml) {
  const auto v = json::parse(R"({"organization": {"name": "Bright Smile", "numbers": ["+15125550199"], "retention_days": 30},
    "assistants": [{"name": "Ava", "languages": ["en", "es"], "tools": [], "settings": {},
                    "hours": {"mon-fri": "08:00-17:00"}, "instructions": "Be brief.\nBe kind.\n",
                    "flag": true, "price": 299.5, "none": null, "code": "007"}]})");
  EXPECT_EQ(json_to_yaml(v),
            "organization:\n"
            "  name: Bright Smile\n"
            "  numbers:\n"
            "    - \"+15125550199\"\n"
            "  retention_days: 30\n"
            "assistants:\n"
            "  - name: Ava\n"
            "    languages:\n"
            "      - en\n"
            "      - es\n"
            "    tools: []\n"
            "    settings: {}\n"
            "    hours:\n"
            "      mon-fri: \"08:00-17:00\"\n"
            "    instructions: |\n"
            "      Be brief.\n"
            "      Be kind.\n"
            "    flag: true\n"
            "    price: 299.5\n"
            "    none: ~\n"
            "    code: \"007\"\n");
  EXPECT_EQ(json_to_yaml(json::value("plain")), "plain\n");
  // Quoted as well: what YAML 1.1 readers (PyYAML...) would take for numbers, dates or booleans.
  for (const char* s : {"+15125550100", "9:30", "2026-03-14", "1_000", "0x1F", "0o17", ".5", "yes", "No", "on", "y",
                        "<<", "=", "3d"}) {
    EXPECT_EQ(json_to_yaml(json::value(s)), "\"" + std::string(s) + "\"\n") << s;
  }
  for (const char* s : {"mon-fri", "Suite 4", "1st floor", "a1", "C104233", "e164", "x-1"}) {
    EXPECT_EQ(json_to_yaml(json::value(s)), std::string(s) + "\n") << s;
  }
  EXPECT_EQ(json_to_yaml(json::value("a\nb\n")), "|\n  a\n  b\n");
  EXPECT_EQ(json_to_yaml(json::value(1.0)), "1.0\n");
  EXPECT_EQ(json_to_yaml(json::array{}), "[]\n");
}

TEST(yaml_json, round_trips_tricky_values) {
  const std::vector<std::string> strings = {
      "true", "false", "True", "null", "Null", "~", "", " ", "123", "-5", "1.5", "1e5", "+1512", "+15125550100",
      "08:00", "007", ".inf", "-.inf", ".nan", "yes", "no", "a: b", "a:b", "a :b", "- x", "-x", "-", "--", "---",
      "--- x", "...", "... x", "?", "? x", ":", ": x", "#", "# x", "a # b", "a#b", "@x", "`x", "%x", "!x", "!!str",
      "&x", "*x", "|", "|-", ">", "> x", "[a]", "{a: 1}", "a, b", "a,b", "'q'", "\"dq\"", "it's", "back\\slash",
      " lead", "trail ", "\ttab", "tab\t", "a\tb", "\x01\x02", std::string("nul\0byte", 8), "\x7F",
      "caf\xC3\xA9", "\xE2\x9C\x93 check", "\xF0\x9F\x98\x80 emoji", "\xE4\xBD\xA0\xE5\xA5\xBD",
      "\xD8\xB9\xD8\xB1\xD8\xA8\xD9\x8A", "x\xE2\x80\xA8y", "x\xE2\x80\xA9y", "\xC2\x85next", "\xEF\xBB\xBF" "bom",
      "line1\nline2", "line1\nline2\n", "line1\nline2\n\n", "\nlead newline\n", "a\n\nb\n", "a\n  indented\nb\n",
      "  indented first\nx\n", "a\n   \nb\n", "a\r\nb\r\n", "\n", "\n\n", "x\n", "tail spaces  \nnext\n",
      "Hi {name}, you're booked for {service} on {date} at {time}. Ref {ref}.", "https://example.com/a?b=c#d",
      "C:\\path", "a\\nb", "\"", "'", "''", "\"\"", "key: value\n- item\n", "=", "<<", "1:2", "12:30:45"};
  json::array list;
  json::object as_keys;
  for (const std::string& s : strings) {
    expect_round_trip(json::value(s));
    list.emplace_back(s);
    as_keys[s] = json::value(s);
  }
  expect_round_trip(list);
  expect_round_trip(as_keys);
  expect_round_trip(json::value(std::string(3000, 'k')));
  expect_round_trip(json::object{{std::string(2000, 'k'), 1}});
  expect_round_trip(json::object{{std::string(2000, 'k') + "\n", 1}});

  for (double d : {0.0, -0.0, 1.0, -1.0, 299.5, 1e-7, 0.1, 1.0 / 3, 1e21, 1e22, 123456789.0, 5e-324, 2.2250738585072014e-308,
                   std::numeric_limits<double>::max(), -std::numeric_limits<double>::max(),
                   std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity(), 9007199254740993.0}) {
    expect_round_trip(json::value(d));
  }
  for (std::int64_t i : {std::int64_t{0}, std::int64_t{-1}, std::int64_t{120}, std::numeric_limits<std::int64_t>::max(),
                         std::numeric_limits<std::int64_t>::min()}) {
    expect_round_trip(json::value(i));
  }
  expect_round_trip(json::value(std::numeric_limits<std::uint64_t>::max()));
  expect_round_trip(json::value(nullptr));
  expect_round_trip(json::value(true));
  expect_round_trip(json::value(false));
  expect_round_trip(json::array{});
  expect_round_trip(json::object{});
  expect_round_trip(json::parse(R"([[], {}, [[]], [{}], {"a": []}, {"a": {}}, [[1, [2, [3]]]], {"a": {"b": {"c": [null]}}},
                                    [null, true, false, "", 0, 0.5], {"list": [{"x": 1, "y": [1, 2]}, [], {}]}])"));
  // NaN never equals itself: check it reads back as NaN.
  auto nan = yaml_to_json(json_to_yaml(json::value(std::numeric_limits<double>::quiet_NaN())));
  ASSERT_TRUE(nan.ok());
  EXPECT_TRUE(nan->is_double() && std::isnan(nan->get_double()));

  // 64 levels round-trip.
  json::value deep = json::array{};
  for (int i = 1; i < 64; ++i) deep = json::array{deep};
  expect_round_trip(deep);
}

// Strings assembled at random from the pieces YAML gives meaning to, as values and keys, and
// random structures of them.
class generator {
 public:
  explicit generator(unsigned seed) : rng_(seed) {}

  std::string text() {
    static const char* pieces[] = {"a", "Z", "0", "1", "9", " ", "  ", ":", ": ", "#", " #", "-", "- ", "?", "? ", ",",
                                   "[", "]", "{", "}", "'", "\"", "\\", "|", ">", "!", "&", "*", "%", "@", "`", "\n",
                                   "\n\n", "\t", "\r", ".", "+", "e", "E", "~", "null", "true", "False", "---", "...",
                                   "\xC3\xA9", "\xE2\x9C\x93", "\xF0\x9F\x98\x80", "\x01", "\x7F", "\xC2\xA0",
                                   "\xE2\x80\xA8", "\xC2\x85", "\xEF\xBB\xBF", "08:00", "+1512", "<<", "=", "/"};
    std::string out;
    const int n = pick(7);
    for (int i = 0; i < n; ++i) out += pieces[pick(std::size(pieces))];
    return out;
  }

  json::value value(int depth) {
    switch (pick(depth >= 5 ? 6 : 8)) {
      case 0: return nullptr;
      case 1: return pick(2) == 0;
      case 2: return static_cast<std::int64_t>(rng_()) - static_cast<std::int64_t>(rng_());
      case 3: {
        double d = 0;
        std::uint64_t bits = (std::uint64_t{rng_()} << 32) | rng_();
        std::memcpy(&d, &bits, sizeof d);
        return std::isfinite(d) ? d : 0.25;
      }
      case 4:
      case 5: {
        const std::string s = text();
        return json::string_view(s);
      }
      case 6: {
        json::array a;
        for (int i = pick(4); i > 0; --i) a.push_back(value(depth + 1));
        return a;
      }
      default: {
        json::object o;
        for (int i = pick(4); i > 0; --i) o[text()] = value(depth + 1);
        return o;
      }
    }
  }

 private:
  int pick(std::size_t n) { return static_cast<int>(rng_() % n); }
  std::mt19937 rng_;
};

TEST(yaml_json, round_trips_random_values) {
  generator g(20240601);
  for (int i = 0; i < 3000; ++i) {
    const std::string s = g.text();
    expect_round_trip(json::value(s));
    expect_round_trip(json::object{{s, json::value(s)}});
    expect_round_trip(json::array{json::value(s), json::array{json::value(s)}});
    if (HasFailure()) return;
  }
  for (int i = 0; i < 500; ++i) {
    expect_round_trip(g.value(0));
    if (HasFailure()) return;
  }
}

}  // namespace
}  // namespace vg
