// vg::json: the validating object scanner, unescape, and escaping checked against Boost.JSON.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <cstdint>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "core/json_scan.hpp"

namespace vg::json {
namespace {
namespace js = boost::json;

std::string nested_arrays(std::size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

// --- object_view::parse ----------------------------------------------------------------------

TEST(json_scan, finds_top_level_members_of_every_kind) {
  const std::string text =
      R"( {"s":"text","n":-12.5e3,"i":42,"o":{"k":[1,{"z":null}]},"a":[true,false],"t":true,"f":false,"z":null} )";
  auto o = object_view::parse(text);
  ASSERT_TRUE(o.ok()) << o.error_message();
  ASSERT_NE(o->find("s"), nullptr);
  EXPECT_EQ(o->find("s")->type, kind::string);
  EXPECT_EQ(o->find("s")->raw, "text");
  EXPECT_FALSE(o->find("s")->has_escapes);
  EXPECT_EQ(o->find("n")->type, kind::number);
  EXPECT_EQ(o->find("n")->raw, "-12.5e3");
  EXPECT_EQ(o->find("i")->raw, "42");
  EXPECT_EQ(o->find("o")->type, kind::object);
  EXPECT_EQ(o->find("o")->raw, R"({"k":[1,{"z":null}]})");
  EXPECT_EQ(o->find("a")->type, kind::array);
  EXPECT_EQ(o->find("a")->raw, "[true,false]");
  EXPECT_EQ(o->find("t")->type, kind::boolean);
  EXPECT_EQ(o->find("t")->raw, "true");
  EXPECT_EQ(o->find("f")->type, kind::boolean);
  EXPECT_EQ(o->find("f")->raw, "false");
  EXPECT_EQ(o->find("z")->type, kind::null);
  EXPECT_EQ(o->find("missing"), nullptr);
  EXPECT_EQ(o->find("k"), nullptr);  // nested keys are not top-level members

  std::vector<std::string_view> keys;
  for (const member& m : *o) keys.push_back(m.key);
  EXPECT_EQ(keys, (std::vector<std::string_view>{"s", "n", "i", "o", "a", "t", "f", "z"}));
}

TEST(json_scan, views_point_into_the_text) {
  const std::string text = R"({"payload":"abc"})";
  auto o = object_view::parse(text);
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->find("payload")->raw.data(), text.data() + 12);
}

TEST(json_scan, nested_objects_parse_on_demand) {
  const std::string text = R"({"media":{"track":"inbound","chunk":"2","inner":{"deep":[[],{}]}}})";
  auto top = object_view::parse(text);
  ASSERT_TRUE(top.ok());
  auto media = object_view::parse(top->find("media")->raw);
  ASSERT_TRUE(media.ok()) << media.error_message();
  EXPECT_EQ(media->string("track"), "inbound");
  EXPECT_EQ(media->integer("chunk").value(), 2);
  auto inner = object_view::parse(media->find("inner")->raw);
  ASSERT_TRUE(inner.ok());
  EXPECT_EQ(inner->find("deep")->raw, "[[],{}]");
}

TEST(json_scan, whitespace_everywhere_is_allowed) {
  auto o = object_view::parse(" \t\r\n{ \"a\" \n: \t[ 1 , 2 ] ,\r\n\"b\" : { } } \n");
  ASSERT_TRUE(o.ok()) << o.error_message();
  EXPECT_EQ(o->find("a")->raw, "[ 1 , 2 ]");
  EXPECT_EQ(o->find("b")->raw, "{ }");
  EXPECT_TRUE(object_view::parse("{}").ok());
  EXPECT_TRUE(object_view::parse("{ }").ok());
}

TEST(json_scan, strings_keep_their_escaped_form) {
  const std::string text = R"({"q":"say \"hi\"\n","slash":"a\/b","u":"\u00e9"})";
  auto o = object_view::parse(text);
  ASSERT_TRUE(o.ok()) << o.error_message();
  EXPECT_EQ(o->string("q"), R"(say \"hi\"\n)");
  EXPECT_TRUE(o->find("q")->has_escapes);
  EXPECT_TRUE(o->find("slash")->has_escapes);
  std::string scratch;
  EXPECT_EQ(text_of(*o->find("q"), scratch), "say \"hi\"\n");
  EXPECT_EQ(text_of(*o->find("slash"), scratch), "a/b");
  EXPECT_EQ(text_of(*o->find("u"), scratch), "\xc3\xa9");
}

