// Supabase Storage blob store: request building, the Storage API's JSON errors -> error values,
// ranged reads. Stateless per request; see supabase_blob_store.hpp for the threading contract.
// Every wire fact used here is in docs/protocols/supabase-storage.md.
#include "adapters/supabase_blob_store.hpp"

#include <boost/json.hpp>
#include <boost/url/parse.hpp>

#include <charconv>
#include <filesystem>
#include <limits>

#include "core/http/byte_range.hpp"
#include "core/http/percent_encoding.hpp"

namespace vg::adapters {
namespace {

using headers_t = std::vector<std::pair<std::string, std::string>>;

// The Storage API's error document (docs/protocols/supabase-storage.md#errors):
// {"statusCode": "404", "code": "NoSuchKey", "error": "not_found", "message": "Object not found"},
// usually with HTTP 400 whatever statusCode says; the gateway's own are {"message": "..."}.
struct storage_error {
  int http = 0;
  int status = 0;          // statusCode from the body when it has one, else the HTTP status
  bool has_status = false;
  std::string code, error, message;

  bool not_found() const { return status == 404 && !no_bucket(); }
  bool no_bucket() const { return code == "NoSuchBucket" || error == "Bucket not found" || message == "Bucket not found"; }
  bool range_not_satisfiable() const { return status == 416 || code == "InvalidRange" || message == "InvalidRange"; }
};

std::string string_field(const boost::json::object& o, std::string_view name) {
  const auto* v = o.if_contains(name);
  return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
}

storage_error read_error(const net::client_response& res) {
  storage_error e;
  e.http = e.status = res.status;
  boost::system::error_code ec;
  const boost::json::value v = boost::json::parse(res.body, ec);
  if (ec || !v.is_object()) return e;
  const auto& o = v.get_object();
  if (const auto* s = o.if_contains("statusCode")) {
    int n = 0;
    if (s->is_string()) {
      const std::string_view text = s->get_string();
      const auto [p, err] = std::from_chars(text.data(), text.data() + text.size(), n);
      if (err != std::errc{} || p != text.data() + text.size()) n = 0;
    } else if (s->is_int64()) {
      n = static_cast<int>(s->get_int64());
    }
    if (n >= 100 && n <= 599) {
      e.status = n;
      e.has_status = true;
    }
  }
  e.code = string_field(o, "code");
  e.error = string_field(o, "error");
  e.message = string_field(o, "message");
  return e;
}

// "Supabase Storage 400 (statusCode 404): NoSuchBucket: Bucket not found"
std::string describe(const net::client_response& res) {
  const storage_error e = read_error(res);
  std::string out = "Supabase Storage " + std::to_string(res.status);
  if (e.has_status && e.status != res.status) out += " (statusCode " + std::to_string(e.status) + ")";
  const std::string& name = e.code.empty() ? e.error : e.code;
  if (!name.empty()) out += ": " + name;
  if (!e.message.empty() && e.message != name) out += ": " + e.message;
  if (name.empty() && e.message.empty() && !res.body.empty()) {
    std::string excerpt = res.body.substr(0, 200);
    for (char& c : excerpt) {
      if (c == '\r' || c == '\n' || c == '\t') c = ' ';
    }
    out += ": " + excerpt;
  }
  return out;
}

error failure(const net::client_response& res, const std::string& key) {
  const storage_error e = read_error(res);
  if (e.not_found()) return make_error("not found: " + key, error_kind::not_found);
  if (e.range_not_satisfiable()) return make_error("range not satisfiable: " + key + " (" + describe(res) + ")");
  return make_error(describe(res));
}

std::string content_type_of(const net::client_response& res) {
  std::string type = res.header("content-type");
  return type.empty() ? std::string("application/octet-stream") : type;
}

bool header_safe(std::string_view value) {
  for (const char c : value) {
    if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f) return false;
  }
  return true;
}

}  // namespace

