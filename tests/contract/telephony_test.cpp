// The telephony port's Twilio adapter against the fake Twilio REST API over real sockets: the
// form and auth it sends, Twilio errors as values, no SMS retries, hang-up leniency, timeouts,
// the signed SMS status callback, and recordings (start, fetch while not ready, delete, and the
// credentials never sent off the API host). Each test owns its loops (test thread + fake threads).
#include <gtest/gtest.h>

#include <boost/asio/ssl/context.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "adapters/twilio_rest.hpp"
#include "core/base64.hpp"
#include "core/twilio/webhook.hpp"
#include "net/http_server.hpp"
#include "tests/fakes/event_loop.hpp"
#include "tests/fakes/fake_twilio_rest.hpp"

namespace vg {
namespace {
using namespace std::chrono_literals;

using fakes::settle;

const char* const call_sid = "CA0123456789abcdef0123456789abcdef";
const char* const transfer_twiml = "<Response><Dial>+15552223333</Dial></Response>";

const char* const status_callback_url = "https://voxgate.example/twilio/recording";

// A small dual-channel 8 kHz WAV-shaped blob: a RIFF header, then every byte value (NULs
// included) so any text-mode or truncation bug shows.
std::string sample_wav(std::size_t data_bytes = 300000) {
  std::string out = "RIFF";
  const auto le32 = [&out](std::uint32_t v) {
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
  };
  le32(static_cast<std::uint32_t>(36 + data_bytes));
  out += "WAVEfmt ";
  le32(16);
  out += std::string("\x01\x00\x02\x00", 4);  // PCM, 2 channels
  le32(8000);
  le32(8000 * 2 * 2);
  out += std::string("\x04\x00\x10\x00", 4);  // block align 4, 16 bits
  out += "data";
  le32(static_cast<std::uint32_t>(data_bytes));
  for (std::size_t i = 0; i < data_bytes; ++i) out.push_back(static_cast<char>(i * 7 % 256));
  return out;
}

ports::sms_request sms(std::string body = "Your cleaning is booked for Tuesday at 10:00.") {
  return ports::sms_request{"+15125550123", "+15125550199", std::move(body), {}};
}

// Receives SMS status callbacks like voxgate, checks X-Twilio-Signature (docs/protocols/twilio-webhooks.md#signature).
struct callback_receiver {
  explicit callback_receiver(std::string token) : auth_token(std::move(token)) {
    server = std::make_unique<net::http_server>(
        std::vector<asio::io_context*>{&loop.context()},
        net::http_handlers{[this](net::http_request req) { return handle(std::move(req)); }, {}});
    port = server->listen("127.0.0.1", 0);
  }
  ~callback_receiver() {
    loop.run_sync([](net::http_server* s) -> awaitable<void> {
      s->stop();
      co_return;
    }(server.get()));
    loop.stop();
    server.reset();
  }
  std::string url(const std::string& target) const { return "http://127.0.0.1:" + std::to_string(port) + target; }

  awaitable<net::http_response> handle(net::http_request req) {
    const twilio::form form = twilio::parse_form(req.body).value_or(twilio::form{});
    const bool valid = twilio::validate_signature(auth_token, url(req.target), form, req.header("x-twilio-signature"));
    std::lock_guard lock(mutex);
    received.push_back(form);
    co_return net::http_response{valid ? 204 : 403, "text/plain", {}, {}};
  }

  std::string auth_token;
  fakes::event_loop loop;
  std::mutex mutex;
  std::vector<twilio::form> received;
  std::unique_ptr<net::http_server> server;
  std::uint16_t port = 0;
};

class telephony_test : public ::testing::Test {
 protected:
  fakes::fake_twilio_rest fake;
  asio::ssl::context tls{asio::ssl::context::tls_client};
  fakes::event_loop loop;
  adapters::twilio_rest adapter{tls, fake.url(), fake.account_sid(), fake.auth_token()};