TEST(json_scan, text_of_without_escapes_is_a_view_not_a_copy) {
  const std::string text = R"({"a":"plain"})";
  auto o = object_view::parse(text);
  ASSERT_TRUE(o.ok());
  std::string scratch = "untouched";
  const std::string_view v = text_of(*o->find("a"), scratch);
  EXPECT_EQ(v, "plain");
  EXPECT_EQ(v.data(), o->find("a")->raw.data());
  EXPECT_EQ(scratch, "untouched");
}

TEST(json_scan, string_accessor_is_empty_for_absent_or_non_string_members) {
  auto o = object_view::parse(R"({"n":1,"o":{},"s":"x","e":""})");
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->string("s"), "x");
  EXPECT_EQ(o->string("n"), "");
  EXPECT_EQ(o->string("o"), "");
  EXPECT_EQ(o->string("missing"), "");
  EXPECT_EQ(o->string("e"), "");
  EXPECT_NE(o->find("e"), nullptr);
}

TEST(json_scan, first_of_duplicate_keys_wins) {
  auto o = object_view::parse(R"({"a":"first","a":"second"})");
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->string("a"), "first");
}

TEST(json_scan, numbers) {
  for (const char* good : {"0", "-0", "7", "-7", "1.5", "-0.25", "1e10", "1E10", "1e+2", "1e-2", "-1.5E-3", "123456789012"}) {
    const std::string text = std::string(R"({"n":)") + good + "}";
    auto o = object_view::parse(text);
    ASSERT_TRUE(o.ok()) << good;
    EXPECT_EQ(o->find("n")->type, kind::number);
    EXPECT_EQ(o->find("n")->raw, good);
  }
  for (const char* bad : {"01", "-", "+1", "1.", ".5", "1e", "1e+", "--1", "0x10", "NaN", "Infinity", "-a", "1.e3", "00"}) {
    const std::string text = std::string(R"({"n":)") + bad + "}";
    EXPECT_FALSE(object_view::parse(text).ok()) << bad;
  }
}

TEST(json_scan, integer_reads_numbers_and_digit_strings) {
  auto o = object_view::parse(
      R"({"num":42,"str":"42","neg":-7,"negstr":"-7","zero":"0","big":9223372036854775807,)"
      R"("frac":4.5,"exp":1e3,"fracstr":"4.5","empty":"","alpha":"12a","space":" 42","plus":"+5",)"
      R"("over":"99999999999999999999","bool":true,"obj":{},"null":null})");
  ASSERT_TRUE(o.ok()) << o.error_message();
  EXPECT_EQ(o->integer("num"), 42);
  EXPECT_EQ(o->integer("str"), 42);
  EXPECT_EQ(o->integer("neg"), -7);
  EXPECT_EQ(o->integer("negstr"), -7);
  EXPECT_EQ(o->integer("zero"), 0);
  EXPECT_EQ(o->integer("big"), INT64_MAX);
  for (const char* no : {"frac", "exp", "fracstr", "empty", "alpha", "space", "plus", "over", "bool", "obj", "null", "missing"}) {
    EXPECT_FALSE(o->integer(no).has_value()) << no;
  }
}

TEST(json_scan, to_integer) {
  EXPECT_EQ(to_integer("0"), 0);
  EXPECT_EQ(to_integer("160"), 160);
  EXPECT_EQ(to_integer("-160"), -160);
  EXPECT_EQ(to_integer("-9223372036854775808"), INT64_MIN);
  EXPECT_FALSE(to_integer("").has_value());
  EXPECT_FALSE(to_integer("9223372036854775808").has_value());
  EXPECT_FALSE(to_integer("1 ").has_value());
  EXPECT_FALSE(to_integer("x1").has_value());
}

