// The store contract for what tools write: records, tool calls (once per call id), messages.
#include "store_fixture.hpp"

namespace vg {
namespace {
using testing::store_contract;

ports::record_row booking(const std::string& ref, const std::string& data, std::int64_t at, const std::string& caller = "+15551230001") {
  return {"o", "bookings", ref, data, "active", "CA1", caller, at, at};
}

TEST_P(store_contract, records_are_saved_found_updated_and_listed_newest_first) {
  store->add_record(booking("B1", R"({"name":"Ann","customer_number":"C-100","size":3})", 100));
  store->add_record(booking("B2", R"({"name":"Bo","customer_number":"C-200"})", 200, "+15550000002"));
  store->add_record({"o", "waitlist", "W1", R"({"name":"Cy"})", "active", "CA2", "+15551230001", 300, 300});
  EXPECT_THROW(store->add_record(booking("B1", "{}", 400)), ports::store_conflict);

  auto b1 = store->find_record("o", "bookings", "B1");
  ASSERT_TRUE(b1.has_value());
  EXPECT_EQ(b1->data, R"({"name":"Ann","customer_number":"C-100","size":3})");
  EXPECT_EQ(b1->call_sid, "CA1");
  EXPECT_FALSE(store->find_record("o", "waitlist", "B1").has_value());

  ports::record_filter f{"o", "bookings", "", "", "", "", 100, 0};
  auto all = store->list_records(f);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].ref, "B2");
  f.field = "customer_number";
  f.value = "C-100";
  auto by_field = store->list_records(f);
  ASSERT_EQ(by_field.size(), 1u);
  EXPECT_EQ(by_field[0].ref, "B1");
  f.field = "size";  // numbers compare as their text
  f.value = "3";
  EXPECT_EQ(store->list_records(f).size(), 1u);
  ports::record_filter by_caller{"o", "bookings", "", "", "+15550000002", "", 100, 0};
  EXPECT_EQ(store->list_records(by_caller).at(0).ref, "B2");

  b1->status = "cancelled";
  b1->data = R"({"name":"Ann"})";
  b1->updated_at_ms = 500;
  EXPECT_TRUE(store->update_record(*b1));
  EXPECT_EQ(store->find_record("o", "bookings", "B1")->status, "cancelled");
  ports::record_filter active{"o", "bookings", "", "", "", "active", 100, 0};
  EXPECT_EQ(store->list_records(active).size(), 1u);
  ports::record_filter paged{"o", "bookings", "", "", "", "", 1, 1};
  EXPECT_EQ(store->list_records(paged).at(0).ref, "B1");
  b1->ref = "nope";
  EXPECT_FALSE(store->update_record(*b1));
}

TEST_P(store_contract, a_tool_call_id_is_run_once_and_its_outcome_kept) {
  EXPECT_TRUE(store->begin_tool_call({"call_1", "CA1", "book_service", R"({"name":"Ann"})", "", "", 10, 0}));
  EXPECT_FALSE(store->begin_tool_call({"call_1", "CA1", "book_service", "{}", "", "", 20, 0}));
  store->finish_tool_call("call_1", R"({"ok":true,"reference":"B1"})", "ok", 42);
  EXPECT_TRUE(store->begin_tool_call({"call_2", "CA1", "transfer_call", "{}", "", "", 30, 0}));
  const auto calls = store->tool_calls("CA1");
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0].outcome, "ok");
  EXPECT_EQ(calls[0].duration_ms, 42);
  EXPECT_EQ(calls[0].arguments, R"({"name":"Ann"})");
  EXPECT_EQ(calls[1].outcome, "running");
}

TEST_P(store_contract, message_status_follows_the_latest_callback) {
  store->add_message({"SM1", "o", "CA1", "+15551230001", "+15550009999", "Booked. Ref B1.", "queued", "", 100, 100});
  EXPECT_TRUE(store->update_message_status("SM1", "delivered", "", 300));
  EXPECT_FALSE(store->update_message_status("SM1", "sent", "", 200));  // older: ignored
  auto m = store->find_message("SM1");
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->status, "delivered");
  EXPECT_EQ(m->body, "Booked. Ref B1.");
  EXPECT_EQ(store->messages_of_call("CA1").size(), 1u);
  EXPECT_FALSE(store->update_message_status("SM-unknown", "failed", "30003", 400));
}

