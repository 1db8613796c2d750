#include "net/http_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/parse.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <system_error>
#include <optional>

namespace vg::net {
namespace beast = boost::beast;
namespace http = beast::http;

std::string client_response::header(std::string_view lower_name) const {
  return std::string(find_header(headers, lower_name));
}

namespace {

// An open body file (see client_request::body_file).
struct body_file {
  int fd = -1;
  std::uint64_t size = 0;
  body_file() = default;
  body_file(const body_file&) = delete;
  body_file& operator=(const body_file&) = delete;
  ~body_file() {
    if (fd >= 0) ::close(fd);
  }
};

// The header (Content-Length already set), then the file a piece at a time.
template <class Stream>
awaitable<std::optional<error>> send_with_file(Stream& stream, http::request<http::string_body>& req, const body_file& file) {
  http::request_serializer<http::string_body> head(req);
  auto [herr, hn] = co_await http::async_write_header(stream, head, nothrow);
  if (herr) co_return make_error("cannot send request: " + herr.message(), error_kind::unreachable);
  std::string piece(256 * 1024, '\0');
  for (std::uint64_t offset = 0; offset < file.size;) {
    const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(piece.size(), file.size - offset));
    const ::ssize_t n = ::pread(file.fd, piece.data(), want, static_cast<::off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      co_return make_error(std::string("cannot read the body file: ") +
                           (n < 0 ? std::generic_category().message(errno) : std::string("it got shorter")));
    }
    auto [werr, wn] = co_await asio::async_write(stream, asio::buffer(piece.data(), static_cast<std::size_t>(n)), nothrow);
    if (werr) co_return make_error("cannot send request: " + werr.message(), error_kind::unreachable);
    offset += static_cast<std::uint64_t>(n);
  }
  co_return std::nullopt;
}

template <class Stream>
awaitable<result<client_response>> exchange(Stream& stream, http::request<http::string_body>& req,
                                            std::size_t max_body, const body_file& file) {
  if (file.fd >= 0) {
    auto failed = co_await send_with_file(stream, req, file);
    if (failed) co_return std::move(*failed);
  } else {
    auto [werr, wn] = co_await http::async_write(stream, req, nothrow);
    if (werr) co_return make_error("cannot send request: " + werr.message(), error_kind::unreachable);
  }
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(max_body);
  if (req.method() == http::verb::head) parser.skip(true);  // its Content-Length announces no body
  auto [rerr, rn] = co_await http::async_read(stream, buffer, parser, nothrow);
  if (rerr) {
    const auto kind = rerr == http::error::body_limit ? error_kind::too_large : error_kind::unreachable;
    co_return make_error("cannot read response: " + rerr.message(), kind);
  }
  auto msg = parser.release();
  client_response out;
  out.status = static_cast<int>(msg.result_int());
  for (const auto& f : msg) out.headers.emplace_back(lower_case(f.name_string()), std::string(f.value()));
  out.body = std::move(msg.body());
  co_return out;
}

awaitable<result<client_response>> fetch(asio::any_io_executor ex, client_request request, client_options options) {
  auto u = boost::urls::parse_uri(request.url);
  if (!u) co_return make_error("bad URL: " + request.url, error_kind::invalid);
  const bool tls = u->scheme() == "https";
  if (!tls && u->scheme() != "http") co_return make_error("URL must be http:// or https://: " + request.url, error_kind::invalid);
  const std::string host = u->host_address();
  const std::string port = u->has_port() ? std::string(u->port()) : (tls ? "443" : "80");
  std::string target = u->encoded_path().empty() ? "/" : std::string(u->encoded_path());
  if (u->has_query()) target += "?" + std::string(u->encoded_query());

  http::request<http::string_body> req;
  req.method_string(request.method);
  req.target(target);
  req.version(11);
  req.set(http::field::host, u->has_port() ? host + ":" + port : host);
  req.set(http::field::user_agent, "voxgate/0.1");
  req.set(http::field::connection, "close");
  for (const auto& [n, v] : request.headers) req.set(n, v);
  body_file file;
  if (request.body_file.empty()) {
    req.body() = std::move(request.body);
    req.prepare_payload();
  } else {
    file.fd = ::open(request.body_file.c_str(), O_RDONLY | O_CLOEXEC);
    struct ::stat st {};
    if (file.fd < 0 || ::fstat(file.fd, &st) != 0) {
      co_return make_error("cannot open the body file " + request.body_file + ": " + std::generic_category().message(errno));
    }
    file.size = static_cast<std::uint64_t>(st.st_size);
    req.content_length(file.size);
  }

  tcp::resolver resolver(ex);
  auto [rerr, endpoints] = co_await resolver.async_resolve(host, port, nothrow);
  if (rerr) co_return make_error("cannot resolve " + host + ": " + rerr.message(), error_kind::unreachable);
  tcp::socket socket(ex);
  auto [cerr, ep] = co_await asio::async_connect(socket, endpoints, nothrow);
  if (cerr) co_return make_error("cannot connect to " + host + ":" + port + ": " + cerr.message(), error_kind::unreachable);
  if (!tls) co_return co_await exchange(socket, req, options.max_body, file);

  if (options.tls == nullptr) co_return make_error("https:// needs a TLS context", error_kind::invalid);
  asio::ssl::stream<tcp::socket> stream(std::move(socket), *options.tls);
  SSL_set_tlsext_host_name(stream.native_handle(), host.c_str());
  stream.set_verify_mode(asio::ssl::verify_peer);
  stream.set_verify_callback(asio::ssl::host_name_verification(host));
  auto [herr] = co_await stream.async_handshake(asio::ssl::stream_base::client, nothrow);
  if (herr) co_return make_error("TLS handshake with " + host + " failed: " + herr.message(), error_kind::unreachable);
  co_return co_await exchange(stream, req, options.max_body, file);
}

}  // namespace

awaitable<result<client_response>> http_fetch(asio::any_io_executor ex, client_request request,
                                              client_options options) {
  using namespace asio::experimental::awaitable_operators;
  asio::steady_timer timer(ex);
  timer.expires_after(options.timeout);
  const auto timeout = options.timeout;
  auto outcome = co_await (fetch(ex, std::move(request), options) || timer.async_wait(use_awaitable));
  if (outcome.index() == 1) {
    co_return make_error("HTTP request timed out after " + std::to_string(timeout.count()) + " ms", error_kind::unreachable);
  }
  co_return std::move(std::get<0>(outcome));
}

}  // namespace vg::net