TEST(json_scan, keeps_24_members_and_still_validates_the_rest) {
  std::string text = "{";
  for (int i = 0; i < 30; ++i) text += (i ? "," : "") + std::string("\"k") + std::to_string(i) + "\":" + std::to_string(i);
  text += "}";
  auto o = object_view::parse(text);
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(static_cast<std::size_t>(o->end() - o->begin()), object_view::max_members);
  EXPECT_EQ(o->integer("k0"), 0);
  EXPECT_EQ(o->integer("k23"), 23);
  EXPECT_EQ(o->find("k24"), nullptr);
  // A malformed member past the kept ones still makes the text invalid.
  std::string bad = text.substr(0, text.size() - 1) + ",\"k30\":tru}";
  EXPECT_FALSE(object_view::parse(bad).ok());
}

// --- malformed input ---------------------------------------------------------------------------

TEST(json_scan, every_truncation_of_a_valid_object_is_rejected) {
  const std::string text =
      R"({"event":"media","n":-12.5e+3,"esc":"a\"b\\c\u00e9","arr":[1,[true,false,null],{"x":"y"}],"o":{"p":{}}})";
  ASSERT_TRUE(object_view::parse(text).ok());
  for (std::size_t n = 0; n < text.size(); ++n) {
    EXPECT_FALSE(object_view::parse(text.substr(0, n)).ok()) << text.substr(0, n);
    EXPECT_FALSE(valid(text.substr(0, n))) << text.substr(0, n);
  }
}

TEST(json_scan, trailing_garbage_is_rejected) {
  for (const char* bad : {"{} x", "{}{}", "{},", "{}}", R"({"a":1} 1)", "{}\x01", R"({"a":1}])"}) {
    EXPECT_FALSE(object_view::parse(bad).ok()) << bad;
  }
}

TEST(json_scan, structural_errors_are_rejected) {
  for (const char* bad : {"", " ", "[]", "\"s\"", "1", "null", "{", "}", R"({"a"})", R"({"a":})", R"({"a" 1})",
                          R"({"a":1,})", R"({,"a":1})", R"({"a":1 "b":2})", R"({a:1})", R"({'a':1})",
                          R"({"a":[1,]})", R"({"a":[,1]})", R"({"a":[1 2]})", R"({"a":tru})", R"({"a":True})",
                          R"({"a":nul})", R"({"a":falsey})", R"({"a":undefined})", R"({"a":"x})", R"({1:2})"}) {
    EXPECT_FALSE(object_view::parse(bad).ok()) << bad;
  }
}

TEST(json_scan, bad_escapes_are_rejected) {
  for (const char* bad : {R"({"a":"\q"})", R"({"a":"\x41"})", R"({"a":"\u12"})", R"({"a":"\u12G4"})",
                          R"({"a":"\uZZZZ"})", R"({"a":"\U0041"})", R"({"a":"\'"})", R"({"a":"\"})",
                          R"({"a\q":1})"}) {
    EXPECT_FALSE(object_view::parse(bad).ok()) << bad;
  }
}

TEST(json_scan, raw_control_characters_in_strings_are_rejected) {
  for (int c = 0; c < 0x20; ++c) {
    const std::string bad = std::string("{\"a\":\"x") + static_cast<char>(c) + "y\"}";
    EXPECT_FALSE(object_view::parse(bad).ok()) << c;
    const std::string bad_key = std::string("{\"a") + static_cast<char>(c) + "\":1}";
    EXPECT_FALSE(object_view::parse(bad_key).ok()) << c;
  }
  EXPECT_TRUE(object_view::parse("{\"a\":\"x\x7fy\"}").ok());         // DEL is allowed
  EXPECT_TRUE(object_view::parse("{\"a\":\"\xc3\xa9\xe2\x82\xac\"}").ok());  // UTF-8 passes through
}

