#include "app/compose.hpp"

#include <stdexcept>

#include "adapters/blob_store_factory.hpp"
#include "adapters/openai_chat.hpp"
#include "adapters/openai_realtime.hpp"
#include "adapters/system_clock.hpp"
#include "adapters/postgres_store.hpp"
#include "adapters/sqlite_store.hpp"
#include "adapters/twilio_rest.hpp"
#include "adapters/yaml_json.hpp"
#include "adapters/zone_lookup.hpp"
#include "net/log.hpp"

namespace vg::app {

std::unique_ptr<ports::store> open_store(const config& cfg) {
  std::unique_ptr<ports::store> s;
  if (cfg.uses_postgres()) s = std::make_unique<adapters::postgres_store>(cfg.database_url);
  else s = std::make_unique<adapters::sqlite_store>(cfg.sqlite_path());
  s->migrate();
  return s;
}

int migrate_store(const config& cfg) {
  if (cfg.uses_postgres()) {
    adapters::postgres_store store(cfg.database_url);
    store.migrate();
    return store.schema_version();
  }
  adapters::sqlite_store store(cfg.sqlite_path());
  store.migrate();
  return store.schema_version();
}

std::unique_ptr<ports::blob_store> open_blobs(const config& cfg, boost::asio::ssl::context& tls) {
  adapters::supabase_settings supabase{cfg.supabase_url, cfg.supabase_key, cfg.supabase_public_bucket};
  auto blobs = adapters::open_blob_store(cfg.storage_url, adapters::s3_settings_from(cfg.s3_env), tls, std::move(supabase));
  if (!blobs) throw std::runtime_error("STORAGE_URL: " + blobs.error_message());
  return std::move(*blobs);
}

std::unique_ptr<ports::telephony> open_telephony(const config& cfg, boost::asio::ssl::context& tls) {
  if (cfg.twilio_account_sid.empty() || cfg.twilio_auth_token.empty()) {
    log::warn("TWILIO_ACCOUNT_SID or TWILIO_AUTH_TOKEN is not set: tools cannot send SMS or transfer calls");
    return nullptr;
  }
  return std::make_unique<adapters::twilio_rest>(tls, cfg.twilio_api_url, cfg.twilio_account_sid, cfg.twilio_auth_token);
}

std::unique_ptr<ports::zones> open_zones() { return std::make_unique<adapters::zone_lookup>(); }

std::unique_ptr<ports::yaml> open_yaml() { return std::make_unique<adapters::yaml_codec>(); }

std::unique_ptr<ports::realtime_model> open_realtime_model(const config& cfg, boost::asio::ssl::context& tls) {
  adapters::openai_realtime_settings settings{cfg.openai_realtime_url, cfg.openai_api_key, cfg.openai_model,
                                              cfg.realtime_beta,       cfg.model_connect_timeout, cfg.max_send_queue};
  return std::make_unique<adapters::openai_realtime>(std::move(settings), tls);
}

std::unique_ptr<ports::chat_model> open_chat_model(const config& cfg, boost::asio::ssl::context& tls) {
  return std::make_unique<adapters::openai_chat>(cfg.openai_api_url, cfg.openai_api_key, tls);
}

std::shared_ptr<ports::clock> open_clock() { return std::make_shared<adapters::system_clock>(); }

}  // namespace vg::app
