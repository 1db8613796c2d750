#include "app/orgs/directory.hpp"

#include <algorithm>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "core/agent/document_checks.hpp"
#include "core/agent/org_config_json.hpp"
#include "net/log.hpp"

namespace vg::app {

ports::org_record to_record(const agent::organization& org) {
  return {org.id, org.name, boost::json::serialize(agent::to_json(org)), org.numbers};
}

ports::assistant_record to_record(const std::string& org_id, const agent::assistant& a) {
  return {org_id, a.id, boost::json::serialize(agent::to_json(a))};
}

const org_entry* directory_snapshot::find(const std::string& org_id) const {
  const auto it = orgs.find(org_id);
  return it == orgs.end() ? nullptr : &it->second;
}

const org_entry* directory_snapshot::by_number(const std::string& number) const {
  const auto it = number_to_org.find(number);
  return it == number_to_org.end() ? nullptr : find(it->second);
}

std::shared_ptr<const directory_snapshot> directory::current() const {
  std::lock_guard lock(mu_);
  return current_;
}

void directory::reload(ports::store& store) {
  auto snap = std::make_shared<directory_snapshot>();
  snap->version = store.config_version();
  // Unreadable rows are not served (what they meant cannot be known): errors. A readable
  // document that fails a check is served as it is: warnings.
  struct found_problem {
    std::string org_id, text;
    bool unreadable;
    std::string log_line;
  };
  std::vector<found_problem> found;
  auto problem = [&](const std::string& org_id, std::string text, bool unreadable, std::string line) {
    snap->problems[org_id].push_back(text);
    found.push_back({org_id, std::move(text), unreadable, std::move(line)});
  };
  for (const auto& rec : store.list_orgs()) {
    boost::system::error_code ec;
    auto parsed = agent::organization_from_json(boost::json::parse(rec.doc, ec));
    if (ec || !parsed) {
      const std::string why = ec ? ec.message() : parsed.error_message();
      problem(rec.id, "unreadable, not served: " + why, true,
              "organisation '" + rec.id + "' in the store is unreadable, skipped: " + why);
      continue;
    }
    parsed->numbers = rec.numbers;
    // Load the zone file here, on the store thread, so no call's thread ever reads it.
    if (auto zone = zones_.check(parsed->timezone); !zone) log::warn("organisation '" + rec.id + "': " + zone.error_message());
    for (const auto& n : rec.numbers) snap->number_to_org[n] = rec.id;
    snap->orgs[rec.id].org = std::move(*parsed);
  }
  for (const auto& rec : store.list_assistants("")) {
    auto* entry = snap->orgs.count(rec.org_id) ? &snap->orgs[rec.org_id] : nullptr;
    if (entry == nullptr) continue;
    boost::system::error_code ec;
    auto parsed = agent::assistant_from_json(boost::json::parse(rec.doc, ec));
    if (ec || !parsed) {
      const std::string why = ec ? ec.message() : parsed.error_message();
      problem(rec.org_id, "assistant '" + rec.id + "' is unreadable, not served: " + why, true,
              "assistant '" + rec.org_id + "/" + rec.id + "' in the store is unreadable, skipped: " + why);
      continue;
    }
    entry->assistants.push_back(std::move(*parsed));
  }
  for (const auto& [id, entry] : snap->orgs) {
    for (const auto& p : agent::check_document(agent::org_document{entry.org, entry.assistants})) {
      problem(id, p.text(), false,
              "organisation '" + id + "' does not pass a check (it still answers calls; correct it and PUT or import "
              "the document again): " + p.text());
    }
  }
  std::shared_ptr<const directory_snapshot> previous = std::move(snap);
  {
    std::lock_guard lock(mu_);
    std::swap(previous, current_);
  }
  if (!log_problems_) return;
  // Each once: a reload after every write must not repeat what start-up said.
  for (const auto& f : found) {
    const auto before = previous->problems.find(f.org_id);
    const bool known = before != previous->problems.end() &&
                       std::find(before->second.begin(), before->second.end(), f.text) != before->second.end();
    if (known) continue;
    if (f.unreadable) log::error(f.log_line);
    else log::warn(f.log_line);
  }
}

void directory::reload_if_changed(ports::store& store) {
  if (store.config_version() != current()->version) reload(store);
}

const org_entry* directory::route(const directory_snapshot& snap, const std::string& org_param,
                                  const std::string& number) const {
  if (!org_param.empty()) return snap.find(org_param);
  if (const auto* e = snap.by_number(number)) return e;
  if (snap.orgs.size() == 1) return &snap.orgs.begin()->second;
  return nullptr;
}

agent::local_clock directory::local_now(const agent::organization& org, std::int64_t unix_seconds) {
  agent::local_clock c;
  auto local = zones_.local_time(org.timezone, unix_seconds);
  tz::local_time t;
  if (local) {
    t = *local;
  } else {
    log::warn("organisation '" + org.id + "': " + local.error_message() + "; using UTC");
    t = tz::utc_time(unix_seconds);
  }
  c.year = t.year, c.month = t.month, c.day = t.day, c.hour = t.hour, c.minute = t.minute, c.weekday = t.weekday;
  c.utc_offset = tz::format_offset(t.utc_offset_s);
  return c;
}

std::string directory::prompt(const org_entry& entry, const agent::assistant& a, std::int64_t unix_seconds) {
  return agent::build_prompt(entry.org, a, local_now(entry.org, unix_seconds));
}

}  // namespace vg::app