TEST_P(store_contract, a_download_left_running_is_found_and_taken_by_one_caller) {
  store->claim_recording({"REold", "CA1", "twilio", "downloading", "", "", 0, 6, 2, "", 100, 100, ""});
  store->claim_recording({"REolder", "CA2", "twilio", "downloading", "", "", 0, 6, 2, "", 50, 50, ""});
  store->claim_recording({"REfresh", "CA1", "twilio", "downloading", "", "", 0, 6, 2, "", 900, 900, ""});
  store->claim_recording({"REdone", "CA1", "twilio", "stored", "k", "audio/wav", 1, 6, 2, "", 10, 10, ""});
  const auto stale = store->recordings_downloading_since_before(500, 10);
  ASSERT_EQ(stale.size(), 2u);
  EXPECT_EQ(stale[0].id, "REolder");  // oldest first
  EXPECT_EQ(stale[1].id, "REold");
  EXPECT_EQ(stale[1].duration_s, 6);
  EXPECT_EQ(store->recordings_downloading_since_before(500, 1).size(), 1u);
  // Two nodes saw the same row: the first to touch it takes it.
  EXPECT_TRUE(store->touch_recording("REold", 100, 1000));
  EXPECT_FALSE(store->touch_recording("REold", 100, 1001));
  EXPECT_FALSE(store->touch_recording("REdone", 10, 1000)) << "only a download in progress";
  EXPECT_FALSE(store->touch_recording("REnone", 0, 1000));
  EXPECT_EQ(store->recordings_downloading_since_before(500, 10).size(), 1u);
  EXPECT_EQ(store->recordings_of_call("CA1").at(1).updated_at_ms, 1000);
}

TEST_P(store_contract, a_recording_is_claimed_once_then_updated) {
  ports::recording_row r{"RE1", "CA1", "twilio", "downloading", "", "", 0, 0, 0, "", 100, 100, "StartCallRecordingAPI"};
  EXPECT_TRUE(store->claim_recording(r));
  auto again = r;
  again.origin = "DialVerb";
  EXPECT_FALSE(store->claim_recording(again));  // Twilio may call twice: the first claim stays
  EXPECT_EQ(store->recordings_of_call("CA1").at(0).origin, "StartCallRecordingAPI");
  r.status = "stored";
  r.blob_key = "recordings/o/CA1/RE1.wav";
  r.bytes = 96044;
  r.duration_s = 6;
  r.channels = 2;
  r.updated_at_ms = 200;
  store->update_recording(r);
  store->claim_recording({"VGCA1", "CA1", "voxgate", "stored", "k2", "audio/wav", 10, 1, 2, "", 150, 150, "voxgate"});
  store->claim_recording({"RE2", "CA1", "twilio", "failed", "", "", 0, 3, 1, "not ready", 160, 170, ""});
  const auto all = store->recordings_of_call("CA1");
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].id, "RE1");
  EXPECT_EQ(all[0].status, "stored");
  EXPECT_EQ(all[0].blob_key, "recordings/o/CA1/RE1.wav");
  EXPECT_EQ(all[0].bytes, 96044);
  EXPECT_EQ(all[0].duration_s, 6);
  EXPECT_EQ(all[0].channels, 2);
  EXPECT_EQ(all[0].created_at_ms, 100);
  EXPECT_EQ(all[0].updated_at_ms, 200);
  EXPECT_EQ(all[0].origin, "StartCallRecordingAPI");  // kept by the update
  EXPECT_EQ(all[1].source, "voxgate");
  EXPECT_EQ(all[1].content_type, "audio/wav");
  EXPECT_EQ(all[1].origin, "voxgate");
  EXPECT_EQ(all[2].id, "RE2");
  EXPECT_EQ(all[2].error, "not ready");
  EXPECT_EQ(all[2].origin, "");  // a callback without RecordingSource
  // The update writes the origin too (everything but the id).
  r.origin = "RecordVerb";
  r.updated_at_ms = 300;
  store->update_recording(r);
  EXPECT_EQ(store->recordings_of_call("CA1").at(0).origin, "RecordVerb");
  EXPECT_TRUE(store->recordings_of_call("CA2").empty());
}