bool valid_supabase_bucket(std::string_view bucket) {
  if (bucket.empty() || bucket.size() > 100 || bucket == "." || bucket == "..") return false;
  for (const char c : bucket) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
                    c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string supabase_blob_store::config_error(const supabase_config& c) {
  if (c.project_url.empty()) return "SUPABASE_URL is not set (the project URL, such as https://PROJECT.supabase.co)";
  auto u = boost::urls::parse_uri(c.project_url);
  if (!u || (u->scheme() != "http" && u->scheme() != "https") || u->host_address().empty()) {
    return "SUPABASE_URL must be the project URL, http(s)://HOST[:PORT] such as https://PROJECT.supabase.co";
  }
  if (u->has_userinfo()) return "SUPABASE_URL must not carry a user or password (the key goes in SUPABASE_KEY)";
  if (u->has_query() || u->has_fragment()) return "SUPABASE_URL must not have a query or a fragment";
  std::string path(u->encoded_path());
  while (!path.empty() && path.back() == '/') path.pop_back();
  if (path.ends_with("/storage/v1") || path.ends_with("/storage/v1/object")) {
    return "SUPABASE_URL is the project URL without /storage/v1 (voxgate adds it): https://PROJECT.supabase.co";
  }
  if (c.key.empty()) return "SUPABASE_KEY is not set (the project's secret or service_role key, or its anon key)";
  if (!header_safe(c.key)) return "SUPABASE_KEY has a space or a character an HTTP header cannot carry";
  if (c.bucket.empty()) return "SUPABASE_BUCKET is not set (the Storage bucket's name, such as call-recordings)";
  if (!valid_supabase_bucket(c.bucket)) {
    return "SUPABASE_BUCKET may use only A-Z a-z 0-9 _ . - (1 to 100 characters): got '" + c.bucket.substr(0, 100) + "'";
  }
  return {};
}

supabase_blob_store::supabase_blob_store(asio::ssl::context& tls, supabase_config config)
    : tls_(tls), config_(std::move(config)), config_error_(config_error(config_)) {
  while (!config_.project_url.empty() && config_.project_url.back() == '/') config_.project_url.pop_back();
}

std::string supabase_blob_store::object_path(const std::string& key, std::string_view under) const {
  std::string base;
  if (auto u = boost::urls::parse_uri(config_.project_url)) base = std::string(u->encoded_path());
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + "/storage/v1/object/" + std::string(under) + http::percent_encode(config_.bucket) + "/" +
         http::percent_encode(config_.prefix + key, "/");
}

std::optional<std::string> supabase_blob_store::public_url(std::string_view key) const {
  if (!config_.public_bucket || !config_error_.empty() || !ports::valid_blob_key(key)) return std::nullopt;
  return config_.project_url + "/storage/v1/object/public/" + http::percent_encode(config_.bucket) + "/" +
         http::percent_encode(config_.prefix + std::string(key), "/");
}

awaitable<result<net::client_response>> supabase_blob_store::send(const char* method, std::string path, headers_t headers,
                                                                  std::string body, std::string body_file) const {
  if (!config_error_.empty()) co_return make_error(config_error_);
  auto u = boost::urls::parse_uri(config_.project_url);
  net::client_request req;
  req.method = method;
  req.url = std::string(u->scheme()) + "://" + std::string(u->encoded_host_and_port()) + path;
  // The key goes in `apikey`; a legacy key is a JWT and is the bearer token as well. The new
  // sb_... keys are not JWTs and go in `apikey` only (docs/protocols/supabase-storage.md#authentication).
  req.headers.emplace_back("apikey", config_.key);
  if (!config_.key.starts_with("sb_")) req.headers.emplace_back("Authorization", "Bearer " + config_.key);
  for (auto& h : headers) req.headers.push_back(std::move(h));
  req.body = std::move(body);
  req.body_file = std::move(body_file);
  net::client_options options;
  options.timeout = config_.timeout;
  options.tls = &tls_;
  options.max_body = config_.max_object_bytes;
  auto ex = co_await asio::this_coro::executor;
  auto res = co_await net::http_fetch(ex, std::move(req), std::move(options));
  if (!res) co_return make_error("Supabase Storage unreachable: " + res.error_message(), res.error_kind());
  co_return std::move(res);
}

awaitable<result<ports::blob_info>> supabase_blob_store::put(std::string key, std::string data, std::string content_type) {
  auto type = ports::checked_put(key, content_type);
  if (!type) co_return type.failure();
  const std::uint64_t size = data.size();
  std::string no_file;  // named: no temporaries inside co_await (GCC 12, docs/decisions/0002)
  co_return co_await upload(std::move(key), std::move(*type), std::move(data), std::move(no_file), size);
}

awaitable<result<ports::blob_info>> supabase_blob_store::put_file(std::string key, std::string path,
                                                                  std::string content_type) {
  auto type = ports::checked_put(key, content_type);
  if (!type) co_return type.failure();
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) co_return make_error("cannot read " + path + ": " + ec.message());
  std::string no_data;
  co_return co_await upload(std::move(key), std::move(*type), std::move(no_data), std::move(path), size);
}

