// The fake Supabase Storage: routing under /storage/v1/object/, the gateway's key check, the
// Storage API's answers and error documents. All state sits behind one mutex; request handling
// runs on the fake's own loop thread.
#include "tests/fakes/fake_supabase_storage.hpp"

#include <boost/json.hpp>

#include <map>
#include <mutex>
#include <utility>

#include "core/crypto.hpp"
#include "net/http_server.hpp"
#include "tests/fakes/event_loop.hpp"

namespace vg::fakes {
namespace js = boost::json;

namespace {

constexpr std::string_view object_prefix = "/storage/v1/object/";

net::http_response json_response(int status, const js::object& body) {
  return net::http_response{status, "application/json; charset=utf-8", js::serialize(body), {}};
}

// A decimal with nothing around it, or nullopt. (The fake's own, not voxgate's parser.)
std::optional<std::uint64_t> decimal(std::string_view s) {
  if (s.empty() || s.size() > 18) return std::nullopt;
  std::uint64_t n = 0;
  for (const char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return n;
}

}  // namespace

struct fake_supabase_storage::impl {
  options opts;
  event_loop loop;
  mutable std::mutex mutex;
  std::map<std::string, supabase_object> objects;
  std::vector<supabase_request> requests;
  int fail_count = 0, fail_status = 500;
  std::string fail_body;
  std::unique_ptr<net::http_server> server;
  std::uint16_t port = 0;

  // The Storage API's error document. The service answers most errors with HTTP 400 and the
  // real status in "statusCode" (a string); status_in_body off answers the real status.
  net::http_response storage_error(int status, std::string code, std::string error, std::string message) const {
    const int http = opts.status_in_body ? (status >= 500 ? 500 : 400) : status;
    return json_response(http, {{"statusCode", std::to_string(status)}, {"code", code}, {"error", error}, {"message", message}});
  }
  net::http_response no_bucket() const { return storage_error(404, "NoSuchBucket", "Bucket not found", "Bucket not found"); }
  net::http_response no_object() const { return storage_error(404, "NoSuchKey", "not_found", "Object not found"); }

  awaitable<net::http_response> handle(net::http_request req) {
    std::lock_guard lock(mutex);
    supabase_request rec{req.method, std::string(req.path()), req.headers, req.body.size(), 0};
    net::http_response res = respond(req);
    rec.status = res.status;
    requests.push_back(std::move(rec));
    co_return res;
  }

  // Synchronous and under the mutex: one request is one step, as the service's would be.
  net::http_response respond(const net::http_request& req) {
    if (fail_count > 0) {
      --fail_count;
      return net::http_response{fail_status, "application/json", fail_body, {}};
    }
    const std::string_view path = req.path();
    if (!path.starts_with(object_prefix)) return json_response(404, {{"message", "no Route matched with those values"}});
    std::string_view rest = path.substr(object_prefix.size());
    if (rest.starts_with("public/")) {
      if (req.method != "GET") return method_not_found(req);
      return read_public(rest.substr(7), req);  // no key needed: anyone may read a public bucket
    }
    if (auto refused = check_key(req)) return *refused;
    if (rest.starts_with("authenticated/")) {
      if (req.method != "GET") return method_not_found(req);
      return read(rest.substr(14), req);
    }
    if (req.method == "GET") return read(rest, req);  // the older, deprecated form of the same read
    if (req.method == "POST" || req.method == "PUT") return write(rest, req);
    if (req.method == "DELETE") return remove(rest);
    return method_not_found(req);
  }

  static net::http_response method_not_found(const net::http_request& req) {
    return json_response(404, {{"statusCode", 404}, {"error", "Not Found"},
                               {"message", "Route " + req.method + ":" + std::string(req.path()) + " not found"}});
  }

  // The gateway wants the key in `apikey`. A legacy key is a JWT, sent as the bearer token too;
  // the sb_ keys are not JWTs, and Storage refuses one as a bearer token.
  std::optional<net::http_response> check_key(const net::http_request& req) const {
    if (req.header("apikey") != opts.key) return json_response(401, {{"message", "Invalid API key"}});
    const std::string_view auth = req.header("authorization");
    const bool jwt_key = !opts.key.starts_with("sb_");
    if (jwt_key && auth != "Bearer " + opts.key) {
      return storage_error(403, "InvalidJWT", "Unauthorized", auth.empty() ? "headers must have required property 'authorization'"
                                                                           : "invalid signature");
    }
    if (!jwt_key && !auth.empty()) return storage_error(403, "InvalidJWT", "Unauthorized", "Invalid Compact JWS");
    return std::nullopt;
  }

  // "BUCKET/NAME" -> the object's name, or an error answer for another bucket or no name.
  std::optional<std::string> name_in_bucket(std::string_view rest, net::http_response& error) const {
    const auto slash = rest.find('/');
    if (slash == std::string_view::npos || slash + 1 == rest.size()) {
      error = storage_error(400, "InvalidKey", "Invalid Input", "Invalid key: " + std::string(rest));
      return std::nullopt;
    }
    if (rest.substr(0, slash) != opts.bucket) {
      error = no_bucket();
      return std::nullopt;
    }
    return std::string(rest.substr(slash + 1));
  }

