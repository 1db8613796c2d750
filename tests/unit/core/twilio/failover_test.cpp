// What a caller hears when the model failed (docs/protocols/twiml.md#failover), byte for byte.
#include <gtest/gtest.h>

#include "core/twilio/failover.hpp"

namespace vg::twiml {
namespace {

constexpr const char* prolog = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>";

TEST(failover, a_transfer_says_why_then_dials_the_fallback_number) {
  EXPECT_EQ(model_failed_document(true, "+15550100202", "We are sorry.", "Polly.Joanna"),
            std::string(prolog) +
                "<Response><Say voice=\"Polly.Joanna\">Sorry, our assistant is not available right now. I&apos;m "
                "connecting you to a person.</Say><Dial>+15550100202</Dial></Response>");
}

TEST(failover, the_apology_hangs_up_and_so_does_a_transfer_with_no_number) {
  const std::string apology = std::string(prolog) + "<Response><Say>We are sorry.</Say><Hangup/></Response>";
  EXPECT_EQ(model_failed_document(false, "+15550100202", "We are sorry.", ""), apology);
  EXPECT_EQ(model_failed_document(true, "", "We are sorry.", ""), apology);
}

}  // namespace
}  // namespace vg::twiml
