#include "core/ws/handshake.hpp"

#include <algorithm>

#include "core/base64.hpp"
#include "core/crypto.hpp"
#include "core/text.hpp"

namespace vg::ws {

std::string accept_key(std::string_view client_key) {
  std::string input(client_key);
  input += handshake_guid;
  const auto digest = crypto::sha1(input);
  return base64::encode(std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
}

std::string client_request(std::string_view host_header, std::string_view target,
                           std::string_view client_key, const header_list& extra_headers) {
  std::string r;
  r.reserve(256);
  r += "GET ";
  r += target;
  r += " HTTP/1.1\r\nHost: ";
  r += host_header;
  r += "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ";
  r += client_key;
  r += "\r\n";
  for (const auto& [name, value] : extra_headers) {
    r += name;
    r += ": ";
    r += value;
    r += "\r\n";
  }
  r += "\r\n";
  return r;
}

const std::string* response_head::find(std::string_view lower_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) return &value;
  }
  return nullptr;
}

namespace {
using text::lower;
using text::trim;
}  // namespace

result<response_head> parse_response_head(std::string_view head) {
  response_head out;
  const auto line_end = head.find("\r\n");
  if (line_end == std::string_view::npos) return make_error("incomplete HTTP status line");
  const std::string_view status_line = head.substr(0, line_end);
  if (!status_line.starts_with("HTTP/1.")) return make_error("not an HTTP/1.x response");
  const auto sp = status_line.find(' ');
  if (sp == std::string_view::npos || status_line.size() < sp + 4) return make_error("bad HTTP status line");
  const std::string_view code = status_line.substr(sp + 1, 3);
  if (!std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return make_error("bad HTTP status code");
  }
  out.status = (code[0] - '0') * 100 + (code[1] - '0') * 10 + (code[2] - '0');
  std::size_t pos = line_end + 2;
  while (pos < head.size()) {
    const auto end = head.find("\r\n", pos);
    if (end == std::string_view::npos || end == pos) break;
    const std::string_view line = head.substr(pos, end - pos);
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) return make_error("bad HTTP header line");
    out.headers.emplace_back(lower(trim(line.substr(0, colon))), std::string(trim(line.substr(colon + 1))));
    pos = end + 2;
  }
  return out;
}

namespace {
bool has_token(std::string_view list, std::string_view token) {
  while (!list.empty()) {
    const auto comma = list.find(',');
    std::string_view item = list.substr(0, comma);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (item == token) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}
}  // namespace

result<bool> check_upgrade_response(const response_head& head, std::string_view client_key) {
  if (head.status != 101) return make_error("WebSocket upgrade refused with HTTP " + std::to_string(head.status));
  const std::string* upgrade = head.find("upgrade");
  if (upgrade == nullptr || lower(*upgrade) != "websocket") return make_error("missing Upgrade: websocket");
  // RFC 6455 4.1: Connection is a token list that must name "upgrade".
  const std::string* connection = head.find("connection");
  if (connection == nullptr || !has_token(lower(*connection), "upgrade")) return make_error("missing Connection: Upgrade");
  const std::string* accept = head.find("sec-websocket-accept");
  if (accept == nullptr || *accept != accept_key(client_key)) return make_error("wrong Sec-WebSocket-Accept");
  if (head.find("sec-websocket-extensions") != nullptr) return make_error("server chose an extension we did not offer");
  return true;
}

}  // namespace vg::ws
