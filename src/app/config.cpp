#include "app/config.hpp"

#include <boost/url/parse.hpp>

#include <charconv>

#include "core/text.hpp"

extern char** environ;

namespace vg::app {
namespace {

std::string trim(std::string_view s) { return std::string(text::trim(s)); }

template <class T>
result<T> number(const env_map& vars, const std::string& name, T fallback, T min, T max) {
  const auto it = vars.find(name);
  if (it == vars.end() || it->second.empty()) return fallback;
  T value{};
  const auto& s = it->second;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc{} || p != s.data() + s.size() || value < min || value > max) {
    return make_error(name + "=" + s + " is not a number from " + std::to_string(min) + " to " + std::to_string(max));
  }
  return value;
}

result<bool> boolean(const env_map& vars, const std::string& name, bool fallback) {
  const auto it = vars.find(name);
  if (it == vars.end() || it->second.empty()) return fallback;
  const std::string& v = it->second;
  if (v == "1" || v == "true" || v == "yes" || v == "on") return true;
  if (v == "0" || v == "false" || v == "no" || v == "off") return false;
  return make_error(name + "=" + v + " is not true or false");
}

void text(const env_map& vars, const std::string& name, std::string& out) {
  if (const auto it = vars.find(name); it != vars.end() && !it->second.empty()) out = it->second;
}

result<bool> check_url(const std::string& name, const std::string& url, std::initializer_list<const char*> schemes) {
  auto u = boost::urls::parse_uri(url);
  if (!u || u->host_address().empty()) return make_error(name + "=" + url + " is not an absolute URL");
  for (const char* s : schemes) {
    if (u->scheme() == s) return true;
  }
  std::string allowed;
  for (const char* s : schemes) allowed += std::string(allowed.empty() ? "" : " or ") + s + "://";
  return make_error(name + "=" + url + " must start with " + allowed);
}

// The SUPABASE_* settings (docs/protocols/supabase-storage.md), and the choice of Supabase
// Storage for recordings: SUPABASE_BUCKET without a STORAGE_URL, or STORAGE_URL=supabase://.
result<bool> read_supabase(const env_map& vars, config& c) {
  text(vars, "SUPABASE_URL", c.supabase_url);
  text(vars, "SUPABASE_KEY", c.supabase_key);
  text(vars, "SUPABASE_BUCKET", c.supabase_bucket);
  auto public_bucket = boolean(vars, "SUPABASE_PUBLIC_BUCKET", true);
  if (!public_bucket) return make_error(public_bucket.error_message());
  c.supabase_public_bucket = *public_bucket;
  while (c.supabase_url.ends_with("/")) c.supabase_url.pop_back();
  const bool by_bucket = c.storage_url.empty() && !c.supabase_bucket.empty();
  if (by_bucket) c.storage_url = "supabase://" + c.supabase_bucket;
  if (!c.storage_url.starts_with("supabase://")) return true;  // set, but recordings go elsewhere
  const std::string why = std::string("recordings go to Supabase Storage (") + (by_bucket ? "SUPABASE_BUCKET" : "STORAGE_URL") +
                          " is set), which needs ";
  if (c.supabase_url.empty()) return make_error("SUPABASE_URL is not set: " + why + "the project URL, such as https://PROJECT.supabase.co");
  if (auto ok = check_url("SUPABASE_URL", c.supabase_url, {"https", "http"}); !ok) return make_error(ok.error_message());
  auto u = boost::urls::parse_uri(c.supabase_url);
  if (u->has_query() || u->has_fragment() || u->has_userinfo()) {
    return make_error("SUPABASE_URL must be the project URL alone, without a query, fragment, user or password");
  }
  if (std::string_view(u->encoded_path()).ends_with("/storage/v1")) {
    return make_error("SUPABASE_URL=" + c.supabase_url + " must be the project URL without /storage/v1 (voxgate adds it)");
  }
  if (c.supabase_key.empty()) {
    return make_error("SUPABASE_KEY is not set: " + why + "the project's key (a secret key, or the anon key the bucket's policies allow)");
  }
  for (const char ch : c.supabase_key) {
    if (static_cast<unsigned char>(ch) <= 0x20 || static_cast<unsigned char>(ch) >= 0x7f) {
      return make_error("SUPABASE_KEY has a space or a character an HTTP header cannot carry");
    }
  }
  if (!c.supabase_bucket.empty()) {
    bool ok = c.supabase_bucket.size() <= 100;
    for (const char ch : c.supabase_bucket) {
      ok = ok && ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_' ||
                  ch == '.' || ch == '-');
    }
    if (!ok) return make_error("SUPABASE_BUCKET=" + c.supabase_bucket.substr(0, 100) + " may use only A-Z a-z 0-9 _ . - (1 to 100 characters)");
  }
  return true;
}

