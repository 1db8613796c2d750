// Bodies too large to hold, over real sockets: the server's streamed responses (recordings go
// out a piece at a time) and the client's bodies streamed from a file (recordings go up to S3
// that way). Each test owns a server loop and a client loop.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include <boost/asio/write.hpp>

#include "net/http_client.hpp"
#include "net/http_server.hpp"
#include "tests/fakes/event_loop.hpp"

namespace vg {
namespace {
namespace fs = std::filesystem;
using fakes::settle;

std::string pattern(std::size_t n) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 31 + i / 251) & 0xFF);
  return s;
}

class http_streaming : public ::testing::Test {
 protected:
  void serve(std::function<awaitable<net::http_response>(net::http_request)> handler) {
    server = std::make_unique<net::http_server>(std::vector<asio::io_context*>{&server_loop.context()},
                                                net::http_handlers{std::move(handler), nullptr});
    port = server->listen("127.0.0.1", 0);
  }
  result<net::client_response> fetch(net::client_request req, net::client_options options = {}) {
    return *client_loop.run_sync(settle(net::http_fetch(client_loop.executor(), std::move(req), std::move(options))));
  }
  std::string url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port) + path; }

  void TearDown() override {
    if (server) server->stop();
    server_loop.stop();
    std::error_code ec;
    if (!scratch.empty()) fs::remove_all(scratch, ec);
  }

  fakes::event_loop server_loop;
  fakes::event_loop client_loop;
  std::unique_ptr<net::http_server> server;
  std::uint16_t port = 0;
  fs::path scratch;
};

TEST_F(http_streaming, a_streamed_response_arrives_whole_and_exact_read_a_piece_at_a_time) {
  const std::string data = pattern(700 * 1000 + 17);
  auto reads = std::make_shared<std::atomic<int>>(0);
  serve([&data, reads](net::http_request) -> awaitable<net::http_response> {
    auto body = std::make_shared<net::streamed_body>();
    body->size = data.size();
    body->piece = 64 * 1024;
    body->read = [&data, reads](std::uint64_t offset, std::uint64_t max) -> awaitable<result<std::string>> {
      ++*reads;
      co_return data.substr(offset, max);
    };
    // The head goes out with the status line; the stream continues after it.
    co_return net::http_response{200, "audio/wav", data.substr(0, 1000), {}, std::move(body)};
  });
  net::client_request req;
  req.url = url("/audio");
  auto r = fetch(std::move(req));
  ASSERT_TRUE(r.ok()) << r.error_message();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->header("content-length"), std::to_string(data.size()));
  ASSERT_EQ(r->body.size(), data.size());
  EXPECT_TRUE(r->body == data) << "the bytes differ";
  EXPECT_EQ(reads->load(), static_cast<int>((data.size() - 1000 + 64 * 1024 - 1) / (64 * 1024)));
}

// What went wrong is told by the error's kind: callers retry on unreachable, give up on too_large.
TEST_F(http_streaming, client_errors_carry_their_kind) {
  serve([](net::http_request) -> awaitable<net::http_response> {
    co_return net::http_response{200, "application/octet-stream", std::string(5000, 'x'), {}};
  });
  net::client_request req;
  req.url = url("/big");
  net::client_options small;
  small.max_body = 4999;
  auto over = fetch(req, small);
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.error_kind(), error_kind::too_large) << over.error_message();
  small.max_body = 5000;
  EXPECT_TRUE(fetch(req, small).ok());

  net::client_request bad;
  bad.url = "ftp://127.0.0.1/x";
  auto refused = fetch(bad);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error_kind(), error_kind::invalid) << refused.error_message();

  net::client_request nowhere;
  nowhere.url = "http://127.0.0.1:1/x";  // nothing listens on port 1 (as in the S3 store's test)
  auto gone = fetch(nowhere);
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.error_kind(), error_kind::unreachable) << gone.error_message();
}

