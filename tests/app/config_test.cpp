// Configuration: the seeds' variable names, defaults, and one clear error per bad setting.
#include <gtest/gtest.h>

#include <map>

#include "app/config.hpp"

namespace vg::app {
namespace {

TEST(config, defaults_point_at_the_real_services) {
  auto c = load_config({});
  ASSERT_TRUE(c.ok()) << c.error_message();
  EXPECT_EQ(c->port, 5050);
  EXPECT_EQ(c->openai_realtime_url, "wss://api.openai.com/v1/realtime");
  EXPECT_EQ(c->openai_api_url, "https://api.openai.com/v1");
  EXPECT_EQ(c->twilio_api_url, "https://api.twilio.com");
  EXPECT_EQ(c->openai_model, "gpt-realtime");
  EXPECT_EQ(c->voice, "marin");
  EXPECT_FALSE(c->realtime_beta);
  EXPECT_EQ(c->frame_ms, 20u);
}

TEST(config, seed_names_are_read) {
  auto c = load_config({{"OPENAI_API_KEY", "sk-1"},
                        {"TWILIO_ACCOUNT_SID", "AC0123456789abcdef0123456789abcdef"},
                        {"TWILIO_AUTH_TOKEN", "tok"},
                        {"TWILIO_PHONE_NUMBER", "+15550001111"},
                        {"PORT", "8080"},
                        {"PUBLIC_URL", "https://abc.ngrok.app/"},
                        {"OPENAI_REALTIME_BETA", "true"},
                        {"DEMO_DURATION_SECONDS", "60"},
                        {"OPENAI_VOICE", "cedar"}});
  ASSERT_TRUE(c.ok()) << c.error_message();
  EXPECT_EQ(c->openai_api_key, "sk-1");
  EXPECT_EQ(c->twilio_auth_token, "tok");
  EXPECT_EQ(c->port, 8080);
  EXPECT_EQ(c->public_url, "https://abc.ngrok.app");  // trailing slash dropped
  EXPECT_EQ(c->stream_url(), "wss://abc.ngrok.app/twilio/stream");
  EXPECT_TRUE(c->realtime_beta);
  EXPECT_EQ(c->max_call_duration, std::chrono::seconds(60));
  EXPECT_EQ(c->voice, "cedar");
}

TEST(config, http_public_url_gives_a_ws_stream_url) {
  auto c = load_config({{"PUBLIC_URL", "http://localhost:5050"}});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->stream_url(), "ws://localhost:5050/twilio/stream");
}

TEST(config, each_bad_setting_is_named) {
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"PORT", "abc"},
      {"PORT", "70000"},
      {"PUBLIC_URL", "abc.ngrok.app"},
      {"PUBLIC_URL", "ftp://x.example"},
      {"PUBLIC_URL", "https://x.example/?a=1"},
      {"OPENAI_REALTIME_URL", "https://api.openai.com/v1/realtime"},
      {"OPENAI_API_URL", "wss://x"},
      {"TWILIO_API_URL", "nonsense"},
      {"TWILIO_ACCOUNT_SID", "AC123"},
      {"OPENAI_VOICE", "robot"},
      {"OPENAI_REALTIME_BETA", "maybe"},
      {"MEDIA_FRAME_MS", "30"},
      {"MEDIA_FRAME_MS", "0"},
      {"MAX_CALL_DURATION_SECONDS", "-1"},
      {"LOG_LEVEL", "loud"},
      {"SEND_TIMEOUT_MS", "1"},
      {"OPENAI_CHAT_MODEL", "gpt 4o"},
      {"OPENAI_CHAT_MODEL", "gpt-4o\"},\"x"},
      {"GATHER_TURN_TIMEOUT_MS", "15000"},
      {"GATHER_TURN_TIMEOUT_MS", "100"},
      {"GATHER_TURN_TIMEOUT_MS", "ten"},
  };
  for (const auto& [name, value] : bad) {
    auto c = load_config({{name, value}});
    ASSERT_FALSE(c.ok()) << name << "=" << value;
    EXPECT_NE(c.error_message().find(name), std::string::npos) << c.error_message();
    EXPECT_EQ(c.error_message().find('\n'), std::string::npos);
  }
}

TEST(config, seed_001s_three_supabase_variables_put_recordings_in_its_bucket) {
  auto c = load_config({{"SUPABASE_URL", "https://abc.supabase.co/"},
                        {"SUPABASE_KEY", "eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoiYW5vbiJ9.c2ln"},
                        {"SUPABASE_BUCKET", "call-recordings"}});
  ASSERT_TRUE(c.ok()) << c.error_message();
  EXPECT_EQ(c->storage_url, "supabase://call-recordings");
  EXPECT_EQ(c->supabase_url, "https://abc.supabase.co");  // trailing slash dropped
  EXPECT_EQ(c->supabase_bucket, "call-recordings");
  EXPECT_TRUE(c->supabase_public_bucket);  // as the seed sets its bucket up
  c = load_config({{"SUPABASE_URL", "https://abc.supabase.co"}, {"SUPABASE_KEY", "sb_secret_x"},
                   {"SUPABASE_BUCKET", "call-recordings"}, {"SUPABASE_PUBLIC_BUCKET", "false"}});
  ASSERT_TRUE(c.ok()) << c.error_message();
  EXPECT_FALSE(c->supabase_public_bucket);
  // STORAGE_URL says otherwise: it wins. supabase://BUCKET/PREFIX picks Supabase by itself.
  c = load_config({{"STORAGE_URL", "file:/srv/rec"}, {"SUPABASE_BUCKET", "call-recordings"}});
  ASSERT_TRUE(c.ok()) << c.error_message();
  EXPECT_EQ(c->storage_url, "file:/srv/rec");
  c = load_config({{"STORAGE_URL", "supabase://calls/voxgate"}, {"SUPABASE_URL", "http://127.0.0.1:54321"},
                   {"SUPABASE_KEY", "k"}});
  ASSERT_TRUE(c.ok()) << c.error_message();
  EXPECT_EQ(c->storage_url, "supabase://calls/voxgate");
  // The project URL and key without a bucket (the seed's table only): recordings stay local.
  c = load_config({{"SUPABASE_URL", "https://abc.supabase.co"}, {"SUPABASE_KEY", "k"}});
  ASSERT_TRUE(c.ok()) << c.error_message();
  EXPECT_EQ(c->storage_url, "");
}