  net::http_response write(std::string_view rest, const net::http_request& req) {
    net::http_response error;
    const auto name = name_in_bucket(rest, error);
    if (!name) return error;
    const bool exists = objects.count(*name) != 0;
    if (req.method == "POST" && exists && req.header("x-upsert") != "true") {
      return storage_error(409, "Duplicate", "Duplicate", "The resource already exists");
    }
    if (req.method == "PUT" && !exists) return no_object();
    std::string type(req.header("content-type"));
    if (type.empty()) type = "text/plain;charset=UTF-8";
    objects[*name] = supabase_object{req.body, type};
    std::uint8_t id[16];
    crypto::random_bytes(id, sizeof id);
    return json_response(200, {{"Key", opts.bucket + "/" + *name}, {"Id", crypto::hex(id, sizeof id)}});
  }

  net::http_response remove(std::string_view rest) {
    net::http_response error;
    const auto name = name_in_bucket(rest, error);
    if (!name) return error;
    if (objects.erase(*name) == 0) return no_object();
    return json_response(200, {{"message", "Successfully deleted"}});
  }

  net::http_response read_public(std::string_view rest, const net::http_request& req) {
    if (!opts.public_bucket) return no_bucket();  // the service looks the bucket up as a public one
    return read(rest, req);
  }

  // The object, whole or the part a Range asks for (bytes=a-b, a-, -n), as the service answers
  // from its S3 backend: 206 with Content-Range, or the backend's 416 as an error document.
  net::http_response read(std::string_view rest, const net::http_request& req) const {
    net::http_response error;
    const auto name = name_in_bucket(rest, error);
    if (!name) return error;
    const auto it = objects.find(*name);
    if (it == objects.end()) return no_object();
    const std::string& data = it->second.data;
    const std::uint64_t size = data.size();
    const std::string_view range = req.header("range");
    net::http_response res{200, it->second.content_type, data, {{"accept-ranges", "bytes"}}};
    if (range.empty()) return res;
    const auto dash = range.find('-');
    if (!range.starts_with("bytes=") || dash == std::string_view::npos) return res;
    const std::string_view from = range.substr(6, dash - 6), to = range.substr(dash + 1);
    std::uint64_t first = 0, last = size == 0 ? 0 : size - 1;
    if (from.empty()) {  // the last n bytes
      const auto n = decimal(to);
      if (!n) return res;
      first = *n >= size ? 0 : size - *n;
      if (*n == 0) first = size;  // nothing: unsatisfiable
    } else {
      const auto a = decimal(from);
      const auto b = to.empty() ? std::optional<std::uint64_t>(last) : decimal(to);
      if (!a || !b) return res;
      first = *a;
      last = std::min(*b, last);
      if (*b < *a) first = size;
    }
    if (first >= size) return storage_error(416, "S3Error", "S3Error", "InvalidRange");
    res.status = 206;
    res.body = data.substr(first, last - first + 1);
    res.headers.emplace_back("content-range", "bytes " + std::to_string(first) + "-" + std::to_string(last) + "/" +
                                                  std::to_string(size));
    return res;
  }
};

fake_supabase_storage::fake_supabase_storage() : fake_supabase_storage(options{}) {}

fake_supabase_storage::fake_supabase_storage(options o) : impl_(std::make_unique<impl>()) {
  impl_->opts = std::move(o);
  impl_->server = std::make_unique<net::http_server>(
      std::vector<asio::io_context*>{&impl_->loop.context()},
      net::http_handlers{[i = impl_.get()](net::http_request req) { return i->handle(std::move(req)); }, {}},
      64u << 20);  // recordings are larger than voxgate's own routes take
  impl_->port = impl_->server->listen("127.0.0.1", 0);
}

fake_supabase_storage::~fake_supabase_storage() {
  impl_->loop.run_sync([](impl* i) -> awaitable<void> {
    i->server->stop();
    co_return;
  }(impl_.get()));
  impl_->loop.stop();
  impl_->server.reset();
}

std::string fake_supabase_storage::url() const { return "http://127.0.0.1:" + std::to_string(impl_->port); }
const fake_supabase_storage::options& fake_supabase_storage::settings() const { return impl_->opts; }

std::optional<supabase_object> fake_supabase_storage::object(const std::string& name) const {
  std::lock_guard lock(impl_->mutex);
  const auto it = impl_->objects.find(name);
  if (it == impl_->objects.end()) return std::nullopt;
  return it->second;
}

std::vector<std::string> fake_supabase_storage::names() const {
  std::lock_guard lock(impl_->mutex);
  std::vector<std::string> out;
  for (const auto& [name, o] : impl_->objects) out.push_back(name);
  return out;
}

std::vector<supabase_request> fake_supabase_storage::requests() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->requests;
}

void fake_supabase_storage::fail_next(int count, int http_status, std::string body) {
  std::lock_guard lock(impl_->mutex);
  impl_->fail_count = count;
  impl_->fail_status = http_status;
  impl_->fail_body = std::move(body);
}

}  // namespace vg::fakes
