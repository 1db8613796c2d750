#include "adapters/zoneinfo.hpp"

#include <filesystem>
#include <fstream>
#include <iterator>
#include <system_error>
#include <utility>

namespace vg::adapters {
namespace {

// Real zone files are a few KB; anything much larger is not one, so don't read it all.
constexpr std::uintmax_t max_file_size = 1 << 20;

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

}  // namespace

vg::result<vg::tz::zone> load_zone(std::string_view name, const std::string& root) {
  // No "." is allowed at all, so ".." and "./" cannot occur; checked separately for clarity.
  bool ok = !name.empty() && name.front() != '/' && name.find("..") == std::string_view::npos;
  for (char c : name) ok = ok && allowed(c);
  if (!ok) return make_error("invalid time zone name " + quoted(name));

  const std::filesystem::path path = std::filesystem::path(root) / std::string(name);
  std::error_code ec;
  // is_regular_file follows symlinks (UTC -> Etc/UTC) and rules out directories ("America").
  if (!std::filesystem::is_regular_file(path, ec)) {
    if (name == "UTC" || name == "Etc/UTC") return vg::tz::fixed_zone(name, 0);
    return make_error("unknown time zone " + quoted(name));
  }
  const std::uintmax_t size = std::filesystem::file_size(path, ec);
  if (ec || size > max_file_size) return make_error("time zone " + quoted(name) + ": not a zone file");
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in.good() && !in.eof()) return make_error("time zone " + quoted(name) + ": cannot read " + path.string());
  auto zone = vg::tz::parse_tzif(name, bytes);
  if (!zone) return make_error("time zone " + quoted(name) + ": " + zone.error_message());
  return zone;
}

zone_cache::zone_cache(std::string root) : root_(std::move(root)) {}

vg::result<std::shared_ptr<const vg::tz::zone>> zone_cache::get(std::string_view name) {
  {
    std::lock_guard lock(mu_);
    if (auto it = zones_.find(name); it != zones_.end()) return it->second;
  }
  // Load without the lock so one slow disk read doesn't stall lookups of zones already cached.
  auto loaded = load_zone(name, root_);
  if (!loaded) return make_error(loaded.error_message());
  auto zone = std::make_shared<const vg::tz::zone>(std::move(loaded).value());
  std::lock_guard lock(mu_);
  // If another thread loaded the same zone meanwhile, keep the first so every caller shares it.
  return zones_.try_emplace(std::string(name), std::move(zone)).first->second;
}

}  // namespace vg::adapters
