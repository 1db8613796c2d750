// STORAGE_URL parsing and the choice of blob store; see blob_store_factory.hpp.
#include "adapters/blob_store_factory.hpp"

#include <utility>

#include "adapters/fs_blob_store.hpp"
#include "adapters/s3_blob_store.hpp"
#include "adapters/supabase_blob_store.hpp"

namespace vg::adapters {
namespace {

std::string first_set(const std::map<std::string, std::string>& vars, const char* a, const char* b) {
  for (const char* name : {a, b}) {
    const auto it = vars.find(name);
    if (it != vars.end() && !it->second.empty()) return it->second;
  }
  return {};
}

// Only the scheme is echoed back: a mistyped URL may carry a secret.
std::string shown_scheme(const std::string& url) {
  const auto colon = url.find(':');
  if (colon == std::string::npos) return "'" + url + "'; a directory is written file:" + url;
  return "'" + url.substr(0, colon) + ":...'";
}

}  // namespace

s3_settings s3_settings_from(const std::map<std::string, std::string>& vars) {
  s3_settings s;
  s.endpoint = first_set(vars, "S3_ENDPOINT", "AWS_ENDPOINT_URL_S3");
  s.region = first_set(vars, "S3_REGION", "AWS_REGION");
  s.access_key_id = first_set(vars, "S3_ACCESS_KEY_ID", "AWS_ACCESS_KEY_ID");
  s.secret_access_key = first_set(vars, "S3_SECRET_ACCESS_KEY", "AWS_SECRET_ACCESS_KEY");
  return s;
}

namespace {

// "BUCKET[/PREFIX]" of s3:// and supabase:// URLs: the bucket, and the prefix with its '/'.
result<std::pair<std::string, std::string>> bucket_and_prefix(const std::string& rest, const char* scheme) {
  const auto slash = rest.find('/');
  std::string bucket = rest.substr(0, slash);
  std::string prefix = slash == std::string::npos ? std::string() : rest.substr(slash + 1);
  if (bucket.find_first_of("@:") != std::string::npos) {
    return make_error(std::string("STORAGE_URL must not carry keys or a host: use ") + scheme + "BUCKET[/PREFIX]" +
                      (std::string_view(scheme) == "s3://"
                           ? " with S3_ENDPOINT, S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY"
                           : " with SUPABASE_URL and SUPABASE_KEY"));
  }
  if (bucket.empty() || bucket.size() > 100) {
    return make_error(std::string("STORAGE_URL ") + scheme + " needs a bucket name (" + scheme + "BUCKET[/PREFIX])");
  }
  while (prefix.ends_with("/")) prefix.pop_back();
  if (!prefix.empty()) {
    if (!ports::valid_blob_key(prefix)) {
      return make_error("STORAGE_URL prefix may use only A-Z a-z 0-9 / . _ - (got '" + prefix + "')");
    }
    prefix += '/';
  }
  return std::make_pair(std::move(bucket), std::move(prefix));
}

}  // namespace

result<std::unique_ptr<ports::blob_store>> open_blob_store(std::string storage_url, s3_settings env,
                                                           asio::ssl::context& tls, supabase_settings supabase) {
  if (storage_url.empty()) return std::unique_ptr<ports::blob_store>(std::make_unique<fs_blob_store>("recordings"));

  if (storage_url.starts_with("file:")) {
    std::string path = storage_url.substr(5);
    if (path.starts_with("//")) {  // file:///abs/path; file://host/... is not local
      path.erase(0, 2);
      if (!path.starts_with("/")) {
        return make_error("STORAGE_URL file:// must be followed by an absolute path (file:///var/voxgate)");
      }
    }
    if (path.empty()) return make_error("STORAGE_URL file: needs a directory (e.g. file:./recordings)");
    return std::unique_ptr<ports::blob_store>(std::make_unique<fs_blob_store>(std::move(path)));
  }

  if (storage_url.starts_with("s3://")) {
    auto parts = bucket_and_prefix(storage_url.substr(5), "s3://");
    if (!parts) return parts.failure();
    auto& [bucket, prefix] = *parts;
    if (bucket.size() > 63) return make_error("STORAGE_URL s3:// needs a bucket name (s3://BUCKET[/PREFIX])");
    s3_config c;
    c.region = env.region.empty() ? std::string("us-east-1") : env.region;
    c.endpoint = env.endpoint.empty() ? "https://s3." + c.region + ".amazonaws.com" : env.endpoint;
    c.bucket = bucket;
    c.prefix = std::move(prefix);
    c.access_key = std::move(env.access_key_id);
    c.secret_key = std::move(env.secret_access_key);
    if (std::string why = s3_blob_store::config_error(c); !why.empty()) return make_error(std::move(why));
    return std::unique_ptr<ports::blob_store>(std::make_unique<s3_blob_store>(tls, std::move(c)));
  }

  if (storage_url.starts_with("supabase://")) {
    auto parts = bucket_and_prefix(storage_url.substr(11), "supabase://");
    if (!parts) return parts.failure();
    supabase_config c;
    c.project_url = std::move(supabase.url);
    c.key = std::move(supabase.key);
    c.bucket = std::move(parts->first);
    c.prefix = std::move(parts->second);
    c.public_bucket = supabase.public_bucket;
    if (std::string why = supabase_blob_store::config_error(c); !why.empty()) return make_error(std::move(why));
    return std::unique_ptr<ports::blob_store>(std::make_unique<supabase_blob_store>(tls, std::move(c)));
  }

  return make_error("STORAGE_URL must be file:PATH, s3://BUCKET[/PREFIX] or supabase://BUCKET[/PREFIX] (got " +
                    shown_scheme(storage_url) + ")");
}

}  // namespace vg::adapters