TEST(json_scan, nesting_deeper_than_64_is_rejected) {
  // Depth counts the enclosing object: 1 object + 63 arrays = 64 levels.
  EXPECT_TRUE(object_view::parse("{\"a\":" + nested_arrays(63) + "}").ok());
  EXPECT_FALSE(object_view::parse("{\"a\":" + nested_arrays(64) + "}").ok());
  EXPECT_FALSE(object_view::parse("{\"a\":" + nested_arrays(1000) + "}").ok());
  std::string objects = "{";
  for (int i = 0; i < 63; ++i) objects += "\"a\":{";
  objects += std::string(64, '}');
  EXPECT_TRUE(object_view::parse(objects).ok());
  std::string too_deep = "{";
  for (int i = 0; i < 64; ++i) too_deep += "\"a\":{";
  too_deep += std::string(65, '}');
  EXPECT_FALSE(object_view::parse(too_deep).ok());
  // A pathological depth must not overflow the stack.
  EXPECT_FALSE(object_view::parse("{\"a\":" + std::string(200000, '[')).ok());
}

TEST(json_scan, error_messages_say_something) {
  auto r = object_view::parse(R"({"a":})");
  ASSERT_FALSE(r.ok());
  EXPECT_FALSE(r.error_message().empty());
  EXPECT_FALSE(object_view::parse("[1]").error_message().empty());
}

// --- valid() -----------------------------------------------------------------------------------

TEST(json_scan, valid_accepts_one_value_of_any_kind) {
  for (const char* good : {"1", "-2.5e3", R"("s")", "[1,2]", "[]", "{}", "null", "true", "false", " \n[ {} ] \t",
                           R"({"a":[{"b":"\u00e9"}]})"}) {
    EXPECT_TRUE(valid(good)) << good;
  }
  for (const char* bad : {"", " ", "1 2", "[1,]", "{]", R"("unterminated)", "tru", "[1]]", "nul", "'s'"}) {
    EXPECT_FALSE(valid(bad)) << bad;
  }
  EXPECT_TRUE(valid(nested_arrays(64)));
  EXPECT_FALSE(valid(nested_arrays(65)));
}

// --- unescape ----------------------------------------------------------------------------------

TEST(json_scan, unescape_simple_escapes) {
  std::string out;
  ASSERT_TRUE(unescape(R"(\"\\\/\b\f\n\r\t)", out));
  EXPECT_EQ(out, "\"\\/\b\f\n\r\t");
  ASSERT_TRUE(unescape("no escapes here", out));
  EXPECT_EQ(out, "no escapes here");
  ASSERT_TRUE(unescape("", out));
  EXPECT_EQ(out, "");
}

TEST(json_scan, unescape_clears_the_output_first) {
  std::string out = "stale";
  ASSERT_TRUE(unescape("x", out));
  EXPECT_EQ(out, "x");
}

TEST(json_scan, unescape_unicode_to_utf8) {
  std::string out;
  ASSERT_TRUE(unescape(R"(\u0041\u00e9\u00E9\u20ac\u0000)", out));
  EXPECT_EQ(out, std::string("A\xc3\xa9\xc3\xa9\xe2\x82\xac\0", 9));
  ASSERT_TRUE(unescape(R"(\u007f\u0080\u07ff\u0800\uffff)", out));
  EXPECT_EQ(out, "\x7f\xc2\x80\xdf\xbf\xe0\xa0\x80\xef\xbf\xbf");
}

TEST(json_scan, unescape_surrogate_pairs) {
  std::string out;
  ASSERT_TRUE(unescape(R"(\ud83d\ude00)", out));  // U+1F600
  EXPECT_EQ(out, "\xf0\x9f\x98\x80");
  ASSERT_TRUE(unescape(R"(\uD83D\uDE00)", out));
  EXPECT_EQ(out, "\xf0\x9f\x98\x80");
  ASSERT_TRUE(unescape(R"(a\ud800\udc00b)", out));  // U+10000, the first supplementary code point
  EXPECT_EQ(out, "a\xf0\x90\x80\x80" "b");
  ASSERT_TRUE(unescape(R"(\udbff\udfff)", out));  // U+10FFFF, the last
  EXPECT_EQ(out, "\xf4\x8f\xbf\xbf");
  ASSERT_TRUE(unescape(R"(x\ud83d\ude00\ud83d\ude01)", out));
  EXPECT_EQ(out, "x\xf0\x9f\x98\x80\xf0\x9f\x98\x81");
}

TEST(json_scan, unescape_rejects_bad_escapes) {
  std::string out;
  for (const char* bad : {"\\", "abc\\", "\\q", "\\x41", "\\u", "\\u12", "\\u12G4", "\\U0041", "\\'"}) {
    EXPECT_FALSE(unescape(bad, out)) << bad;
  }
}

