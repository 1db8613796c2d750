// RFC 6455 section 4: accept key, client request, response head parsing and checking.
#include <gtest/gtest.h>

#include <string>

#include "core/ws/handshake.hpp"
#include "known_bug.hpp"

namespace vg::ws {
namespace {

constexpr const char* rfc_key = "dGhlIHNhbXBsZSBub25jZQ==";
constexpr const char* rfc_accept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

std::string upgrade_response(const std::string& extra = "", const std::string& accept = rfc_accept) {
  return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
         "Sec-WebSocket-Accept: " + accept + "\r\n" + extra + "\r\n";
}

result<bool> check(const std::string& head_text, std::string_view key = rfc_key) {
  auto head = parse_response_head(head_text);
  if (!head) return make_error("parse: " + head.error_message());
  return check_upgrade_response(*head, key);
}

TEST(ws_handshake, rfc_accept_key_example) {
  EXPECT_EQ(accept_key(rfc_key), rfc_accept);
  EXPECT_EQ(handshake_guid, "258EAFA5-E914-47DA-95CA-C5AB0DC85B11");
  EXPECT_NE(accept_key("x3JJHMbDL1EzLkh9GBhXDw=="), rfc_accept);
  EXPECT_EQ(accept_key("x3JJHMbDL1EzLkh9GBhXDw=="), "HSmrc0sMlYUkAGmm5OPpG2HaGWk=");  // RFC 6455 section 1.2
}

TEST(ws_handshake, client_request_has_every_required_line) {
  const std::string req = client_request("api.openai.com", "/v1/realtime?model=gpt-realtime", rfc_key,
                                         {{"Authorization", "Bearer sk-test"}, {"OpenAI-Beta", "realtime=v1"}});
  EXPECT_TRUE(req.starts_with("GET /v1/realtime?model=gpt-realtime HTTP/1.1\r\n")) << req;
  EXPECT_NE(req.find("\r\nHost: api.openai.com\r\n"), std::string::npos);
  EXPECT_NE(req.find("\r\nUpgrade: websocket\r\n"), std::string::npos);
  EXPECT_NE(req.find("\r\nConnection: Upgrade\r\n"), std::string::npos);
  EXPECT_NE(req.find("\r\nSec-WebSocket-Version: 13\r\n"), std::string::npos);
  EXPECT_NE(req.find("\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"), std::string::npos);
  const auto auth = req.find("\r\nAuthorization: Bearer sk-test\r\n");
  const auto beta = req.find("\r\nOpenAI-Beta: realtime=v1\r\n");
  ASSERT_NE(auth, std::string::npos);
  ASSERT_NE(beta, std::string::npos);
  EXPECT_LT(auth, beta);  // extra headers in the order given
  // Exactly one blank line, at the very end.
  EXPECT_TRUE(req.ends_with("\r\n\r\n"));
  EXPECT_EQ(req.find("\r\n\r\n"), req.size() - 4);
  // No bare LF anywhere.
  for (std::size_t i = 0; i < req.size(); ++i) {
    if (req[i] == '\n') {
      EXPECT_EQ(req[i - 1], '\r') << i;
    }
  }
}

TEST(ws_handshake, client_request_without_extra_headers) {
  const std::string req = client_request("example.com:8443", "/chat", "KEY", {});
  EXPECT_EQ(req,
            "GET /chat HTTP/1.1\r\nHost: example.com:8443\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: KEY\r\n\r\n");
}

TEST(ws_handshake, parse_response_head_reads_status_and_headers) {
  auto head = parse_response_head(
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: WebSocket\r\nCONNECTION:Upgrade\r\n"
      "Sec-WebSocket-Accept:   s3pPLMBiTxaQ9kYGzzhZRbK+xOo=  \r\nDate: Mon, 01 Jan 2024 10:00:00 GMT\r\n"
      "X-Empty:\r\n\r\n");
  ASSERT_TRUE(head.ok()) << head.error_message();
  EXPECT_EQ(head->status, 101);
  ASSERT_EQ(head->headers.size(), 5u);
  EXPECT_EQ(head->headers[0].first, "upgrade");
  EXPECT_EQ(head->headers[0].second, "WebSocket");  // values keep their case
  ASSERT_NE(head->find("connection"), nullptr);
  EXPECT_EQ(*head->find("connection"), "Upgrade");
  EXPECT_EQ(*head->find("sec-websocket-accept"), rfc_accept);  // trimmed
  EXPECT_EQ(*head->find("date"), "Mon, 01 Jan 2024 10:00:00 GMT");  // colons after the first are kept
  ASSERT_NE(head->find("x-empty"), nullptr);
  EXPECT_EQ(*head->find("x-empty"), "");
  EXPECT_EQ(head->find("Upgrade"), nullptr);  // lookups use lower-case names
  EXPECT_EQ(head->find("content-length"), nullptr);
}

TEST(ws_handshake, parse_response_head_status_codes) {
  EXPECT_EQ(parse_response_head("HTTP/1.1 403 Forbidden\r\n\r\n")->status, 403);
  EXPECT_EQ(parse_response_head("HTTP/1.0 200 OK\r\n\r\n")->status, 200);
  EXPECT_EQ(parse_response_head("HTTP/1.1 101\r\n\r\n")->status, 101);  // empty reason phrase
  EXPECT_EQ(parse_response_head("HTTP/1.1 503 Service Unavailable\r\nRetry-After: 5\r\n\r\n")->status, 503);
}

TEST(ws_handshake, parse_response_head_rejects_garbage) {
  for (const char* bad : {"", "HTTP/1.1 101 Switching Protocols", "SSH-2.0-OpenSSH\r\n\r\n", "HTTP/2 101\r\n\r\n",
                          "HTTP/1.1\r\n\r\n", "HTTP/1.1 1x1 Bad\r\n\r\n", "HTTP/1.1 10\r\n\r\n",
                          "HTTP/1.1 101 OK\r\nno colon here\r\n\r\n"}) {
    EXPECT_FALSE(parse_response_head(bad).ok()) << bad;
  }
}

TEST(ws_handshake, a_correct_upgrade_is_accepted) {
  EXPECT_TRUE(check(upgrade_response()).ok());
  // Header names and the Upgrade value are case-insensitive.
  EXPECT_TRUE(check("HTTP/1.1 101 Switching Protocols\r\nupgrade: WebSocket\r\nconnection: upgrade\r\n"
                    "SEC-WEBSOCKET-ACCEPT: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n")
                  .ok());
}

TEST(ws_handshake, upgrade_failures) {
  // Not 101; the status appears in the message.
  auto refused = check("HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n");
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error_message().find("401"), std::string::npos);
  EXPECT_FALSE(check("HTTP/1.1 200 OK\r\nUpgrade: websocket\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n").ok());
  // Upgrade missing or naming another protocol.
  EXPECT_FALSE(check("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n"
                     "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n").ok());
  EXPECT_FALSE(check("HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n"
                     "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n").ok());
  // Accept missing, wrong, or computed for another key.
  EXPECT_FALSE(check("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n").ok());
  EXPECT_FALSE(check(upgrade_response("", "AAAAAAAAAAAAAAAAAAAAAAAAAAA=")).ok());
  EXPECT_FALSE(check(upgrade_response("", "s3pplmbitxaq9kygzzhzrbk+xoo=")).ok());  // base64 is case-sensitive
  EXPECT_FALSE(check(upgrade_response(), "x3JJHMbDL1EzLkh9GBhXDw==").ok());
  // An extension we never offered.
  EXPECT_FALSE(check(upgrade_response("Sec-WebSocket-Extensions: permessage-deflate\r\n")).ok());
}

TEST(ws_handshake, upgrade_without_connection_upgrade_is_refused) {
  // RFC 6455 section 4.1, client requirement 3: a response without "Connection: Upgrade" MUST fail.
  EXPECT_FALSE(check("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                     "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n").ok());
  EXPECT_FALSE(check(upgrade_response().replace(upgrade_response().find("Connection: Upgrade"), 19, "Connection: close")).ok());
}

}  // namespace
}  // namespace vg::ws
