// vg::json_fields: lenient readers of one member of a Boost.JSON object.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "core/json_fields.hpp"

namespace vg {
namespace {

const boost::json::object sample = boost::json::parse(
    R"({"sid":"SM1","id":42,"big":18446744073709551615,"neg":-3,"half":1.5,"on":true,"obj":{"a":1},"none":null})")
                                       .as_object();

TEST(json_fields, string_at_reads_only_strings) {
  EXPECT_EQ(json_fields::string_at(sample, "sid"), "SM1");
  for (const char* key : {"id", "half", "on", "obj", "none", "absent"}) EXPECT_EQ(json_fields::string_at(sample, key), "") << key;
}

TEST(json_fields, text_at_reads_strings_and_integers) {
  EXPECT_EQ(json_fields::text_at(sample, "sid"), "SM1");
  EXPECT_EQ(json_fields::text_at(sample, "id"), "42");
  EXPECT_EQ(json_fields::text_at(sample, "neg"), "-3");
  for (const char* key : {"half", "on", "obj", "none", "absent"}) EXPECT_EQ(json_fields::text_at(sample, key), "") << key;
}

TEST(json_fields, object_at_and_count_at) {
  ASSERT_NE(json_fields::object_at(sample, "obj"), nullptr);
  EXPECT_EQ(json_fields::object_at(sample, "sid"), nullptr);
  EXPECT_EQ(json_fields::count_at(sample, "id"), 42);
  EXPECT_EQ(json_fields::count_at(sample, "neg"), 0);
  EXPECT_EQ(json_fields::count_at(sample, "big"), 0);  // beyond int64
  EXPECT_EQ(json_fields::count_at(sample, "half"), 0);
  EXPECT_EQ(json_fields::count_at(sample, "absent"), 0);
}

}  // namespace
}  // namespace vg