// A model name as OpenAI writes them (gpt-4o-mini, gpt-4o-mini-2024-07-18, ft:gpt-4o:org:x:id,
// or a compatible server's org/model): nothing a JSON body or a log line would mangle.
bool model_name(std::string_view s) {
  if (s.empty() || s.size() > 128) return false;
  for (const char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
                    c == '_' || c == ':' || c == '/';
    if (!ok) return false;
  }
  return true;
}

const std::vector<std::string> voices = {"alloy", "ash", "ballad", "coral", "echo", "sage", "shimmer", "verse", "marin", "cedar"};

}  // namespace

std::string config::sqlite_path() const { return database_url.substr(7); }

std::string config::stream_url() const {
  if (public_url.empty()) return {};
  std::string base = public_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  if (base.starts_with("https://")) base = "wss://" + base.substr(8);
  else if (base.starts_with("http://")) base = "ws://" + base.substr(7);
  return base + "/twilio/stream";
}

result<env_map> parse_dotenv(const std::string& text_in) {
  env_map out;
  std::size_t line_no = 0;
  std::size_t pos = 0;
  while (pos <= text_in.size()) {
    const auto end = text_in.find('\n', pos);
    std::string line = trim(text_in.substr(pos, end == std::string::npos ? std::string::npos : end - pos));
    ++line_no;
    pos = end == std::string::npos ? text_in.size() + 1 : end + 1;
    if (line.empty() || line[0] == '#') continue;
    if (line.starts_with("export ")) line = trim(line.substr(7));
    const auto eq = line.find('=');
    if (eq == std::string::npos || eq == 0) return make_error(".env line " + std::to_string(line_no) + " is not KEY=VALUE");
    std::string key = trim(line.substr(0, eq));
    std::string value = trim(line.substr(eq + 1));
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') && value.back() == value.front()) {
      value = value.substr(1, value.size() - 2);
    } else if (const auto hash = value.find(" #"); hash != std::string::npos) {
      value = trim(value.substr(0, hash));  // trailing comment
    }
    out[key] = value;
  }
  return out;
}

