#include "adapters/zoneinfo.hpp"

#include <date/tz.h>

#include <chrono>
#include <exception>
#include <utility>

namespace vg::adapters {
namespace {

bool allowed(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '+' ||
         c == '-' || c == '/';
}

// The name goes into error messages (and from there into logs): keep it short and printable.
std::string quoted(std::string_view name) {
  std::string out = "'";
  for (char c : name.substr(0, 64)) out += (c >= 0x20 && c < 0x7F) ? c : '?';
  if (name.size() > 64) out += "...";
  return out + "'";
}

// Instants date/tz is asked about: its sys_info spans years -32767..32767, so stay well inside.
constexpr std::int64_t query_limit = std::int64_t{1} << 40;  // about 35,000 years

date::sys_info info_at(const date::time_zone& tz, std::int64_t utc_seconds) {
  const std::int64_t t = std::clamp(utc_seconds, -query_limit, query_limit);
  return tz.get_info(date::sys_seconds{std::chrono::seconds{t}});
}

}  // namespace

tz::local_time zone::to_local(std::int64_t utc_seconds) const {
  if (tz_ == nullptr) return tz::utc_time(utc_seconds);
  const date::sys_info info = info_at(*tz_, utc_seconds);
  return tz::civil_time(utc_seconds, static_cast<int>(info.offset.count()), info.save != std::chrono::minutes{0},
                        std::move(info.abbrev));
}

vg::result<zone> load_zone(std::string_view name) {
  // No "." is allowed at all, so ".." and "./" cannot occur; checked separately for clarity.
  bool ok = !name.empty() && name.front() != '/' && name.find("..") == std::string_view::npos;
  for (char c : name) ok = ok && allowed(c);
  if (!ok) return make_error("invalid time zone name " + quoted(name), error_kind::invalid);

  const date::time_zone* found = nullptr;
  try {
    found = date::locate_zone(name);  // throws for a name not in the database, or no database
  } catch (const std::exception&) {
    if (name == "UTC" || name == "Etc/UTC") return zone(std::string(name), nullptr);
    return make_error("unknown time zone " + quoted(name), error_kind::not_found);
  }
  try {
    info_at(*found, 0);  // date/tz reads the zone's file on first use: read it now, where failure is handled
  } catch (const std::exception& e) {
    return make_error("time zone " + quoted(name) + ": cannot be read (" + e.what() + ")");
  }
  return zone(std::string(name), found);
}

zone_cache::zone_cache() { (void)load_zone("UTC"); }

vg::result<std::shared_ptr<const zone>> zone_cache::get(std::string_view name) {
  {
    std::lock_guard lock(mu_);
    if (auto it = zones_.find(name); it != zones_.end()) return it->second;
  }
  // Load without the lock so one slow disk read doesn't stall lookups of zones already cached.
  auto loaded = load_zone(name);
  if (!loaded) return loaded.failure();
  auto z = std::make_shared<const zone>(std::move(loaded).value());
  std::lock_guard lock(mu_);
  // If another thread loaded the same zone meanwhile, keep the first so every caller shares it.
  return zones_.try_emplace(std::string(name), std::move(z)).first->second;
}

}  // namespace vg::adapters
