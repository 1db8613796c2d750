#include "core/agent/org_config.hpp"

#include <algorithm>

namespace vg::agent {

bool weekly_hours::empty() const {
  return std::all_of(days.begin(), days.end(), [](const auto& d) { return d.empty(); });
}

const assistant* pick_assistant(const std::vector<assistant>& assistants, std::string_view id) {
  if (assistants.empty()) return nullptr;
  if (id.empty()) return &assistants.front();
  for (const auto& a : assistants) {
    if (a.id == id) return &a;
  }
  return nullptr;
}

namespace {
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_lower_alnum(char c) { return is_digit(c) || (c >= 'a' && c <= 'z'); }
}  // namespace

bool is_slug(std::string_view s) {
  if (s.empty() || s.size() > 64 || !is_lower_alnum(s.front())) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return is_lower_alnum(c) || c == '-' || c == '_'; });
}

bool is_e164(std::string_view s) {
  if (s.size() < 9 || s.size() > 16 || s[0] != '+' || s[1] < '1' || s[1] > '9') return false;
  return std::all_of(s.begin() + 1, s.end(), is_digit);
}

bool is_email(std::string_view s) {
  const auto at = s.find('@');
  if (s.size() > 254 || at == 0 || at == std::string_view::npos) return false;
  const std::string_view host = s.substr(at + 1);
  return host.find('@') == std::string_view::npos && host.find('.') != std::string_view::npos && host.front() != '.' &&
         host.back() != '.' && host.find("..") == std::string_view::npos &&
         s.find_first_of(" \t\r\n\v\f<>,;") == std::string_view::npos;
}

}  // namespace vg::agent