  result<ports::sms_sent> send(ports::sms_request request, adapters::twilio_rest* via = nullptr) {
    adapters::twilio_rest& a = via != nullptr ? *via : adapter;
    return *loop.run_sync(settle(a.send_sms(std::move(request))));
  }
  result<bool> update(std::string sid, ports::call_update u, adapters::twilio_rest* via = nullptr) {
    adapters::twilio_rest& a = via != nullptr ? *via : adapter;
    return *loop.run_sync(settle(a.update_call(std::move(sid), std::move(u))));
  }
  result<std::string> start(std::string sid, ports::recording_request r, adapters::twilio_rest* via = nullptr) {
    adapters::twilio_rest& a = via != nullptr ? *via : adapter;
    return *loop.run_sync(settle(a.start_recording(std::move(sid), std::move(r))));
  }
  result<ports::recording_media> fetch(std::string url, adapters::twilio_rest* via = nullptr) {
    adapters::twilio_rest& a = via != nullptr ? *via : adapter;
    return *loop.run_sync(settle(a.fetch_recording(std::move(url))));
  }
  result<bool> remove(std::string recording_sid, adapters::twilio_rest* via = nullptr) {
    adapters::twilio_rest& a = via != nullptr ? *via : adapter;
    return *loop.run_sync(settle(a.delete_recording(std::move(recording_sid))));
  }
  std::string recordings_path() const { return "/2010-04-01/Accounts/" + fake.account_sid() + "/Recordings/"; }
  static std::string error_of(const auto& r) { return r.ok() ? std::string("<ok>") : r.error_message(); }
};

TEST_F(telephony_test, sends_an_sms_with_the_twilio_form_and_basic_auth) {
  auto r = send(sms());
  ASSERT_TRUE(r.ok()) << error_of(r);
  EXPECT_EQ(r->sid.size(), 34u);
  EXPECT_EQ(r->sid.substr(0, 2), "SM");
  EXPECT_EQ(r->status, "queued");
  EXPECT_EQ(r->segments, 1);

  const auto reqs = fake.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].method, "POST");
  EXPECT_EQ(reqs[0].path, "/2010-04-01/Accounts/" + fake.account_sid() + "/Messages.json");
  EXPECT_EQ(reqs[0].status, 201);
  EXPECT_EQ(net::find_header(reqs[0].headers, "authorization"),
            "Basic " + base64::encode(fake.account_sid() + ":" + fake.auth_token()));
  EXPECT_EQ(net::find_header(reqs[0].headers, "content-type"), "application/x-www-form-urlencoded");
  EXPECT_EQ(net::find_header(reqs[0].headers, "accept"), "application/json");
  EXPECT_EQ(twilio::form_value(reqs[0].form, "To"), "+15125550123");
  EXPECT_EQ(twilio::form_value(reqs[0].form, "From"), "+15125550199");
  EXPECT_EQ(twilio::form_value(reqs[0].form, "Body"), "Your cleaning is booked for Tuesday at 10:00.");
  for (const auto& [name, value] : reqs[0].form) EXPECT_NE(name, "StatusCallback") << "sent although not set";

  const auto msgs = fake.messages();
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(msgs[0].sid, r->sid);
  EXPECT_EQ(msgs[0].to, "+15125550123");
}

TEST_F(telephony_test, passes_the_status_callback_and_reports_segments) {
  auto request = sms(std::string(200, 'a') + " & = + ünïcode");  // UCS-2: 67 characters a part
  request.status_callback = "https://voxgate.example/twilio/sms-status?org=bright-smile";
  auto r = send(request);
  ASSERT_TRUE(r.ok()) << error_of(r);
  EXPECT_EQ(r->segments, 4);
  const auto msgs = fake.messages();
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(msgs[0].status_callback, request.status_callback);
  EXPECT_EQ(msgs[0].body, request.body);  // form encoding round-trips &, =, + and UTF-8
}

TEST_F(telephony_test, an_invalid_number_is_twilios_21211_error) {
  auto request = sms();
  request.to = "555-1234";
  auto r = send(request);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error_message(), "Twilio 21211: The 'To' number 555-1234 is not a valid phone number.");
  EXPECT_TRUE(fake.messages().empty());
}

TEST_F(telephony_test, a_wrong_auth_token_is_error_20003) {
  adapters::twilio_rest wrong(tls, fake.url(), fake.account_sid(), "not-the-token");
  auto r = send(sms(), &wrong);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error_message().rfind("Twilio 20003: ", 0), 0u) << r.error_message();
  adapters::twilio_rest other_account(tls, fake.url(), "AC" + std::string(32, 'f'), fake.auth_token());
  auto r2 = send(sms(), &other_account);
  EXPECT_EQ(error_of(r2).rfind("Twilio 20003: ", 0), 0u) << error_of(r2);
  EXPECT_TRUE(fake.messages().empty());
  EXPECT_EQ(fake.requests().at(0).status, 401);
}

