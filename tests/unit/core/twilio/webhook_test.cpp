// Twilio webhooks: X-Twilio-Signature against every vector of docs/protocols/twilio-webhooks.md (from twilio-python
// and twilio-node), the port leniency, JSON bodies, and form decoding/encoding.
#include <gtest/gtest.h>

#include <cctype>
#include <random>
#include <string>

#include "core/twilio/webhook.hpp"
#include "known_bug.hpp"

namespace vg::twilio {
namespace {

const form params = {{"CallSid", "CA1234567890ABCDE"}, {"Caller", "+14158675309"}, {"Digits", "1234"},
                     {"From", "+14158675309"}, {"To", "+18005551212"}};
constexpr const char* token = "12345";
const std::string url = "https://mycompany.com/myapp.php?foo=1&bar=2";

constexpr const char* sig_basic = "RSOYDt4T1cUTdK1PDd93/VVr8B8=";
constexpr const char* sig_https_443 = "kvajT1Ptam85bY51eRf/AJRuM3w=";
constexpr const char* sig_http_80 = "0ZXoZLH/DfblKGATFgpif+LLRf4=";
constexpr const char* sig_http_1234 = "Zmvh+3yNM1Phv2jhDCwEM3q5ebU=";

const std::string body = R"({"property": "value", "boolean": true})";
const std::string body_hash = "0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620";
const std::string empty_body_hash = "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";

// --- the test vectors ----------------------------------------------------------------------------

TEST(twilio_signature, basic) {
  EXPECT_EQ(compute_signature(token, url, params), sig_basic);
  EXPECT_TRUE(validate_signature(token, url, params, sig_basic));
}

TEST(twilio_signature, https_with_explicit_443) {
  EXPECT_EQ(compute_signature(token, "https://mycompany.com:443/myapp.php?foo=1&bar=2", params), sig_https_443);
  // Whichever form the request arrives in, either signature validates.
  EXPECT_TRUE(validate_signature(token, "https://mycompany.com:443/myapp.php?foo=1&bar=2", params, sig_https_443));
  EXPECT_TRUE(validate_signature(token, "https://mycompany.com:443/myapp.php?foo=1&bar=2", params, sig_basic));
  EXPECT_TRUE(validate_signature(token, url, params, sig_https_443));
}

TEST(twilio_signature, http_with_explicit_80) {
  EXPECT_EQ(compute_signature(token, "http://mycompany.com:80/myapp.php?foo=1&bar=2", params), sig_http_80);
  EXPECT_TRUE(validate_signature(token, "http://mycompany.com:80/myapp.php?foo=1&bar=2", params, sig_http_80));
  EXPECT_TRUE(validate_signature(token, "http://mycompany.com/myapp.php?foo=1&bar=2", params, sig_http_80));
  // :443 is the https default, not http's.
  EXPECT_FALSE(validate_signature(token, "http://mycompany.com/myapp.php?foo=1&bar=2", params, sig_https_443));
}

TEST(twilio_signature, http_with_port_1234_kept) {
  EXPECT_EQ(compute_signature(token, "http://mycompany.com:1234/myapp.php?foo=1&bar=2", params), sig_http_1234);
  EXPECT_TRUE(validate_signature(token, "http://mycompany.com:1234/myapp.php?foo=1&bar=2", params, sig_http_1234));
}

TEST(twilio_signature, non_standard_port_is_stripped_for_the_portless_candidate) {
  EXPECT_TRUE(validate_signature(token, "https://mycompany.com:1234/myapp.php?foo=1&bar=2", params, sig_basic));
  // The port is not replaced by the default one.
  EXPECT_FALSE(validate_signature(token, "https://mycompany.com:1234/myapp.php?foo=1&bar=2", params, sig_https_443));
}

TEST(twilio_signature, repeated_keys_are_sorted_and_deduplicated) {
  const form repeated = {{"Sid", "CA123"}, {"SidAccount", "AC123"}, {"Digits", "5678"}, {"Digits", "1234"}, {"Digits", "1234"}};
  EXPECT_EQ(compute_signature(token, url, repeated), "IK+Dwps556ElfBT0I3Rgjkr1wJU=");
  EXPECT_TRUE(validate_signature(token, url, repeated, "IK+Dwps556ElfBT0I3Rgjkr1wJU="));
  // The order the params arrive in does not matter.
  const form shuffled = {{"Digits", "1234"}, {"SidAccount", "AC123"}, {"Digits", "5678"}, {"Sid", "CA123"}};
  EXPECT_EQ(compute_signature(token, url, shuffled), "IK+Dwps556ElfBT0I3Rgjkr1wJU=");
  form reversed(params.rbegin(), params.rend());
  EXPECT_EQ(compute_signature(token, url, reversed), sig_basic);
}

TEST(twilio_signature, json_body_with_body_sha256) {
  const std::string signed_url = url + "&bodySHA256=" + body_hash;
  EXPECT_TRUE(validate_json_signature(token, signed_url, body, "a9nBmqA0ju/hNViExpshrM61xv4="));
  // Signed over the URL alone: the same signature through validate_signature with no params.
  EXPECT_EQ(compute_signature(token, signed_url, {}), "a9nBmqA0ju/hNViExpshrM61xv4=");
}

TEST(twilio_signature, json_empty_object_body_passes_through_the_443_candidate) {
  const std::string signed_url = url + "&bodySHA256=" + empty_body_hash;
  EXPECT_NE(compute_signature(token, signed_url, {}), "Ldidvp12m26NI7eqEvxnEpkd9Hc=");  // not the port-less form
  EXPECT_TRUE(validate_json_signature(token, signed_url, "{}", "Ldidvp12m26NI7eqEvxnEpkd9Hc="));
}

TEST(twilio_signature, json_sha_only_url) {
  EXPECT_TRUE(validate_json_signature(token, "https://mycompany.com/myapp.php?bodySHA256=" + body_hash, body,
                                      "y77kIzt2vzLz71DgmJGsen2scGs="));
}

TEST(twilio_signature, node_s3cr3t_port_leniency_both_ways) {
  EXPECT_EQ(compute_signature("s3cr3t", "https://example.com/path?test=param", {}), "loLgTitFAoWx57yy5oEU4Hlddzw=");
  EXPECT_TRUE(validate_signature("s3cr3t", "https://example.com/path?test=param", {}, "loLgTitFAoWx57yy5oEU4Hlddzw="));
  EXPECT_TRUE(validate_signature("s3cr3t", "https://example.com:443/path?test=param", {}, "loLgTitFAoWx57yy5oEU4Hlddzw="));
  const std::string with_port = compute_signature("s3cr3t", "https://example.com:443/path?test=param", {});
  EXPECT_NE(with_port, "loLgTitFAoWx57yy5oEU4Hlddzw=");
  EXPECT_TRUE(validate_signature("s3cr3t", "https://example.com/path?test=param", {}, with_port));
  EXPECT_TRUE(validate_signature("s3cr3t", "https://example.com:443/path?test=param", {}, with_port));
}

// --- rejections ----------------------------------------------------------------------------------

TEST(twilio_signature, wrong_token_is_rejected) {
  EXPECT_FALSE(validate_signature("54321", url, params, sig_basic));
  EXPECT_FALSE(validate_signature("", url, params, sig_basic));
  EXPECT_FALSE(validate_signature("123456", url, params, sig_basic));
}

TEST(twilio_signature, wrong_url_is_rejected) {
  for (const char* other : {"https://mycompany.com/myapp.php?foo=2&bar=2", "https://mycompany.com/myapp.php?bar=2&foo=1",
                            "https://mycompany.com/myapp.php", "https://mycompany.com/other.php?foo=1&bar=2",
                            "https://evil.com/myapp.php?foo=1&bar=2", "http://mycompany.com/myapp.php?foo=1&bar=2",
                            "https://mycompany.com/myapp.php?foo=1&bar=2&x=1", "https://mycompany.com:8443/myapp.php?foo=1&bar=3"}) {
    EXPECT_FALSE(validate_signature(token, other, params, sig_basic)) << other;
  }
}

TEST(twilio_signature, changed_added_or_missing_params_are_rejected) {
  form changed = params;
  changed[2].second = "9999";
  EXPECT_FALSE(validate_signature(token, url, changed, sig_basic));
  form renamed = params;
  renamed[2].first = "digits";
  EXPECT_FALSE(validate_signature(token, url, renamed, sig_basic));
  form added = params;
  added.emplace_back("Extra", "1");
  EXPECT_FALSE(validate_signature(token, url, added, sig_basic));
  form missing(params.begin(), params.end() - 1);
  EXPECT_FALSE(validate_signature(token, url, missing, sig_basic));
  EXPECT_FALSE(validate_signature(token, url, {}, sig_basic));
  // A repeated value counts once, a different one does not.
  form duplicated = params;
  duplicated.emplace_back("Digits", "1234");
  EXPECT_TRUE(validate_signature(token, url, duplicated, sig_basic));
  form second_value = params;
  second_value.emplace_back("Digits", "1235");
  EXPECT_FALSE(validate_signature(token, url, second_value, sig_basic));
}

TEST(twilio_signature, malformed_signatures_are_rejected) {
  for (const std::string& bad : {std::string(""), std::string("RSOYDt4T1cUTdK1PDd93/VVr8B8"),
                                std::string("RSOYDt4T1cUTdK1PDd93/VVr8B8=="), std::string("rsoydt4t1cutdk1pdd93/vvr8b8="),
                                std::string(" RSOYDt4T1cUTdK1PDd93/VVr8B8="), std::string("RSOYDt4T1cUTdK1PDd93/VVr8B9=")}) {
    EXPECT_FALSE(validate_signature(token, url, params, bad)) << bad;
  }
}

TEST(twilio_signature, json_body_rejections) {
  const std::string signed_url = url + "&bodySHA256=" + body_hash;
  const std::string sig = "a9nBmqA0ju/hNViExpshrM61xv4=";
  EXPECT_FALSE(validate_json_signature(token, signed_url, body + " ", sig));             // body changed
  EXPECT_FALSE(validate_json_signature(token, signed_url, "", sig));
  EXPECT_FALSE(validate_json_signature(token, signed_url, body, "y77kIzt2vzLz71DgmJGsen2scGs="));  // other URL's sig
  EXPECT_FALSE(validate_json_signature("54321", signed_url, body, sig));
  EXPECT_FALSE(validate_json_signature(token, url, body, sig));                            // no bodySHA256
  EXPECT_FALSE(validate_json_signature(token, url + "&bodySHA256=", body, compute_signature(token, url + "&bodySHA256=", {})));
  // A correct URL signature does not excuse a hash that does not match the body.
  const std::string wrong_hash_url = url + "&bodySHA256=" + empty_body_hash;
  EXPECT_FALSE(validate_json_signature(token, wrong_hash_url, body, compute_signature(token, wrong_hash_url, {})));
  // The hash is compared as lower-case hex.
  std::string upper = body_hash;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  const std::string upper_url = url + "&bodySHA256=" + upper;
  EXPECT_FALSE(validate_json_signature(token, upper_url, body, compute_signature(token, upper_url, {})));
}

TEST(twilio_signature, body_sha256_is_found_anywhere_in_the_query) {
  const std::string first = "https://mycompany.com/myapp.php?bodySHA256=" + body_hash + "&foo=1";
  EXPECT_TRUE(validate_json_signature(token, first, body, compute_signature(token, first, {})));
  // A parameter that merely ends with the name does not count.
  const std::string lookalike = "https://mycompany.com/myapp.php?xbodySHA256=" + body_hash;
  EXPECT_FALSE(validate_json_signature(token, lookalike, body, compute_signature(token, lookalike, {})));
}

// --- URL port variants -----------------------------------------------------------------------------

TEST(twilio_url, without_port) {
  EXPECT_EQ(url_without_port("https://a.example:8443/x?y=1"), "https://a.example/x?y=1");
  EXPECT_EQ(url_without_port("https://a.example:443/x"), "https://a.example/x");
  EXPECT_EQ(url_without_port("https://a.example/x"), "https://a.example/x");
  EXPECT_EQ(url_without_port("https://a.example:8443"), "https://a.example");
  EXPECT_EQ(url_without_port("https://a.example:8443?q=1"), "https://a.example?q=1");
  EXPECT_EQ(url_without_port("https://a.example/x?t=10:30"), "https://a.example/x?t=10:30");  // colon in the query
  EXPECT_EQ(url_without_port("https://[::1]:8443/x"), "https://[::1]/x");
  EXPECT_EQ(url_without_port("https://[::1]/x"), "https://[::1]/x");
  EXPECT_EQ(url_without_port("not a url"), "not a url");
}

TEST(twilio_url, with_port) {
  EXPECT_EQ(url_with_port("https://a.example/x"), "https://a.example:443/x");
  EXPECT_EQ(url_with_port("http://a.example/x?y=1"), "http://a.example:80/x?y=1");
  EXPECT_EQ(url_with_port("wss://a.example/stream"), "wss://a.example:443/stream");
  EXPECT_EQ(url_with_port("ws://a.example/stream"), "ws://a.example:80/stream");
  EXPECT_EQ(url_with_port("http://a.example"), "http://a.example:80");
  EXPECT_EQ(url_with_port("https://a.example?q=a:b"), "https://a.example:443?q=a:b");
  EXPECT_EQ(url_with_port("https://a.example:8443/x"), "https://a.example:8443/x");  // kept as given
  EXPECT_EQ(url_with_port("https://[::1]/x"), "https://[::1]:443/x");
  EXPECT_EQ(url_with_port("ftp://a.example/x"), "ftp://a.example/x");  // no default known
  EXPECT_EQ(url_with_port("not a url"), "not a url");
}

TEST(twilio_url, userinfo_is_not_a_port) {
  // Twilio allows basic-auth credentials in webhook URLs. twilio-python's add_port gives
  // "https://user:pw@mycompany.com:443/..." for this URL (netloc + ":443"), and its signature
  // 3kKgenBoiIpA3fQQGpxihmM0CxQ= must validate.
  const std::string creds = "https://user:pw@mycompany.com/myapp.php?foo=1&bar=2";
  EXPECT_EQ(url_without_port(creds), creds);
  EXPECT_EQ(url_with_port(creds), "https://user:pw@mycompany.com:443/myapp.php?foo=1&bar=2");
  EXPECT_EQ(url_without_port("https://user:pw@mycompany.com:8443/x"), "https://user:pw@mycompany.com/x");
  EXPECT_TRUE(validate_signature(token, creds, params, "3kKgenBoiIpA3fQQGpxihmM0CxQ="));
}

TEST(twilio_url, userinfo_with_port_and_no_userinfo_password) {
  // These forms already work and must keep working.
  EXPECT_EQ(url_without_port("https://user:pw@mycompany.com:8443/x"), "https://user:pw@mycompany.com/x");
  EXPECT_EQ(url_with_port("https://user@mycompany.com/x"), "https://user@mycompany.com:443/x");
  EXPECT_TRUE(validate_signature(token, "https://user:pw@mycompany.com/myapp.php?foo=1&bar=2", params,
                                 "4HTeya8GcbM5we0gtTGy1EbdgHQ="));  // the URL exactly as given
}

// --- forms -----------------------------------------------------------------------------------------

TEST(twilio_form, parse_form_decodes_plus_and_percent) {
  auto f = parse_form("To=%2B18005551212&SpeechResult=book+a+cleaning&Empty=&Flag&Caller=%2b1415&Name%20X=a%3Db%26c");
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(*f, (form{{"To", "+18005551212"}, {"SpeechResult", "book a cleaning"}, {"Empty", ""}, {"Flag", ""},
                      {"Caller", "+1415"}, {"Name X", "a=b&c"}}));
}

TEST(twilio_form, parse_form_keeps_order_repeats_and_skips_empty_pairs) {
  auto f = parse_form("b=2&&a=1&a=3&=v&k=x=y&");
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(*f, (form{{"b", "2"}, {"a", "1"}, {"a", "3"}, {"", "v"}, {"k", "x=y"}}));
  EXPECT_EQ(form_value(*f, "a"), "1");  // the first value
  EXPECT_EQ(form_value(*f, "missing"), "");
  EXPECT_EQ(parse_form("")->size(), 0u);
  EXPECT_EQ(parse_form("&&")->size(), 0u);
}

TEST(twilio_form, parse_form_decodes_utf8_bytes) {
  auto f = parse_form("FromCity=S%C3%A3o+Paulo&Body=%E2%82%AC5");
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(form_value(*f, "FromCity"), "S\xc3\xa3o Paulo");
  EXPECT_EQ(form_value(*f, "Body"), "\xe2\x82\xac" "5");
}

TEST(twilio_form, bad_percent_escapes_are_rejected) {
  for (const char* bad : {"a=%zz", "a=%4", "a=%", "a=%%41", "a=%G0", "a=1&b=%", "%zz=1", "a=%4g"}) {
    EXPECT_FALSE(parse_form(bad).has_value()) << bad;
  }
}

TEST(twilio_form, url_decode_flags) {
  bool ok = false;
  EXPECT_EQ(url_decode("a+b%20c", true, &ok), "a b c");
  EXPECT_TRUE(ok);
  EXPECT_EQ(url_decode("a+b%20c", false, &ok), "a+b c");  // '+' is literal outside forms
  EXPECT_TRUE(ok);
  EXPECT_EQ(url_decode("%41%62%7e", false, &ok), "Ab~");
  EXPECT_TRUE(ok);
  url_decode("100%", false, &ok);
  EXPECT_FALSE(ok);
  url_decode("%x1", false, &ok);
  EXPECT_FALSE(ok);
  EXPECT_EQ(url_decode("plain", true), "plain");  // ok pointer is optional
}

TEST(twilio_form, url_encode_keeps_only_unreserved_characters) {
  EXPECT_EQ(url_encode("AZaz09-_.~"), "AZaz09-_.~");
  EXPECT_EQ(url_encode(" +&=/?#%:@'\""), "%20%2B%26%3D%2F%3F%23%25%3A%40%27%22");
  EXPECT_EQ(url_encode("\xc3\xa9"), "%C3%A9");
  EXPECT_EQ(url_encode(std::string("\0\x7f", 2)), "%00%7F");
  EXPECT_EQ(url_encode(""), "");
}

TEST(twilio_form, encode_form_then_parse_form_round_trips) {
  const form original = {{"Twiml", "<Response><Say>Hi & bye</Say></Response>"}, {"To", "+1 555"},
                         {"x", "a=b&c"},  {"StatusCallbackEvent", "initiated"},   {"StatusCallbackEvent", "answered"},
                         {"", ""},         {"pct", "100%"}};
  EXPECT_EQ(encode_form({{"a", "1"}, {"b c", "d+e"}}), "a=1&b%20c=d%2Be");
  auto back = parse_form(encode_form(original));
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, original);

  std::mt19937 rng(3);
  for (int round = 0; round < 200; ++round) {
    form random;
    const int pairs = 1 + static_cast<int>(rng() % 5);
    for (int p = 0; p < pairs; ++p) {
      std::string name(1 + rng() % 8, '\0'), value(rng() % 30, '\0');
      for (char& c : name) c = static_cast<char>(rng() & 0xFF);
      for (char& c : value) c = static_cast<char>(rng() & 0xFF);
      random.emplace_back(std::move(name), std::move(value));
    }
    const std::string encoded = encode_form(random);
    for (const char c : encoded) {
      ASSERT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || std::string_view("-_.~%=&").find(c) != std::string_view::npos)
          << encoded;
    }
    auto decoded = parse_form(encoded);
    ASSERT_TRUE(decoded.has_value());
    ASSERT_EQ(*decoded, random);
  }
}

}  // namespace
}  // namespace vg::twilio
