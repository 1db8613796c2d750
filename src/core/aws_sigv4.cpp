// AWS Signature Version 4 (the "Authorization header" form). Pure functions; see aws_sigv4.hpp.
#include "core/aws_sigv4.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "core/http/percent_encoding.hpp"
#include "core/text.hpp"

namespace vg::aws {
namespace {

constexpr std::string_view algorithm = "AWS4-HMAC-SHA256";

// Trims leading and trailing whitespace and collapses inner runs of spaces to one.
std::string trim_value(std::string_view v) {
  const auto space = [](char c) { return c == ' ' || c == '\t'; };
  while (!v.empty() && space(v.front())) v.remove_prefix(1);
  while (!v.empty() && space(v.back())) v.remove_suffix(1);
  std::string out;
  out.reserve(v.size());
  bool in_space = false;
  for (const char c : v) {
    if (space(c)) {
      if (!in_space) out += ' ';
      in_space = true;
    } else {
      out += c;
      in_space = false;
    }
  }
  return out;
}

std::string date8_of(std::string_view amz_datetime) { return std::string(amz_datetime.substr(0, 8)); }

}  // namespace

std::string uri_encode(std::string_view s, bool encode_slash) { return http::percent_encode(s, encode_slash ? "" : "/"); }

std::string canonical_query_string(const name_values& query) {
  std::vector<std::pair<std::string, std::string>> encoded;
  encoded.reserve(query.size());
  for (const auto& [n, v] : query) encoded.emplace_back(uri_encode(n, true), uri_encode(v, true));
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [n, v] : encoded) {
    if (!out.empty()) out += '&';
    out += n;
    out += '=';
    out += v;
  }
  return out;
}

canonical_header_block canonical_headers(const name_values& headers) {
  std::vector<std::pair<std::string, std::string>> sorted;
  sorted.reserve(headers.size());
  for (const auto& [n, v] : headers) sorted.emplace_back(text::lower(trim_value(n)), trim_value(v));
  // Stable: a header given twice keeps its values in the order sent ("a,b").
  std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  canonical_header_block out;
  for (std::size_t i = 0; i < sorted.size(); ++i) {
    if (i > 0 && sorted[i].first == sorted[i - 1].first) {
      out.lines.pop_back();  // the '\n': this value joins the previous line
      out.lines += ',' + sorted[i].second + '\n';
      continue;
    }
    out.lines += sorted[i].first + ':' + sorted[i].second + '\n';
    if (!out.signed_names.empty()) out.signed_names += ';';
    out.signed_names += sorted[i].first;
  }
  return out;
}

std::string canonical_request(const request& r) {
  const canonical_header_block h = canonical_headers(r.headers);
  std::string out;
  out.reserve(256 + h.lines.size());
  out += r.method;
  out += '\n';
  out += r.canonical_uri.empty() ? "/" : r.canonical_uri;
  out += '\n';
  out += canonical_query_string(r.query);
  out += '\n';
  out += h.lines;
  out += '\n';
  out += h.signed_names;
  out += '\n';
  out += r.payload_hash;
  return out;
}

std::string amz_date(std::int64_t unix_seconds) {
  using namespace std::chrono;
  const sys_seconds t{seconds(unix_seconds)};
  const sys_days day = floor<days>(t);
  const year_month_day ymd{day};
  const hh_mm_ss hms{t - day};
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d%02u%02uT%02d%02d%02dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  return buf;
}

std::string credential_scope(std::string_view date8, std::string_view region, std::string_view service) {
  std::string out(date8);
  out += '/';
  out += region;
  out += '/';
  out += service;
  out += "/aws4_request";
  return out;
}

std::string string_to_sign(std::string_view amz_datetime, std::string_view scope, std::string_view canonical) {
  std::string out(algorithm);
  out += '\n';
  out += amz_datetime;
  out += '\n';
  out += scope;
  out += '\n';
  out += crypto::hex(crypto::sha256(canonical));
  return out;
}

crypto::sha256_digest signing_key(std::string_view secret_access_key, std::string_view date8,
                                  std::string_view region, std::string_view service) {
  const auto as_view = [](const crypto::sha256_digest& d) {
    return std::string_view(reinterpret_cast<const char*>(d.data()), d.size());
  };
  const std::string k_secret = "AWS4" + std::string(secret_access_key);
  const auto k_date = crypto::hmac_sha256(k_secret, date8);
  const auto k_region = crypto::hmac_sha256(as_view(k_date), region);
  const auto k_service = crypto::hmac_sha256(as_view(k_region), service);
  return crypto::hmac_sha256(as_view(k_service), "aws4_request");
}

std::string authorization(const request& r, const credentials& c, std::string_view amz_datetime,
                          std::string_view region, std::string_view service) {
  const std::string date8 = date8_of(amz_datetime);
  const std::string scope = credential_scope(date8, region, service);
  const std::string to_sign = string_to_sign(amz_datetime, scope, canonical_request(r));
  const auto key = signing_key(c.secret_access_key, date8, region, service);
  const auto sig = crypto::hmac_sha256(std::string_view(reinterpret_cast<const char*>(key.data()), key.size()), to_sign);
  std::string out(algorithm);
  out += " Credential=" + c.access_key_id + '/' + scope;
  out += ",SignedHeaders=" + canonical_headers(r.headers).signed_names;
  out += ",Signature=" + crypto::hex(sig);
  return out;
}

std::string sign_s3(request& r, const credentials& c, std::string_view region, std::int64_t unix_seconds,
                    std::string_view payload) {
  return sign_s3_with_payload_hash(r, c, region, unix_seconds, crypto::hex(crypto::sha256(payload)));
}

std::string sign_s3_with_payload_hash(request& r, const credentials& c, std::string_view region,
                                      std::int64_t unix_seconds, std::string payload_hash) {
  const std::string when = amz_date(unix_seconds);
  r.payload_hash = std::move(payload_hash);
  r.headers.emplace_back("x-amz-content-sha256", r.payload_hash);
  r.headers.emplace_back("x-amz-date", when);
  if (!c.session_token.empty()) r.headers.emplace_back("x-amz-security-token", c.session_token);
  return authorization(r, c, when, region, "s3");
}

}  // namespace vg::aws
