#include "adapters/openai_chat.hpp"

#include <boost/asio/this_coro.hpp>

#include "net/http_client.hpp"

namespace vg::adapters {

openai_chat::openai_chat(std::string base_url, std::string api_key, asio::ssl::context& tls, std::chrono::milliseconds timeout)
    : url_(std::move(base_url)), api_key_(std::move(api_key)), tls_(tls), timeout_(timeout) {
  while (!url_.empty() && url_.back() == '/') url_.pop_back();
  url_ += "/chat/completions";
}

awaitable<result<ports::chat_reply>> openai_chat::complete(std::string request_json) {
  net::client_request req;
  req.method = "POST";
  req.url = url_;
  req.body = std::move(request_json);
  req.headers = {{"Authorization", "Bearer " + api_key_}, {"Content-Type", "application/json"}, {"User-Agent", "voxgate"}};
  net::client_options opts;
  opts.timeout = timeout_;  // a long transcript takes a while
  opts.tls = &tls_;
  opts.max_body = 4 * 1024 * 1024;
  auto ex = co_await asio::this_coro::executor;
  auto res = co_await net::http_fetch(ex, std::move(req), opts);
  if (!res) co_return res.failure();
  co_return ports::chat_reply{res->status, std::move(res->body)};
}

}  // namespace vg::adapters