TEST_F(http_streaming, a_source_failing_midway_cuts_the_connection_so_the_client_sees_an_error) {
  serve([](net::http_request) -> awaitable<net::http_response> {
    auto body = std::make_shared<net::streamed_body>();
    body->size = 300000;
    body->piece = 100000;
    body->read = [](std::uint64_t offset, std::uint64_t max) -> awaitable<result<std::string>> {
      if (offset >= 200000) co_return make_error("storage went away");
      co_return std::string(max, 'a');
    };
    co_return net::http_response{200, "audio/wav", {}, {}, std::move(body)};
  });
  net::client_request req;
  req.url = url("/audio");
  auto r = fetch(std::move(req));
  ASSERT_FALSE(r.ok()) << "a body shorter than its Content-Length must not pass as whole";
  EXPECT_NE(r.error_message().find("cannot read response"), std::string::npos) << r.error_message();
}

TEST_F(http_streaming, a_request_body_streamed_from_a_file_arrives_exact) {
  std::string received, length_header;
  serve([&](net::http_request req) -> awaitable<net::http_response> {
    received = req.body;
    length_header = std::string(req.header("content-length"));
    co_return net::http_response{201, "text/plain", "stored", {}};
  });
  scratch = fs::temp_directory_path() / ("vg-stream-" + std::to_string(::getpid()));
  fs::create_directories(scratch);
  const std::string data = pattern(900 * 1000 + 3);  // several 256 KiB pieces, under the server's 1 MiB limit
  const fs::path file = scratch / "upload.wav";
  {
    std::FILE* f = std::fopen(file.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    ASSERT_EQ(std::fwrite(data.data(), 1, data.size(), f), data.size());
    std::fclose(f);
  }
  net::client_request req;
  req.method = "PUT";
  req.url = url("/upload");
  req.body_file = file.string();
  auto r = fetch(std::move(req));
  ASSERT_TRUE(r.ok()) << r.error_message();
  EXPECT_EQ(r->status, 201);
  EXPECT_EQ(length_header, std::to_string(data.size()));
  ASSERT_EQ(received.size(), data.size());
  EXPECT_TRUE(received == data) << "the bytes differ";

  net::client_request missing;
  missing.method = "PUT";
  missing.url = url("/upload");
  missing.body_file = (scratch / "gone.wav").string();
  auto m = fetch(std::move(missing));
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.error_message().find("cannot open the body file"), std::string::npos) << m.error_message();
}

TEST_F(http_streaming, a_head_request_gets_the_headers_of_a_get_and_no_body) {
  serve([](net::http_request) -> awaitable<net::http_response> {
    auto body = std::make_shared<net::streamed_body>();
    body->size = 10;
    body->read = [](std::uint64_t, std::uint64_t) -> awaitable<result<std::string>> { co_return std::string("world"); };
    co_return net::http_response{200, "text/plain", "hello", {}, std::move(body)};
  });
  net::client_request head;
  head.method = "HEAD";
  head.url = url("/");
  auto r = fetch(std::move(head));
  ASSERT_TRUE(r.ok()) << r.error_message();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->header("content-length"), "10");
  EXPECT_EQ(r->body, "");
  // On a kept-alive connection the next answer starts right after the HEAD's headers.
  asio::io_context io;
  tcp::socket socket(io);
  socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  const std::string two = "HEAD / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  asio::write(socket, asio::buffer(two));
  std::string all;
  error_code ec;
  for (char buf[4096];;) {
    const std::size_t n = socket.read_some(asio::buffer(buf), ec);
    all.append(buf, n);
    if (ec) break;
  }
  const auto second = all.find("HTTP/1.1 200", 1);
  ASSERT_NE(second, std::string::npos) << all;
  EXPECT_EQ(all.substr(0, second).find("hello"), std::string::npos) << "the HEAD answer carried a body: " << all;
  EXPECT_TRUE(all.ends_with("\r\n\r\nhelloworld")) << all;
}

}  // namespace
}  // namespace vg