TEST_P(store_contract, usage_and_extraction_are_kept_on_the_call) {
  ports::call_row c;
  c.call_sid = "CAx";
  store->upsert_call(c);
  store->set_call_usage("CAx", "gpt-realtime", R"({"output_audio_tokens":240,"responses":1})");
  store->set_extraction("CAx", "running", "", "");
  EXPECT_EQ(store->find_call("CAx")->extraction_status, "running");
  EXPECT_EQ(store->find_call("CAx")->extraction_model, "");  // no answer yet
  EXPECT_EQ(store->find_call("CAx")->extraction_usage, "");
  store->set_extraction_usage("CAx", "gpt-4o-mini", R"({"input_text_tokens":82,"output_text_tokens":17,"responses":1})");
  store->set_extraction("CAx", "done", R"({"summary":"Two pizzas"})", "");
  const auto row = store->find_call("CAx");
  ASSERT_TRUE(row.has_value());
  EXPECT_EQ(row->model, "gpt-realtime");
  EXPECT_EQ(row->usage, R"({"output_audio_tokens":240,"responses":1})");
  EXPECT_EQ(row->extraction_status, "done");
  EXPECT_EQ(row->extraction, R"({"summary":"Two pizzas"})");
  EXPECT_EQ(row->extraction_error, "");
  EXPECT_EQ(row->extraction_model, "gpt-4o-mini");
  EXPECT_EQ(row->extraction_usage, R"({"input_text_tokens":82,"output_text_tokens":17,"responses":1})");
  EXPECT_EQ(row->usage, R"({"output_audio_tokens":240,"responses":1})");  // the Realtime usage stays apart
  ports::call_filter all;
  const auto listed = store->list_calls(all).at(0);
  EXPECT_EQ(listed.usage, row->usage);  // lists carry them too
  EXPECT_EQ(listed.extraction_model, row->extraction_model);
  EXPECT_EQ(listed.extraction_usage, row->extraction_usage);
  // A later answer replaces the usage (it is not added); another call is untouched.
  ports::call_row other;
  other.call_sid = "CAy";
  store->upsert_call(other);
  store->set_extraction_usage("CAx", "gpt-4.1-mini", R"({"input_text_tokens":90,"responses":1})");
  EXPECT_EQ(store->find_call("CAx")->extraction_model, "gpt-4.1-mini");
  EXPECT_EQ(store->find_call("CAx")->extraction_usage, R"({"input_text_tokens":90,"responses":1})");
  EXPECT_EQ(store->find_call("CAy")->extraction_model, "");
  EXPECT_EQ(store->find_call("CAy")->extraction_usage, "");
}

TEST_P(store_contract, a_call_is_purged_or_deleted_with_everything_attached) {
  for (const std::string sid : {"CAold", "CAnew"}) {
    ports::call_row c;
    c.call_sid = sid;
    c.org_id = "o";
    c.started_at_ms = sid == "CAold" ? 1000 : 5000;
    store->upsert_call(c);
    store->add_turn({sid, "caller", "my card is 4111", c.started_at_ms + 1});
    store->add_event({sid, "dtmf", "4", 0, c.started_at_ms + 2});
    store->begin_tool_call({"call_" + sid, sid, "x", "{}", "", "", 1, 0});
    store->add_message({"SM" + sid, "o", sid, "+1", "+2", "hi", "sent", "", 1, 1});
    store->claim_recording({"RE" + sid, sid, "twilio", "stored", "k", "audio/wav", 1, 1, 2, "", 1, 1, "DialVerb"});
  }
  store->set_extraction("CAold", "done", R"({"name":"Ann Lee","phone":"+15551230000"})", "");
  store->set_extraction_usage("CAold", "gpt-4o-mini", R"({"input_text_tokens":90,"responses":1})");
  EXPECT_EQ(store->calls_to_purge("o", 3000, 10), std::vector<std::string>{"CAold"});
  EXPECT_TRUE(store->calls_to_purge("other", 9000, 10).empty());
  store->purge_call_content("CAold");
  EXPECT_EQ(store->find_call("CAold")->extraction, "") << "drawn from what was said: it goes too";
  EXPECT_EQ(store->find_call("CAold")->extraction_status, "purged");
  EXPECT_NE(store->find_call("CAold")->extraction_usage, "") << "what it cost stays";
  EXPECT_EQ(store->find_call("CAnew")->extraction_status, "") << "a call without extraction keeps none";
  EXPECT_TRUE(store->transcript("CAold").empty());
  EXPECT_TRUE(store->events("CAold").empty());
  EXPECT_TRUE(store->tool_calls("CAold").empty());
  EXPECT_TRUE(store->messages_of_call("CAold").empty());
  EXPECT_TRUE(store->recordings_of_call("CAold").empty());
  EXPECT_TRUE(store->find_call("CAold").has_value());  // kept for statistics
  EXPECT_TRUE(store->calls_to_purge("o", 3000, 10).empty());
  ports::call_row only_extraction;
  only_extraction.call_sid = "CAextr";
  only_extraction.org_id = "o";
  only_extraction.started_at_ms = 2000;
  store->upsert_call(only_extraction);
  store->set_extraction("CAextr", "failed", "", "the answer named the caller Ann Lee wrongly");
  EXPECT_EQ(store->calls_to_purge("o", 3000, 10), std::vector<std::string>{"CAextr"});
  store->purge_call_content("CAextr");
  EXPECT_EQ(store->find_call("CAextr")->extraction_error, "");
  EXPECT_TRUE(store->calls_to_purge("o", 3000, 10).empty());
  EXPECT_TRUE(store->delete_call("CAnew"));
  EXPECT_FALSE(store->find_call("CAnew").has_value());
  EXPECT_TRUE(store->transcript("CAnew").empty());
  EXPECT_FALSE(store->delete_call("CAnew"));
}

}  // namespace
}  // namespace vg
