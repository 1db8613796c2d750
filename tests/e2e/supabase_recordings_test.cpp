// Seed 001's recordings in Supabase Storage, end to end: the server configured from the seed's
// three variables alone (SUPABASE_URL, SUPABASE_KEY, SUPABASE_BUCKET), a call recorded by
// Twilio (downloaded after its callback) and by voxgate itself, both landing in the fake
// Supabase bucket over its HTTP API; the call's audio_url is the object's permanent public URL,
// which plays without any key, as the seed promises. A private bucket gives no such URL.
#include "tests/e2e/api_client.hpp"
#include "tests/fakes/fake_supabase_storage.hpp"
#include "tests/fakes/fake_twilio_rest.hpp"

namespace vg::e2e {
namespace {
using fakes::wait_until;
using namespace std::chrono_literals;

constexpr const char* admin = "admin-token-for-supabase-tests-0123456789";

class supabase_recordings_test : public bridge_test {
 protected:
  void start(const fakes::fake_supabase_storage& bucket, std::map<std::string, std::string> more = {}) {
    // Only the seed's variables: they choose the store (STORAGE_URL is not set).
    std::map<std::string, std::string> vars{{"SUPABASE_URL", bucket.url()},
                                            {"SUPABASE_KEY", bucket.settings().key},
                                            {"SUPABASE_BUCKET", bucket.settings().bucket}};
    vars.merge(more);
    auto seed = app::load_config(vars);
    ASSERT_TRUE(seed.ok()) << seed.error_message();
    ASSERT_EQ(seed->storage_url, "supabase://" + bucket.settings().bucket);
    start_server([&](app::config& c) {
      c.api_token = admin;
      c.twilio_account_sid = twilio.account_sid();
      c.twilio_api_url = twilio.url();
      c.recording_retry = 20ms;
      c.storage_url = seed->storage_url;
      c.supabase_url = seed->supabase_url;
      c.supabase_key = seed->supabase_key;
      c.supabase_bucket = seed->supabase_bucket;
      c.supabase_public_bucket = seed->supabase_public_bucket;
    });
    ASSERT_EQ(call_api(loop, port, "POST", "/api/v1/orgs", R"({"id":"vox","name":"Vox Demo","numbers":["+15125550177"]})", admin).status, 201);
    ASSERT_EQ(call_api(loop, port, "POST", "/api/v1/orgs/vox/assistants",
                       R"({"name":"Vox","settings":{"recording":{"twilio":true,"own":true}}})", admin).status, 201);
    auto opts = caller_options();
    opts.to = "+15125550177";
    caller = make_caller(opts);
    ASSERT_EQ(caller->place_call(), 200);
    twilio.add_live_call(caller->call_sid(), opts.from, opts.to);
    ASSERT_EQ(caller->open_stream(), 101);
  }

  // Twilio records, calls back; voxgate's own recording is stored when the call ends.
  void record_the_call() {
    ASSERT_TRUE(wait_until([&] { return caller->media_received() >= 5; }));
    twilio.add_recording(recording_sid, caller->call_sid(), twilio_wav(), 1);
    const twilio::form form{{"AccountSid", twilio.account_sid()}, {"CallSid", caller->call_sid()},
                            {"RecordingSid", recording_sid},     {"RecordingUrl", twilio.recording_url(recording_sid)},
                            {"RecordingStatus", "completed"},    {"RecordingDuration", "4"},
                            {"RecordingChannels", "2"},          {"RecordingSource", "StartCallRecordingAPI"}};
    ASSERT_EQ(post_twilio_form(loop, port, "/recording-status", form), 204);  // the seed's path
    caller->send_stop();
    ASSERT_TRUE(wait_until([&] {
      call = call_api(loop, port, "GET", "/api/v1/calls/" + caller->call_sid(), {}, admin);
      int stored = 0;
      for (const auto& r : call.json.at("recordings").as_array()) stored += r.at("status") == "stored" ? 1 : 0;
      return stored == 2;
    }, 10s)) << call.body;
  }

  static std::string twilio_wav() {
    std::string wav = "RIFF....WAVEfmt ";
    for (int i = 0; i < 70000; ++i) wav += static_cast<char>(i * 13 + i / 251);
    return wav;
  }

  // A GET with no key or token at all, as a browser's <audio src> makes it.
  std::optional<net::client_response> anonymous_get(const std::string& url) {
    net::client_request req;
    req.url = url;
    auto [error, res] = loop.run_sync(fetch(std::move(req)));
    EXPECT_TRUE(res.has_value()) << error;
    return res;
  }

