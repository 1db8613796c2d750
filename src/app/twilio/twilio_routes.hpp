// Twilio's side of voxgate: the voice webhook (answers TwiML and starts the session, or first
// asks for a key: the gate callback then starts it), the
// media-stream WebSocket (signature + token check, then hand-off to the session), the
// <Connect action> request and status callbacks. Handlers run on the connection's thread.
#pragma once
#include <optional>

#include "app/call/call_session.hpp"
#include "app/gather/gather_flow.hpp"
#include "net/http_server.hpp"
#include "net/ws_router.hpp"

namespace vg::app {

class twilio_routes {
 public:
  // `services` and `gather` must outlive this object.
  twilio_routes(call_services& services, gather_flow& gather);

  // A response when the request is one of Twilio's routes, nullopt otherwise.
  std::optional<net::http_response> handle(const net::http_request& req, asio::any_io_executor ex);
  // The media stream's paths (seed paths included) go to handle_stream.
  void add_stream_routes(net::ws_router& router);
  // Gather turns (settings.mode: gather) wait for the chat model, so they are answered by a
  // coroutine: is_gather says whether a request is one (seed 004's /api/phone/process-speech too).
  static bool is_gather(std::string_view path);
  awaitable<net::http_response> gather_turn(net::http_request req);

 private:
  awaitable<void> handle_stream(net::http_request req, net::ws_upgrade upgrade);
  net::http_response voice(const net::http_request& req, asio::any_io_executor ex);
  net::http_response gate(const net::http_request& req, asio::any_io_executor ex);
  std::optional<net::http_response> identify(const net::http_request& req,
                                             const std::vector<std::pair<std::string, std::string>>& params, call_info& info);
  net::http_response connect(const net::http_request& req, asio::any_io_executor ex, call_info info);
  std::string stream_document(const net::http_request& req, const call_info& info) const;
  std::string gate_document(const net::http_request& req, const call_info& info, int attempt) const;
  net::http_response stream_ended(const net::http_request& req);
  std::string after_failure(const net::http_request& req, const twilio::form& params);
  net::http_response status_callback(const net::http_request& req);
  net::http_response sms_status(const net::http_request& req);
  // Validates X-Twilio-Signature; returns the parameters Twilio sent or a 4xx response.
  std::optional<net::http_response> check_webhook(const net::http_request& req, std::vector<std::pair<std::string, std::string>>& params);
  std::string public_base(const net::http_request& req) const;
  // The assistant that answers: nullopt when the call names an organisation or assistant that
  // does not exist (it hears an apology); an empty setup when nothing matched (the default).
  std::optional<call_setup> setup_for(const std::string& call_sid, const std::string& org_param,
                                      const std::string& assistant_param, const std::string& number);

  call_services& services_;
  gather_flow& gather_;
  std::string stream_secret_;
};

}  // namespace vg::app