TEST_F(telephony_test, a_server_error_is_reported_and_the_sms_is_never_retried) {
  fake.fail_next(1, 500, 20500, "An internal server error has occurred");
  auto r = send(sms());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error_message(), "Twilio 20500: An internal server error has occurred");
  EXPECT_EQ(fake.requests().size(), 1u);  // a retry could text the caller twice
  EXPECT_TRUE(fake.messages().empty());
}

TEST_F(telephony_test, a_body_over_1600_characters_is_refused_without_a_request) {
  auto r = send(sms(std::string(1601, 'x')));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error_message().find("1600"), std::string::npos) << r.error_message();
  EXPECT_TRUE(fake.requests().empty());
  std::string accented;
  for (int i = 0; i < 1600; ++i) accented += "\xC3\xA9";  // 1600 characters, 3200 bytes
  auto ok = send(sms(accented));
  EXPECT_TRUE(ok.ok()) << error_of(ok);  // the limit counts characters, not bytes
}

TEST_F(telephony_test, hanging_up_ends_a_live_call_and_an_ended_or_unknown_call_is_success) {
  fake.add_live_call(call_sid);
  auto r = update(call_sid, ports::call_update{{}, true});
  ASSERT_TRUE(r.ok()) << error_of(r);
  EXPECT_TRUE(*r);
  EXPECT_FALSE(fake.call_live(call_sid));
  const auto ups = fake.call_updates();
  ASSERT_EQ(ups.size(), 1u);
  EXPECT_EQ(ups[0].status, "completed");
  EXPECT_EQ(fake.requests().at(0).path,
            "/2010-04-01/Accounts/" + fake.account_sid() + "/Calls/" + call_sid + ".json");

  auto again = update(call_sid, ports::call_update{{}, true});  // 404/20404 from the fake
  ASSERT_TRUE(again.ok()) << error_of(again);
  EXPECT_FALSE(*again);
  auto unknown = update("CA" + std::string(32, '9'), ports::call_update{{}, true});
  ASSERT_TRUE(unknown.ok()) << error_of(unknown);
  EXPECT_EQ(fake.requests().size(), 3u);
}

TEST_F(telephony_test, a_hang_up_is_retried_once_after_a_server_error) {
  fake.add_live_call(call_sid);
  fake.fail_next(1, 503, 20503, "Service unavailable");
  auto r = update(call_sid, ports::call_update{{}, true});
  ASSERT_TRUE(r.ok()) << error_of(r);
  EXPECT_EQ(fake.requests().size(), 2u);
  EXPECT_FALSE(fake.call_live(call_sid));

  fake.add_live_call(call_sid);
  fake.fail_next(2, 503, 20503, "Service unavailable");
  auto twice = update(call_sid, ports::call_update{{}, true});
  EXPECT_EQ(error_of(twice), "Twilio 20503: Service unavailable");
  EXPECT_EQ(fake.requests().size(), 4u);  // one retry, not more
}

TEST_F(telephony_test, a_transfer_puts_the_twiml_in_the_update_and_is_not_retried) {
  fake.add_live_call(call_sid);
  auto r = update(call_sid, ports::call_update{transfer_twiml, false});
  ASSERT_TRUE(r.ok()) << error_of(r);
  EXPECT_TRUE(*r);
  const auto ups = fake.call_updates();
  ASSERT_EQ(ups.size(), 1u);
  EXPECT_EQ(ups[0].twiml, transfer_twiml);
  EXPECT_EQ(ups[0].status, "");
  EXPECT_TRUE(fake.call_live(call_sid));

  fake.fail_next(1, 500, 20500, "An internal server error has occurred");
  auto failed = update(call_sid, ports::call_update{transfer_twiml, false});
  EXPECT_EQ(error_of(failed), "Twilio 20500: An internal server error has occurred");
  EXPECT_EQ(fake.requests().size(), 2u);  // re-sending would restart the new TwiML

  auto gone = update("CA" + std::string(32, '7'), ports::call_update{transfer_twiml, false});
  EXPECT_EQ(error_of(gone).rfind("Twilio 20404: ", 0), 0u) << error_of(gone);
  auto bad = update(call_sid, ports::call_update{"<Dial>+15552223333</Dial>", false});
  EXPECT_EQ(error_of(bad).rfind("Twilio 12100: ", 0), 0u) << error_of(bad);
  auto path_trick = update("../Messages", ports::call_update{{}, true});
  EXPECT_FALSE(path_trick.ok());
  EXPECT_EQ(fake.requests().size(), 4u);  // the bad CallSid never left the adapter
}

