// The seeds' own paths over real HTTP: seed 001's /call-status, where Twilio's signed POST (or
// signed GET) is the status callback and the frontend's GET with an API token reads the call's
// status as JSON; and seed 004's GET /api/phone/active-calls and /api/phone/call-status/{sid},
// aliases of the API. Each is tried by its caller and by those who must be refused (no token,
// another organisation's token, an unsigned Twilio request).
#include "tests/e2e/api_client.hpp"

namespace vg::e2e {
namespace {
using fakes::wait_until;

constexpr const char* admin = "admin-token-for-seed-path-tests-0123456789";
constexpr const char* vox_number = "+15125550177";

class seed_paths_test : public bridge_test {
 protected:
  void start() {
    start_server([](app::config& c) { c.api_token = admin; });
    ASSERT_EQ(api("POST", "/api/v1/orgs", R"({"id":"vox","name":"Vox Demo","numbers":["+15125550177"]})", admin).status, 201);
    ASSERT_EQ(api("POST", "/api/v1/orgs/vox/assistants", R"({"name":"Vox"})", admin).status, 201);
    ASSERT_EQ(api("POST", "/api/v1/orgs", R"({"id":"other","name":"Another Business"})", admin).status, 201);
    vox_token = token_for("vox");
    other_token = token_for("other");
    auto opts = caller_options();
    opts.to = vox_number;
    caller = make_caller(opts);
    ASSERT_EQ(caller->place_call(), 200);
    ASSERT_EQ(caller->open_stream(), 101);
    sid = caller->call_sid();
  }

  api_reply api(const std::string& method, const std::string& path, const std::string& body, const std::string& token) {
    return call_api(loop, port, method, path, body, token);
  }

  std::string token_for(const std::string& org) {
    auto r = api("POST", "/api/v1/tokens", R"({"name":"frontend","org_id":")" + org + R"("})", admin);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? std::string(r.json.at("token").as_string()) : std::string();
  }

  // A request signed as Twilio signs one: over PUBLIC_URL + target, with the POST's parameters.
  int twilio_request(const std::string& method, const std::string& target, const twilio::form& form, bool signed_ = true) {
    net::client_request req;
    req.method = method;
    req.url = "http://127.0.0.1:" + std::to_string(port) + target;
    const twilio::form none;
    if (method == "POST") {
      req.body = twilio::encode_form(form);
      req.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
    }
    if (signed_) {
      req.headers.emplace_back("X-Twilio-Signature", twilio::compute_signature(auth_token, std::string(public_url) + target,
                                                                                method == "POST" ? form : none));
    }
    auto [error, res] = loop.run_sync(fetch(std::move(req)));
    return res ? res->status : 0;
  }

  std::string status_read_by(const std::string& token) {
    auto r = api("GET", "/call-status?callSid=" + sid, {}, token);
    return r.status == 200 ? std::string(r.json.at("status").as_string()) : "HTTP " + std::to_string(r.status);
  }

  std::string vox_token, other_token, sid;
  std::unique_ptr<fakes::simulated_caller> caller;
};

TEST_F(seed_paths_test, call_status_is_twilios_signed_callback_and_the_frontends_json_read) {
  start();
  // Twilio's status callback, signed, on the seed's path: it moves the call's status.
  const twilio::form in_progress{{"AccountSid", "AC0123456789abcdef0123456789abcdef"}, {"CallSid", sid},
                                 {"CallStatus", "in-progress"}, {"SequenceNumber", "1"}};
  EXPECT_EQ(twilio_request("POST", "/call-status", in_progress), 204);
  ASSERT_TRUE(wait_until([&] { return status_read_by(vox_token) == "in-progress"; })) << status_read_by(vox_token);

  // The frontend's read: the call as JSON, to its own organisation's token and to an administrator.
  auto r = api("GET", "/call-status?callSid=" + sid, {}, vox_token);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("content-type").rfind("application/json", 0), 0u);
  EXPECT_EQ(r.json.at("sid"), js::value(sid));
  EXPECT_EQ(r.json.at("org_id"), "vox");
  EXPECT_EQ(r.json.at("to"), vox_number);
  EXPECT_TRUE(r.json.as_object().contains("audio_url"));
  EXPECT_EQ(api("GET", "/call-status/?call_sid=" + sid, {}, vox_token).status, 200);
  EXPECT_EQ(api("GET", "/call-status?callSid=" + sid, {}, admin).status, 200);

  // Refused: no token (401, not Twilio's 403), another organisation's token (404: the call is
  // not theirs to know of), no callSid (400), a SID that does not exist (404), a write (405).
  r = api("GET", "/call-status?callSid=" + sid, {}, "");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.header("www-authenticate"), "Bearer");
  EXPECT_EQ(api("GET", "/call-status?callSid=" + sid, {}, "not-a-token").status, 401);
  r = api("GET", "/call-status?callSid=" + sid, {}, other_token);
  EXPECT_EQ(r.status, 404) << r.body;
  EXPECT_EQ(r.json.at("error").at("code"), "not_found");
  r = api("GET", "/call-status", {}, vox_token);
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(r.json.at("error").at("field"), "callSid");
  EXPECT_EQ(api("GET", "/call-status?callSid=CA00000000000000000000000000000000", {}, vox_token).status, 404);

