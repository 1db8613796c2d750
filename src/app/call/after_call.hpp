// What runs once a call has ended: the extraction the assistant asks for
// (settings.extraction.schema), filled by the Chat Completions API from the transcript, stored
// on the call with its state and what its answer cost, and sent to the organisation's webhook
// (signed) when it has one; a delivery that fails for good is a webhook_failed event on the call.
#pragma once
#include <string>

#include "app/background_work.hpp"
#include "app/config.hpp"
#include "app/orgs/directory.hpp"
#include "app/store_writer.hpp"
#include "net/asio.hpp"
#include "ports/chat_model.hpp"

namespace boost::asio::ssl {
class context;
}

namespace vg::app {

// Starts the after-call work in the background when the assistant asks for any; `busy` is held
// until it is over.
void after_call(asio::any_io_executor ex, const config& cfg, asio::ssl::context& tls, ports::chat_model& chat,
                store_writer& store, call_setup setup, std::string call_sid, background_work::ticket busy);

}  // namespace vg::app
