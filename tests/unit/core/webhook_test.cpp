// X-Twilio-Signature against the vectors of twilio-python and twilio-node (PROTOCOLS.md B.2).
#include <gtest/gtest.h>

#include "core/twilio/webhook.hpp"

namespace vg::twilio {
namespace {

const form params = {{"CallSid", "CA1234567890ABCDE"}, {"Caller", "+14158675309"}, {"Digits", "1234"},
                     {"From", "+14158675309"}, {"To", "+18005551212"}};
constexpr const char* token = "12345";
constexpr const char* url = "https://mycompany.com/myapp.php?foo=1&bar=2";

TEST(signature, sdk_vectors) {
  EXPECT_EQ(compute_signature(token, url, params), "RSOYDt4T1cUTdK1PDd93/VVr8B8=");
  EXPECT_EQ(compute_signature(token, "https://mycompany.com:443/myapp.php?foo=1&bar=2", params), "kvajT1Ptam85bY51eRf/AJRuM3w=");
  EXPECT_EQ(compute_signature(token, "http://mycompany.com:80/myapp.php?foo=1&bar=2", params), "0ZXoZLH/DfblKGATFgpif+LLRf4=");
  EXPECT_EQ(compute_signature(token, "http://mycompany.com:1234/myapp.php?foo=1&bar=2", params), "Zmvh+3yNM1Phv2jhDCwEM3q5ebU=");
}

TEST(signature, validation_accepts_either_port_form) {
  EXPECT_TRUE(validate_signature(token, url, params, "RSOYDt4T1cUTdK1PDd93/VVr8B8="));
  EXPECT_TRUE(validate_signature(token, url, params, "kvajT1Ptam85bY51eRf/AJRuM3w="));  // :443 candidate
  EXPECT_TRUE(validate_signature(token, "https://mycompany.com:1234/myapp.php?foo=1&bar=2", params, "RSOYDt4T1cUTdK1PDd93/VVr8B8="));
  EXPECT_TRUE(validate_signature(token, "http://mycompany.com/myapp.php?foo=1&bar=2", params, "0ZXoZLH/DfblKGATFgpif+LLRf4="));
  EXPECT_TRUE(validate_signature("s3cr3t", "https://example.com/path?test=param", {}, "loLgTitFAoWx57yy5oEU4Hlddzw="));
  EXPECT_TRUE(validate_signature("s3cr3t", "https://example.com:443/path?test=param", {}, "loLgTitFAoWx57yy5oEU4Hlddzw="));
}

TEST(signature, repeated_keys_are_sorted_and_deduplicated) {
  const form repeated = {{"Sid", "CA123"}, {"SidAccount", "AC123"}, {"Digits", "5678"}, {"Digits", "1234"}, {"Digits", "1234"}};
  EXPECT_EQ(compute_signature(token, url, repeated), "IK+Dwps556ElfBT0I3Rgjkr1wJU=");
}

TEST(signature, anything_changed_is_rejected) {
  EXPECT_FALSE(validate_signature("54321", url, params, "RSOYDt4T1cUTdK1PDd93/VVr8B8="));
  EXPECT_FALSE(validate_signature(token, "https://mycompany.com/myapp.php?foo=2&bar=2", params, "RSOYDt4T1cUTdK1PDd93/VVr8B8="));
  form changed = params;
  changed[2].second = "9999";
  EXPECT_FALSE(validate_signature(token, url, changed, "RSOYDt4T1cUTdK1PDd93/VVr8B8="));
  EXPECT_FALSE(validate_signature(token, url, params, ""));
  EXPECT_FALSE(validate_signature(token, url, params, "RSOYDt4T1cUTdK1PDd93/VVr8B8"));
}

TEST(signature, json_bodies_check_the_body_hash) {
  const std::string body = R"({"property": "value", "boolean": true})";
  const std::string hash = "0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620";
  EXPECT_TRUE(validate_json_signature(token, std::string(url) + "&bodySHA256=" + hash, body, "a9nBmqA0ju/hNViExpshrM61xv4="));
  EXPECT_FALSE(validate_json_signature(token, std::string(url) + "&bodySHA256=" + hash, body + " ", "a9nBmqA0ju/hNViExpshrM61xv4="));
  EXPECT_TRUE(validate_json_signature(token, "https://mycompany.com/myapp.php?bodySHA256=" + hash, body, "y77kIzt2vzLz71DgmJGsen2scGs="));
  EXPECT_TRUE(validate_json_signature(
      token, std::string(url) + "&bodySHA256=44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a", "{}",
      "Ldidvp12m26NI7eqEvxnEpkd9Hc="));
  EXPECT_FALSE(validate_json_signature(token, url, body, "a9nBmqA0ju/hNViExpshrM61xv4="));  // no bodySHA256
}

TEST(form, decoding) {
  auto f = parse_form("To=%2B18005551212&SpeechResult=book+a+cleaning&Empty=&Flag");
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(form_value(*f, "To"), "+18005551212");
  EXPECT_EQ(form_value(*f, "SpeechResult"), "book a cleaning");
  EXPECT_EQ(form_value(*f, "Empty"), "");
  EXPECT_EQ(f->size(), 4u);
  EXPECT_FALSE(parse_form("a=%zz").has_value());
  EXPECT_FALSE(parse_form("a=%4").has_value());
}

TEST(form, encoding_round_trips) {
  const form original = {{"Twiml", "<Response><Say>Hi & bye</Say></Response>"}, {"To", "+1 555"}, {"x", "a=b&c"}};
  auto back = parse_form(encode_form(original));
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, original);
}

TEST(url, port_variants) {
  EXPECT_EQ(url_without_port("https://a.example:8443/x?y=1"), "https://a.example/x?y=1");
  EXPECT_EQ(url_with_port("https://a.example/x"), "https://a.example:443/x");
  EXPECT_EQ(url_with_port("wss://a.example/stream"), "wss://a.example:443/stream");
  EXPECT_EQ(url_with_port("http://a.example"), "http://a.example:80");
}

}  // namespace
}  // namespace vg::twilio
