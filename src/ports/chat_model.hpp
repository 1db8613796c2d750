// A text model answering Chat Completions requests (docs/protocols/chat-completions.md): the
// after-call extraction today; Gather turns and failover next. The request and its answer are
// built and read by pure code (core/openai/chat); the adapter only carries them.
#pragma once
#include <string>

#include <boost/asio/awaitable.hpp>

#include "core/result.hpp"

namespace vg::ports {

struct chat_reply {
  int status = 0;    // the HTTP status
  std::string body;  // the JSON answer (or the API's error object)
};

class chat_model {
 public:
  virtual ~chat_model() = default;
  // Whether requests can be made at all (an API key is configured).
  virtual bool configured() const = 0;
  // POSTs one request body; an error when the API could not be reached (a transport failure,
  // a timeout), else its status and body, whatever the status.
  virtual boost::asio::awaitable<result<chat_reply>> complete(std::string request_json) = 0;
};

}  // namespace vg::ports
