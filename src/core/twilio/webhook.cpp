#include "core/twilio/webhook.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "core/base64.hpp"
#include "core/crypto.hpp"
#include "core/http/percent_encoding.hpp"

namespace vg::twilio {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

struct url_parts {
  std::string_view scheme;     // "https"
  std::string_view host;       // without port
  std::string_view port;       // digits or empty
  std::string_view rest;       // path + query, starting with '/' or '?' or empty
};

std::optional<url_parts> split_url(std::string_view url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::nullopt;
  url_parts p;
  p.scheme = url.substr(0, scheme_end);
  std::string_view after = url.substr(scheme_end + 3);
  const auto rest_at = after.find_first_of("/?#");
  std::string_view authority = after.substr(0, rest_at);
  p.rest = rest_at == std::string_view::npos ? std::string_view{} : after.substr(rest_at);
  // Keep userinfo with the host; split the port off the last ':' after any IPv6 bracket.
  // The port can only follow the host, which follows any "user:password@".
  const auto at = authority.rfind('@');
  const auto host_start = at == std::string_view::npos ? 0 : at + 1;
  const auto bracket = authority.rfind(']');
  const auto colon = authority.rfind(':');
  if (colon != std::string_view::npos && colon >= host_start &&
      (bracket == std::string_view::npos || colon > bracket)) {
    p.host = authority.substr(0, colon);
    p.port = authority.substr(colon + 1);
  } else {
    p.host = authority;
  }
  return p;
}

std::string signature_of(std::string_view token, std::string_view data) {
  const auto mac = crypto::hmac_sha1(token, data);
  return base64::encode(std::string_view(reinterpret_cast<const char*>(mac.data()), mac.size()));
}

std::string_view query_param(std::string_view url, std::string_view name) {
  const auto q = url.find('?');
  if (q == std::string_view::npos) return {};
  std::string_view query = url.substr(q + 1);
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    const auto eq = pair.find('=');
    if (pair.substr(0, eq) == name && eq != std::string_view::npos) return pair.substr(eq + 1);
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return {};
}

}  // namespace

std::string url_decode(std::string_view s, bool plus_is_space, bool* ok) {
  std::string out;
  out.reserve(s.size());
  bool good = true;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '+' && plus_is_space) {
      out += ' ';
    } else if (c == '%') {
      const int hi = i + 2 < s.size() ? hex_value(s[i + 1]) : -1;
      const int lo = i + 2 < s.size() ? hex_value(s[i + 2]) : -1;
      if (hi < 0 || lo < 0) {
        good = false;
        out += c;
        continue;
      }
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += c;
    }
  }
  if (ok != nullptr) *ok = good;
  return out;
}

std::string url_encode(std::string_view s) { return http::percent_encode(s); }

std::optional<form> parse_form(std::string_view body) {
  form out;
  while (!body.empty()) {
    const auto amp = body.find('&');
    const std::string_view pair = body.substr(0, amp);
    if (!pair.empty()) {
      const auto eq = pair.find('=');
      bool ok_name = true;
      bool ok_value = true;
      std::string name = url_decode(pair.substr(0, eq), true, &ok_name);
      std::string value = eq == std::string_view::npos ? std::string{} : url_decode(pair.substr(eq + 1), true, &ok_value);
      if (!ok_name || !ok_value) return std::nullopt;
      out.emplace_back(std::move(name), std::move(value));
    }
    if (amp == std::string_view::npos) break;
    body.remove_prefix(amp + 1);
  }
  return out;
}

std::string encode_form(const form& params) {
  std::string out;
  for (const auto& [name, value] : params) {
    if (!out.empty()) out += '&';
    out += url_encode(name);
    out += '=';
    out += url_encode(value);
  }
  return out;
}

std::string_view form_value(const form& params, std::string_view name) {
  for (const auto& [n, v] : params) {
    if (n == name) return v;
  }
  return {};
}

std::string compute_signature(std::string_view auth_token, std::string_view url, const form& post_params) {
  // Sorted names; a repeated name contributes its distinct values in ascending order.
  std::map<std::string, std::set<std::string>> sorted;
  for (const auto& [name, value] : post_params) sorted[name].insert(value);
  std::string data(url);
  for (const auto& [name, values] : sorted) {
    for (const auto& value : values) {
      data += name;
      data += value;
    }
  }
  return signature_of(auth_token, data);
}

std::string url_without_port(std::string_view url) {
  const auto p = split_url(url);
  if (!p || p->port.empty()) return std::string(url);
  std::string out(p->scheme);
  out += "://";
  out += p->host;
  out += p->rest;
  return out;
}

std::string url_with_port(std::string_view url) {
  const auto p = split_url(url);
  if (!p || !p->port.empty()) return std::string(url);
  std::string_view port;
  if (p->scheme == "https" || p->scheme == "wss") port = "443";
  else if (p->scheme == "http" || p->scheme == "ws") port = "80";
  else return std::string(url);
  std::string out(p->scheme);
  out += "://";
  out += p->host;
  out += ':';
  out += port;
  out += p->rest;
  return out;
}

bool validate_signature(std::string_view auth_token, std::string_view url, const form& post_params,
                        std::string_view signature) {
  if (signature.empty()) return false;
  const std::string a = compute_signature(auth_token, url_without_port(url), post_params);
  const std::string b = compute_signature(auth_token, url_with_port(url), post_params);
  // Evaluate both so the time taken does not reveal which candidate matched.
  const bool match_a = crypto::constant_time_equal(a, signature);
  const bool match_b = crypto::constant_time_equal(b, signature);
  return match_a || match_b;
}

bool validate_json_signature(std::string_view auth_token, std::string_view url, std::string_view raw_body,
                             std::string_view signature) {
  const std::string_view expected_hash = query_param(url, "bodySHA256");
  if (expected_hash.empty()) return false;
  if (!validate_signature(auth_token, url, {}, signature)) return false;
  return crypto::constant_time_equal(crypto::hex(crypto::sha256(raw_body)), expected_hash);
}

}  // namespace vg::twilio