TEST_F(telephony_test, a_stalled_twilio_is_unreachable_after_about_the_timeout) {
  adapters::twilio_rest quick(tls, fake.url(), fake.account_sid(), fake.auth_token(), 300ms);
  fake.delay_next(5s);
  const auto start = std::chrono::steady_clock::now();
  auto r = send(sms(), &quick);
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error_message().rfind("Twilio unreachable: ", 0), 0u) << r.error_message();
  EXPECT_EQ(r.error_kind(), error_kind::unreachable);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(took).count();
  EXPECT_GE(ms, 290);
  EXPECT_LT(ms, 1500);
  EXPECT_EQ(fake.requests().size(), 1u);
}

TEST_F(telephony_test, a_closed_port_is_unreachable) {
  std::uint16_t closed = 0;
  {
    tcp::acceptor probe(loop.context(), tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    closed = probe.local_endpoint().port();
  }  // closed again: nothing listens there now
  adapters::twilio_rest nowhere(tls, "http://127.0.0.1:" + std::to_string(closed), fake.account_sid(),
                                fake.auth_token(), 2s);
  auto r = send(sms(), &nowhere);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error_message().rfind("Twilio unreachable: ", 0), 0u) << r.error_message();
  EXPECT_EQ(r.error_kind(), error_kind::unreachable);
  auto hang_up = update(call_sid, ports::call_update{{}, true}, &nowhere);  // retried, still down
  EXPECT_EQ(error_of(hang_up).rfind("Twilio unreachable: ", 0), 0u) << error_of(hang_up);
}

TEST_F(telephony_test, deliver_posts_a_correctly_signed_status_callback) {
  callback_receiver receiver(fake.auth_token());
  auto request = sms();
  request.status_callback = receiver.url("/twilio/sms-status?org=bright-smile");
  auto r = send(request);
  ASSERT_TRUE(r.ok()) << error_of(r);

  EXPECT_EQ(fake.deliver(r->sid, "delivered"), 204);  // 403 would mean a bad signature
  {
    std::lock_guard lock(receiver.mutex);
    ASSERT_EQ(receiver.received.size(), 1u);
    const twilio::form& f = receiver.received[0];
    EXPECT_EQ(twilio::form_value(f, "MessageSid"), r->sid);
    EXPECT_EQ(twilio::form_value(f, "SmsSid"), r->sid);
    EXPECT_EQ(twilio::form_value(f, "MessageStatus"), "delivered");
    EXPECT_EQ(twilio::form_value(f, "SmsStatus"), "delivered");
    EXPECT_EQ(twilio::form_value(f, "AccountSid"), fake.account_sid());
    EXPECT_EQ(twilio::form_value(f, "From"), "+15125550199");
    EXPECT_EQ(twilio::form_value(f, "To"), "+15125550123");
    EXPECT_EQ(twilio::form_value(f, "ApiVersion"), "2010-04-01");
    EXPECT_EQ(twilio::form_value(f, "ErrorCode"), "");
  }
  const auto cbs = fake.callbacks();
  ASSERT_EQ(cbs.size(), 1u);
  EXPECT_TRUE(twilio::validate_signature(fake.auth_token(), request.status_callback, cbs[0].form, cbs[0].signature));
  EXPECT_FALSE(twilio::validate_signature("another-token", request.status_callback, cbs[0].form, cbs[0].signature));
  EXPECT_EQ(fake.messages().at(0).status, "delivered");

  EXPECT_EQ(fake.deliver(r->sid, "undelivered"), 204);
  {
    std::lock_guard lock(receiver.mutex);
    EXPECT_EQ(twilio::form_value(receiver.received.at(1), "ErrorCode"), "30008");
  }
  auto no_callback = send(sms());
  ASSERT_TRUE(no_callback.ok()) << error_of(no_callback);
  EXPECT_EQ(fake.deliver(no_callback->sid, "delivered"), 0);  // nothing to post to
  EXPECT_EQ(fake.deliver("SM" + std::string(32, '0'), "delivered"), 0);
}

