// WebSocket opening handshake (RFC 6455 section 4): the accept key, the client request and
// the parsing of a server's response head. Pure.
#pragma once
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.hpp"

namespace vg::ws {

inline constexpr std::string_view handshake_guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

// base64(SHA-1(key + GUID)).
std::string accept_key(std::string_view client_key);

using header_list = std::vector<std::pair<std::string, std::string>>;

// The HTTP/1.1 GET request that opens a client WebSocket to host[:port]/target.
std::string client_request(std::string_view host_header, std::string_view target,
                           std::string_view client_key, const header_list& extra_headers);

struct response_head {
  int status = 0;
  header_list headers;  // names lower-cased
  const std::string* find(std::string_view lower_name) const;
};

// Parses "HTTP/1.1 101 ...\r\nName: value\r\n...\r\n\r\n" (the text up to and including the
// blank line).
result<response_head> parse_response_head(std::string_view head);

// Checks a 101 response against the key we sent.
result<bool> check_upgrade_response(const response_head& head, std::string_view client_key);

}  // namespace vg::ws