  // The POST stays Twilio's: unsigned, or with a bearer token instead of a signature, it is
  // refused and changes nothing.
  const twilio::form forged{{"CallSid", sid}, {"CallStatus", "completed"}, {"SequenceNumber", "9"}};
  EXPECT_EQ(twilio_request("POST", "/call-status", forged, false), 403);
  EXPECT_EQ(api("POST", "/call-status", twilio::encode_form(forged), vox_token).status, 403);
  EXPECT_EQ(status_read_by(vox_token), "in-progress");

  // Twilio may send the callback as a GET (StatusCallbackMethod=GET), signed over the URL with
  // its query: that is still the callback, not a read.
  const std::string target = "/call-status?CallSid=" + sid + "&CallStatus=completed&SequenceNumber=3&CallDuration=12";
  EXPECT_EQ(twilio_request("GET", target, {}), 204);
  ASSERT_TRUE(wait_until([&] { return status_read_by(vox_token) == "completed"; })) << status_read_by(vox_token);
  EXPECT_EQ(twilio_request("GET", "/call-status?CallSid=" + sid + "&CallStatus=ringing&SequenceNumber=4", {}, false), 401)
      << "an unsigned GET is a read, and a read needs a token";
}

TEST_F(seed_paths_test, seed_004s_active_calls_and_call_status_are_the_apis_with_bearer_tokens) {
  start();
  // Active calls: the organisation's own, for its token; none of them for another's.
  ASSERT_TRUE(wait_until([&] { return api("GET", "/api/phone/active-calls", {}, vox_token).json.at("data").as_array().size() == 1; }));
  auto r = api("GET", "/api/phone/active-calls", {}, vox_token);
  EXPECT_EQ(r.json.at("data").at(0).at("sid"), js::value(sid));
  EXPECT_TRUE(r.json.as_object().contains("next_cursor"));
  const auto same = api("GET", "/api/v1/calls/active", {}, vox_token);  // the API's answer, field for field
  ASSERT_EQ(same.json.at("data").as_array().size(), 1u) << same.body;
  for (const auto& field : same.json.at("data").at(0).as_object()) {
    EXPECT_TRUE(r.json.at("data").at(0).as_object().contains(field.key())) << field.key();
  }
  EXPECT_EQ(r.json.at("data").at(0).as_object().size(), same.json.at("data").at(0).as_object().size());
  r = api("GET", "/api/phone/active-calls", {}, other_token);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(r.json.at("data").as_array().empty()) << r.body;
  EXPECT_EQ(api("GET", "/api/phone/active-calls?org=vox", {}, other_token).status, 403);
  EXPECT_EQ(api("GET", "/api/phone/active-calls", {}, admin).json.at("data").as_array().size(), 1u);
  EXPECT_EQ(api("GET", "/api/phone/active-calls", {}, "").status, 401);

  // One call: the API's JSON for the organisation's token (and an administrator's).
  r = api("GET", "/api/phone/call-status/" + sid, {}, vox_token);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json.at("sid"), js::value(sid));
  EXPECT_EQ(r.json.at("status"), api("GET", "/api/v1/calls/" + sid, {}, vox_token).json.at("status"));
  EXPECT_TRUE(r.json.as_object().contains("transcript"));
  EXPECT_EQ(api("GET", "/api/phone/call-status/" + sid, {}, admin).status, 200);
  // Refused: no token, another organisation's (404 where the API says 403), unknown, writes.
  EXPECT_EQ(api("GET", "/api/phone/call-status/" + sid, {}, "").status, 401);
  r = api("GET", "/api/phone/call-status/" + sid, {}, other_token);
  EXPECT_EQ(r.status, 404) << r.body;
  EXPECT_EQ(r.json.at("error").at("code"), "not_found");
  EXPECT_EQ(api("GET", "/api/v1/calls/" + sid, {}, other_token).status, 403);
  EXPECT_EQ(api("GET", "/api/phone/call-status/CA00000000000000000000000000000000", {}, vox_token).status, 404);
  EXPECT_EQ(api("GET", "/api/phone/call-status/" + sid + "/transcript", {}, vox_token).status, 404);
  EXPECT_EQ(api("GET", "/api/phone/call-status/", {}, vox_token).status, 404);
  r = api("DELETE", "/api/phone/call-status/" + sid, {}, vox_token);
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.header("allow"), "GET");
  EXPECT_EQ(api("POST", "/api/phone/active-calls", "{}", admin).status, 405);
  EXPECT_EQ(api("GET", "/api/v1/calls/" + sid, {}, admin).status, 200) << "the refused DELETE removed nothing";

  // When the call ends it leaves the active list.
  caller->send_stop();
  ASSERT_TRUE(wait_until([&] { return api("GET", "/api/phone/active-calls", {}, vox_token).json.at("data").as_array().empty(); }));
}

}  // namespace
}  // namespace vg::e2e