TEST_F(telephony_test, start_recording_returns_the_recording_sid_and_asks_for_dual_channels_with_the_callback) {
  fake.add_live_call(call_sid);
  auto r = start(call_sid, ports::recording_request{status_callback_url, true});
  ASSERT_TRUE(r.ok()) << error_of(r);
  EXPECT_EQ(r->size(), 34u);
  EXPECT_EQ(r->substr(0, 2), "RE");
  const auto starts = fake.recordings_started();
  ASSERT_EQ(starts.size(), 1u);
  EXPECT_EQ(starts[0].call_sid, call_sid);
  EXPECT_EQ(starts[0].recording_sid, *r);
  EXPECT_EQ(starts[0].channels, "dual");
  EXPECT_EQ(starts[0].status_callback, status_callback_url);
  EXPECT_EQ(starts[0].status_callback_method, "POST");
  EXPECT_EQ(starts[0].status_callback_events, std::vector<std::string>{"completed"});
  const auto reqs = fake.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].method, "POST");
  EXPECT_EQ(reqs[0].path, "/2010-04-01/Accounts/" + fake.account_sid() + "/Calls/" + call_sid + "/Recordings.json");
  EXPECT_EQ(reqs[0].status, 201);

  // Started but not finished: the media is not there yet.
  auto early = fetch(fake.recording_url(*r));
  EXPECT_EQ(error_of(early).rfind("not ready", 0), 0u) << error_of(early);

  auto mono = start(call_sid, ports::recording_request{{}, false});
  ASSERT_TRUE(mono.ok()) << error_of(mono);
  const auto second = fake.recordings_started().at(1);
  EXPECT_EQ(second.channels, "mono");
  EXPECT_EQ(second.status_callback, "");
  EXPECT_TRUE(second.status_callback_events.empty());

  auto ended = start("CA" + std::string(32, '5'), ports::recording_request{status_callback_url, true});
  EXPECT_EQ(error_of(ended).rfind("Twilio 20404: ", 0), 0u) << error_of(ended);
  const std::size_t sent = fake.requests().size();
  auto path_trick = start("../Messages", ports::recording_request{status_callback_url, true});
  EXPECT_FALSE(path_trick.ok());
  EXPECT_EQ(fake.requests().size(), sent);
}

TEST_F(telephony_test, fetch_recording_is_not_ready_twice_then_gives_the_exact_bytes) {
  const std::string rec = "RE" + std::string(32, 'a');
  const std::string wav = sample_wav();
  fake.add_recording(rec, call_sid, wav, 2);
  const std::string url = fake.recording_url(rec);
  EXPECT_EQ(url, fake.url() + recordings_path() + rec);  // as in the callback: no extension

  for (int i = 0; i < 2; ++i) {
    auto r = fetch(url);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error_message().rfind("not ready", 0), 0u) << r.error_message();
    EXPECT_EQ(r.error_kind(), error_kind::not_ready);
  }
  auto r = fetch(url);
  ASSERT_TRUE(r.ok()) << error_of(r);
  EXPECT_EQ(r->content_type, "audio/x-wav");
  EXPECT_EQ(r->bytes.size(), wav.size());
  EXPECT_TRUE(r->bytes == wav);  // not EXPECT_EQ: a 300 kB diff helps nobody
  EXPECT_EQ(fake.recording_fetches(rec), 3);

  const auto reqs = fake.requests();
  ASSERT_EQ(reqs.size(), 3u);
  for (const auto& q : reqs) {
    EXPECT_EQ(q.method, "GET");
    EXPECT_EQ(q.path, recordings_path() + rec + ".wav");
    EXPECT_EQ(net::find_header(q.headers, "authorization"),
              "Basic " + base64::encode(fake.account_sid() + ":" + fake.auth_token()));
  }
  EXPECT_EQ(reqs[0].status, 404);
  EXPECT_EQ(reqs[2].status, 200);

  auto with_extension = fetch(url + ".wav");  // not doubled
  ASSERT_TRUE(with_extension.ok()) << error_of(with_extension);
  EXPECT_EQ(fake.requests().back().path, recordings_path() + rec + ".wav");
  EXPECT_EQ(fake.recording_fetches(rec), 4);

  auto unknown = fetch(fake.recording_url("RE" + std::string(32, 'b')));
  EXPECT_EQ(error_of(unknown).rfind("not ready: Twilio 20404: ", 0), 0u) << error_of(unknown);
  fake.fail_next(1, 500, 20500, "An internal server error has occurred");
  auto failed = fetch(url);
  EXPECT_EQ(error_of(failed), "Twilio 20500: An internal server error has occurred");
}

