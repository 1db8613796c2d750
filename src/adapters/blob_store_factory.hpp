// Picks the blob store from STORAGE_URL: unset or file:PATH = a local directory (default
// ./recordings), s3://BUCKET[/PREFIX] = an S3-compatible bucket, supabase://BUCKET[/PREFIX] = a
// Supabase Storage bucket over its own HTTP API (app/config sets it from SUPABASE_BUCKET).
// Called once at start-up; reads no environment itself (the settings are passed in), so it is
// safe from any thread.
#pragma once
#include <map>
#include <memory>
#include <string>

#include "core/result.hpp"
#include "net/asio.hpp"
#include "ports/blob_store.hpp"

namespace boost::asio::ssl {
class context;
}

namespace vg::adapters {

struct s3_settings {
  std::string endpoint;           // S3_ENDPOINT, else AWS_ENDPOINT_URL_S3; empty: https://s3.REGION.amazonaws.com
  std::string region;             // S3_REGION, else AWS_REGION; empty: us-east-1
  std::string access_key_id;      // S3_ACCESS_KEY_ID, else AWS_ACCESS_KEY_ID
  std::string secret_access_key;  // S3_SECRET_ACCESS_KEY, else AWS_SECRET_ACCESS_KEY
};

// The settings from environment variables given as a map (e.g. app::process_environment()).
s3_settings s3_settings_from(const std::map<std::string, std::string>& vars);

struct supabase_settings {
  std::string url;             // SUPABASE_URL: the project URL
  std::string key;             // SUPABASE_KEY
  bool public_bucket = true;   // SUPABASE_PUBLIC_BUCKET
};

// One-line errors for a bad STORAGE_URL or missing S3 or Supabase settings. `tls` must outlive
// the store.
result<std::unique_ptr<ports::blob_store>> open_blob_store(std::string storage_url, s3_settings env,
                                                           asio::ssl::context& tls, supabase_settings supabase = {});

}  // namespace vg::adapters