env_map process_environment() {
  env_map out;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    const std::string kv(*e);
    const auto eq = kv.find('=');
    if (eq != std::string::npos) out[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  return out;
}

result<config> load_config(const env_map& vars) {
  config c;
  text(vars, "OPENAI_API_KEY", c.openai_api_key);
  text(vars, "TWILIO_ACCOUNT_SID", c.twilio_account_sid);
  text(vars, "TWILIO_AUTH_TOKEN", c.twilio_auth_token);
  text(vars, "TWILIO_PHONE_NUMBER", c.twilio_phone_number);
  text(vars, "PUBLIC_URL", c.public_url);
  text(vars, "OPENAI_REALTIME_URL", c.openai_realtime_url);
  text(vars, "OPENAI_API_URL", c.openai_api_url);
  text(vars, "TWILIO_API_URL", c.twilio_api_url);
  text(vars, "OPENAI_MODEL", c.openai_model);
  text(vars, "OPENAI_CHAT_MODEL", c.openai_chat_model);
  text(vars, "OPENAI_VOICE", c.voice);
  text(vars, "VOICE", c.voice);
  text(vars, "SYSTEM_MESSAGE", c.instructions);
  text(vars, "ASSISTANT_INSTRUCTIONS", c.instructions);
  text(vars, "GREETING_PROMPT", c.greeting_prompt);
  text(vars, "APOLOGY_MESSAGE", c.apology);
  text(vars, "SAY_VOICE", c.say_voice);
  text(vars, "BIND_ADDRESS", c.bind_address);
  text(vars, "VOXGATE_SECRET", c.stream_secret);
  text(vars, "LOG_LEVEL", c.log_level);
  text(vars, "DATABASE_URL", c.database_url);
  text(vars, "VOXGATE_API_TOKEN", c.api_token);
  text(vars, "VOXGATE_WEBHOOK_SECRET", c.webhook_secret);
  text(vars, "PRICES_FILE", c.prices_file);
  text(vars, "STORAGE_URL", c.storage_url);
  text(vars, "RECORDING_SPOOL_DIR", c.recording_spool);
  for (const auto& [k, v] : vars) {
    if (k.starts_with("S3_") || k.starts_with("AWS_")) c.s3_env[k] = v;
  }
  if (auto supabase = read_supabase(vars, c); !supabase) return make_error(supabase.error_message());
  auto delete_recordings = boolean(vars, "DELETE_TWILIO_RECORDINGS", false);
  if (!delete_recordings) return make_error(delete_recordings.error_message());
  c.delete_twilio_recordings = *delete_recordings;
  auto retry = number<long>(vars, "RECORDING_RETRY_MS", 1000, 10, 600000);
  if (!retry) return make_error(retry.error_message());
  c.recording_retry = std::chrono::milliseconds(*retry);
  auto sweep = number<long>(vars, "RETENTION_SWEEP_MS", 3'600'000, 100, 86'400'000);
  if (!sweep) return make_error(sweep.error_message());
  c.retention_sweep = std::chrono::milliseconds(*sweep);
  auto grace = number<long>(vars, "SHUTDOWN_GRACE_MS", 30'000, 0, 86'400'000);
  if (!grace) return make_error(grace.error_message());
  c.shutdown_grace = std::chrono::milliseconds(*grace);

  auto port = number<int>(vars, "PORT", 5050, 0, 65535);
  if (!port) return make_error(port.error_message());
  c.port = static_cast<std::uint16_t>(*port);
  auto beta = boolean(vars, "OPENAI_REALTIME_BETA", false);
  if (!beta) return make_error(beta.error_message());
  c.realtime_beta = *beta;
  // DEMO_DURATION_SECONDS is seed 001's name for the same limit.
  auto demo = number<long>(vars, "DEMO_DURATION_SECONDS", 0, 0, 86400);
  if (!demo) return make_error(demo.error_message());
  auto max_call = number<long>(vars, "MAX_CALL_DURATION_SECONDS", *demo, 0, 86400);
  if (!max_call) return make_error(max_call.error_message());
  c.max_call_duration = std::chrono::seconds(*max_call);
  auto frame = number<unsigned>(vars, "MEDIA_FRAME_MS", 20, 20, 200);
  if (!frame) return make_error(frame.error_message());
  if (*frame % 20 != 0) return make_error("MEDIA_FRAME_MS=" + std::to_string(*frame) + " must be a multiple of 20");
  c.frame_ms = *frame;
  auto threads = number<unsigned>(vars, "VOXGATE_THREADS", 0, 0, 256);
  if (!threads) return make_error(threads.error_message());
  c.threads = *threads;
  auto send_timeout = number<long>(vars, "SEND_TIMEOUT_MS", 5000, 100, 600000);
  if (!send_timeout) return make_error(send_timeout.error_message());
  c.send_timeout = std::chrono::milliseconds(*send_timeout);
  auto queue = number<std::size_t>(vars, "MAX_SEND_QUEUE_BYTES", c.max_send_queue, 65536, std::size_t{1} << 30);
  if (!queue) return make_error(queue.error_message());
  c.max_send_queue = *queue;
  auto connect_timeout = number<long>(vars, "MODEL_CONNECT_TIMEOUT_MS", 10000, 100, 600000);
  if (!connect_timeout) return make_error(connect_timeout.error_message());
  c.model_connect_timeout = std::chrono::milliseconds(*connect_timeout);
  auto attempts = number<int>(vars, "MODEL_RECONNECT_ATTEMPTS", 3, 0, 100);
  if (!attempts) return make_error(attempts.error_message());
  c.model_reconnect_attempts = *attempts;
  auto demo_org = boolean(vars, "VOXGATE_DEMO_ORG", true);
  if (!demo_org) return make_error(demo_org.error_message());
  c.demo_org = *demo_org;
  auto config_poll = number<long>(vars, "CONFIG_POLL_MS", 2000, 100, 3600000);
  if (!config_poll) return make_error(config_poll.error_message());
  c.config_poll = std::chrono::milliseconds(*config_poll);
  auto tool_timeout = number<long>(vars, "TOOL_TIMEOUT_MS", 10000, 100, 600000);
  if (!tool_timeout) return make_error(tool_timeout.error_message());
  c.tool_timeout = std::chrono::milliseconds(*tool_timeout);
  // Twilio gives a webhook 15 s; the answer must leave well before that.
  auto turn_timeout = number<long>(vars, "GATHER_TURN_TIMEOUT_MS", 10000, 500, 14000);
  if (!turn_timeout) return make_error(turn_timeout.error_message());
  c.gather_turn_timeout = std::chrono::milliseconds(*turn_timeout);
  if (!model_name(c.openai_chat_model)) {
    return make_error("OPENAI_CHAT_MODEL=" + c.openai_chat_model + " is not a model name (letters, digits, . - _ : /)");
  }
  if (!c.api_token.empty() && c.api_token.size() < 24) {
    return make_error("VOXGATE_API_TOKEN must be at least 24 characters (use `voxgate token create`)");
  }

  if (!c.public_url.empty()) {
    if (auto ok = check_url("PUBLIC_URL", c.public_url, {"https", "http"}); !ok) return make_error(ok.error_message());
    if (c.public_url.find('?') != std::string::npos) return make_error("PUBLIC_URL must not have a query string");
    while (c.public_url.back() == '/') c.public_url.pop_back();
  }
  if (auto ok = check_url("OPENAI_REALTIME_URL", c.openai_realtime_url, {"wss", "ws"}); !ok) return make_error(ok.error_message());
  if (auto ok = check_url("OPENAI_API_URL", c.openai_api_url, {"https", "http"}); !ok) return make_error(ok.error_message());
  if (auto ok = check_url("TWILIO_API_URL", c.twilio_api_url, {"https", "http"}); !ok) return make_error(ok.error_message());
  if (!c.twilio_account_sid.empty() && (c.twilio_account_sid.size() != 34 || !c.twilio_account_sid.starts_with("AC"))) {
    return make_error("TWILIO_ACCOUNT_SID=" + c.twilio_account_sid + " is not an account SID (AC + 32 hex digits)");
  }
  bool known_voice = c.voice.starts_with("voice_");
  for (const auto& v : voices) known_voice = known_voice || v == c.voice;
  if (!known_voice) return make_error("OPENAI_VOICE=" + c.voice + " is not a Realtime voice (marin, cedar, alloy, ...)");
  const bool sqlite = c.database_url.starts_with("sqlite:") && c.database_url.size() > 7;
  const bool postgres = c.database_url.starts_with("postgres://") || c.database_url.starts_with("postgresql://");
  if (!sqlite && !postgres) {
    return make_error("DATABASE_URL must be sqlite:PATH or postgres://USER:PASSWORD@HOST/DB (got something else)");
  }
  if (c.log_level != "debug" && c.log_level != "info" && c.log_level != "warn" && c.log_level != "error") {
    return make_error("LOG_LEVEL=" + c.log_level + " must be debug, info, warn or error");
  }
  return c;
}

}  // namespace vg::app