TEST_F(telephony_test, fetch_recording_never_sends_the_credentials_off_the_api_base) {
  const std::string rec = "RE" + std::string(32, 'c');
  fake.add_recording(rec, call_sid, sample_wav(100), 0);
  const std::string path = recordings_path() + rec;
  const std::uint16_t other_port = fake.port() == 65535 ? 65534 : static_cast<std::uint16_t>(fake.port() + 1);
  const std::string port = std::to_string(fake.port());
  const std::vector<std::string> refused = {
      "https://api.twilio.example" + path,                              // another host
      "http://127.0.0.1:" + std::to_string(other_port) + path,         // another port
      "https://127.0.0.1:" + port + path,                               // another scheme
      "http://localhost:" + port + path,                                // the same machine, named differently
      "http://127.0.0.1:" + port + "@evil.example" + path,              // userinfo trick
      "http://127.0.0.1:" + port + "/2010-04-01/../../" + path.substr(1),  // dot segments
      "/2010-04-01" + path,                                              // not absolute
      "",
  };
  for (const std::string& url : refused) {
    auto r = fetch(url);
    ASSERT_FALSE(r.ok()) << url;
    EXPECT_EQ(r.error_message().rfind("refusing to fetch recording URL", 0), 0u) << r.error_message();
  }
  EXPECT_TRUE(fake.requests().empty());
  EXPECT_EQ(fake.recording_fetches(rec), 0);

  // The base URL's own spelling, and a trailing slash on the base, are accepted.
  adapters::twilio_rest slash(tls, fake.url() + "/", fake.account_sid(), fake.auth_token());
  auto ok = fetch(fake.recording_url(rec), &slash);
  EXPECT_TRUE(ok.ok()) << error_of(ok);
  EXPECT_TRUE(slash.under_api_base(fake.url() + path));
  EXPECT_FALSE(slash.under_api_base(fake.url() + "evil.example" + path));  // 127.0.0.1:PORTevil...
}

TEST_F(telephony_test, recording_requests_with_wrong_credentials_are_error_20003) {
  const std::string rec = "RE" + std::string(32, 'd');
  fake.add_recording(rec, call_sid, sample_wav(100), 0);
  adapters::twilio_rest wrong(tls, fake.url(), fake.account_sid(), "not-the-token");
  auto r = fetch(fake.recording_url(rec), &wrong);
  EXPECT_EQ(error_of(r).rfind("Twilio 20003: ", 0), 0u) << error_of(r);
  auto d = remove(rec, &wrong);
  EXPECT_EQ(error_of(d).rfind("Twilio 20003: ", 0), 0u) << error_of(d);
  fake.add_live_call(call_sid);
  auto s = start(call_sid, ports::recording_request{status_callback_url, true}, &wrong);
  EXPECT_EQ(error_of(s).rfind("Twilio 20003: ", 0), 0u) << error_of(s);
  EXPECT_EQ(fake.recording_fetches(rec), 0);
  EXPECT_FALSE(fake.recording_deleted(rec));
  EXPECT_TRUE(fake.recordings_started().empty());
  for (const auto& q : fake.requests()) EXPECT_EQ(q.status, 401);
}

TEST_F(telephony_test, delete_recording_is_true_then_false_once_gone) {
  const std::string rec = "RE" + std::string(32, 'e');
  fake.add_recording(rec, call_sid, sample_wav(100), 0);
  auto r = remove(rec);
  ASSERT_TRUE(r.ok()) << error_of(r);
  EXPECT_TRUE(*r);
  EXPECT_TRUE(fake.recording_deleted(rec));
  const auto reqs = fake.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].method, "DELETE");
  EXPECT_EQ(reqs[0].path, recordings_path() + rec + ".json");
  EXPECT_EQ(reqs[0].status, 204);

  auto again = remove(rec);  // 404/20404: already gone, which is what we wanted
  ASSERT_TRUE(again.ok()) << error_of(again);
  EXPECT_FALSE(*again);
  EXPECT_EQ(fake.requests().back().status, 404);

  // Deleting twice is harmless, so a server error is retried once.
  const std::string other = "RE" + std::string(32, 'f');
  fake.add_recording(other, call_sid, sample_wav(100), 0);
  fake.fail_next(1, 503, 20503, "Service unavailable");
  auto retried = remove(other);
  ASSERT_TRUE(retried.ok()) << error_of(retried);
  EXPECT_TRUE(*retried);
  EXPECT_EQ(fake.requests().size(), 4u);

  auto bad = remove("../Calls/" + std::string(call_sid));
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(fake.requests().size(), 4u);
}

}  // namespace
}  // namespace vg
