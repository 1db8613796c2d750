// The composition root's openers: each adapter the process works with, chosen and opened from
// the configuration, handed out as its port. Only compose.cpp, server.cpp and main.cpp name
// adapters (tests/check_layers.sh); everything else in app/ sees ports.
#pragma once
#include <memory>

#include "app/config.hpp"
#include "ports/blob_store.hpp"
#include "ports/chat_model.hpp"
#include "ports/clock.hpp"
#include "ports/realtime_model.hpp"
#include "ports/store.hpp"
#include "ports/telephony.hpp"
#include "ports/yaml.hpp"
#include "ports/zones.hpp"

namespace boost::asio::ssl {
class context;
}

namespace vg::app {

// The store DATABASE_URL names (SQLite or PostgreSQL), migrated. Throws naming what failed.
std::unique_ptr<ports::store> open_store(const config& cfg);
// Migrates the store DATABASE_URL names and returns its schema version (`voxgate migrate`).
int migrate_store(const config& cfg);
// Where recordings are kept (STORAGE_URL); a bad setting throws with its reason. `tls` must
// outlive the store.
std::unique_ptr<ports::blob_store> open_blobs(const config& cfg, boost::asio::ssl::context& tls);
// Twilio's REST API (SMS, transfers, hang-ups); null, with a warning, when the account's
// credentials are not configured. `tls` must outlive it.
std::unique_ptr<ports::telephony> open_telephony(const config& cfg, boost::asio::ssl::context& tls);
// Time zones from the system zoneinfo directory.
std::unique_ptr<ports::zones> open_zones();
// YAML <-> JSON for configuration files.
std::unique_ptr<ports::yaml> open_yaml();
// OpenAI's Realtime API at OPENAI_REALTIME_URL, for calls. `tls` must outlive it.
std::unique_ptr<ports::realtime_model> open_realtime_model(const config& cfg, boost::asio::ssl::context& tls);
// Chat Completions at OPENAI_API_URL (the after-call extraction). `tls` must outlive it.
std::unique_ptr<ports::chat_model> open_chat_model(const config& cfg, boost::asio::ssl::context& tls);
// The system's clock.
std::shared_ptr<ports::clock> open_clock();

}  // namespace vg::app
