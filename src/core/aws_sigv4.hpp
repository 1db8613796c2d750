// AWS Signature Version 4 for S3-compatible stores (AWS, MinIO, Supabase Storage, s3rver):
// canonical request, string to sign, signing key, Authorization header. Pure: no I/O, no clock
// (the time is passed in); safe from any thread.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/crypto.hpp"

namespace vg::aws {

using name_values = std::vector<std::pair<std::string, std::string>>;

struct credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // temporary credentials only; sent as x-amz-security-token
};

struct request {
  std::string method = "GET";
  std::string canonical_uri = "/";  // the path exactly as sent, already URI-encoded (see uri_encode)
  name_values query;                // decoded names and values; encoded and sorted when signing
  name_values headers;              // every header to sign, "host" included; names in any case
  std::string payload_hash;         // hex SHA-256 of the body, or "UNSIGNED-PAYLOAD"
};

// AWS URI encoding: A-Z a-z 0-9 - _ . ~ stay, every other byte becomes %XY (upper-case hex).
// '/' stays when !encode_slash (S3 object paths), and is %2F in query names and values.
std::string uri_encode(std::string_view s, bool encode_slash);

// "a=1&b=" : names and values encoded, sorted by name then value.
std::string canonical_query_string(const name_values& query);

struct canonical_header_block {
  std::string lines;   // "name:value\n" each: names lower-cased and sorted, values trimmed
  std::string signed_names;  // "host;range;x-amz-date"
};
canonical_header_block canonical_headers(const name_values& headers);

std::string canonical_request(const request& r);

// "20130524T000000Z" for a time in seconds since 1970-01-01 UTC.
std::string amz_date(std::int64_t unix_seconds);

// "20130524/us-east-1/s3/aws4_request"
std::string credential_scope(std::string_view date8, std::string_view region, std::string_view service);

std::string string_to_sign(std::string_view amz_datetime, std::string_view scope, std::string_view canonical);

crypto::sha256_digest signing_key(std::string_view secret_access_key, std::string_view date8,
                                  std::string_view region, std::string_view service);

// The Authorization header value for `r` (its headers must already hold x-amz-date etc.).
std::string authorization(const request& r, const credentials& c, std::string_view amz_datetime,
                          std::string_view region, std::string_view service);

// S3 in one call: sets r.payload_hash to hex SHA-256 of `payload`, adds x-amz-content-sha256,
// x-amz-date (and x-amz-security-token when the credentials have one) to r.headers, and returns
// the Authorization header value. r.headers must already hold "host".
std::string sign_s3(request& r, const credentials& c, std::string_view region, std::int64_t unix_seconds,
                    std::string_view payload);

// The same with the payload's hash given: hex SHA-256, or "UNSIGNED-PAYLOAD" for a body streamed
// from a file (S3 accepts it; TLS, not the signature, then guards the bytes).
std::string sign_s3_with_payload_hash(request& r, const credentials& c, std::string_view region,
                                      std::int64_t unix_seconds, std::string payload_hash);

}  // namespace vg::aws
