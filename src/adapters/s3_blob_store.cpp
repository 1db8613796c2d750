// S3 blob store: request building and signing (core/aws_sigv4), S3 XML errors -> error values,
// ranged reads. Stateless per request; see s3_blob_store.hpp for the threading contract.
#include "adapters/s3_blob_store.hpp"

#include <boost/url/parse.hpp>

#include <charconv>
#include <filesystem>
#include <chrono>
#include <limits>
#include <optional>
#include <utility>

#include "core/aws_sigv4.hpp"
#include "core/http/byte_range.hpp"

namespace vg::adapters {
namespace {

using headers_t = std::vector<std::pair<std::string, std::string>>;

std::string xml_unescape(std::string_view s) {
  static constexpr std::pair<std::string_view, char> entities[] = {
      {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    bool matched = false;
    for (const auto& [entity, c] : entities) {
      if (s.substr(i, entity.size()) == entity) {
        out += c;
        i += entity.size();
        matched = true;
        break;
      }
    }
    if (!matched) out += s[i++];
  }
  return out;
}

// The text of the first <tag>...</tag> in an S3 error document (flat, so no parser needed).
std::string xml_field(std::string_view body, std::string_view tag) {
  const std::string open = "<" + std::string(tag) + ">";
  const std::string close = "</" + std::string(tag) + ">";
  const auto a = body.find(open);
  if (a == std::string_view::npos) return {};
  const auto b = body.find(close, a + open.size());
  if (b == std::string_view::npos) return {};
  return xml_unescape(body.substr(a + open.size(), b - a - open.size()));
}

std::string describe(const net::client_response& res) {
  std::string out = "S3 " + std::to_string(res.status);
  const std::string code = xml_field(res.body, "Code");
  const std::string message = xml_field(res.body, "Message");
  if (!code.empty()) out += ": " + code;
  if (!message.empty()) out += ": " + message;
  if (code.empty() && message.empty() && !res.body.empty()) {
    std::string excerpt = res.body.substr(0, 200);
    for (char& c : excerpt) {
      if (c == '\r' || c == '\n' || c == '\t') c = ' ';
    }
    out += ": " + excerpt;
  }
  return out;
}

error failure(const net::client_response& res, const std::string& key) {
  if (res.status == 404 && xml_field(res.body, "Code") != "NoSuchBucket") return make_error("not found: " + key, error_kind::not_found);
  if (res.status == 416) return make_error("range not satisfiable: " + key + " (" + describe(res) + ")");
  return make_error(describe(res));
}

std::string content_type_of(const net::client_response& res) {
  std::string type = res.header("content-type");
  return type.empty() ? std::string("application/octet-stream") : type;
}

}  // namespace

std::string s3_blob_store::config_error(const s3_config& c) {
  auto u = boost::urls::parse_uri(c.endpoint);
  if (c.endpoint.empty()) return "S3 endpoint is not set (S3_ENDPOINT, e.g. https://s3.us-east-1.amazonaws.com)";
  if (!u || (u->scheme() != "http" && u->scheme() != "https") || u->host_address().empty()) {
    return "S3 endpoint must be http://HOST[:PORT][/PATH] or https://...: " + c.endpoint;
  }
  if (u->has_query() || u->has_fragment() || u->has_userinfo()) {
    return "S3 endpoint must not have a query, fragment or user: " + c.endpoint;
  }
  if (c.bucket.empty()) return "S3 bucket is not set";
  for (const char ch : c.bucket) {
    const bool ok = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' || ch == '_' ||
                    (ch >= 'A' && ch <= 'Z');
    if (!ok) return "S3 bucket name has a character S3 does not allow: " + c.bucket;
  }
  if (c.region.empty()) return "S3 region is not set";
  if (c.access_key.empty() || c.secret_key.empty()) {
    return "S3 needs an access key and a secret key (S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY)";
  }
  return {};
}

s3_blob_store::s3_blob_store(asio::ssl::context& tls, s3_config config)
    : tls_(tls), config_(std::move(config)), config_error_(config_error(config_)) {
  if (!config_error_.empty()) return;
  auto u = boost::urls::parse_uri(config_.endpoint);
  const std::string host = u->host_address();
  // Exactly what net::http_fetch puts in the Host header: host, plus ":port" when the URL has one.
  host_ = u->has_port() ? host + ":" + std::string(u->port()) : host;
  origin_ = std::string(u->scheme()) + "://" + std::string(u->encoded_host_and_port());
  base_path_ = std::string(u->encoded_path());
  while (!base_path_.empty() && base_path_.back() == '/') base_path_.pop_back();
}

std::string s3_blob_store::object_path(const std::string& key) const {
  return base_path_ + "/" + aws::uri_encode(config_.bucket, true) + "/" + aws::uri_encode(config_.prefix + key, false);
}

awaitable<result<net::client_response>> s3_blob_store::send(const char* method, std::string key, headers_t headers,
                                                            std::string body, std::string body_file) const {
  if (!config_error_.empty()) co_return make_error(config_error_);
  aws::request r;
  r.method = method;
  r.canonical_uri = object_path(key);
  r.headers.emplace_back("host", host_);
  for (auto& h : headers) r.headers.push_back(std::move(h));
  const auto now = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  const aws::credentials creds{config_.access_key, config_.secret_key, {}};
  const std::string authorization =
      body_file.empty() ? aws::sign_s3(r, creds, config_.region, now.time_since_epoch().count(), body)
                        : aws::sign_s3_with_payload_hash(r, creds, config_.region, now.time_since_epoch().count(), "UNSIGNED-PAYLOAD");

  net::client_request req;
  req.method = method;
  req.url = origin_ + r.canonical_uri;
  for (auto& [name, value] : r.headers) {
    if (name != "host") req.headers.emplace_back(std::move(name), std::move(value));
  }
  req.headers.emplace_back("Authorization", authorization);
  req.body = std::move(body);
  req.body_file = std::move(body_file);
  net::client_options options;
  options.timeout = config_.timeout;
  options.tls = &tls_;
  options.max_body = config_.max_object_bytes;
  auto ex = co_await asio::this_coro::executor;
  auto res = co_await net::http_fetch(ex, std::move(req), std::move(options));
  if (!res) co_return make_error("S3 unreachable: " + res.error_message(), res.error_kind());
  co_return std::move(res);
}

awaitable<result<ports::blob_info>> s3_blob_store::put(std::string key, std::string data, std::string content_type) {
  auto type = ports::checked_put(key, content_type);
  if (!type) co_return type.failure();
  const std::uint64_t size = data.size();
  std::string no_file;  // named: no temporaries inside co_await (GCC 12, docs/decisions/0002)
  co_return co_await put_object(std::move(key), std::move(*type), std::move(data), std::move(no_file), size);
}

awaitable<result<ports::blob_info>> s3_blob_store::put_file(std::string key, std::string path, std::string content_type) {
  auto type = ports::checked_put(key, content_type);
  if (!type) co_return type.failure();
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) co_return make_error("cannot read " + path + ": " + ec.message());
  std::string no_data;
  co_return co_await put_object(std::move(key), std::move(*type), std::move(no_data), std::move(path), size);
}

awaitable<result<ports::blob_info>> s3_blob_store::put_object(std::string key, std::string type, std::string data,
                                                              std::string path, std::uint64_t size) {
  headers_t headers{{"content-type", type}};
  std::string object_key = key;
  auto res = co_await send("PUT", std::move(object_key), std::move(headers), std::move(data), std::move(path));
  if (!res) co_return res.failure();
  if (res->status != 200) co_return failure(*res, key);
  co_return ports::blob_info{std::move(key), size, std::move(type)};
}

awaitable<result<std::string>> s3_blob_store::get(std::string key, std::uint64_t offset, std::uint64_t length) {
  if (!ports::valid_blob_key(key)) co_return make_error(ports::invalid_blob_key_message(key));
  const bool whole = offset == 0 && length == 0;
  constexpr auto max = std::numeric_limits<std::uint64_t>::max();
  if (length > max - offset) length = 0;  // past any possible end: to the end
  headers_t headers;
  if (!whole) {
    headers.emplace_back("range", "bytes=" + std::to_string(offset) + "-" +
                                      (length == 0 ? std::string() : std::to_string(offset + length - 1)));
  }
  std::string object_key = key;
  std::string no_body;
  auto res = co_await send("GET", std::move(object_key), std::move(headers), std::move(no_body));
  if (!res) co_return res.failure();
  if (res->status != 200 && res->status != 206) co_return failure(*res, key);
  std::string body = std::move(res->body);
  if (res->status == 200) {  // the whole object (a server may ignore Range): cut it here
    if (whole) co_return body;
    if (offset >= body.size()) {
      co_return make_error("range not satisfiable: " + key + " has " + std::to_string(body.size()) +
                           " bytes, offset " + std::to_string(offset));
    }
    co_return body.substr(offset, length == 0 ? std::string::npos : length);
  }
  const auto range = http::parse_content_range(res->header("content-range"));
  if (!range || range->range.first != offset || body.size() != range->range.length()) {
    co_return make_error("S3 sent a partial answer that does not match the range asked for " + key + " (Content-Range '" +
                         res->header("content-range") + "')");
  }
  // Some servers (s3rver) send more than asked, e.g. everything for "bytes=0-0".
  if (length != 0 && body.size() > length) body.resize(length);
  co_return body;
}

awaitable<result<ports::blob_info>> s3_blob_store::stat(std::string key) {
  if (!ports::valid_blob_key(key)) co_return make_error(ports::invalid_blob_key_message(key));
  headers_t headers{{"range", "bytes=0-0"}};
  std::string object_key = key;
  std::string no_body;
  auto res = co_await send("GET", std::move(object_key), std::move(headers), std::move(no_body));
  if (!res) co_return res.failure();
  if (res->status == 416) {
    // An empty object has no byte 0 (AWS and MinIO answer 416): ask for all of it, i.e. nothing.
    std::string again = key;
    headers_t no_headers;
    std::string still_no_body;
    res = co_await send("GET", std::move(again), std::move(no_headers), std::move(still_no_body));
    if (!res) co_return res.failure();
  }
  if (res->status == 200) co_return ports::blob_info{std::move(key), res->body.size(), content_type_of(*res)};
  if (res->status != 206) co_return failure(*res, key);
  const auto range = http::parse_content_range(res->header("content-range"));
  if (!range || !range->total) {
    co_return make_error("S3 sent no object size for " + key + " (Content-Range '" + res->header("content-range") + "')");
  }
  co_return ports::blob_info{std::move(key), *range->total, content_type_of(*res)};
}

awaitable<result<bool>> s3_blob_store::remove(std::string key) {
  if (!ports::valid_blob_key(key)) co_return make_error(ports::invalid_blob_key_message(key));
  std::string probe = key;
  auto found = co_await stat(std::move(probe));
  if (!found) {
    if (found.error_kind() == error_kind::not_found) co_return false;
    co_return found.failure();
  }
  std::string object_key = key;
  headers_t no_headers;
  std::string no_body;
  auto res = co_await send("DELETE", std::move(object_key), std::move(no_headers), std::move(no_body));
  if (!res) co_return res.failure();
  if (res->status == 204 || res->status == 200) co_return true;
  if (res->status == 404 && xml_field(res->body, "Code") != "NoSuchBucket") co_return false;
  co_return failure(*res, key);
}

}  // namespace vg::adapters