TEST(json_scan, text_of_agrees_with_boost_json) {
  const std::string text =
      R"({"a":"tab\there \"quoted\" back\\slash \/ \u00e9\u4e2d \ud83d\ude00 \b\f\r\n end"})";
  auto o = object_view::parse(text);
  ASSERT_TRUE(o.ok());
  std::string scratch;
  EXPECT_EQ(text_of(*o->find("a"), scratch), js::value_to<std::string>(js::parse(text).at("a")));
}

TEST(json_scan, string_text_copies_a_string_member_or_gives_empty) {
  auto o = object_view::parse(R"({"plain":"CA123","escaped":"a\"b\u00e9","number":7,"object":{"x":"y"}})");
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(string_text(o->find("plain")), "CA123");
  EXPECT_EQ(string_text(o->find("escaped")), "a\"b\xC3\xA9");
  EXPECT_EQ(string_text(o->find("number")), "");
  EXPECT_EQ(string_text(o->find("object")), "");
  EXPECT_EQ(string_text(o->find("absent")), "");
  EXPECT_EQ(string_text(nullptr), "");
}

// --- append_escaped / append_quoted -------------------------------------------------------------

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

TEST(json_scan, append_escaped_escapes_what_json_requires) {
  std::string out;
  append_escaped(out, "a\"b\\c\nd\re\tf/g");
  EXPECT_EQ(out, R"(a\"b\\c\nd\re\tf/g)");
  out.clear();
  append_escaped(out, std::string("\x01\x1f\0", 3));
  EXPECT_EQ(out, R"(\u0001\u001f\u0000)");
  out = "keep:";
  append_quoted(out, "x");
  EXPECT_EQ(out, R"(keep:"x")");
}

TEST(json_scan, every_control_character_round_trips_through_boost_json) {
  for (int c = 0; c < 0x20; ++c) {
    const std::string s = std::string("<") + static_cast<char>(c) + ">";
    std::string doc;
    append_quoted(doc, s);
    js::error_code ec;
    const js::value v = js::parse(doc, ec);
    ASSERT_FALSE(ec) << c << ": " << doc;
    EXPECT_EQ(js::value_to<std::string>(v), s) << c;
  }
}

TEST(json_scan, random_strings_round_trip_through_boost_json_and_unescape) {
  std::mt19937 rng(99);
  const std::uint32_t specials[] = {'"', '\\', '/', '\n', '\r', '\t', '\b', '\f', 0, 0x1f, 0x7f, 0xe9, 0x20ac, 0x1f600};
  for (int round = 0; round < 500; ++round) {
    std::string s;
    const int len = static_cast<int>(rng() % 40);
    for (int i = 0; i < len; ++i) {
      const auto pick = rng() % 4;
      std::uint32_t cp;
      if (pick == 0) cp = specials[rng() % std::size(specials)];
      else if (pick == 1) cp = rng() % 0x80;
      else if (pick == 2) cp = 0x80 + rng() % (0xD800 - 0x80);  // below the surrogates
      else cp = 0x10000 + rng() % (0x110000 - 0x10000);
      append_utf8(s, cp);
    }
    std::string doc;
    append_quoted(doc, s);
    js::error_code ec;
    const js::value v = js::parse(doc, ec);
    ASSERT_FALSE(ec) << doc;
    ASSERT_EQ(js::value_to<std::string>(v), s);

    // Our own reader agrees too.
    const std::string obj = "{\"k\":" + doc + "}";
    auto o = object_view::parse(obj);
    ASSERT_TRUE(o.ok()) << obj;
    std::string scratch;
    ASSERT_EQ(text_of(*o->find("k"), scratch), s);

    // And what Boost.JSON writes, we read back.
    const std::string boost_doc = "{\"k\":" + js::serialize(js::value(s)) + "}";
    auto b = object_view::parse(boost_doc);
    ASSERT_TRUE(b.ok()) << boost_doc;
    ASSERT_EQ(text_of(*b->find("k"), scratch), s);
  }
}

}  // namespace
}  // namespace vg::json
