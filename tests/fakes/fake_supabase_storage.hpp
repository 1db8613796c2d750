// A fake of Supabase Storage's HTTP API (docs/protocols/supabase-storage.md) over real HTTP on
// 127.0.0.1, served from its own io_context thread: one project with one bucket, objects kept in
// memory. It checks what the real service checks on the paths voxgate uses: the API key in
// `apikey` (and, for a legacy JWT key, the same key as the bearer token; an sb_ key must not be
// one), x-upsert before replacing an object, the bucket name, and answers as the Storage API
// does, errors included (HTTP 400 with the real status in the body's "statusCode", or, with
// status_in_body off, the real status). Every public method is thread-safe.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "net/headers.hpp"

namespace vg::fakes {

struct supabase_request {  // one request as the fake received it
  std::string method;
  std::string path;          // target without any query
  net::header_list headers;  // names lower-cased
  std::size_t body_bytes = 0;
  int status = 0;            // what the fake answered
};

struct supabase_object {
  std::string data;
  std::string content_type;
};

class fake_supabase_storage {
 public:
  // A legacy service_role key has the shape of a JWT (three base64url parts).
  static constexpr const char* default_key = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJyb2xlIjoic2VydmljZV9yb2xlIn0.ZmFrZS1zaWduYXR1cmU";

  struct options {
    std::string key = default_key;        // the project's API key (an sb_secret_... key is not a JWT)
    std::string bucket = "call-recordings";
    bool public_bucket = true;            // GET /object/public/... serves its objects
    bool status_in_body = true;           // errors as HTTP 400 + {"statusCode": "404", ...}, as the service answers
  };

  fake_supabase_storage();
  explicit fake_supabase_storage(options o);
  ~fake_supabase_storage();

  std::string url() const;  // http://127.0.0.1:PORT: the SUPABASE_URL to use
  const options& settings() const;

  // The object `name` (its path inside the bucket), if stored.
  std::optional<supabase_object> object(const std::string& name) const;
  std::vector<std::string> names() const;  // every stored object's name, sorted
  std::vector<supabase_request> requests() const;

  // The next `count` requests get `http_status` with `body` (JSON), before any check, as an
  // outage or the gateway would answer.
  void fail_next(int count, int http_status, std::string body);

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace vg::fakes