awaitable<result<ports::blob_info>> supabase_blob_store::upload(std::string key, std::string type, std::string data,
                                                                std::string path, std::uint64_t size) {
  // x-upsert: true replaces an existing object in the same request; without it a second put of
  // the key would be refused as a duplicate (docs/protocols/supabase-storage.md#upload).
  headers_t headers{{"Content-Type", type}, {"x-upsert", "true"}};
  std::string target = object_path(key);
  auto res = co_await send("POST", std::move(target), std::move(headers), std::move(data), std::move(path));
  if (!res) co_return res.failure();
  if (res->status != 200 && res->status != 201) co_return failure(*res, key);
  co_return ports::blob_info{std::move(key), size, std::move(type)};
}

awaitable<result<std::string>> supabase_blob_store::get(std::string key, std::uint64_t offset, std::uint64_t length) {
  if (!ports::valid_blob_key(key)) co_return make_error(ports::invalid_blob_key_message(key));
  const bool whole = offset == 0 && length == 0;
  constexpr auto max = std::numeric_limits<std::uint64_t>::max();
  if (length > max - offset) length = 0;  // past any possible end: to the end
  headers_t headers;
  if (!whole) {
    headers.emplace_back("Range", "bytes=" + std::to_string(offset) + "-" +
                                      (length == 0 ? std::string() : std::to_string(offset + length - 1)));
  }
  std::string target = object_path(key, "authenticated/");
  std::string no_body, no_file;  // named: no temporaries inside co_await (docs/decisions/0002)
  auto res = co_await send("GET", std::move(target), std::move(headers), std::move(no_body), std::move(no_file));
  if (!res) co_return res.failure();
  if (res->status != 200 && res->status != 206) co_return failure(*res, key);
  std::string body = std::move(res->body);
  if (res->status == 200) {  // the whole object (a server may ignore Range): cut it here
    if (whole) co_return body;
    if (offset >= body.size()) {
      co_return make_error("range not satisfiable: " + key + " has " + std::to_string(body.size()) + " bytes, offset " +
                           std::to_string(offset));
    }
    co_return body.substr(offset, length == 0 ? std::string::npos : length);
  }
  const auto range = http::parse_content_range(res->header("content-range"));
  if (!range || range->range.first != offset || body.size() != range->range.length()) {
    co_return make_error("Supabase Storage sent a partial answer that does not match the range asked for " + key +
                         " (Content-Range '" + res->header("content-range") + "')");
  }
  if (length != 0 && body.size() > length) body.resize(length);
  co_return body;
}

awaitable<result<ports::blob_info>> supabase_blob_store::stat(std::string key) {
  if (!ports::valid_blob_key(key)) co_return make_error(ports::invalid_blob_key_message(key));
  headers_t first_byte{{"Range", "bytes=0-0"}};
  std::string target = object_path(key, "authenticated/");
  std::string no_body, no_file;
  auto res = co_await send("GET", std::move(target), std::move(first_byte), std::move(no_body), std::move(no_file));
  if (!res) co_return res.failure();
  if (res->status != 200 && res->status != 206 && read_error(*res).range_not_satisfiable()) {
    // An empty object has no byte 0: ask for all of it, i.e. nothing.
    std::string again = object_path(key, "authenticated/");
    headers_t no_headers;
    std::string still_no_body, still_no_file;
    res = co_await send("GET", std::move(again), std::move(no_headers), std::move(still_no_body), std::move(still_no_file));
    if (!res) co_return res.failure();
  }
  if (res->status == 200) co_return ports::blob_info{std::move(key), res->body.size(), content_type_of(*res)};
  if (res->status != 206) co_return failure(*res, key);
  const auto range = http::parse_content_range(res->header("content-range"));
  if (!range || !range->total) {
    co_return make_error("Supabase Storage sent no object size for " + key + " (Content-Range '" +
                         res->header("content-range") + "')");
  }
  co_return ports::blob_info{std::move(key), *range->total, content_type_of(*res)};
}

awaitable<result<bool>> supabase_blob_store::remove(std::string key) {
  if (!ports::valid_blob_key(key)) co_return make_error(ports::invalid_blob_key_message(key));
  std::string target = object_path(key);
  headers_t no_headers;
  std::string no_body, no_file;
  auto res = co_await send("DELETE", std::move(target), std::move(no_headers), std::move(no_body), std::move(no_file));
  if (!res) co_return res.failure();
  if (res->status == 200 || res->status == 204) co_return true;
  if (read_error(*res).not_found()) co_return false;
  co_return failure(*res, key);
}

}  // namespace vg::adapters
