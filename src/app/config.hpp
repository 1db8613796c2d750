// voxgate's configuration: the environment, an optional .env file and command-line flags,
// validated once at start-up so a bad setting is one clear line, not a failure mid-call.
// Read-only after start; shared by every thread.
#pragma once
#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace vg::app {

struct config {
  // Seed names (the public samples use these).
  std::string openai_api_key;
  std::string twilio_account_sid;
  std::string twilio_auth_token;
  std::string twilio_phone_number;
  std::uint16_t port = 5050;
  std::string public_url;  // e.g. https://abc.ngrok.app; empty: taken from each request's Host

  // Endpoints (real ones by default; tests and self-hosted servers override them).
  std::string openai_realtime_url = "wss://api.openai.com/v1/realtime";
  std::string openai_api_url = "https://api.openai.com/v1";
  std::string twilio_api_url = "https://api.twilio.com";
  std::string openai_model = "gpt-realtime";
  // OPENAI_CHAT_MODEL: the Chat Completions model of gather calls whose assistant names none
  // (settings.gather.model): a small, fast one, since the caller waits for every answer.
  std::string openai_chat_model = "gpt-4o-mini";
  std::string voice = "marin";
  bool realtime_beta = false;  // older event names + OpenAI-Beta header

  // The default assistant, for calls that match no organisation.
  std::string instructions =
      "You are a helpful, friendly phone assistant. Keep answers short and natural: this is a phone call.";
  std::string greeting_prompt = "The caller has just been connected. Greet them briefly and ask how you can help.";
  std::string apology = "Sorry, our assistant is not available right now. Please try again later. Goodbye.";
  std::string not_configured = "Sorry, this line is not set up yet. Goodbye.";
  std::string say_voice;   // <Say voice=...> for spoken fallbacks; empty: Twilio's default
  std::chrono::seconds max_call_duration{0};

  // Server.
  std::string bind_address = "0.0.0.0";
  unsigned threads = 0;  // 0: one per core
  bool insecure_skip_signature = false;
  std::string stream_secret;  // HMAC key of stream tokens; derived when empty
  std::chrono::seconds stream_token_ttl{300};
  std::uint32_t frame_ms = 20;  // assistant audio per media message (and per mark)
  std::chrono::milliseconds send_timeout{5000};
  std::size_t max_send_queue = 4 * 1024 * 1024;  // unsent bytes per socket before it counts as dead
  std::chrono::milliseconds model_connect_timeout{10000};
  int model_reconnect_attempts = 3;
  std::string log_level = "info";
  std::string database_url = "sqlite:voxgate.db";  // sqlite:PATH or postgres://...
  std::string api_token;   // VOXGATE_API_TOKEN: an administrator's API token besides the stored ones
  bool demo_org = true;    // an empty database starts with a ready demo organisation
  std::chrono::milliseconds config_poll{2000};     // CONFIG_POLL_MS: how often to look for other nodes' config changes
  std::chrono::milliseconds tool_timeout{10000};  // longest a tool's action may take
  // GATHER_TURN_TIMEOUT_MS: longest a gather turn (model requests and tools together) may take
  // before the caller hears the apology; under Twilio's 15 s webhook limit.
  std::chrono::milliseconds gather_turn_timeout{10000};
  std::string storage_url;     // STORAGE_URL: file:PATH (default ./recordings), s3://bucket/prefix or supabase://bucket/prefix
  std::map<std::string, std::string> s3_env;  // S3_* / AWS_* settings for an s3:// STORAGE_URL
  // Seed 001's Supabase Storage. With SUPABASE_BUCKET set and STORAGE_URL unset, recordings go
  // to that bucket (load_config sets storage_url to supabase://BUCKET); STORAGE_URL=supabase://
  // BUCKET[/PREFIX] picks it too. Both need the project URL and key.
  std::string supabase_url;     // SUPABASE_URL: https://PROJECT.supabase.co (no trailing '/')
  std::string supabase_key;     // SUPABASE_KEY
  std::string supabase_bucket;  // SUPABASE_BUCKET
  bool supabase_public_bucket = true;  // SUPABASE_PUBLIC_BUCKET: a call's audio_url is the object's public URL
  std::chrono::milliseconds recording_retry{1000};  // first wait before fetching a recording again
  int recording_attempts = 6;                       // fetches before a recording counts as failed
  bool delete_twilio_recordings = false;            // delete from Twilio once safely stored
  std::string recording_spool = "spool";                 // RECORDING_SPOOL_DIR: own recordings while calls run
  std::chrono::milliseconds retention_sweep{3'600'000};  // RETENTION_SWEEP_MS: how often old calls are purged
  std::chrono::milliseconds shutdown_grace{30'000};      // SHUTDOWN_GRACE_MS: longest drain on SIGTERM
  std::string prices_file;     // PRICES_FILE: a JSON price table over the built-in one
  std::string webhook_secret;  // signs outgoing webhooks (X-Voxgate-Signature); derived when empty

  bool uses_postgres() const { return !database_url.starts_with("sqlite:"); }
  // The SQLite file of database_url.
  std::string sqlite_path() const;

  // The scheme + host that Twilio uses to reach us, for signatures and the stream URL.
  // Empty when public_url is empty (then each request's headers decide).
  std::string stream_url() const;  // ws(s)://host/twilio/stream from public_url
};

using env_map = std::map<std::string, std::string>;

// Parses KEY=VALUE lines (comments, blank lines, optional quotes, `export ` prefix).
result<env_map> parse_dotenv(const std::string& text);

// Builds the configuration from variables (the process environment wins over .env).
result<config> load_config(const env_map& vars);

// The process environment as a map.
env_map process_environment();

}  // namespace vg::app
