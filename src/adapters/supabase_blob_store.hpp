// The blob store port over Supabase Storage's own HTTP API (seed 001 keeps its recordings
// there): one bucket of a Supabase project, objects at {SUPABASE_URL}/storage/v1/object/...,
// the project's API key in `apikey` (and as the bearer token when it is a legacy JWT key).
// Wire facts: docs/protocols/supabase-storage.md. Holds only immutable settings, so any number
// of coroutines on any threads may share one instance; each request runs on the calling
// coroutine's executor.
#pragma once
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "net/http_client.hpp"
#include "ports/blob_store.hpp"

namespace vg::adapters {

struct supabase_config {
  std::string project_url;  // SUPABASE_URL, e.g. https://PROJECT.supabase.co (no trailing '/')
  std::string key;          // SUPABASE_KEY: a secret (sb_secret_...) or legacy anon/service_role JWT key
  std::string bucket;       // SUPABASE_BUCKET, e.g. call-recordings
  std::string prefix;       // put in front of every key as is, e.g. "voxgate/" (STORAGE_URL=supabase://B/voxgate)
  bool public_bucket = true;                    // SUPABASE_PUBLIC_BUCKET: objects have a permanent public URL
  std::chrono::milliseconds timeout{60000};     // one whole request, body included
  std::size_t max_object_bytes = 512u << 20;    // largest body read back (net::http_fetch buffers it)
};

// Bucket names voxgate takes: 1-100 characters of A-Z a-z 0-9 _ . - (a subset of what Supabase
// allows, so that a name never needs escaping in a path or URL).
bool valid_supabase_bucket(std::string_view bucket);

class supabase_blob_store final : public ports::blob_store {
 public:
  // An empty string, or why `config` cannot work ("SUPABASE_URL must be ...").
  static std::string config_error(const supabase_config& config);

  // `tls` must outlive the store, and the store its requests; it serves https:// projects.
  // `config` must pass config_error() (otherwise every request fails with that error).
  supabase_blob_store(asio::ssl::context& tls, supabase_config config);

  // Errors: "not found: KEY" (kind not_found), "range not satisfiable: KEY ...", the Storage
  // API's own as "Supabase Storage 400 (404 NoSuchBucket): Bucket not found", and
  // "Supabase Storage unreachable: <why>" when no answer came.
  // put and put_file: one POST with x-upsert: true (created or replaced in one request).
  awaitable<result<ports::blob_info>> put(std::string key, std::string data, std::string content_type) override;
  // The POST's body is streamed from the file (net::client_request::body_file), never whole in memory.
  awaitable<result<ports::blob_info>> put_file(std::string key, std::string path, std::string content_type) override;
  // GET /object/authenticated/..., with a Range header for a part.
  awaitable<result<std::string>> get(std::string key, std::uint64_t offset, std::uint64_t length) override;
  // A GET of byte 0 read for its Content-Range and Content-Type (an empty object: the whole GET).
  awaitable<result<ports::blob_info>> stat(std::string key) override;
  // DELETE; Storage says "not found" for an absent object, so no stat first.
  awaitable<result<bool>> remove(std::string key) override;
  // {SUPABASE_URL}/storage/v1/object/public/{bucket}/{prefix}{key} when the bucket is public.
  std::optional<std::string> public_url(std::string_view key) const override;

  // "/storage/v1/object/BUCKET/PREFIX+KEY" (the upload and delete path; `under` is inserted after
  // "object/", e.g. "authenticated/"), on the project URL's own path.
  std::string object_path(const std::string& key, std::string_view under = {}) const;

 private:
  awaitable<result<ports::blob_info>> upload(std::string key, std::string type, std::string data, std::string path,
                                             std::uint64_t size);
  awaitable<result<net::client_response>> send(const char* method, std::string path,
                                               std::vector<std::pair<std::string, std::string>> headers,
                                               std::string body, std::string body_file) const;

  asio::ssl::context& tls_;
  supabase_config config_;
  std::string config_error_;
};

}  // namespace vg::adapters
