// vg::aws (Signature V4): the four S3 examples published in AWS's "Signature Calculations for the
// Authorization Header" page (GET Object with Range, PUT Object, GET ?lifecycle, list with a
// query), AWS's signing-key example, and the encoding and canonicalisation rules on their own.
#include <gtest/gtest.h>

#include <string>

#include "core/aws_sigv4.hpp"

namespace vg::aws {
namespace {

const credentials example_keys{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", {}};
constexpr std::int64_t may_24_2013 = 1369353600;  // 2013-05-24T00:00:00Z
const std::string empty_sha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const std::string example_host = "examplebucket.s3.amazonaws.com";

std::string signature_of(const std::string& authorization) {
  const auto at = authorization.find("Signature=");
  return at == std::string::npos ? std::string() : authorization.substr(at + 10);
}

TEST(aws_sigv4, get_object_with_range_matches_the_aws_example) {
  request r;
  r.method = "GET";
  r.canonical_uri = "/test.txt";
  r.headers = {{"Host", example_host}, {"Range", "bytes=0-9"}};
  const std::string auth = sign_s3(r, example_keys, "us-east-1", may_24_2013, "");

  EXPECT_EQ(canonical_request(r),
            "GET\n/test.txt\n\n"
            "host:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\n"
            "x-amz-content-sha256:" + empty_sha256 + "\nx-amz-date:20130524T000000Z\n\n"
            "host;range;x-amz-content-sha256;x-amz-date\n" + empty_sha256);
  EXPECT_EQ(string_to_sign("20130524T000000Z", credential_scope("20130524", "us-east-1", "s3"), canonical_request(r)),
            "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
            "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972");
  EXPECT_EQ(auth,
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
  // sign_s3 added the two headers S3 requires, with the values it signed.
  ASSERT_EQ(r.headers.size(), 4u);
  EXPECT_EQ(r.headers[2], (std::pair<std::string, std::string>("x-amz-content-sha256", empty_sha256)));
  EXPECT_EQ(r.headers[3], (std::pair<std::string, std::string>("x-amz-date", "20130524T000000Z")));
}

TEST(aws_sigv4, put_object_with_a_payload_and_a_key_needing_encoding_matches_the_aws_example) {
  request r;
  r.method = "PUT";
  r.canonical_uri = uri_encode("/test$file.text", false);
  EXPECT_EQ(r.canonical_uri, "/test%24file.text");
  r.headers = {{"Host", example_host},
               {"Date", "Fri, 24 May 2013 00:00:00 GMT"},
               {"x-amz-storage-class", "REDUCED_REDUNDANCY"}};
  const std::string auth = sign_s3(r, example_keys, "us-east-1", may_24_2013, "Welcome to Amazon S3.");
  EXPECT_EQ(r.payload_hash, "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
  EXPECT_EQ(crypto::hex(crypto::sha256(canonical_request(r))),
            "9e0e90d9c76de8fa5b200d8c849cd5b8dc7a3be3951ddb7f6a76b4158342019d");
  EXPECT_EQ(auth,
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
            "SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class,"
            "Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
}

TEST(aws_sigv4, a_subresource_query_without_a_value_matches_the_aws_lifecycle_example) {
  request r;
  r.canonical_uri = "/";
  r.query = {{"lifecycle", ""}};
  r.headers = {{"Host", example_host}};
  const std::string auth = sign_s3(r, example_keys, "us-east-1", may_24_2013, "");
  EXPECT_EQ(canonical_request(r).substr(0, 17), "GET\n/\nlifecycle=\n");
  EXPECT_EQ(signature_of(auth), "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543");
}

TEST(aws_sigv4, query_parameters_are_sorted_as_in_the_aws_list_objects_example) {
  request r;
  r.canonical_uri = "/";
  r.query = {{"prefix", "J"}, {"max-keys", "2"}};  // given out of order on purpose
  r.headers = {{"Host", example_host}};
  const std::string auth = sign_s3(r, example_keys, "us-east-1", may_24_2013, "");
  EXPECT_EQ(canonical_query_string(r.query), "max-keys=2&prefix=J");
  EXPECT_EQ(signature_of(auth), "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
}

TEST(aws_sigv4, signing_key_matches_the_aws_example) {
  EXPECT_EQ(crypto::hex(signing_key("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20120215", "us-east-1", "iam")),
            "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d");
}

TEST(aws_sigv4, uri_encoding_follows_the_aws_rules) {
  EXPECT_EQ(uri_encode("AZaz09-_.~", true), "AZaz09-_.~");
  EXPECT_EQ(uri_encode("a b+c*d=e&f", true), "a%20b%2Bc%2Ad%3De%26f");  // space is %20, never '+'
  EXPECT_EQ(uri_encode("rec/2024/call 1.wav", false), "rec/2024/call%201.wav");
  EXPECT_EQ(uri_encode("rec/2024", true), "rec%2F2024");
  EXPECT_EQ(uri_encode("caf\xC3\xA9", true), "caf%C3%A9");  // UTF-8 bytes one by one, upper-case hex
  EXPECT_EQ(uri_encode("%", true), "%25");
  EXPECT_EQ(uri_encode("", false), "");
}

TEST(aws_sigv4, query_names_and_values_are_encoded_then_sorted_by_name_and_value) {
  EXPECT_EQ(canonical_query_string({}), "");
  EXPECT_EQ(canonical_query_string({{"b", "2"}, {"a", "z"}, {"a", "y"}, {"uploads", ""}}), "a=y&a=z&b=2&uploads=");
  EXPECT_EQ(canonical_query_string({{"prefix", "rec/2024 x"}, {"list-type", "2"}}),
            "list-type=2&prefix=rec%2F2024%20x");
  // Sorting happens on the encoded names: '%' (0x25) sorts before letters.
  EXPECT_EQ(canonical_query_string({{"a", "1"}, {"#", "2"}}), "%23=2&a=1");
}

TEST(aws_sigv4, headers_are_lower_cased_trimmed_sorted_and_repeated_names_joined) {
  const auto h = canonical_headers({{"X-Amz-Meta-B", "  two   words  "},
                                    {"Host", "h.example"},
                                    {"x-amz-meta-a", "1"},
                                    {"X-AMZ-META-A", "2"}});
  EXPECT_EQ(h.lines, "host:h.example\nx-amz-meta-a:1,2\nx-amz-meta-b:two words\n");
  EXPECT_EQ(h.signed_names, "host;x-amz-meta-a;x-amz-meta-b");
}

TEST(aws_sigv4, amz_date_formats_utc_seconds) {
  EXPECT_EQ(amz_date(may_24_2013), "20130524T000000Z");
  EXPECT_EQ(amz_date(0), "19700101T000000Z");
  EXPECT_EQ(amz_date(951868799), "20000229T235959Z");  // a leap day, last second
  EXPECT_EQ(amz_date(1735689599), "20241231T235959Z");
}

TEST(aws_sigv4, the_signature_changes_with_every_signed_input) {
  const auto sign = [](std::string method, std::string uri, std::string payload, std::string region,
                       std::int64_t when, std::string secret) {
    request r;
    r.method = std::move(method);
    r.canonical_uri = std::move(uri);
    r.headers = {{"host", "127.0.0.1:9000"}, {"content-type", "audio/wav"}};
    return signature_of(sign_s3(r, credentials{"k", std::move(secret), {}}, region, when, payload));
  };
  const std::string base = sign("PUT", "/b/rec/a.wav", "RIFF", "us-east-1", may_24_2013, "s");
  EXPECT_EQ(base.size(), 64u);
  EXPECT_EQ(base, sign("PUT", "/b/rec/a.wav", "RIFF", "us-east-1", may_24_2013, "s"));
  EXPECT_NE(base, sign("GET", "/b/rec/a.wav", "RIFF", "us-east-1", may_24_2013, "s"));
  EXPECT_NE(base, sign("PUT", "/b/rec/b.wav", "RIFF", "us-east-1", may_24_2013, "s"));
  EXPECT_NE(base, sign("PUT", "/b/rec/a.wav", "RIFX", "us-east-1", may_24_2013, "s"));
  EXPECT_NE(base, sign("PUT", "/b/rec/a.wav", "RIFF", "eu-west-1", may_24_2013, "s"));
  EXPECT_NE(base, sign("PUT", "/b/rec/a.wav", "RIFF", "us-east-1", may_24_2013 + 1, "s"));
  EXPECT_NE(base, sign("PUT", "/b/rec/a.wav", "RIFF", "us-east-1", may_24_2013, "t"));
}

TEST(aws_sigv4, a_session_token_is_sent_and_signed) {
  request r;
  r.canonical_uri = "/b/k";
  r.headers = {{"host", "s3.example"}};
  const std::string auth = sign_s3(r, credentials{"AK", "SK", "TOKEN"}, "us-east-1", may_24_2013, "");
  EXPECT_NE(auth.find("SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token,"), std::string::npos)
      << auth;
  EXPECT_EQ(r.headers.back(), (std::pair<std::string, std::string>("x-amz-security-token", "TOKEN")));
}

}  // namespace
}  // namespace vg::aws
