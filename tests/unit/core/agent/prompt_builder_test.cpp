// Prompts are compared with golden files in tests/unit/core/agent/golden. After a deliberate
// change, VG_UPDATE_GOLDEN=1 rewrites them; review the diff like code.
#include "core/agent/prompt_builder.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "core/agent/org_config_json.hpp"
#include "core/agent/sample_org.hpp"

namespace vg::agent {
namespace {

std::string golden_path(const std::string& name) { return std::string(VG_GOLDEN_DIR) + "/" + name; }

void expect_golden(const std::string& name, const std::string& actual) {
  if (std::getenv("VG_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(golden_path(name), std::ios::binary) << actual;
    return;
  }
  std::ifstream in(golden_path(name), std::ios::binary);
  ASSERT_TRUE(in) << "missing golden file " << golden_path(name) << " (run with VG_UPDATE_GOLDEN=1)";
  std::stringstream expected;
  expected << in.rdbuf();
  EXPECT_EQ(actual, expected.str());
}

org_document dental() {
  auto d = document_from_json(testing::dental_document());
  EXPECT_TRUE(d.ok()) << d.error_message();
  return *d;
}

local_clock tuesday_morning() {
  local_clock c;
  c.year = 2026, c.month = 11, c.day = 24, c.hour = 9, c.minute = 5, c.weekday = 2, c.utc_offset = "-06:00";
  return c;
}

TEST(prompt_builder, full_assistant_matches_golden) {
  const auto d = dental();
  expect_golden("dental_open.txt", build_prompt(d.org, d.assistants[0], tuesday_morning()));
}

TEST(prompt_builder, closed_on_saturday_afternoon_says_when_it_opens) {
  const auto d = dental();
  local_clock c = tuesday_morning();
  c.day = 28, c.weekday = 6, c.hour = 14, c.minute = 30;
  const std::string p = build_prompt(d.org, d.assistants[0], c);
  EXPECT_NE(p.find("It is Saturday 28 November 2026, 14:30 (America/Chicago, UTC-06:00)."), std::string::npos);
  EXPECT_NE(p.find("The business is closed now; it opens Monday at 08:00."), std::string::npos) << p;
  c.weekday = 1, c.hour = 17, c.minute = 0;
  EXPECT_NE(build_prompt(d.org, d.assistants[0], c).find("closed now; it opens tomorrow at 08:00."), std::string::npos);
  c.hour = 16, c.minute = 59;
  EXPECT_NE(build_prompt(d.org, d.assistants[0], c).find("open now; it closes today at 17:00."), std::string::npos);
}

TEST(prompt_builder, minimal_assistant_matches_golden) {
  organization org;
  org.id = "1";
  org.name = "Corner Shop";
  assistant a;
  a.name = "Sam";
  expect_golden("minimal.txt", build_prompt(org, a, local_clock{}));
  EXPECT_EQ(greeting_request(org, a),
            "The caller has just been connected. Greet them briefly on behalf of Corner Shop, say your name, and ask how you can help.");
}

TEST(prompt_builder, is_deterministic_and_uses_the_greeting) {
  const auto d = dental();
  EXPECT_EQ(build_prompt(d.org, d.assistants[0], tuesday_morning()), build_prompt(d.org, d.assistants[0], tuesday_morning()));
  EXPECT_NE(greeting_request(d.org, d.assistants[0]).find("\"Thanks for calling Bright Smile Dental, this is Ava."),
            std::string::npos);
}

}  // namespace
}  // namespace vg::agent
