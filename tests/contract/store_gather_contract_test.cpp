// The store contract for gather calls (settings.mode: gather): the conversation kept between
// Twilio's webhooks, written only over the version it was read at, ended once, and purged
// with the rest of what was said.
#include "store_fixture.hpp"

namespace vg {
namespace {
using testing::store_contract;

ports::gather_conversation conversation(std::int64_t version, const std::string& messages, std::int64_t at) {
  return {"CAg", "o", "knotty", messages, version > 1 ? R"({"input_text_tokens":99,"responses":1})" : "", version, 0, at};
}

TEST_P(store_contract, a_gather_conversation_is_saved_over_the_version_it_was_read_at) {
  EXPECT_FALSE(store->find_gather("CAg").has_value());
  const std::string greeting = R"([{"role":"assistant","content":"Hi, this is Knotty."}])";
  EXPECT_TRUE(store->save_gather(conversation(1, greeting, 100)));
  EXPECT_FALSE(store->save_gather(conversation(1, "[]", 150))) << "a second first version changes nothing";
  auto found = store->find_gather("CAg");
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->call_sid, "CAg");
  EXPECT_EQ(found->org_id, "o");
  EXPECT_EQ(found->assistant_id, "knotty");
  EXPECT_EQ(found->messages, greeting);
  EXPECT_EQ(found->usage, "");
  EXPECT_EQ(found->version, 1);
  EXPECT_EQ(found->ended_at_ms, 0);
  EXPECT_EQ(found->updated_at_ms, 100);

  const std::string turn = R"([{"role":"assistant","content":"Hi"},{"role":"user","content":"Ann"}])";
  EXPECT_TRUE(store->save_gather(conversation(2, turn, 200)));
  EXPECT_FALSE(store->save_gather(conversation(2, "[]", 250))) << "another node saved version 2 first";
  EXPECT_FALSE(store->save_gather(conversation(4, "[]", 260))) << "a version that skips one is refused";
  found = store->find_gather("CAg");
  EXPECT_EQ(found->messages, turn);
  EXPECT_EQ(found->usage, R"({"input_text_tokens":99,"responses":1})");
  EXPECT_EQ(found->version, 2);
  EXPECT_EQ(found->updated_at_ms, 200);
  EXPECT_EQ(found->org_id, "o") << "who answers is fixed by the first version";

  EXPECT_TRUE(store->end_gather("CAg", 300));
  EXPECT_FALSE(store->end_gather("CAg", 400)) << "ended once, by whoever came first";
  EXPECT_FALSE(store->end_gather("CAnone", 400));
  EXPECT_EQ(store->find_gather("CAg")->ended_at_ms, 300);
}

TEST_P(store_contract, a_gather_conversation_is_purged_with_the_call) {
  for (const std::string sid : {"CAold", "CAnew"}) {
    ports::call_row c;
    c.call_sid = sid;
    c.org_id = "o";
    c.started_at_ms = sid == "CAold" ? 1000 : 5000;
    store->upsert_call(c);
    store->save_gather({sid, "o", "knotty", R"([{"role":"user","content":"my email is ann@example.com"}])", "", 1, 0, 1});
  }
  EXPECT_EQ(store->calls_to_purge("o", 3000, 10), std::vector<std::string>{"CAold"}) << "what was said is content";
  store->purge_call_content("CAold");
  EXPECT_FALSE(store->find_gather("CAold").has_value());
  EXPECT_TRUE(store->calls_to_purge("o", 3000, 10).empty());
  EXPECT_TRUE(store->find_gather("CAnew").has_value());
  EXPECT_TRUE(store->delete_call("CAnew"));
  EXPECT_FALSE(store->find_gather("CAnew").has_value());
}

}  // namespace
}  // namespace vg
