// The organisations, assistants and numbers, held in memory so a call finds its assistant
// without touching the database. A snapshot is immutable and shared; it is rebuilt on the
// store thread after every configuration write, and when another node sharing the database
// bumps the configuration version (polled). current() is thread-safe and lock-free to read
// after a short mutex-held pointer copy.
#pragma once
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "core/agent/org_config.hpp"
#include "core/agent/prompt_builder.hpp"
#include "ports/store.hpp"
#include "ports/zones.hpp"

namespace vg::app {

struct org_entry {
  agent::organization org;
  std::vector<agent::assistant> assistants;
};

struct directory_snapshot {
  std::int64_t version = -1;
  std::map<std::string, org_entry> orgs;
  std::unordered_map<std::string, std::string> number_to_org;
  // What is wrong with each organisation as stored ("path: message"), for those with anything
  // wrong, unreadable ones included: a document stored by an earlier version, or before a check
  // was added (core/agent/document_checks.hpp). An organisation that fails a document check
  // still answers calls; an unreadable organisation or assistant is not served.
  std::map<std::string, std::vector<std::string>> problems;

  const org_entry* find(const std::string& org_id) const;
  const org_entry* by_number(const std::string& number) const;
};

// What a call is answered with: the assistant and its prompt at this moment.
struct call_setup {
  std::string org_id;
  std::string assistant_id;
  std::string instructions;
  std::string greeting_prompt;
  std::string voice;
  std::string tools_json;  // the assistant's tools for session.update; empty: none
  // The configuration the call was answered with (kept alive by the snapshot), for its tools.
  std::shared_ptr<const directory_snapshot> snap;
  const org_entry* org = nullptr;
  const agent::assistant* assistant = nullptr;
};

// Store rows of the configuration (documents as JSON text).
ports::org_record to_record(const agent::organization& org);
ports::assistant_record to_record(const std::string& org_id, const agent::assistant& a);

class directory {
 public:
  // Organisations' time zones come from `zones` (kept by reference: it outlives the directory).
  // With log_problems, each problem of a stored document is logged with its path when a load
  // first finds it (at start-up, then when another node's write brings a new one); the command
  // line turns it off where it prints the problems itself.
  explicit directory(ports::zones& zones, bool log_problems = true) : zones_(zones), log_problems_(log_problems) {}

  std::shared_ptr<const directory_snapshot> current() const;
  // Reads everything from the store (on the store thread). Unreadable documents are skipped,
  // so one bad row cannot take the others down; they and the documents that fail a check are
  // kept in the snapshot's `problems` (and logged).
  void reload(ports::store& store);
  // Reloads only when the store's configuration version moved (another node wrote).
  void reload_if_changed(ports::store& store);

  // The organisation for a call: ?org=/org_id= first, then the called number, then the only
  // organisation if there is exactly one. Null when none fits.
  const org_entry* route(const directory_snapshot& snap, const std::string& org_param, const std::string& number) const;

  // The business's wall clock now, in its time zone (UTC when the zone cannot be loaded).
  agent::local_clock local_now(const agent::organization& org, std::int64_t unix_seconds);
  std::string prompt(const org_entry& entry, const agent::assistant& a, std::int64_t unix_seconds);
  ports::zones& zones() { return zones_; }

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const directory_snapshot> current_ = std::make_shared<directory_snapshot>();
  ports::zones& zones_;
  bool log_problems_;
};

}  // namespace vg::app