  const std::string recording_sid = "RE5ba5eba5eba5eba5eba5eba5eba5eba5";
  fakes::fake_twilio_rest twilio{fakes::fake_twilio_rest::default_account_sid, auth_token};
  std::unique_ptr<fakes::simulated_caller> caller;
  api_reply call;
};

TEST_F(supabase_recordings_test, a_recorded_calls_audio_lands_in_the_bucket_and_its_audio_url_is_the_public_url) {
  fakes::fake_supabase_storage bucket;  // public, as the seed tells to make it
  start(bucket);
  record_the_call();
  const auto& recordings = call.json.at("recordings").as_array();
  ASSERT_EQ(recordings.size(), 2u) << call.body;
  const std::string public_base = bucket.url() + "/storage/v1/object/public/call-recordings/";
  for (const auto& r : recordings) {
    SCOPED_TRACE(js::serialize(r));
    const std::string source(r.at("source").as_string());
    // In the bucket, under the key the call lists, byte for byte.
    std::string name;
    for (const auto& n : bucket.names()) {
      if (n.find(source == "twilio" ? recording_sid : std::string("voxgate")) != std::string::npos) name = n;
    }
    ASSERT_FALSE(name.empty()) << "no object in the bucket for the " << source << " recording";
    const auto object = bucket.object(name);
    ASSERT_TRUE(object.has_value());
    EXPECT_EQ(static_cast<std::int64_t>(object->data.size()), r.at("bytes").as_int64());
    if (source == "twilio") {
      EXPECT_TRUE(object->data == twilio_wav());
      EXPECT_EQ(object->content_type, "audio/x-wav");
    } else {
      EXPECT_TRUE(object->data.starts_with("RIFF"));
      EXPECT_EQ(object->content_type, "audio/wav");
    }
    // Its permanent public URL plays it without any key or token.
    ASSERT_TRUE(r.at("public_url").is_string()) << call.body;
    EXPECT_EQ(r.at("public_url"), js::value(public_base + name));
    const auto played = anonymous_get(std::string(r.at("public_url").as_string()));
    ASSERT_TRUE(played.has_value());
    EXPECT_EQ(played->status, 200);
    EXPECT_TRUE(played->body == object->data);
  }
  // The call's audio_url (seed 001's name) is the latest recording's permanent public URL.
  EXPECT_EQ(call.json.at("audio_url"), recordings.back().at("public_url")) << call.body;
  EXPECT_TRUE(std::string(call.json.at("audio_url").as_string()).starts_with(public_base));

  // Every request carried the project's key, and each recording went up in one upserting POST.
  int uploads = 0;
  for (const auto& r : bucket.requests()) {
    if (r.path.find("/object/public/") != std::string::npos) continue;
    EXPECT_EQ(net::find_header(r.headers, "apikey"), bucket.settings().key) << r.method << " " << r.path;
    if (r.method == "POST") {
      ++uploads;
      EXPECT_EQ(net::find_header(r.headers, "x-upsert"), "true");
      EXPECT_EQ(r.status, 200);
    }
  }
  EXPECT_EQ(uploads, 2);

  // voxgate still serves them itself, by ranges, read back from the bucket.
  net::client_request ranged;
  ranged.url = "http://127.0.0.1:" + std::to_string(port) + "/api/v1/calls/" + caller->call_sid() + "/recording?source=twilio";
  ranged.headers = {{"Authorization", std::string("Bearer ") + admin}, {"Range", "bytes=10-19"}};
  auto [error, part] = loop.run_sync(fetch(std::move(ranged)));
  ASSERT_TRUE(part.has_value()) << error;
  EXPECT_EQ(part->status, 206);
  EXPECT_EQ(part->body, twilio_wav().substr(10, 10));

  // Deleting the call deletes its audio from the bucket.
  EXPECT_EQ(call_api(loop, port, "DELETE", "/api/v1/calls/" + caller->call_sid(), {}, admin).status, 204);
  EXPECT_TRUE(bucket.names().empty());
}

TEST_F(supabase_recordings_test, a_private_bucket_keeps_the_audio_but_gives_no_public_url) {
  fakes::fake_supabase_storage::options o;
  o.public_bucket = false;
  fakes::fake_supabase_storage bucket(o);
  start(bucket, {{"SUPABASE_PUBLIC_BUCKET", "false"}});
  record_the_call();
  EXPECT_EQ(bucket.names().size(), 2u);
  EXPECT_TRUE(call.json.at("audio_url").is_null()) << call.body;
  for (const auto& r : call.json.at("recordings").as_array()) {
    EXPECT_TRUE(r.at("public_url").is_null()) << call.body;
    EXPECT_TRUE(r.at("signed_url").is_string()) << call.body;  // the hour-long link still plays it
  }
  // Nobody reads the bucket without the key.
  const auto refused = anonymous_get(bucket.url() + "/storage/v1/object/public/call-recordings/" + bucket.names().front());
  ASSERT_TRUE(refused.has_value());
  EXPECT_NE(refused->status, 200);
}

}  // namespace
}  // namespace vg::e2e
