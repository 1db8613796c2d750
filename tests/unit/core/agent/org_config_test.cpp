#include "core/agent/org_config_json.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "core/agent/sample_org.hpp"

namespace vg::agent {
namespace {
namespace json = boost::json;

std::string error_of(const char* text) {
  auto d = document_from_json(json::parse(text));
  return d.ok() ? std::string("(accepted)") : d.error_message();
}

TEST(org_config, the_sample_document_reads_completely) {
  auto d = document_from_json(testing::dental_document());
  ASSERT_TRUE(d.ok()) << d.error_message();
  EXPECT_EQ(d->org.id, "bright-smile");
  EXPECT_EQ(d->org.owner.email, "owner@brightsmile.example");
  EXPECT_EQ(d->org.numbers, std::vector<std::string>{"+15125550199"});
  ASSERT_EQ(d->assistants.size(), 1u);
  const auto& a = d->assistants[0];
  EXPECT_EQ(a.id, "ava");  // derived from the name
  EXPECT_EQ(a.services.at(0).add_ons.at(0).price, 25.0);
  EXPECT_EQ(a.services.at(1).price, 299.5);
  EXPECT_EQ(a.hours.days[6].at(0).open_min, 540);
  EXPECT_EQ(a.templates.at(0).first, "booking_confirmed");
  EXPECT_EQ(a.tools.at(1).parameters.at("type"), "object");  // a default empty schema
  EXPECT_EQ(a.tools.at(0).action, tool_action(save_record{"bookings", "booking_confirmed"}));
  EXPECT_EQ(a.tools.at(1).action, tool_action(transfer_call{"fallback"}));
}

TEST(org_config, json_round_trip_is_lossless) {
  auto d = document_from_json(testing::dental_document());
  ASSERT_TRUE(d.ok());
  const json::value written = to_json(*d);
  auto again = document_from_json(written);
  ASSERT_TRUE(again.ok()) << again.error_message() << "\n" << json::serialize(written);
  EXPECT_EQ(*again, *d);
  EXPECT_EQ(json::serialize(to_json(*again)), json::serialize(written));
}

TEST(org_config, every_problem_is_named_by_its_path) {
  const std::string e = error_of(R"({"organization": {"name": "X", "owner": {"phone": "5125550100", "email": "nope"},
      "numbers": ["+15125550199", "+15125550199"], "colour": "red"},
    "assistants": [{"name": "A", "hours": {"mon": "9-5"}, "tools": [{"name": "bad name!", "action": {}}]},
                   {"name": "A"}]})");
  EXPECT_NE(e.find("organization.owner.phone: must be an E.164 phone number"), std::string::npos) << e;
  EXPECT_NE(e.find("organization.owner.email: must be an email address"), std::string::npos) << e;
  EXPECT_NE(e.find("organization.numbers[1]: is listed twice"), std::string::npos) << e;
  EXPECT_NE(e.find("organization.colour: is not a known field"), std::string::npos) << e;
  EXPECT_NE(e.find("assistants[0].hours: mon: '9-5' is not a range"), std::string::npos) << e;
  EXPECT_NE(e.find("assistants[0].tools[0].name: may hold only letters"), std::string::npos) << e;
  EXPECT_NE(e.find("assistants[0].tools[0].action: must be a map"), std::string::npos) << e;
  EXPECT_NE(e.find("assistants[1].id: 'a' is used by another assistant"), std::string::npos) << e;
}

TEST(org_config, required_fields_and_types) {
  EXPECT_NE(error_of(R"({"assistants": []})").find("organization: is required"), std::string::npos);
  EXPECT_NE(error_of(R"({"organization": {}})").find("organization.name: is required"), std::string::npos);
  EXPECT_NE(error_of(R"({"organization": {"name": 5}})").find("organization.name: must be text"), std::string::npos);
  EXPECT_NE(error_of(R"({"organization": {"name": "X", "id": "Has Space"}})").find("organization.id: must be lowercase"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"organization": {"name": "X", "retention_days": 1.5}})").find("retention_days: must be a whole"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"organization": {"name": "X"}, "assistants": [{"name": "A", "services": [{"price": -1}]}]})")
                .find("assistants[0].services[0].name: is required"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"organization": {"name": "X"}, "assistants": [{"name": "A", "services": [{"name": "s", "price": -1}]}]})")
                .find("assistants[0].services[0].price: must be zero or more"),
            std::string::npos);
  EXPECT_NE(error_of("[1]").find("body: must be an object"), std::string::npos);
}

TEST(org_config, numeric_ids_are_accepted_as_text) {
  // Seed 000 addresses organisations as ?org_id=1.
  auto o = organization_from_json(json::parse(R"({"id": 1, "name": "Clinic"})"));
  ASSERT_TRUE(o.ok()) << o.error_message();
  EXPECT_EQ(o->id, "1");
  EXPECT_EQ(o->timezone, "UTC");
}

TEST(org_config, a_broken_tool_schema_is_refused_with_its_path) {
  const std::string e = error_of(R"({"organization": {"name": "X"}, "assistants": [{"name": "A", "tools": [
      {"name": "t", "action": {"save": "x"}, "parameters": {"type": "object",
       "properties": {"when": {"type": "string", "format": "someday"}}}}]}]})");
  EXPECT_NE(e.find("assistants[0].tools[0].parameters.properties.when"), std::string::npos) << e;
  EXPECT_NE(error_of(R"({"organization": {"name": "X"}, "assistants": [{"name": "A", "tools": [
      {"name": "t", "action": {"save": "x"}, "parameters": {"type": "string"}}]}]})").find("must be an object schema"),
            std::string::npos);
}

TEST(org_config, pick_assistant_by_id_or_first) {
  std::vector<assistant> as(2);
  as[0].id = "ava";
  as[1].id = "bo";
  EXPECT_EQ(pick_assistant(as, ""), &as[0]);
  EXPECT_EQ(pick_assistant(as, "bo"), &as[1]);
  EXPECT_EQ(pick_assistant(as, "zed"), nullptr);
  EXPECT_EQ(pick_assistant({}, ""), nullptr);
}

TEST(org_config, value_checks) {
  EXPECT_TRUE(is_e164("+15125550100"));
  EXPECT_FALSE(is_e164("+05125550100"));
  EXPECT_FALSE(is_e164("15125550100"));
  EXPECT_FALSE(is_e164("+1512555010a"));
  EXPECT_FALSE(is_e164("+1234567"));
  EXPECT_TRUE(is_slug("front-desk_2"));
  EXPECT_FALSE(is_slug("-x"));
  EXPECT_FALSE(is_slug("Ava"));
  EXPECT_TRUE(is_email("a@b.co"));
  EXPECT_FALSE(is_email("a@b"));
  EXPECT_FALSE(is_email("a b@c.de"));
  EXPECT_FALSE(is_email("a@@c.de"));
}

}  // namespace
}  // namespace vg::agent
