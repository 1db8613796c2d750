// vg::text: the ASCII helpers every parser shares.
#include <gtest/gtest.h>

#include <string>

#include "core/text.hpp"

namespace vg {
namespace {

TEST(text, lower_changes_only_ascii_capitals) {
  EXPECT_EQ(text::lower("Content-Type"), "content-type");
  EXPECT_EQ(text::lower("WEBSOCKET"), "websocket");
  EXPECT_EQ(text::lower("already lower 123 -_/"), "already lower 123 -_/");
  EXPECT_EQ(text::lower(""), "");
  EXPECT_EQ(text::lower("@[`{"), "@[`{");  // the neighbours of A-Z and a-z stay
  EXPECT_EQ(text::lower("\xC3\x89t\xC3\xA9"), "\xC3\x89t\xC3\xA9");  // "Été": UTF-8 bytes are not ASCII letters
  EXPECT_EQ(text::lower(std::string("A\0B", 3)), std::string("a\0b", 3));
}

TEST(text, trim_removes_blanks_at_both_ends_only) {
  EXPECT_EQ(text::trim("  mon-fri \t"), "mon-fri");
  EXPECT_EQ(text::trim("\tkey = value\r\n"), "key = value");
  EXPECT_EQ(text::trim("a  b"), "a  b");
  EXPECT_EQ(text::trim(" \t\r\n"), "");
  EXPECT_EQ(text::trim(""), "");
  EXPECT_EQ(text::trim("x"), "x");
  EXPECT_EQ(text::trim("\vx\f"), "\vx\f");  // only space, tab, CR and LF are blanks
}

}  // namespace
}  // namespace vg