TEST(config, bad_or_missing_supabase_settings_are_named) {
  const std::map<std::string, std::string> ok{{"SUPABASE_URL", "https://abc.supabase.co"}, {"SUPABASE_KEY", "k"},
                                              {"SUPABASE_BUCKET", "call-recordings"}};
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"SUPABASE_URL", ""},  // missing while the bucket is set
      {"SUPABASE_URL", "abc.supabase.co"},
      {"SUPABASE_URL", "ftp://abc.supabase.co"},
      {"SUPABASE_URL", "https://abc.supabase.co/storage/v1"},
      {"SUPABASE_URL", "https://abc.supabase.co/?x=1"},
      {"SUPABASE_KEY", ""},
      {"SUPABASE_KEY", "two words"},
      {"SUPABASE_BUCKET", "call recordings"},
      {"SUPABASE_BUCKET", "a/b"},
      {"SUPABASE_PUBLIC_BUCKET", "sometimes"},
  };
  for (const auto& [name, value] : bad) {
    auto vars = ok;
    vars[name] = value;
    auto c = load_config(vars);
    ASSERT_FALSE(c.ok()) << name << "=" << value;
    EXPECT_NE(c.error_message().find(name), std::string::npos) << c.error_message();
    EXPECT_EQ(c.error_message().find('\n'), std::string::npos);
  }
  auto no_url = load_config({{"SUPABASE_KEY", "k"}, {"SUPABASE_BUCKET", "call-recordings"}});
  ASSERT_FALSE(no_url.ok());
  EXPECT_EQ(no_url.error_message().rfind("SUPABASE_URL is not set: recordings go to Supabase Storage (SUPABASE_BUCKET is set)", 0), 0u)
      << no_url.error_message();
  auto by_url = load_config({{"STORAGE_URL", "supabase://b"}, {"SUPABASE_URL", "https://abc.supabase.co"}});
  ASSERT_FALSE(by_url.ok());
  EXPECT_EQ(by_url.error_message().rfind("SUPABASE_KEY is not set: recordings go to Supabase Storage (STORAGE_URL is set)", 0), 0u)
      << by_url.error_message();
}

// Gather calls (settings.mode: gather): the chat model when the assistant names none, and how
// long a turn may take before the apology (always under Twilio's 15 s).
TEST(config, gather_settings_have_defaults_and_take_values) {
  auto c = load_config({});
  ASSERT_TRUE(c.ok()) << c.error_message();
  EXPECT_EQ(c->openai_chat_model, "gpt-4o-mini");
  EXPECT_EQ(c->gather_turn_timeout, std::chrono::milliseconds(10000));
  c = load_config({{"OPENAI_CHAT_MODEL", "gpt-4o-mini-2024-07-18"}, {"GATHER_TURN_TIMEOUT_MS", "4000"}});
  ASSERT_TRUE(c.ok()) << c.error_message();
  EXPECT_EQ(c->openai_chat_model, "gpt-4o-mini-2024-07-18");
  EXPECT_EQ(c->gather_turn_timeout, std::chrono::milliseconds(4000));
  c = load_config({{"OPENAI_CHAT_MODEL", "ft:gpt-4o-mini:acme:waitlist:abc123"}});
  ASSERT_TRUE(c.ok()) << c.error_message();
  c = load_config({{"GATHER_TURN_TIMEOUT_MS", "14001"}});
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error_message(), "GATHER_TURN_TIMEOUT_MS=14001 is not a number from 500 to 14000");
}

TEST(config, dotenv_files_parse_like_the_samples_write_them) {
  auto env = parse_dotenv(
      "# comment\n\nOPENAI_API_KEY=sk-abc\nexport PORT=6000\nSYSTEM_MESSAGE=\"You are Ava # not a comment\"\n"
      "TWILIO_AUTH_TOKEN='tok'\nVOICE=marin # trailing comment\r\n");
  ASSERT_TRUE(env.ok()) << env.error_message();
  EXPECT_EQ(env->at("OPENAI_API_KEY"), "sk-abc");
  EXPECT_EQ(env->at("PORT"), "6000");
  EXPECT_EQ(env->at("SYSTEM_MESSAGE"), "You are Ava # not a comment");
  EXPECT_EQ(env->at("TWILIO_AUTH_TOKEN"), "tok");
  EXPECT_EQ(env->at("VOICE"), "marin");
  auto broken = parse_dotenv("OK=1\nnot a setting\n");
  ASSERT_FALSE(broken.ok());
  EXPECT_NE(broken.error_message().find("line 2"), std::string::npos);
}

}  // namespace
}  // namespace vg::app
