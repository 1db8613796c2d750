// The blob store port over an S3-compatible bucket (AWS S3, MinIO, Supabase Storage, s3rver):
// path-style URLs, every request signed with AWS Signature V4, one net::http_fetch per request.
// Holds only immutable settings, so any number of coroutines on any threads may share one
// instance; each request runs on the calling coroutine's executor.
#pragma once
#include <chrono>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "net/http_client.hpp"
#include "ports/blob_store.hpp"

namespace vg::adapters {

struct s3_config {
  std::string endpoint;  // http(s)://host[:port][/base-path], e.g. https://ID.supabase.co/storage/v1/s3
  std::string region = "us-east-1";
  std::string bucket;
  std::string prefix;  // put in front of every key as is, e.g. "recordings/"
  std::string access_key;
  std::string secret_key;
  std::chrono::milliseconds timeout{60000};       // one whole request, body included
  std::size_t max_object_bytes = 512u << 20;      // largest body read back (net::http_fetch buffers it)
};

class s3_blob_store final : public ports::blob_store {
 public:
  // An empty string, or why `config` cannot work ("S3 endpoint must be http:// or https://...").
  static std::string config_error(const s3_config& config);

  // `tls` must outlive the store, and the store its requests; it serves https:// endpoints.
  // `config` must pass config_error() (otherwise every request fails with that error).
  s3_blob_store(asio::ssl::context& tls, s3_config config);

  // 404 (NoSuchKey) -> "not found: KEY"; 416 -> "range not satisfiable: KEY ..."; other S3 errors
  // -> "S3 403: SignatureDoesNotMatch: <Message>"; no answer -> "S3 unreachable: <why>".
  awaitable<result<ports::blob_info>> put(std::string key, std::string data, std::string content_type) override;
  // One PUT streamed from the file, signed with UNSIGNED-PAYLOAD (hashing first would read it twice
  // on the caller's thread). S3 takes up to 5 GB in one PUT.
  awaitable<result<ports::blob_info>> put_file(std::string key, std::string path, std::string content_type) override;
  awaitable<result<std::string>> get(std::string key, std::uint64_t offset, std::uint64_t length) override;
  // A GET of byte 0 (Range: bytes=0-0) read for its Content-Range and Content-Type:
  // net::http_fetch cannot read the answer to a HEAD (it waits for the announced body).
  awaitable<result<ports::blob_info>> stat(std::string key) override;
  // stat, then DELETE (S3 answers 204 whether or not the key existed).
  awaitable<result<bool>> remove(std::string key) override;

  // "/base-path/bucket/prefix+key", URI-encoded: the path requested and signed.
  std::string object_path(const std::string& key) const;

 private:
  // One PUT of `data`, or of the file at `path` when it is set; `size` is what the answer reports.
  awaitable<result<ports::blob_info>> put_object(std::string key, std::string type, std::string data, std::string path,
                                                 std::uint64_t size);
  awaitable<result<net::client_response>> send(const char* method, std::string key,
                                               std::vector<std::pair<std::string, std::string>> headers,
                                               std::string body, std::string body_file = {}) const;

  asio::ssl::context& tls_;
  s3_config config_;
  std::string config_error_;
  std::string origin_;     // "http://127.0.0.1:9000"
  std::string host_;       // the Host header net::http_fetch sends, which is signed
  std::string base_path_;  // "" or "/storage/v1/s3"
};

}  // namespace vg::adapters
