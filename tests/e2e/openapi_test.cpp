// docs/openapi.yaml against a running server. The document must be well-formed; every response
// of a realistic session (and of the error cases) must be an operation and a status the file
// documents, with a body matching the documented schema; and every documented operation must
// be exercised successfully, so the file can neither miss what a route does nor describe a
// route that does not exist.
#include <algorithm>
#include <array>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include "adapters/yaml_json.hpp"
#include "core/agent/config_fields.hpp"
#include "core/agent/json_schema.hpp"
#include "tests/e2e/api_client.hpp"
#include "tests/fakes/fake_twilio_rest.hpp"

#ifndef VG_OPENAPI_FILE
#error "tests/e2e/CMakeLists.txt must define VG_OPENAPI_FILE (the path of docs/openapi.yaml)"
#endif
#ifndef VG_README_FILE
#error "tests/e2e/CMakeLists.txt must define VG_README_FILE (the path of README.md)"
#endif

namespace vg::e2e {
namespace {
using fakes::wait_until;
using namespace std::chrono_literals;

constexpr const char* admin_token = "admin-token-for-openapi-tests-0123456789";
constexpr const char* org_number = "+15125550199";
constexpr const char* server_number = "+15125550000";  // TWILIO_PHONE_NUMBER
constexpr std::array<std::string_view, 8> http_methods{"get", "put", "post", "delete", "options", "head", "patch", "trace"};

std::string lower(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

std::string upper(std::string s) {
  for (char& c : s) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return s;
}

// "a/b//c" -> {"a", "b", "", "c"}: empty pieces kept, so "/x/" and "/x" differ.
std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> out;
  for (;;) {
    const auto at = s.find(sep);
    out.emplace_back(s.substr(0, at));
    if (at == std::string_view::npos) return out;
    s.remove_prefix(at + 1);
  }
}

// "GET, PUT" -> {"GET", "PUT"}
std::set<std::string> method_set(std::string_view list) {
  std::set<std::string> out;
  for (auto m : split(list, ',')) {
    while (!m.empty() && m.front() == ' ') m.erase(0, 1);
    while (!m.empty() && m.back() == ' ') m.pop_back();
    out.insert(upper(m));
  }
  return out;
}

std::string join(const std::set<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
  return out;
}

const js::value* member(const js::value* v, std::string_view key) {
  const auto* o = v != nullptr ? v->if_object() : nullptr;
  return o != nullptr ? o->if_contains(key) : nullptr;
}
const js::value* member(const js::value& v, std::string_view key) { return member(&v, key); }

std::string text_of(const js::value* v) { return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string(); }

std::size_t data_size(const js::value& v) {
  const auto* d = member(v, "data");
  return d != nullptr && d->is_array() ? d->get_array().size() : 0;
}

// A body as a failure message shows it: audio and other long or binary bodies by their size.
std::string shown(const std::string& body) {
  const bool text = std::none_of(body.begin(), body.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 && c != '\n' && c != '\r' && c != '\t';
  });
  return text && body.size() <= 2000 ? body : "(" + std::to_string(body.size()) + " bytes, not shown)";
}

std::string schema_errors(const std::vector<agent::schema_error>& errors) {
  std::string out;
  for (const auto& e : errors) out += "\n    " + (e.path.empty() ? std::string("(the body)") : e.path) + ": " + e.message;
  return out;
}

// One request and its answer.
struct exchange {
  std::string method;  // upper case
  std::string target;  // path and query, as sent
  std::string request_body;
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  js::value json;  // the body, when it is JSON
  bool is_json = false;

  std::string path() const { return target.substr(0, target.find('?')); }
  std::string query() const {
    const auto q = target.find('?');
    return q == std::string::npos ? std::string() : target.substr(q + 1);
  }
  std::string header(const std::string& name) const {
    const auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
  // "text/plain; charset=utf-8" -> "text/plain"
  std::string content_type() const {
    std::string ct = lower(header("content-type"));
    ct = ct.substr(0, ct.find(';'));
    while (!ct.empty() && ct.back() == ' ') ct.pop_back();
    return ct;
  }
  std::string describe() const { return method + " " + target + " -> " + std::to_string(status); }
};

exchange made_up(std::string method, std::string target, int status, std::string content_type, std::string body,
                 std::string request_body = {}) {
  exchange x;
  x.method = std::move(method);
  x.target = std::move(target);
  x.status = status;
  if (!content_type.empty()) x.headers["content-type"] = std::move(content_type);
  x.body = std::move(body);
  x.request_body = std::move(request_body);
  boost::system::error_code ec;
  x.json = js::parse(x.body, ec);
  x.is_json = !ec;
  return x;
}

// docs/openapi.yaml, and the checks of an exchange against it.
class openapi_doc {
 public:
  openapi_doc() {
    std::ifstream in(VG_OPENAPI_FILE, std::ios::binary);
    if (!in) {
      error_ = std::string("cannot read ") + VG_OPENAPI_FILE;
      return;
    }
    std::stringstream text;
    text << in.rdbuf();
    auto v = adapters::yaml_to_json(text.str());
    if (!v) {
      error_ = std::string(VG_OPENAPI_FILE) + ": " + v.error_message();
      return;
    }
    doc_ = std::move(*v);
  }

  const std::string& error() const { return error_; }
  const js::value& root() const { return doc_; }

  // A local JSON pointer ("#/components/schemas/Call") into the document, or null.
  const js::value* pointer(std::string_view ref) const {
    if (!ref.starts_with("#")) return nullptr;
    ref.remove_prefix(1);
    const js::value* at = &doc_;
    if (ref.empty()) return at;
    if (!ref.starts_with("/")) return nullptr;
    for (const auto& part : split(ref.substr(1), '/')) {
      std::string key;
      for (std::size_t i = 0; i < part.size(); ++i) {
        if (part[i] != '~') key += part[i];
        else if (i + 1 < part.size() && (part[i + 1] == '0' || part[i + 1] == '1')) key += part[++i] == '0' ? '~' : '/';
        else return nullptr;
      }
      at = member(at, key);
      if (at == nullptr) return nullptr;
    }
    return at;
  }

  // v, or what its "$ref" leads to; null when a reference is missing or loops.
  const js::value* deref(const js::value* v) const {
    for (int i = 0; v != nullptr && i < 16; ++i) {
      const auto* ref = member(v, "$ref");
      if (ref == nullptr) return v;
      v = ref->is_string() ? pointer(ref->get_string()) : nullptr;
    }
    return nullptr;
  }

  const js::object& paths() const {
    static const js::object none;
    const auto* p = member(doc_, "paths");
    return p != nullptr && p->is_object() ? p->get_object() : none;
  }

  // The path template a request path falls under, preferring the most literal segments
  // ("/api/v1/calls/active" over "/api/v1/calls/{sid}").
  std::optional<std::string> match(std::string_view path) const {
    const auto want = split(path, '/');
    std::optional<std::string> best;
    int best_literals = -1;
    for (const auto& item : paths()) {
      const auto parts = split(item.key(), '/');
      if (parts.size() != want.size()) continue;
      int literals = 0;
      bool ok = true;
      for (std::size_t i = 0; i < parts.size() && ok; ++i) {
        const bool param = parts[i].size() > 2 && parts[i].front() == '{' && parts[i].back() == '}';
        if (param) ok = !want[i].empty();
        else if (parts[i] == want[i]) ++literals;
        else ok = false;
      }
      if (ok && literals > best_literals) {
        best = std::string(item.key());
        best_literals = literals;
      }
    }
    return best;
  }

  const js::object* operation(const std::string& templ, const std::string& method) const {
    const auto* item = paths().if_contains(templ);
    const auto* op = member(item, lower(method));
    return op != nullptr ? op->if_object() : nullptr;
  }

  // "GET", "PUT"... documented under a path template.
  std::set<std::string> methods(const std::string& templ) const {
    std::set<std::string> out;
    for (auto m : http_methods) {
      if (operation(templ, std::string(m)) != nullptr) out.insert(upper(std::string(m)));
    }
    return out;
  }

  std::set<std::pair<std::string, std::string>> operations() const {
    std::set<std::pair<std::string, std::string>> out;
    for (const auto& item : paths()) {
      for (const auto& m : methods(std::string(item.key()))) out.emplace(m, std::string(item.key()));
    }
    return out;
  }

  // The parameters of an operation: its path's and its own, resolved.
  std::vector<const js::value*> parameters(const std::string& templ, const js::object& op) const {
    std::vector<const js::value*> out;
    for (const auto* list : {member(paths().if_contains(templ), "parameters"), op.if_contains("parameters")}) {
      if (list == nullptr || !list->is_array()) continue;
      for (const auto& p : list->get_array()) out.push_back(deref(&p));
    }
    return out;
  }

  // The response object documented for this exchange (a method not listed under its path:
  // the generic 405), or null.
  const js::value* documented_response(const exchange& x) const {
    const auto templ = match(x.path());
    if (!templ) return nullptr;
    const auto* op = operation(*templ, x.method);
    if (op == nullptr) return x.status == 405 ? deref(pointer("#/components/responses/MethodNotAllowed")) : nullptr;
    return deref(member(op->if_contains("responses"), std::to_string(x.status)));
  }

  // The "$ref" of the JSON schema documented for this exchange's status.
  std::string documented_schema_ref(const exchange& x) const {
    return text_of(member(member(member(member(documented_response(x), "content"), "application/json"), "schema"), "$ref"));
  }

  // Every way the exchange departs from the document; empty when it conforms.
  std::vector<std::string> problems(const exchange& x) const {
    std::vector<std::string> out;
    const std::string what = x.describe();
    const auto templ = match(x.path());
    if (!templ) {
      out.push_back(what + ": no path of openapi.yaml matches " + x.path());
      return out;
    }
    const auto* op = operation(*templ, x.method);
    if (op == nullptr) {
      if (x.status != 405) {
        out.push_back(what + ": openapi.yaml has no " + x.method + " operation under " + *templ + " (it lists " +
                      join(methods(*templ)) + ")");
        return out;
      }
      // A method not listed answers the generic 405, naming the methods that are listed.
      const auto* generic = deref(pointer("#/components/responses/MethodNotAllowed"));
      if (generic == nullptr) {
        out.push_back(what + ": openapi.yaml has no components/responses/MethodNotAllowed");
        return out;
      }
      check_response(x, *generic, what, out);
      const std::set<std::string> listed = methods(*templ);
      if (const std::string allow = x.header("allow"); !allow.empty()) {
        if (method_set(allow) != listed) out.push_back(what + ": Allow: " + allow + ", but openapi.yaml lists " + join(listed));
      }
      const std::string message = text_of(member(member(x.json, "error"), "message"));
      const auto named = message.find("allowed here: ");
      if (named == std::string::npos || method_set(message.substr(named + 14)) != listed) {
        out.push_back(what + ": the message \"" + message + "\" should name what openapi.yaml lists: " + join(listed));
      }
      return out;
    }
    check_query(x, *templ, *op, what, out);
    const bool success = x.status >= 200 && x.status < 300;
    if (success) check_request_body(x, *op, what, out);
    const auto* listed = op->if_contains("responses");
    const auto* response = member(listed, std::to_string(x.status));
    if (response == nullptr) {
      std::set<std::string> codes;
      if (listed != nullptr && listed->is_object()) {
        for (const auto& r : listed->get_object()) codes.insert(std::string(r.key()));
      }
      out.push_back(what + ": status " + std::to_string(x.status) + " is not documented for " + x.method + " " + *templ +
                    " (documented: " + join(codes) + "); body: " + shown(x.body));
      return out;
    }
    const auto* resolved = deref(response);
    if (resolved == nullptr) {
      out.push_back(what + ": the documented response's $ref does not resolve");
      return out;
    }
    check_response(x, *resolved, what, out);
    return out;
  }

 private:
  // Every query parameter sent is documented for the operation.
  void check_query(const exchange& x, const std::string& templ, const js::object& op, const std::string& what,
                   std::vector<std::string>& out) const {
    const std::string query = x.query();
    if (query.empty()) return;
    std::set<std::string> documented;
    for (const auto* p : parameters(templ, op)) {
      if (text_of(member(p, "in")) == "query") documented.insert(text_of(member(p, "name")));
    }
    for (const auto& pair : split(query, '&')) {
      const std::string name = pair.substr(0, pair.find('='));
      if (!name.empty() && documented.count(name) == 0) {
        out.push_back(what + ": the query parameter '" + name + "' is not documented (documented: " + join(documented) + ")");
      }
    }
  }

  // A request the server accepted had a body matching the documented request body.
  void check_request_body(const exchange& x, const js::object& op, const std::string& what,
                          std::vector<std::string>& out) const {
    const auto* rb = deref(op.if_contains("requestBody"));
    if (x.request_body.empty()) {
      if (rb != nullptr && member(rb, "required") != nullptr && *member(rb, "required") == true) {
        out.push_back(what + ": succeeded without the request body openapi.yaml requires");
      }
      return;
    }
    const auto* schema = member(member(member(rb, "content"), "application/json"), "schema");
    if (schema == nullptr) {
      out.push_back(what + ": accepted a JSON body, but openapi.yaml documents no application/json request body");
      return;
    }
    boost::system::error_code ec;
    const js::value body = js::parse(x.request_body, ec);
    if (ec) {
      out.push_back(what + ": accepted a request body that is not JSON: " + x.request_body);
      return;
    }
    const auto errors = agent::validate(*schema, body, doc_);
    if (!errors.empty()) {
      out.push_back(what + ": the server accepted a request body the documented schema " + text_of(member(schema, "$ref")) +
                    " refuses:" + schema_errors(errors) + "\n  request body: " + x.request_body);
    }
  }

  // Required headers, the content type, and the body against the documented schema.
  void check_response(const exchange& x, const js::value& response, const std::string& what,
                      std::vector<std::string>& out) const {
    if (const auto* headers = member(response, "headers"); headers != nullptr && headers->is_object()) {
      for (const auto& h : headers->get_object()) {
        const auto* def = deref(&h.value());
        const auto* required = member(def, "required");
        if (required != nullptr && *required == true && x.header(lower(std::string(h.key()))).empty()) {
          out.push_back(what + ": the documented header " + std::string(h.key()) + " is missing");
        }
      }
    }
    const auto* content = member(response, "content");
    if (content == nullptr || !content->is_object() || content->get_object().empty()) {
      if (!x.body.empty()) out.push_back(what + ": openapi.yaml documents no body, but one came: " + shown(x.body));
      return;
    }
    const std::string type = x.content_type();
    const auto* media = media_type(content->get_object(), type);
    if (media == nullptr) {
      std::set<std::string> types;
      for (const auto& m : content->get_object()) types.insert(std::string(m.key()));
      out.push_back(what + ": content type '" + type + "' is not documented (documented: " + join(types) + ")");
      return;
    }
    const auto* schema = member(media, "schema");
    if (schema == nullptr) {
      out.push_back(what + ": the documented " + type + " content has no schema");
      return;
    }
    js::value instance;
    if (type == "application/json") {
      if (!x.is_json) {
        out.push_back(what + ": the body is not JSON: " + shown(x.body));
        return;
      }
      instance = x.json;
    } else {
      instance = js::string(x.body);
    }
    const auto errors = agent::validate(*schema, instance, doc_);
    if (!errors.empty()) {
      const std::string name = text_of(member(schema, "$ref"));
      out.push_back(what + ": the body does not match " + (name.empty() ? "the documented schema" : name) + ":" +
                    schema_errors(errors) + "\n  body: " + shown(x.body));
    }
  }

  // The content documented for a media type: under its own name, else under its range
  // ("audio/*"), else "*/*" (OpenAPI 3.0.3: the most specific key applies). A body that is
  // not JSON is then checked as one string (such as the audio of a recording).
  static const js::value* media_type(const js::object& content, const std::string& type) {
    if (const auto* m = content.if_contains(type)) return m;
    if (const auto slash = type.find('/'); slash != std::string::npos && slash > 0) {
      if (const auto* m = content.if_contains(type.substr(0, slash) + "/*")) return m;
    }
    return content.if_contains("*/*");
  }

  js::value doc_;
  std::string error_;
};

class openapi_test : public bridge_test {
 protected:
  void SetUp() override { ASSERT_TRUE(doc.error().empty()) << doc.error(); }

  // The server, with Twilio's REST API (the fake) for SMS and transfers unless told otherwise.
  void start(bool with_twilio = true) {
    start_server([&](app::config& c) {
      c.api_token = admin_token;
      if (!with_twilio) return;
      c.twilio_account_sid = twilio.account_sid();
      c.twilio_api_url = twilio.url();
      c.twilio_phone_number = server_number;
    });
  }

  // One request over real HTTP, unchecked.
  exchange send(const std::string& method, const std::string& target, const std::string& body, const std::string& token,
                const std::string& scheme = "Bearer", const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    net::client_request req;
    req.method = method;
    req.url = "http://127.0.0.1:" + std::to_string(port) + target;
    if (!token.empty()) req.headers.emplace_back("Authorization", scheme + " " + token);
    for (const auto& h : headers) req.headers.push_back(h);
    if (!body.empty()) req.headers.emplace_back("Content-Type", "application/json");
    req.body = body;
    auto [error, res] = loop.run_sync(fetch(std::move(req)));
    exchange x;
    x.method = method;
    x.target = target;
    x.request_body = body;
    if (!res) {
      ADD_FAILURE() << method << " " << target << ": HTTP failed: " << error;
      return x;
    }
    x.status = res->status;
    x.body = res->body;
    for (const auto& [k, v] : res->headers) x.headers[lower(k)] = v;
    boost::system::error_code ec;
    x.json = js::parse(x.body, ec);
    x.is_json = !ec;
    return x;
  }

  // A request the HTTP client would refuse to send (a malformed %-escape, or HEAD, whose
  // answer has no body to wait for), written by hand, without a token unless given one. The
  // server closes the connection after answering; everything it sent is read.
  exchange send_raw(const std::string& method, const std::string& target, const std::string& token = {}) {
    exchange x;
    x.method = method;
    x.target = target;
    asio::io_context io;
    asio::ip::tcp::socket socket(io);
    boost::system::error_code ec;
    socket.connect({asio::ip::make_address("127.0.0.1"), port}, ec);
    const std::string auth = token.empty() ? std::string() : "Authorization: Bearer " + token + "\r\n";
    const std::string request = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + auth + "Connection: close\r\n\r\n";
    if (!ec) asio::write(socket, asio::buffer(request), ec);
    std::string raw;
    if (!ec) asio::read(socket, asio::dynamic_buffer(raw), ec);  // to the end: the server closes
    const auto head_end = raw.find("\r\n\r\n");
    if (!raw.starts_with("HTTP/1.1 ") || raw.size() < 12 || head_end == std::string::npos) {
      ADD_FAILURE() << method << " " << target << ": no HTTP answer (" << ec.message() << "): " << raw;
      return x;
    }
    x.status = std::stoi(raw.substr(9, 3));
    const auto lines = split(std::string_view(raw).substr(0, head_end), '\n');
    for (std::size_t i = 1; i < lines.size(); ++i) {
      std::string line = lines[i];
      if (!line.empty() && line.back() == '\r') line.pop_back();
      const auto colon = line.find(':');
      if (colon == std::string::npos) continue;
      std::string value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.erase(0, 1);
      x.headers[lower(line.substr(0, colon))] = value;
    }
    x.body = raw.substr(head_end + 4);
    x.json = js::parse(x.body, ec);
    x.is_json = !ec;
    return x;
  }

  // Checks an exchange against the document; a success counts its operation as exercised.
  exchange checked(exchange x) {
    if (x.status == 0) return x;
    for (const auto& p : doc.problems(x)) ADD_FAILURE() << p;
    if (x.status >= 200 && x.status < 300) {
      if (const auto templ = doc.match(x.path())) exercised.emplace(x.method, *templ);
    }
    return x;
  }

  // One request over real HTTP, checked against the document.
  exchange call_api(const std::string& method, const std::string& target, const std::string& body = {},
                    const std::string& token = admin_token, const std::string& scheme = "Bearer") {
    return checked(send(method, target, body, token, scheme));
  }

  // A GET with a Range header, checked against the document.
  exchange get_range(const std::string& target, const std::string& range, const std::string& token = admin_token) {
    return checked(send("GET", target, {}, token, "Bearer", {{"Range", range}}));
  }

  // Twilio's recording callback (docs/protocols/twilio-webhooks.md#recording-status-callback) for `call_sid`, signed.
  int recording_callback(const std::string& call_sid, const std::string& recording_sid, const std::string& source) {
    const twilio::form form{{"AccountSid", twilio.account_sid()},
                            {"CallSid", call_sid},
                            {"RecordingSid", recording_sid},
                            {"RecordingUrl", twilio.recording_url(recording_sid)},
                            {"RecordingStatus", "completed"},
                            {"RecordingDuration", "3"},
                            {"RecordingChannels", "2"},
                            {"RecordingSource", source},
                            {"RecordingTrack", "both"},
                            {"RecordingStartTime", "Mon, 23 Nov 2026 14:03:05 +0000"}};
    return post_twilio_form(loop, port, "/twilio/recording", form);
  }

  // The call's recording of `source` as GET /api/v1/calls/{sid} lists it (null when none yet).
  static const js::value* recording_of(const exchange& call, std::string_view source) {
    const auto* list = member(call.json, "recordings");
    if (list == nullptr || !list->is_array()) return nullptr;
    for (const auto& r : list->get_array()) {
      if (text_of(member(r, "source")) == source) return &r;
    }
    return nullptr;
  }

  // A path openapi.yaml does not have (such as a documented one with an extra segment):
  // 404 not_found with the Error body.
  void expect_unknown_path(const exchange& x) {
    SCOPED_TRACE(x.describe() + " " + x.body);
    const auto templ = doc.match(x.path());
    EXPECT_FALSE(templ.has_value()) << "openapi.yaml documents it as " << templ.value_or("");
    EXPECT_EQ(x.status, 404);
    const auto* error = doc.pointer("#/components/schemas/Error");
    ASSERT_NE(error, nullptr);
    ASSERT_TRUE(x.is_json) << "not JSON";
    const auto errors = agent::validate(*error, x.json, doc.root());
    EXPECT_TRUE(errors.empty()) << schema_errors(errors);
    EXPECT_EQ(text_of(member(member(x.json, "error"), "code")), "not_found");
  }

  // A record written straight into the store, as a tool's save action would.
  void add_record(ports::record_row row) {
    server->store().query([row](ports::store& s) {
      s.add_record(row);
      return true;
    }).get();
  }

  // An error answer: its status and code, its field (none when field is null), and its body
  // against the Error schema, which must be what the document names for it.
  void expect_error(const exchange& x, int status, std::string_view code, const char* field = nullptr) {
    SCOPED_TRACE(x.describe() + " " + x.body);
    EXPECT_EQ(x.status, status);
    const auto* error = doc.pointer("#/components/schemas/Error");
    ASSERT_NE(error, nullptr);
    ASSERT_TRUE(x.is_json) << "not JSON";
    const auto errors = agent::validate(*error, x.json, doc.root());
    EXPECT_TRUE(errors.empty()) << schema_errors(errors);
    EXPECT_EQ(doc.documented_schema_ref(x), "#/components/schemas/Error");
    EXPECT_EQ(text_of(member(member(x.json, "error"), "code")), code);
    const auto* f = member(member(x.json, "error"), "field");
    if (field == nullptr) {
      EXPECT_EQ(f, nullptr) << "an error field where none was expected";
    } else {
      EXPECT_EQ(text_of(f), field);
    }
  }

  // A call to `to`, its webhook answered and its media stream open.
  std::unique_ptr<fakes::simulated_caller> connected_caller_to(const std::string& to) {
    auto opts = caller_options();
    opts.to = to;
    auto caller = make_caller(opts);
    if (const int webhook = caller->place_call(); webhook != 200) {
      ADD_FAILURE() << "webhook answered " << webhook << ": " << caller->twiml();
      return nullptr;
    }
    if (const int upgrade = caller->open_stream(); upgrade != 101) {
      ADD_FAILURE() << "stream upgrade answered " << upgrade;
      return nullptr;
    }
    return caller;
  }

  static std::string dental_org() {
    return R"({"id":"bright-smile","name":"Bright Smile Dental","timezone":"America/Chicago",
               "owner":{"phone":"+15125550100","email":"owner@brightsmile.example"},
               "fallback_number":"+15125550101","numbers":["+15125550199"]})";
  }
  static std::string dental_org_full() {
    return R"({"name":"Bright Smile Dental","timezone":"America/Chicago","description":"Family dentistry in Austin.",
               "address":"1 Main St, Austin, TX","website":"https://brightsmile.example","currency":"USD",
               "owner":{"phone":"+15125550100","email":"owner@brightsmile.example"},"fallback_number":"+15125550101",
               "webhook_url":"https://hooks.brightsmile.example/voxgate","retention_days":90})";
  }
  static std::string ava() {
    return R"({"name":"Ava","voice":"cedar","languages":["en","es-MX"],
               "greeting":"Thanks for calling Bright Smile Dental, this is Ava.",
               "instructions":"Be brief and warm.",
               "hours":{"mon-fri":"08:00-12:00, 13:00-17:00","sat":"09:00-12:00","sun":"closed"},
               "services":[{"name":"Cleaning","description":"A routine cleaning.","minutes":45,"price":120,
                            "add_ons":[{"name":"Fluoride","price":25.5,"minutes":5}]},
                           {"name":"Consultation"}],
               "faqs":[{"q":"Do you take walk-ins?","a":"Only for emergencies."}],
               "booking_rules":["Book cleanings at least a day ahead."],
               "templates":{"booking_confirmed":"See you on {when}!"},
               "tools":[{"name":"book","description":"Book an appointment",
                         "parameters":{"type":"object","properties":{"when":{"type":"string","format":"date-time"}},"required":["when"]},
                         "action":{"save":"bookings","then_sms":"booking_confirmed"}}],
               "settings":{"recording":{"own":true}}})";
  }

  // Every operation, driven the way a user would, with each answer checked by call_api.
  void run_session() {
    start();
    const std::string org = "/api/v1/orgs/bright-smile";
    auto r = call_api("GET", "/api/v1/orgs");
    ASSERT_EQ(r.status, 200) << r.body;
    ASSERT_EQ(call_api("POST", "/api/v1/orgs", dental_org()).status, 201);
    EXPECT_EQ(call_api("GET", org).status, 200);
    r = call_api("PUT", org, dental_org_full());
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(text_of(&r.json.at("numbers").at(0)), org_number);  // kept: the body left them out

    // Assistants
    r = call_api("POST", org + "/assistants", ava());
    ASSERT_EQ(r.status, 201) << r.body;
    ASSERT_EQ(call_api("POST", org + "/assistants", R"({"id":null,"name":"Leo"})").status, 201);
    r = call_api("GET", org + "/assistants");
    EXPECT_EQ(data_size(r.json), 2u) << r.body;
    EXPECT_EQ(call_api("GET", org + "/assistants/ava").status, 200);
    EXPECT_EQ(call_api("PUT", org + "/assistants/ava", ava()).status, 200);
    EXPECT_EQ(call_api("PUT", org + "/assistants/leo", R"({"id":"leo","name":"Leo","voice":"marin"})").status, 200);
    EXPECT_EQ(call_api("DELETE", org + "/assistants/leo").status, 204);

    // Prompts
    r = call_api("GET", org + "/prompt");
    EXPECT_EQ(r.status, 200);
    EXPECT_NE(r.body.find("Ava"), std::string::npos) << r.body;
    EXPECT_EQ(call_api("GET", org + "/prompt?assistant=ava").status, 200);
    EXPECT_EQ(call_api("GET", "/assistant/get-prompt/?org_id=bright-smile").status, 200);
    EXPECT_EQ(call_api("GET", "/assistant/get-prompt/?org_id=bright-smile&assistant=ava").status, 200);

    // The whole document, read and written back
    r = call_api("GET", org + "/document");
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(call_api("PUT", org + "/document", r.body).status, 200);

    // Numbers
    r = call_api("POST", org + "/numbers", R"({"number":"+15125550198"})");
    EXPECT_EQ(r.status, 201) << r.body;
    r = call_api("GET", org + "/numbers");
    EXPECT_EQ(data_size(r.json), 2u) << r.body;
    EXPECT_EQ(call_api("DELETE", org + "/numbers/%2B15125550198").status, 204);

    // Tokens
    r = call_api("POST", "/api/v1/tokens", R"({"name":"front desk","org_id":"bright-smile"})");
    ASSERT_EQ(r.status, 201) << r.body;
    const std::string org_token = text_of(member(r.json, "token"));
    r = call_api("POST", "/api/v1/tokens", R"({"name":"ops laptop","org_id":null})");
    ASSERT_EQ(r.status, 201) << r.body;
    const std::string ops_id = text_of(member(r.json, "id"));
    r = call_api("GET", "/api/v1/tokens");
    EXPECT_EQ(data_size(r.json), 2u) << r.body;
    EXPECT_EQ(call_api("DELETE", "/api/v1/tokens/" + ops_id).status, 204);
    r = call_api("GET", "/api/v1/orgs", {}, org_token);
    EXPECT_EQ(data_size(r.json), 1u) << r.body;
    // The scheme name is case-insensitive.
    EXPECT_EQ(call_api("GET", "/api/v1/orgs", {}, org_token, "bearer").status, 200);
    EXPECT_EQ(call_api("GET", "/api/v1/tokens", {}, admin_token, "BEARER").status, 200);

    // A call to the organisation's number, read back while it runs and after it ended
    auto caller = connected_caller_to(org_number);
    ASSERT_TRUE(caller);
    ASSERT_TRUE(wait_until([&] { return model.received(0).size() >= 3; }));
    model.send(0, R"({"type":"conversation.item.input_audio_transcription.completed","item_id":"u1","content_index":0,"transcript":"Can I book a cleaning?"})");
    ASSERT_EQ(caller->send_status("in-progress", 1, 0), 204);
    const std::string sid = caller->call_sid();
    ASSERT_TRUE(wait_until([&] { return data_size(call_api("GET", "/api/v1/calls/active", {}, org_token).json) == 1; }));
    // The seeds' frontends read the same: seed 004's active calls and call status, seed 001's /call-status.
    EXPECT_EQ(data_size(call_api("GET", "/api/phone/active-calls", {}, org_token).json), 1u);
    EXPECT_EQ(call_api("GET", "/api/phone/active-calls?org=bright-smile&limit=10").status, 200);
    EXPECT_EQ(text_of(member(call_api("GET", "/api/phone/call-status/" + sid, {}, org_token).json, "sid")), sid);
    EXPECT_EQ(text_of(member(call_api("GET", "/call-status?callSid=" + sid, {}, org_token).json, "sid")), sid);
    EXPECT_EQ(call_api("GET", "/call-status?call_sid=" + sid).status, 200);
    ASSERT_TRUE(wait_until([&] { return data_size(call_api("GET", "/api/v1/calls/" + sid + "/transcript", {}, org_token).json) >= 2; }));
    EXPECT_EQ(call_api("GET", "/api/v1/calls/" + sid, {}, org_token).status, 200);  // running: no ended_at yet

    // While it runs, the assistant books (its tool saves a record and texts the caller)...
    const js::object booked = call_tool("b1", "book", R"({"when":"2030-03-14T10:30:00Z"})");
    ASSERT_TRUE(booked.contains("ok") && booked.at("ok") == true) << js::serialize(booked);
    ASSERT_TRUE(wait_until([&] { return twilio.messages().size() == 1; }));

    // ...the booking is read and changed through the API...
    const std::string bookings = org + "/records/bookings";
    r = call_api("GET", bookings);
    ASSERT_EQ(data_size(r.json), 1u) << r.body;
    const js::value booking = r.json.at("data").at(0);
    const std::string ref = text_of(member(booking, "reference"));
    const std::string caller_number = text_of(member(booking, "caller"));
    ASSERT_FALSE(ref.empty()) << r.body;
    EXPECT_EQ(text_of(member(booking, "call_sid")), sid);
    EXPECT_EQ(text_of(member(booking, "status")), "active");
    EXPECT_EQ(text_of(member(member(booking, "data"), "when")), "2030-03-14T10:30:00Z");
    EXPECT_EQ(call_api("GET", bookings + "/" + ref).status, 200);
    r = call_api("PATCH", bookings + "/" + ref, R"({"status":"confirmed","data":{"note":"paid at the desk","when":null}})");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(text_of(member(r.json, "status")), "confirmed");
    EXPECT_EQ(text_of(member(member(r.json, "data"), "note")), "paid at the desk");
    EXPECT_EQ(member(member(r.json, "data"), "when"), nullptr) << r.body;
    r = call_api("PATCH", bookings + "/" + ref, R"({"data":{"when":"2030-03-15T09:00:00Z"}})", org_token);
    EXPECT_EQ(text_of(member(member(r.json, "data"), "when")), "2030-03-15T09:00:00Z") << r.body;
    EXPECT_EQ(text_of(member(r.json, "status")), "confirmed") << r.body;  // kept
    EXPECT_EQ(call_api("PATCH", bookings + "/" + ref, "{}").status, 200);
    std::string caller_query = caller_number;
    if (caller_query.starts_with("+")) caller_query.replace(0, 1, "%2B");
    r = call_api("GET", bookings + "?status=confirmed&caller=" + caller_query + "&field=note&value=paid%20at%20the%20desk"
                                   "&limit=10&offset=0&format=json", {}, org_token);
    EXPECT_EQ(data_size(r.json), 1u) << r.body;
    EXPECT_EQ(data_size(call_api("GET", bookings + "?field=note&value=unpaid").json), 0u);
    EXPECT_EQ(data_size(call_api("GET", bookings + "?offset=1").json), 0u);
    r = call_api("GET", bookings + "?format=csv");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.content_type(), "text/csv");
    EXPECT_EQ(r.header("content-disposition"), "attachment; filename=\"bookings.csv\"");
    EXPECT_TRUE(r.body.starts_with("reference,status,created_at,caller,call_sid,")) << r.body;
    EXPECT_NE(r.body.find("\"" + ref + "\",\"confirmed\""), std::string::npos) << r.body;
    EXPECT_EQ(call_api("GET", bookings + "?format=csv&limit=1&offset=0").status, 200);
    // A record saved by other means: nested data, no call.
    add_record({"bright-smile", "waitlist", "WL0001", R"({"name":"Kim \"KR\" Ray","party":{"adults":2,"children":[7,9]},"vip":true})",
                "active", "", "", 1795435200000, 1795435200000});
    r = call_api("GET", org + "/records/waitlist");
    ASSERT_EQ(data_size(r.json), 1u) << r.body;
    EXPECT_EQ(text_of(member(r.json.at("data").at(0), "call_sid")), "");
    r = call_api("GET", org + "/records/waitlist?format=csv", {}, org_token);
    EXPECT_NE(r.body.find(R"("Kim ""KR"" Ray")"), std::string::npos) << r.body;
    EXPECT_EQ(data_size(call_api("GET", org + "/records/nothing-saved-here").json), 0u);

    // ...SMS go out through Twilio...
    r = call_api("POST", "/api/v1/sms",
                 R"({"to":"+15127770002","message":"Your cleaning is booked.","org_id":"bright-smile","call_sid":")" + sid + R"("})");
    ASSERT_EQ(r.status, 201) << r.body;
    EXPECT_EQ(text_of(member(r.json, "from")), org_number);  // the organisation's first number
    ASSERT_EQ(twilio.messages().size(), 2u);
    EXPECT_EQ(text_of(member(r.json, "sid")), twilio.messages().back().sid);
    EXPECT_EQ(twilio.messages().back().body, "Your cleaning is booked.");
    r = call_api("POST", "/assistant/send-sms/",
                 R"({"to":"+15127770002","body":"See you soon.","organization_id":"bright-smile","from":"+15125550199"})");
    ASSERT_EQ(r.status, 201) << r.body;
    EXPECT_EQ(twilio.messages().back().body, "See you soon.");
    r = call_api("POST", "/api/v1/sms", R"({"to":"+15127770002","message":"From the front desk."})", org_token);
    ASSERT_EQ(r.status, 201) << r.body;
    EXPECT_EQ(text_of(member(r.json, "from")), org_number);  // the token's organisation
    r = call_api("POST", "/api/v1/sms", R"({"to":"+15127770002","message":"From the server.","org_id":null})");
    ASSERT_EQ(r.status, 201) << r.body;
    EXPECT_EQ(text_of(member(r.json, "from")), server_number);  // no organisation: TWILIO_PHONE_NUMBER

    // ...and the call is transferred (three times: Twilio's fake does not hang up on a <Dial>).
    twilio.add_live_call(sid);
    r = call_api("POST", "/api/v1/calls/" + sid + "/transfer", R"({"to":"+15125550150"})");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(text_of(member(r.json, "transferred_to")), "+15125550150");
    ASSERT_FALSE(twilio.call_updates().empty());
    EXPECT_NE(twilio.call_updates().back().twiml.find("<Dial>+15125550150</Dial>"), std::string::npos);
    r = call_api("POST", "/api/v1/calls/" + sid + "/transfer", {}, org_token);  // no body: the fallback number
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(text_of(member(r.json, "transferred_to")), "+15125550101");
    r = call_api("POST", "/assistant/transfer-call/", R"({"call_sid":")" + sid + R"(","organization_id":"bright-smile"})");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(text_of(member(r.json, "call_sid")), sid);
    EXPECT_EQ(twilio.call_updates().size(), 3u);
    caller->send_stop();
    ASSERT_TRUE(wait_until([&] { return server->active_calls() == 0; }));
    ASSERT_EQ(caller->send_status("completed", 3, 42), 204);
    ASSERT_TRUE(wait_until([&] { return text_of(member(call_api("GET", "/api/v1/calls/" + sid, {}, org_token).json, "status")) == "completed"; }));

    r = call_api("GET", "/api/v1/calls/" + sid);
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(text_of(member(r.json, "org_id")), "bright-smile");
    EXPECT_TRUE(member(r.json, "ended_at") != nullptr && member(r.json, "ended_at")->is_string()) << r.body;
    // Events and turns are there, so their schemas were checked too.
    const auto* events = member(r.json, "events");
    EXPECT_TRUE(events != nullptr && events->is_array() && !events->get_array().empty()) << r.body;
    // Usage and cost per call and per day (the fake model reports usage on every response.done).
    EXPECT_TRUE(member(r.json, "cost") != nullptr) << r.body;
    r = call_api("GET", "/api/v1/orgs/bright-smile/usage", {}, org_token);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(data_size(r.json), 1u) << r.body;
    EXPECT_EQ(call_api("GET", "/api/v1/orgs/bright-smile/usage?since=yesterday").status, 400);

    // Recordings: voxgate's own (Ava's settings.recording.own), stored when the call ended, and
    // one of Twilio's, downloaded after its callback. Each is listed on the call and served.
    exchange call;  // kept: `own` and `theirs` point into it
    ASSERT_TRUE(wait_until([&] {
      call = call_api("GET", "/api/v1/calls/" + sid, {}, org_token);
      return text_of(member(recording_of(call, "voxgate"), "status")) == "stored";
    }, 10s)) << call.body;
    const std::string twilio_sid = "RE0123456789abcdef0123456789abcdef";
    std::string twilio_wav = "RIFF....WAVEfmt ";
    for (int i = 0; i < 3000; ++i) twilio_wav += static_cast<char>(i * 7);
    twilio.add_recording(twilio_sid, sid, twilio_wav);
    ASSERT_EQ(recording_callback(sid, twilio_sid, "StartCallRecordingAPI"), 204);
    ASSERT_TRUE(wait_until([&] {
      call = call_api("GET", "/api/v1/calls/" + sid, {}, org_token);
      return text_of(member(recording_of(call, "twilio"), "status")) == "stored";
    }, 10s)) << call.body;
    ASSERT_EQ(call.json.at("recordings").as_array().size(), 2u) << call.body;
    const js::value* own = recording_of(call, "voxgate");
    const js::value* theirs = recording_of(call, "twilio");
    ASSERT_TRUE(own != nullptr && theirs != nullptr) << call.body;
    EXPECT_EQ(text_of(member(own, "id")), "VG" + sid);
    EXPECT_EQ(text_of(member(own, "origin")), "voxgate");
    EXPECT_EQ(text_of(member(own, "content_type")), "audio/wav");
    EXPECT_EQ(*member(own, "channels"), 2);
    EXPECT_TRUE(member(own, "error") != nullptr && member(own, "error")->is_null()) << call.body;
    EXPECT_EQ(text_of(member(own, "url")), "/api/v1/calls/" + sid + "/recording?id=VG" + sid);
    EXPECT_EQ(text_of(member(theirs, "id")), twilio_sid);
    EXPECT_EQ(text_of(member(theirs, "origin")), "StartCallRecordingAPI");
    EXPECT_EQ(*member(theirs, "bytes"), static_cast<std::int64_t>(twilio_wav.size()));
    EXPECT_EQ(*member(theirs, "duration_s"), 3);
    EXPECT_EQ(text_of(member(theirs, "url")), "/api/v1/calls/" + sid + "/recording?id=" + twilio_sid);
    // A local directory has no public URLs (a public Supabase bucket does: supabase_recordings_test).
    EXPECT_TRUE(member(theirs, "public_url") != nullptr && member(theirs, "public_url")->is_null()) << call.body;
    EXPECT_TRUE(member(call.json, "audio_url") != nullptr && member(call.json, "audio_url")->is_null()) << call.body;
    const auto own_bytes = member(own, "bytes") != nullptr && member(own, "bytes")->is_int64() ? member(own, "bytes")->as_int64() : 0;
    ASSERT_GT(own_bytes, 44) << call.body;  // a WAV header and some audio
    // The audio, whole, by the listed URLs...
    r = call_api("GET", text_of(member(own, "url")), {}, org_token);
    ASSERT_EQ(r.status, 200) << shown(r.body);
    EXPECT_EQ(r.content_type(), "audio/wav");
    EXPECT_EQ(static_cast<std::int64_t>(r.body.size()), own_bytes);
    EXPECT_TRUE(r.body.starts_with("RIFF")) << shown(r.body);
    r = call_api("GET", text_of(member(theirs, "url")));
    ASSERT_EQ(r.status, 200) << shown(r.body);
    EXPECT_EQ(r.content_type(), "audio/x-wav");
    EXPECT_TRUE(r.body == twilio_wav);
    EXPECT_EQ(call_api("GET", "/api/v1/calls/" + sid + "/recording").status, 200);  // the latest stored of either
    // ...and by ranges, as an audio player seeks; past the end is a 416 giving the size.
    r = get_range("/api/v1/calls/" + sid + "/recording?source=voxgate", "bytes=0-3", org_token);
    ASSERT_EQ(r.status, 206) << shown(r.body);
    EXPECT_EQ(r.body, "RIFF");
    EXPECT_EQ(r.header("content-range"), "bytes 0-3/" + std::to_string(own_bytes));
    r = get_range("/api/v1/calls/" + sid + "/recording?source=twilio", "bytes=-10");
    ASSERT_EQ(r.status, 206) << shown(r.body);
    EXPECT_TRUE(r.body == twilio_wav.substr(twilio_wav.size() - 10));
    r = get_range("/api/v1/calls/" + sid + "/recording?source=twilio", "bytes=" + std::to_string(twilio_wav.size()) + "-");
    expect_error(r, 416, "range_not_satisfiable");
    EXPECT_EQ(r.header("content-range"), "bytes */" + std::to_string(twilio_wav.size()));
    expect_error(call_api("GET", "/api/v1/calls/" + sid + "/recording?source=zoom"), 400, "invalid", "source");
    // ...and by the signed link, as a browser's <audio src> would: no token, ranges work; an
    // altered link is refused.
    const std::string link = text_of(member(own, "signed_url"));
    ASSERT_NE(link.find("&signature="), std::string::npos) << call.body;
    r = get_range(link, "bytes=0-3", "");
    ASSERT_EQ(r.status, 206) << shown(r.body);
    EXPECT_EQ(r.body, "RIFF");
    r = checked(send("GET", link, {}, ""));
    EXPECT_EQ(r.status, 200);
    std::string altered = link;
    altered.back() = altered.back() == '0' ? '1' : '0';
    expect_error(checked(send("GET", altered, {}, "")), 401, "unauthorized");
    r = call_api("GET", "/api/v1/calls/" + sid + "/transcript?format=text", {}, org_token);
    EXPECT_NE(r.body.find("caller: Can I book a cleaning?"), std::string::npos) << r.body;
    EXPECT_EQ(call_api("GET", "/api/v1/calls/" + sid + "/transcript?format=json").status, 200);
    EXPECT_EQ(data_size(call_api("GET", "/api/v1/calls/active").json), 0u);

    // Listing: filters and paging
    r = call_api("GET", "/api/v1/calls?org=bright-smile&limit=1", {}, org_token);
    ASSERT_EQ(data_size(r.json), 1u) << r.body;
    const std::string cursor = text_of(member(r.json, "next_cursor"));
    ASSERT_FALSE(cursor.empty()) << r.body;
    r = call_api("GET", "/api/v1/calls?limit=1&cursor=" + cursor, {}, org_token);
    EXPECT_EQ(data_size(r.json), 0u) << r.body;
    EXPECT_TRUE(member(r.json, "next_cursor") != nullptr && member(r.json, "next_cursor")->is_null()) << r.body;
    r = call_api("GET", "/api/v1/calls?status=completed&direction=inbound&number=%2B15125550199"
                        "&since=2020-01-01T00:00:00Z&until=4102444800000");
    EXPECT_EQ(data_size(r.json), 1u) << r.body;
    EXPECT_EQ(call_api("GET", "/api/v1/calls?org=bright-smile&since=2020-01-01T00:00:00.000Z").status, 200);
    EXPECT_EQ(call_api("GET", "/api/v1/calls/active?org=bright-smile&limit=10").status, 200);

    // Every read once more, as the organisation's token
    for (const std::string& target : {org, org + "/prompt", org + "/document", org + "/assistants", org + "/assistants/ava",
                                     org + "/numbers", bookings, bookings + "/" + ref, std::string("/api/v1/calls"),
                                     "/api/v1/calls/" + sid, "/api/v1/calls/" + sid + "/recording",
                                     std::string("/assistant/get-prompt/?org_id=bright-smile")}) {
      EXPECT_EQ(call_api("GET", target, {}, org_token).status, 200) << target;
    }

    // The call deleted with everything attached (privacy), its recordings too
    EXPECT_EQ(call_api("DELETE", "/api/v1/calls/" + sid, {}, org_token).status, 204);
    EXPECT_EQ(call_api("GET", "/api/v1/calls/" + sid, {}, org_token).status, 404);
    expect_error(call_api("GET", "/api/v1/calls/" + sid + "/recording", {}, org_token), 404, "not_found");

    // An organisation deleted (its tokens go with it)
    ASSERT_EQ(call_api("POST", "/api/v1/orgs", R"({"name":"Short Lived"})").status, 201);
    EXPECT_EQ(call_api("DELETE", "/api/v1/orgs/short-lived").status, 204);
  }

  openapi_doc doc;
  std::set<std::pair<std::string, std::string>> exercised;  // (METHOD, path template) that succeeded
  fakes::fake_twilio_rest twilio{fakes::fake_twilio_rest::default_account_sid, auth_token};

 private:
  // (A pair, not vg::result: co_spawn's future needs a default-constructible value.)
  static awaitable<std::pair<std::string, std::optional<net::client_response>>> fetch(net::client_request req) {
    auto ex = co_await asio::this_coro::executor;
    auto r = co_await net::http_fetch(ex, std::move(req));
    if (!r) co_return std::make_pair(r.error_message(), std::optional<net::client_response>());
    co_return std::make_pair(std::string(), std::optional<net::client_response>(std::move(*r)));
  }
};

// Calls fn(value, where) for every value in v, depth first.
void walk(const js::value& v, const std::string& where, const std::function<void(const js::value&, const std::string&)>& fn) {
  fn(v, where);
  if (const auto* o = v.if_object()) {
    for (const auto& m : *o) walk(m.value(), where + "/" + std::string(m.key()), fn);
  } else if (const auto* a = v.if_array()) {
    for (std::size_t i = 0; i < a->size(); ++i) walk((*a)[i], where + "/" + std::to_string(i), fn);
  }
}

TEST_F(openapi_test, the_document_is_well_formed) {
  const js::value& root = doc.root();
  EXPECT_EQ(text_of(member(root, "openapi")), "3.0.3");
  EXPECT_FALSE(text_of(member(member(root, "info"), "title")).empty());
  EXPECT_FALSE(text_of(member(member(root, "info"), "version")).empty());
  // Bearer auth, required everywhere.
  const auto* bearer = member(member(member(root, "components"), "securitySchemes"), "bearerAuth");
  EXPECT_EQ(text_of(member(bearer, "type")), "http");
  EXPECT_EQ(text_of(member(bearer, "scheme")), "bearer");
  const auto* security = member(root, "security");
  ASSERT_TRUE(security != nullptr && security->is_array() && security->get_array().size() == 1u);
  EXPECT_NE(member(security->get_array()[0], "bearerAuth"), nullptr);

  // Every $ref resolves; every schema anywhere is one the validator supports.
  walk(root, "#", [&](const js::value& v, const std::string& where) {
    if (const auto* ref = member(v, "$ref")) {
      EXPECT_TRUE(ref->is_string() && doc.pointer(ref->get_string()) != nullptr)
          << where << ": $ref " << js::serialize(*ref) << " does not resolve";
    }
    if (const auto* schema = member(v, "schema"); schema != nullptr && !where.ends_with("/properties")) {
      const auto errors = agent::check_schema(*schema);
      EXPECT_TRUE(errors.empty()) << where << "/schema:" << schema_errors(errors);
    }
  });

  // Operations: responses with descriptions, 401 and 503 (bearer auth and the store are
  // everywhere), a success, unique ids, path parameters matching the template.
  ASSERT_FALSE(doc.paths().empty());
  std::set<std::string> ids;
  std::size_t operations = 0;
  for (const auto& item : doc.paths()) {
    const std::string templ(item.key());
    EXPECT_TRUE(templ.starts_with("/")) << templ;
    ASSERT_TRUE(item.value().is_object()) << templ;
    for (const auto& key : item.value().get_object()) {
      const bool known = key.key() == "parameters" || key.key() == "summary" || key.key() == "description" ||
                         std::find(http_methods.begin(), http_methods.end(), key.key()) != http_methods.end();
      EXPECT_TRUE(known) << templ << ": unexpected key " << key.key();
    }
    std::set<std::string> in_template;
    for (const auto& part : split(templ, '/')) {
      if (part.size() > 2 && part.front() == '{' && part.back() == '}') in_template.insert(part.substr(1, part.size() - 2));
    }
    for (const auto& method : doc.methods(templ)) {
      ++operations;
      const std::string where = method + " " + templ;
      const js::object& op = *doc.operation(templ, method);
      const std::string id = text_of(op.if_contains("operationId"));
      EXPECT_FALSE(id.empty()) << where << ": no operationId";
      EXPECT_TRUE(ids.insert(id).second) << where << ": operationId " << id << " is used twice";
      const auto* responses = op.if_contains("responses");
      ASSERT_TRUE(responses != nullptr && responses->is_object() && !responses->get_object().empty())
          << where << ": no responses";
      bool success = false;
      for (const auto& r : responses->get_object()) {
        const std::string code(r.key());
        EXPECT_TRUE(code.size() == 3 && code.find_first_not_of("0123456789") == std::string::npos)
            << where << ": response key " << code;
        success = success || code.starts_with("2");
        const auto* resolved = doc.deref(&r.value());
        EXPECT_FALSE(text_of(member(resolved, "description")).empty()) << where << " " << code << ": no description";
      }
      EXPECT_TRUE(success) << where << ": no success response";
      EXPECT_NE(responses->get_object().if_contains("401"), nullptr) << where << ": 401 not documented";
      EXPECT_NE(responses->get_object().if_contains("503"), nullptr) << where << ": 503 not documented";
      std::set<std::string> declared;
      for (const auto* p : doc.parameters(templ, op)) {
        ASSERT_NE(p, nullptr) << where << ": a parameter's $ref does not resolve";
        const std::string in = text_of(member(p, "in"));
        EXPECT_TRUE(in == "path" || in == "query" || in == "header") << where << ": parameter in " << in;
        EXPECT_FALSE(text_of(member(p, "name")).empty()) << where << ": a parameter without a name";
        EXPECT_NE(member(p, "schema"), nullptr) << where << ": parameter " << text_of(member(p, "name")) << " has no schema";
        if (in != "path") continue;
        declared.insert(text_of(member(p, "name")));
        EXPECT_TRUE(member(p, "required") != nullptr && *member(p, "required") == true)
            << where << ": path parameter " << text_of(member(p, "name")) << " must be required";
      }
      EXPECT_EQ(declared, in_template) << where << ": path parameters do not match the template";
    }
  }
  EXPECT_EQ(operations, doc.operations().size());

  // Every schema in components passes check_schema, and its example (if any) validates.
  const auto* schemas = member(member(root, "components"), "schemas");
  ASSERT_TRUE(schemas != nullptr && schemas->is_object() && !schemas->get_object().empty());
  for (const auto& s : schemas->get_object()) {
    const auto errors = agent::check_schema(s.value());
    EXPECT_TRUE(errors.empty()) << "components/schemas/" << s.key() << ":" << schema_errors(errors);
    if (const auto* example = member(s.value(), "example")) {
      const auto bad = agent::validate(s.value(), *example, root);
      EXPECT_TRUE(bad.empty()) << "components/schemas/" << s.key() << ": its example does not match:" << schema_errors(bad);
    }
  }
}

// The configuration fields the readers take (core/agent/config_fields.hpp, the lists the
// readers refuse every other key by) against the schemas that describe them: neither may have a
// field the other lacks, and every assistant setting states its default.
std::set<std::string> names_of(agent::fields::list fields) { return {fields.begin(), fields.end()}; }

std::set<std::string> property_names(const openapi_doc& doc, const js::value* schema) {
  std::set<std::string> out;
  const auto* props = member(doc.deref(schema), "properties");
  if (props != nullptr && props->is_object()) {
    for (const auto& kv : props->get_object()) out.emplace(kv.key());
  }
  return out;
}

const js::value* property_of(const openapi_doc& doc, const js::value* schema, std::string_view key) {
  return doc.deref(member(member(doc.deref(schema), "properties"), key));
}

bool is_required(const js::value* schema, std::string_view key) {
  const auto* required = member(schema, "required");
  if (required == nullptr || !required->is_array()) return false;
  for (const auto& r : required->get_array()) {
    if (r.is_string() && r.get_string() == key) return true;
  }
  return false;
}

TEST(openapi_fields, every_field_the_readers_take_is_described_and_nothing_else) {
  const openapi_doc doc;
  ASSERT_TRUE(doc.error().empty()) << doc.error();
  auto schema = [&](const std::string& name) { return doc.pointer("#/components/schemas/" + name); };
  namespace fields = agent::fields;
  const std::pair<const char*, fields::list> inputs[] = {
      {"DocumentInput", fields::document}, {"OrganizationInput", fields::organization}, {"ContactInput", fields::owner},
      {"AssistantInput", fields::assistant}, {"Assistant", fields::assistant}, {"ServiceInput", fields::service},
      {"AddOnInput", fields::add_on}, {"FaqInput", fields::faq}, {"ToolInput", fields::tool}, {"Tool", fields::tool},
      {"AssistantSettings", fields::settings}};
  for (const auto& [name, list] : inputs) {
    ASSERT_NE(schema(name), nullptr) << name;
    EXPECT_EQ(property_names(doc, schema(name)), names_of(list)) << "components/schemas/" << name;
  }

  const js::value* settings = schema("AssistantSettings");
  const std::pair<const char*, fields::list> sections[] = {{"gate", fields::gate},
                                                           {"gather", fields::gather},
                                                           {"recording", fields::recording},
                                                           {"extraction", fields::extraction},
                                                           {"booking", fields::booking}};
  for (const auto& [key, list] : sections) {
    EXPECT_EQ(property_names(doc, property_of(doc, settings, key)), names_of(list)) << "AssistantSettings." << key;
  }
  // Each setting, and each field of a section, says its default (a required field has none).
  for (std::string_view key : fields::settings) {
    const js::value* s = property_of(doc, settings, key);
    EXPECT_NE(text_of(member(s, "description")).find("Default"), std::string::npos) << "settings." << key;
    for (const auto& [section, list] : sections) {
      if (key != section) continue;
      for (std::string_view field : list) {
        if (is_required(s, field)) continue;
        EXPECT_NE(text_of(member(property_of(doc, s, field), "description")).find("Default"), std::string::npos)
            << "settings." << key << "." << field;
      }
    }
  }

  // A tool's action: one alternative per kind, holding the kind and exactly the fields it takes.
  const auto* one_of = member(schema("ToolAction"), "oneOf");
  ASSERT_TRUE(one_of != nullptr && one_of->is_array());
  std::set<std::string> kinds;
  for (const auto& alternative : one_of->get_array()) {
    const auto* required = member(alternative, "required");
    ASSERT_TRUE(required != nullptr && required->is_array() && required->get_array().size() == 1u) << js::serialize(alternative);
    const std::string kind(required->get_array()[0].as_string());
    kinds.insert(kind);
    auto expected = names_of(fields::action_fields(kind));
    expected.insert(kind);
    EXPECT_EQ(property_names(doc, &alternative), expected) << "ToolAction " << kind;
    if (kind == "notify_owner") {
      std::set<std::string> as_map;
      for (const auto& form : member(property_of(doc, &alternative, kind), "anyOf")->as_array()) {
        if (text_of(member(form, "type")) == "object") as_map = property_names(doc, &form);
      }
      EXPECT_EQ(as_map, names_of(fields::notify_owner));
    }
  }
  EXPECT_EQ(kinds, names_of(fields::action_kinds));
}

// README's settings table names every setting and every field of each section, as
// "| `gate.digits` |".
TEST(openapi_fields, readme_has_a_row_for_every_setting) {
  std::ifstream in(VG_README_FILE, std::ios::binary);
  ASSERT_TRUE(in) << VG_README_FILE;
  std::stringstream text;
  text << in.rdbuf();
  const std::string readme = text.str();
  namespace fields = agent::fields;
  auto row = [&](const std::string& name) { return readme.find("| `" + name + "` |") != std::string::npos; };
  const std::pair<std::string_view, fields::list> sections[] = {{"gate", fields::gate},
                                                                {"gather", fields::gather},
                                                                {"recording", fields::recording},
                                                                {"extraction", fields::extraction},
                                                                {"booking", fields::booking}};
  for (std::string_view key : fields::settings) EXPECT_TRUE(row(std::string(key))) << key;
  for (const auto& [section, list] : sections) {
    for (std::string_view field : list) EXPECT_TRUE(row(std::string(section) + "." + std::string(field))) << section << "." << field;
  }
}

TEST_F(openapi_test, the_checks_fail_on_what_the_document_does_not_allow) {
  const js::value& root = doc.root();
  auto schema = [&](const std::string& name) -> const js::value& {
    static const js::value none;
    const auto* s = doc.pointer("#/components/schemas/" + name);
    EXPECT_NE(s, nullptr) << name;
    return s != nullptr ? *s : none;
  };
  // The validator, used as the other tests use it, refuses wrongly shaped bodies.
  auto errors = agent::validate(schema("Organization"),
                                js::parse(R"({"id":"Bad Id","name":"X","timezone":"UTC","currency":"USD",
                                              "numbers":["555"],"colour":"blue"})"),
                                root);
  const std::string all = agent::describe(errors);
  EXPECT_NE(all.find("id: "), std::string::npos) << all;
  EXPECT_NE(all.find("numbers[0]: "), std::string::npos) << all;
  EXPECT_NE(all.find("colour: is not an allowed field"), std::string::npos) << all;
  EXPECT_FALSE(agent::validate(schema("Error"), js::parse(R"({"code":"not_found","message":"m"})"), root).empty());
  EXPECT_FALSE(agent::validate(schema("Error"), js::parse(R"({"error":{"code":"not_found"}})"), root).empty());
  EXPECT_FALSE(agent::validate(schema("Error"), js::parse(R"({"error":{"code":"invalid","message":"m","field":7}})"), root).empty());
  EXPECT_FALSE(agent::validate(schema("CallList"), js::parse(R"({"data":[]})"), root).empty());
  EXPECT_FALSE(agent::validate(schema("Token"), js::parse(R"({"id":"tok_1","org_id":null,"name":"","created_at":"yesterday"})"), root).empty());
  EXPECT_TRUE(agent::validate(schema("Token"), js::parse(R"({"id":"tok_1","org_id":null,"name":"","created_at":"2026-11-23T10:00:00.000Z"})"), root).empty());
  const js::value record = js::parse(R"({"reference":"K7Q2XM","collection":"bookings","status":"active","data":{"when":"x"},
                                          "call_sid":"","caller":"","created_at":"2026-11-23T10:00:00.000Z",
                                          "updated_at":"2026-11-23T10:00:00.000Z"})");
  EXPECT_TRUE(agent::validate(schema("Record"), record, root).empty());
  js::value changed = record;
  changed.as_object().erase("updated_at");
  EXPECT_FALSE(agent::validate(schema("Record"), changed, root).empty());
  changed = record;
  changed.as_object()["data"] = "when=x";
  EXPECT_FALSE(agent::validate(schema("Record"), changed, root).empty());
  changed = record;
  changed.as_object()["org_id"] = "bright-smile";
  EXPECT_FALSE(agent::validate(schema("Record"), changed, root).empty());
  EXPECT_FALSE(agent::validate(schema("SmsSent"), js::parse(R"({"sid":"SM0123456789abcdef0123456789abcdef","to":"+15125550123",
                                                                 "from":"+15125550199","status":"queued","price":"0.0079"})"), root).empty());
  EXPECT_FALSE(agent::validate(schema("SmsSent"), js::parse(R"({"sid":"nope","to":"+15125550123","from":"+15125550199","status":"queued"})"), root).empty());
  EXPECT_FALSE(agent::validate(schema("SmsInput"), js::parse(R"({"to":"+15125550123"})"), root).empty());  // no text
  EXPECT_FALSE(agent::validate(schema("SmsInput"), js::parse(R"({"to":"+15125550123","message":""})"), root).empty());
  EXPECT_TRUE(agent::validate(schema("SmsInput"), js::parse(R"({"to":"+15125550123","message":"","body":"Hi"})"), root).empty());
  EXPECT_FALSE(agent::validate(schema("TransferResult"), js::parse(R"({"call_sid":"CA1","transferred_to":"fallback"})"), root).empty());
  EXPECT_FALSE(agent::validate(schema("RecordPatch"), js::parse(R"({"status":""})"), root).empty());

  // The exchange checks: a conforming answer passes, each kind of departure is reported.
  const auto ok = made_up("GET", "/api/v1/orgs", 200, "application/json", R"({"data":[]})");
  EXPECT_TRUE(doc.problems(ok).empty()) << ::testing::PrintToString(doc.problems(ok));
  auto expect_problem = [&](const exchange& x, const std::string& words) {
    const auto found = doc.problems(x);
    std::string text;
    for (const auto& p : found) text += p + "\n";
    EXPECT_NE(text.find(words), std::string::npos) << x.describe() << " should be reported with \"" << words << "\"; got:\n" << text;
  };
  expect_problem(made_up("GET", "/api/v1/orgs", 200, "application/json", R"({"data":[{"id":"x"}]})"), "data[0].name: is required");
  expect_problem(made_up("GET", "/api/v1/orgs", 200, "application/json", R"({"data":[],"total":0})"), "total: is not an allowed field");
  expect_problem(made_up("GET", "/api/v1/widgets", 200, "application/json", "{}"), "no path of openapi.yaml matches");
  expect_problem(made_up("PATCH", "/api/v1/orgs", 200, "application/json", "{}"), "has no PATCH operation");
  expect_problem(made_up("GET", "/api/v1/orgs", 418, "application/json", "{}"), "status 418 is not documented");
  expect_problem(made_up("GET", "/api/v1/orgs", 200, "text/html", "<p>hi</p>"), "content type 'text/html' is not documented");
  expect_problem(made_up("GET", "/api/v1/orgs", 401, "application/json", R"({"error":{"code":"unauthorized","message":"m"}})"),
                 "header WWW-Authenticate is missing");
  expect_problem(made_up("GET", "/api/v1/calls?colour=red", 200, "application/json", R"({"data":[],"next_cursor":null})"),
                 "query parameter 'colour' is not documented");
  expect_problem(made_up("DELETE", "/api/v1/tokens/tok_1", 204, "application/json", "surprise"), "documents no body");
  expect_problem(made_up("POST", "/api/v1/orgs", 201, "application/json", R"({"id":"x","name":"X","timezone":"UTC","currency":"USD","numbers":[]})",
                         R"({"nam":"X"})"),
                 "request body the documented schema #/components/schemas/OrganizationInput refuses");
  auto wrong_allow = made_up("PATCH", "/api/v1/orgs/x", 405, "application/json",
                             R"({"error":{"code":"method_not_allowed","message":"allowed here: GET"}})");
  wrong_allow.headers["allow"] = "GET";
  expect_problem(wrong_allow, "Allow: GET, but openapi.yaml lists DELETE, GET, PUT");
  expect_problem(made_up("GET", "/api/v1/sms", 405, "application/json",
                         R"({"error":{"code":"method_not_allowed","message":"allowed here: POST"}})"),
                 "header Allow is missing");
  expect_problem(made_up("GET", "/api/v1/orgs/x/records/bookings", 200, "text/html", "<p>hi</p>"),
                 "content type 'text/html' is not documented");
  expect_problem(made_up("GET", "/api/v1/orgs/x/records/bookings?sort=date", 200, "application/json", R"({"data":[]})"),
                 "query parameter 'sort' is not documented");
  expect_problem(made_up("PATCH", "/api/v1/orgs/x/records/bookings/K7Q2XM", 200, "application/json", js::serialize(record),
                         R"({"state":"done"})"),
                 "request body the documented schema #/components/schemas/RecordPatch refuses");
  expect_problem(made_up("POST", "/api/v1/sms", 201, "application/json",
                         R"({"sid":"SM0123456789abcdef0123456789abcdef","to":"+15125550123","from":"+15125550199","status":7})",
                         R"({"to":"+15125550123","message":"Hi"})"),
                 "status: ");
  expect_problem(made_up("POST", "/api/v1/calls/CA1/transfer", 202, "application/json", "{}"), "status 202 is not documented");
  expect_problem(made_up("DELETE", "/api/v1/orgs/x/records/bookings/K7Q2XM", 204, "", ""), "has no DELETE operation");
  // Audio: any audio/* type under the documented range, with its headers; a body that is not
  // JSON is checked as a string.
  const std::string wav = std::string("RIFF\x24\0\0\0WAVEfmt ", 16) + std::string(8, '\0');
  auto audio = made_up("GET", "/api/v1/calls/CA1/recording?source=voxgate", 200, "audio/wav", wav);
  audio.headers["accept-ranges"] = "bytes";
  EXPECT_TRUE(doc.problems(audio).empty()) << ::testing::PrintToString(doc.problems(audio));
  audio.headers["content-type"] = "audio/x-wav";
  EXPECT_TRUE(doc.problems(audio).empty()) << ::testing::PrintToString(doc.problems(audio));
  audio.headers["content-type"] = "application/octet-stream";
  expect_problem(audio, "content type 'application/octet-stream' is not documented (documented: audio/*)");
  auto part = made_up("GET", "/api/v1/calls/CA1/recording", 206, "audio/wav", "RIFF");
  part.headers["accept-ranges"] = "bytes";
  expect_problem(part, "header Content-Range is missing");
  part.headers["content-range"] = "bytes 0-3/44";
  EXPECT_TRUE(doc.problems(part).empty()) << ::testing::PrintToString(doc.problems(part));
  expect_problem(made_up("GET", "/api/v1/calls/CA1/recording", 416, "application/json",
                         R"({"error":{"code":"range_not_satisfiable","message":"m"}})"),
                 "header Content-Range is missing");
  expect_problem(made_up("GET", "/api/v1/calls/CA1/recording?format=mp3", 200, "audio/wav", "RIFF"),
                 "query parameter 'format' is not documented");
  // The call's recordings, with the fields the API gives.
  const js::value recording = js::parse(R"({"id":"RE1","source":"twilio","origin":"DialVerb","status":"stored","duration_s":3,
                                            "channels":2,"bytes":96044,"content_type":"audio/x-wav","error":null,
                                            "created_at":"2026-11-23T10:00:00.000Z","updated_at":"2026-11-23T10:00:01.000Z",
                                            "url":"/api/v1/calls/CA1/recording?id=RE1",
                                            "signed_url":"/api/v1/calls/CA1/recording?id=RE1&expires=1795442585&signature=ab",
                                            "public_url":null})");
  EXPECT_TRUE(agent::validate(schema("Recording"), recording, root).empty());
  changed = recording;
  changed.as_object().erase("origin");
  EXPECT_FALSE(agent::validate(schema("Recording"), changed, root).empty());
  changed = recording;
  changed.as_object()["source"] = "zoom";
  EXPECT_FALSE(agent::validate(schema("Recording"), changed, root).empty());
  changed = recording;
  changed.as_object()["blob_key"] = "calls/CA1/RE1.wav";  // internal: never shown
  EXPECT_FALSE(agent::validate(schema("Recording"), changed, root).empty());
  changed = recording;
  changed.as_object()["public_url"] = "https://abc.supabase.co/storage/v1/object/public/call-recordings/calls/CA1/RE1.wav";
  EXPECT_TRUE(agent::validate(schema("Recording"), changed, root).empty());
  changed.as_object().erase("public_url");
  EXPECT_FALSE(agent::validate(schema("Recording"), changed, root).empty());
  // The call's extraction with the usage of its answer, and the cost with its part.
  const auto* extraction_schema = doc.pointer("#/components/schemas/CallDetail/properties/extraction");
  ASSERT_NE(extraction_schema, nullptr);
  const js::value extraction = js::parse(R"({"status":"done","data":{"summary":"Two pizzas"},"error":null,
    "usage":{"model":"gpt-4o-mini","input_text_tokens":82,"input_audio_tokens":0,"cached_text_tokens":0,"cached_audio_tokens":0,
             "output_text_tokens":17,"output_audio_tokens":0,"responses":1}})");
  EXPECT_TRUE(agent::validate(*extraction_schema, extraction, root).empty());
  changed = extraction;
  changed.as_object()["usage"] = nullptr;  // no answer (yet)
  EXPECT_TRUE(agent::validate(*extraction_schema, changed, root).empty());
  changed.as_object().erase("usage");
  EXPECT_FALSE(agent::validate(*extraction_schema, changed, root).empty());
  changed = extraction;
  changed.as_object()["usage"].as_object()["prompt_tokens"] = 82;  // not a field of Usage
  EXPECT_FALSE(agent::validate(*extraction_schema, changed, root).empty());
  const js::value cost = js::parse(R"({"model_usd":0.00072,"extraction_usd":0.0000225,"twilio_voice_usd":0.0085,"sms_usd":0,
                                       "total_usd":0.0092425})");
  EXPECT_TRUE(agent::validate(schema("Cost"), cost, root).empty());
  changed = cost;
  changed.as_object().erase("extraction_usd");
  EXPECT_FALSE(agent::validate(schema("Cost"), changed, root).empty());
}

TEST_F(openapi_test, a_realistic_session_answers_as_documented) {
  run_session();
  if (HasFatalFailure()) return;
  EXPECT_GE(exercised.size(), 30u);
}

TEST_F(openapi_test, error_responses_match_the_error_schema) {
  start();
  ASSERT_EQ(call_api("POST", "/api/v1/orgs", dental_org()).status, 201);
  ASSERT_EQ(call_api("POST", "/api/v1/orgs", R"({"id":"other","name":"Other","numbers":["+15125550177"]})").status, 201);
  auto r = call_api("POST", "/api/v1/tokens", R"({"org_id":"bright-smile"})");
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string org_token = text_of(member(r.json, "token"));
  r = call_api("POST", "/api/v1/tokens", R"({"org_id":"other"})");
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string other_token = text_of(member(r.json, "token"));
  const std::string org = "/api/v1/orgs/bright-smile";
  const std::string bookings = org + "/records/bookings";
  add_record({"bright-smile", "bookings", "R00001", R"({"when":"2030-03-14T10:30:00Z"})", "active", "", "+15127770001",
              1795435200000, 1795435200000});
  const std::string sms = R"({"to":"+15127770002","message":"Hello"})";

  // 401: no token, an unknown one, a revoked one, another scheme; the seed aliases too.
  r = call_api("GET", "/api/v1/orgs", {}, "");
  expect_error(r, 401, "unauthorized");
  EXPECT_EQ(r.header("www-authenticate"), "Bearer");
  expect_error(call_api("DELETE", "/api/v1/tokens/tok_000000000000", {}, "vg_0_0"), 401, "unauthorized");
  expect_error(call_api("GET", "/assistant/get-prompt/?org_id=bright-smile", {}, ""), 401, "unauthorized");
  expect_error(call_api("GET", "/api/v1/calls", {}, "bearer-but-wrong"), 401, "unauthorized");
  expect_error(call_api("GET", "/api/v1/orgs", {}, admin_token, "Basic"), 401, "unauthorized");
  expect_error(call_api("GET", "/api/v1/orgs", {}, admin_token, "Bearer "), 401, "unauthorized");  // two spaces
  expect_error(call_api("POST", "/api/v1/sms", sms, ""), 401, "unauthorized");
  expect_error(call_api("POST", "/assistant/send-sms/", sms, ""), 401, "unauthorized");
  expect_error(call_api("POST", "/api/v1/calls/CAnope/transfer", "{}", ""), 401, "unauthorized");
  expect_error(call_api("POST", "/assistant/transfer-call/", R"({"call_sid":"CAnope"})", ""), 401, "unauthorized");
  expect_error(call_api("GET", bookings, {}, ""), 401, "unauthorized");
  expect_error(call_api("GET", bookings + "/R00001", {}, ""), 401, "unauthorized");
  expect_error(call_api("PATCH", bookings + "/R00001", R"({"status":"done"})", ""), 401, "unauthorized");
  expect_error(call_api("GET", "/api/v1/calls/CAnope/recording", {}, ""), 401, "unauthorized");
  expect_error(call_api("GET", "/call-status?callSid=CAnope", {}, ""), 401, "unauthorized");
  expect_error(call_api("GET", "/api/phone/active-calls", {}, ""), 401, "unauthorized");
  expect_error(call_api("GET", "/api/phone/call-status/CAnope", {}, ""), 401, "unauthorized");

  // 403: an organisation's token elsewhere, or doing an administrator's work.
  expect_error(call_api("GET", "/api/v1/orgs/demo", {}, org_token), 403, "forbidden");
  expect_error(call_api("POST", "/api/v1/orgs", R"({"name":"Mine"})", org_token), 403, "forbidden");
  expect_error(call_api("DELETE", org, {}, org_token), 403, "forbidden");
  expect_error(call_api("GET", "/api/v1/tokens", {}, org_token), 403, "forbidden");
  expect_error(call_api("POST", "/api/v1/tokens", "{}", org_token), 403, "forbidden");
  expect_error(call_api("GET", "/api/v1/calls?org=demo", {}, org_token), 403, "forbidden");
  expect_error(call_api("GET", "/api/v1/calls/active?org=demo", {}, org_token), 403, "forbidden");
  expect_error(call_api("GET", "/api/phone/active-calls?org=demo", {}, org_token), 403, "forbidden");
  expect_error(call_api("GET", "/assistant/get-prompt/?org_id=demo", {}, org_token), 403, "forbidden");
  expect_error(call_api("GET", "/api/v1/orgs/other/numbers", {}, org_token), 403, "forbidden");
  expect_error(call_api("GET", bookings, {}, other_token), 403, "forbidden");
  expect_error(call_api("GET", bookings + "/R00001", {}, other_token), 403, "forbidden");
  expect_error(call_api("PATCH", bookings + "/R00001", R"({"status":"done"})", other_token), 403, "forbidden");
  expect_error(call_api("POST", "/api/v1/sms", R"({"to":"+15127770002","message":"Hi","org_id":"other"})", org_token), 403,
               "forbidden");
  expect_error(call_api("POST", "/assistant/send-sms/", R"({"to":"+15127770002","body":"Hi","organization_id":"other"})",
                        org_token),
               403, "forbidden");

  // 404
  expect_error(call_api("GET", "/api/v1/orgs/nope"), 404, "not_found");
  expect_error(call_api("PUT", "/api/v1/orgs/nope", R"({"name":"Nope"})"), 404, "not_found");
  expect_error(call_api("DELETE", "/api/v1/orgs/nope"), 404, "not_found");
  expect_error(call_api("GET", org + "/prompt"), 404, "not_found");  // no assistant yet
  expect_error(call_api("GET", "/assistant/get-prompt/?org_id=nope"), 404, "not_found");
  expect_error(call_api("GET", org + "/assistants/nope"), 404, "not_found");
  expect_error(call_api("DELETE", org + "/assistants/nope"), 404, "not_found");
  expect_error(call_api("DELETE", org + "/numbers/%2B15125550100"), 404, "not_found");
  expect_error(call_api("GET", "/api/v1/orgs/nope/document"), 404, "not_found");
  expect_error(call_api("GET", "/api/v1/calls/CAnope"), 404, "not_found");
  expect_error(call_api("GET", "/api/v1/calls/CAnope/transcript"), 404, "not_found");
  expect_error(call_api("GET", "/call-status?callSid=CAnope"), 404, "not_found");
  expect_error(call_api("GET", "/api/phone/call-status/CAnope"), 404, "not_found");
  expect_error(call_api("GET", "/api/v1/calls/CAnope/recording"), 404, "not_found");
  expect_error(call_api("GET", "/api/v1/calls/CAnope/recording?source=zoom"), 404, "not_found");  // the call first
  expect_error(call_api("DELETE", "/api/v1/tokens/tok_nope"), 404, "not_found");
  expect_error(call_api("GET", "/api/v1/orgs/nope/records/bookings"), 404, "not_found");
  expect_error(call_api("GET", bookings + "/NOPE"), 404, "not_found");
  expect_error(call_api("PATCH", bookings + "/NOPE", R"({"status":"done"})"), 404, "not_found");
  expect_error(call_api("GET", org + "/records/waitlist/R00001"), 404, "not_found");  // another collection
  expect_error(call_api("POST", "/api/v1/calls/CAnope/transfer", "{}"), 404, "not_found");
  expect_error(call_api("POST", "/assistant/transfer-call/", R"({"call_sid":"CAnope","to":"+15125550150"})"), 404, "not_found");
  // A path with an extra segment, or none documented at all.
  for (const std::string& target :
       {org + "/prompt/more", org + "/document/more", org + "/assistants/ava/more", org + "/numbers/%2B15125550199/more",
        org + "/records", bookings + "/R00001/more", org + "/widgets", std::string("/api/v1/tokens/tok_1/more"),
        std::string("/api/v1/calls/CAnope/transcript/more"), std::string("/api/v1/calls/CAnope/events"),
        std::string("/api/v1/calls/CAnope/recording/more"), std::string("/api/phone/call-status/CAnope/more"),
        std::string("/api/v1/widgets"), std::string("/api/v1")}) {
    expect_unknown_path(send("GET", target, {}, admin_token));
  }
  expect_unknown_path(send("POST", "/api/v1/sms/more", sms, admin_token));

  // 400 naming the field
  expect_error(call_api("POST", "/api/v1/orgs", R"({"id":"x","name":"X","owner":{"phone":"12345"}})"), 400, "invalid", "owner.phone");
  expect_error(call_api("POST", "/api/v1/orgs", R"({"name":"X","colour":"blue"})"), 400, "invalid", "colour");
  expect_error(call_api("POST", "/api/v1/orgs", R"({"id":"x","name":"X","timezone":"Mars/Olympus"})"), 400, "invalid", "timezone");
  expect_error(call_api("POST", "/api/v1/orgs", "[1,2]"), 400, "invalid", "body");
  expect_error(call_api("PUT", org, R"({"id":"nope","name":"N"})"), 400, "invalid", "id");
  expect_error(call_api("POST", org + "/assistants", R"({"name":"Ava","services":[{"minutes":30}]})"), 400, "invalid",
               "services[0].name");
  expect_error(call_api("POST", org + "/assistants", R"({"name":"Ava","hours":{"mon":"9-5"}})"), 400, "invalid", "hours");
  expect_error(call_api("PUT", org + "/document", R"({"organization":{"id":"other","name":"Other"}})"), 400, "invalid",
               "organization.id");
  expect_error(call_api("POST", org + "/numbers", R"({"number":"555"})"), 400, "invalid", "number");
  expect_error(call_api("POST", "/api/v1/tokens", R"({"org_id":"nope"})"), 400, "invalid", "org_id");
  expect_error(call_api("GET", "/api/v1/calls?limit=0"), 400, "invalid", "limit");
  expect_error(call_api("GET", "/api/v1/calls?since=yesterday"), 400, "invalid", "since");
  expect_error(call_api("GET", "/api/v1/calls/active?until=soon"), 400, "invalid", "until");
  expect_error(call_api("GET", "/api/v1/calls?cursor=nonsense"), 400, "invalid", "cursor");
  expect_error(call_api("GET", "/assistant/get-prompt/"), 400, "invalid", "org_id");
  expect_error(call_api("GET", "/call-status"), 400, "invalid", "callSid");
  expect_error(call_api("GET", "/call-status?callSid="), 400, "invalid", "callSid");
  expect_error(call_api("GET", "/api/phone/active-calls?limit=0"), 400, "invalid", "limit");
  expect_error(checked(send_raw("GET", "/api/phone/call-status/CA%zz")), 400, "invalid_path");
  expect_error(call_api("GET", "/assistant/get-prompt/?org_id=&assistant=ava", {}, org_token), 400, "invalid", "org_id");
  expect_error(call_api("POST", org + "/numbers", R"({"number":"+15125550166","label":"desk"})"), 400, "invalid", "label");
  expect_error(call_api("POST", "/api/v1/tokens", R"({"nme":"typo"})"), 400, "invalid", "nme");
  expect_error(call_api("POST", "/api/v1/tokens", R"({"name":7})"), 400, "invalid", "name");
  expect_error(call_api("POST", "/api/v1/tokens", "[]"), 400, "invalid", "body");
  // SMS
  expect_error(call_api("POST", "/api/v1/sms", R"({"to":"12","message":"x"})"), 400, "invalid", "to");
  expect_error(call_api("POST", "/api/v1/sms", R"({"to":"+15127770002","message":""})"), 400, "invalid", "message");
  expect_error(call_api("POST", "/assistant/send-sms/", R"({"to":"+15127770002"})"), 400, "invalid", "message");
  expect_error(call_api("POST", "/api/v1/sms", R"({"to":"+15127770002","message":"x","org_id":"nope"})"), 400, "invalid", "org_id");
  expect_error(call_api("POST", "/api/v1/sms", R"({"to":"+15127770002","message":"x","org_id":"bright-smile","from":"+15125550177"})"),
               400, "invalid", "from");
  expect_error(call_api("POST", "/api/v1/sms", "[1]"), 400, "invalid", "body");
  expect_error(call_api("POST", "/api/v1/sms", "{"), 400, "invalid_json");
  // Transfers (the call is looked up after the body is read)
  expect_error(call_api("POST", "/assistant/transfer-call/", "{}"), 400, "invalid", "call_sid");
  expect_error(call_api("POST", "/assistant/transfer-call/", R"({"to":"+15125550150"})"), 400, "invalid", "call_sid");
  expect_error(call_api("POST", "/api/v1/calls/CAnope/transfer", "[1]"), 400, "invalid", "body");
  expect_error(call_api("POST", "/api/v1/calls/CAnope/transfer", "{"), 400, "invalid_json");
  expect_error(checked(send_raw("POST", "/api/v1/calls/CA%zz/transfer")), 400, "invalid_path");
  expect_error(checked(send_raw("GET", "/api/v1/calls/CA%zz/recording")), 400, "invalid_path");
  // Records
  expect_error(call_api("GET", bookings + "?limit=many"), 400, "invalid", "limit");
  expect_error(call_api("GET", bookings + "?limit=1001"), 400, "invalid", "limit");
  expect_error(call_api("GET", bookings + "?offset=-1"), 400, "invalid", "offset");
  expect_error(call_api("GET", bookings + "?format=csv&limit=100001"), 400, "invalid", "limit");
  expect_error(call_api("PATCH", bookings + "/R00001", R"({"status":""})"), 400, "invalid", "status");
  expect_error(call_api("PATCH", bookings + "/R00001", R"({"status":null})"), 400, "invalid", "status");
  expect_error(call_api("PATCH", bookings + "/R00001", R"({"data":["paid"]})"), 400, "invalid", "data");
  expect_error(call_api("PATCH", bookings + "/R00001", R"({"status":"done","colour":"red"})"), 400, "invalid", "colour");
  expect_error(call_api("PATCH", bookings + "/R00001", "[1]"), 400, "invalid", "body");
  expect_error(call_api("PATCH", bookings + "/R00001", "{"), 400, "invalid_json");
  expect_error(checked(send_raw("GET", "/api/v1/orgs/bright-smile/records/b%zz")), 400, "invalid_path");
  EXPECT_EQ(text_of(member(call_api("GET", bookings + "/R00001").json, "status")), "active");  // nothing was changed
  // 400 without a field: not JSON, a broken %-escape (refused before the token is looked at).
  expect_error(call_api("POST", "/api/v1/orgs", "{not json"), 400, "invalid_json");
  expect_error(call_api("POST", org + "/assistants", "{"), 400, "invalid_json");
  expect_error(checked(send_raw("GET", "/api/v1/orgs/%zz")), 400, "invalid_path");
  expect_error(checked(send_raw("DELETE", "/api/v1/orgs/bright-smile/numbers/%2")), 400, "invalid_path");

  // 405: a method not listed, with the listed ones named.
  expect_error(call_api("PATCH", org, "{}"), 405, "method_not_allowed");
  EXPECT_EQ(call_api("PATCH", org, "{}").header("allow"), "GET, PUT, DELETE");
  expect_error(call_api("PUT", "/api/v1/orgs", "{}"), 405, "method_not_allowed");
  expect_error(call_api("POST", org + "/prompt"), 405, "method_not_allowed");
  expect_error(call_api("DELETE", org + "/document"), 405, "method_not_allowed");
  expect_error(call_api("DELETE", org + "/assistants"), 405, "method_not_allowed");
  expect_error(call_api("PUT", org + "/numbers", "{}"), 405, "method_not_allowed");
  expect_error(call_api("GET", org + "/numbers/%2B15125550199"), 405, "method_not_allowed");
  expect_error(call_api("PATCH", "/api/v1/tokens", "{}"), 405, "method_not_allowed");
  expect_error(call_api("GET", "/api/v1/tokens/tok_1"), 405, "method_not_allowed");
  expect_error(call_api("POST", "/api/v1/calls", "{}"), 405, "method_not_allowed");
  expect_error(call_api("DELETE", "/api/v1/calls/CAnope"), 404, "not_found");
  EXPECT_EQ(call_api("POST", "/api/v1/calls", "{}").header("allow"), "GET");
  expect_error(call_api("GET", "/api/v1/sms"), 405, "method_not_allowed");
  EXPECT_EQ(call_api("GET", "/api/v1/sms").header("allow"), "POST");
  expect_error(call_api("GET", "/assistant/send-sms/"), 405, "method_not_allowed");
  expect_error(call_api("GET", "/api/v1/calls/CAnope/transfer"), 405, "method_not_allowed");
  expect_error(call_api("DELETE", "/api/v1/calls/CAnope/recording"), 405, "method_not_allowed");
  EXPECT_EQ(call_api("POST", "/api/v1/calls/CAnope/recording", "{}").header("allow"), "GET");
  expect_error(call_api("PUT", "/assistant/transfer-call/", "{}"), 405, "method_not_allowed");
  expect_error(call_api("POST", "/assistant/get-prompt/?org_id=bright-smile"), 405, "method_not_allowed");
  expect_error(call_api("POST", "/api/phone/active-calls", "{}"), 405, "method_not_allowed");
  expect_error(call_api("DELETE", "/api/phone/call-status/CAnope"), 405, "method_not_allowed");
  EXPECT_EQ(call_api("DELETE", "/api/phone/call-status/CAnope").header("allow"), "GET");
  expect_error(call_api("POST", bookings, "{}"), 405, "method_not_allowed");
  expect_error(call_api("DELETE", bookings + "/R00001"), 405, "method_not_allowed");
  EXPECT_EQ(call_api("PUT", bookings + "/R00001", "{}").header("allow"), "GET, PATCH");

  // 409
  expect_error(call_api("POST", "/api/v1/orgs", dental_org()), 409, "conflict");
  expect_error(call_api("POST", "/api/v1/orgs", R"({"id":"third","name":"Third","numbers":["+15125550199"]})"), 409, "conflict");
  expect_error(call_api("PUT", "/api/v1/orgs/other", R"({"name":"Other","numbers":["+15125550199"]})"), 409, "conflict");
  expect_error(call_api("PUT", "/api/v1/orgs/other/document", R"({"organization":{"id":"other","name":"Other","numbers":["+15125550199"]}})"),
               409, "conflict");
  expect_error(call_api("POST", org + "/numbers", R"({"number":"+15125550199"})"), 409, "conflict");
  expect_error(call_api("POST", org + "/numbers", R"({"number":"+15125550177"})"), 409, "conflict");
  ASSERT_EQ(call_api("POST", org + "/assistants", R"({"name":"Ava"})").status, 201);
  expect_error(call_api("POST", org + "/assistants", R"({"name":"Ava"})"), 409, "conflict");
  expect_error(call_api("GET", org + "/prompt?assistant=nope"), 404, "not_found");

  // 502: Twilio refuses the SMS.
  twilio.fail_next(1, 400, 21211, "The 'To' number is not a valid phone number.");
  r = call_api("POST", "/api/v1/sms", sms);
  expect_error(r, 502, "sms_failed");
  EXPECT_NE(text_of(member(member(r.json, "error"), "message")).find("21211"), std::string::npos) << r.body;
  EXPECT_TRUE(twilio.messages().empty());

  // A live call: a bad number (400), another organisation's token (403), a call Twilio does
  // not know as live (502); once it ended, 409. An unknown transcript format is a 400.
  auto caller = connected_caller_to(org_number);
  ASSERT_TRUE(caller);
  const std::string sid = caller->call_sid();
  const std::string transfer = "/api/v1/calls/" + sid + "/transfer";
  ASSERT_TRUE(wait_until([&] { return data_size(call_api("GET", "/api/v1/calls/active").json) == 1; }));
  expect_error(call_api("POST", transfer, R"({"to":"555"})"), 400, "invalid", "to");
  expect_error(call_api("POST", transfer, "{}", other_token), 403, "forbidden");
  expect_error(call_api("POST", "/assistant/transfer-call/", R"({"call_sid":")" + sid + R"("})", other_token), 403, "forbidden");
  expect_error(call_api("POST", transfer, "{}"), 502, "transfer_failed");
  expect_error(call_api("GET", "/api/v1/calls/" + sid + "/transcript?format=csv"), 400, "invalid", "format");
  // Its recording: none stored yet (404), another organisation's (403), an unknown source (400);
  // HEAD is not served (405, Allow: GET). (A HEAD answer should have no body, so only its
  // status and headers are looked at.)
  const std::string recording = "/api/v1/calls/" + sid + "/recording";
  expect_error(call_api("GET", recording), 404, "not_found");
  expect_error(call_api("GET", recording + "?source=voxgate", {}, org_token), 404, "not_found");
  expect_error(call_api("GET", recording, {}, other_token), 403, "forbidden");
  // The seeds' reads of it: another organisation's token is told it does not exist.
  expect_error(call_api("GET", "/call-status?callSid=" + sid, {}, other_token), 404, "not_found");
  expect_error(call_api("GET", "/api/phone/call-status/" + sid, {}, other_token), 404, "not_found");
  EXPECT_EQ(data_size(call_api("GET", "/api/phone/active-calls", {}, other_token).json), 0u);
  expect_error(call_api("GET", recording + "?source=zoom"), 400, "invalid", "source");
  expect_error(get_range(recording, "bytes=0-3"), 404, "not_found");
  const exchange head = send_raw("HEAD", recording, admin_token);
  EXPECT_EQ(head.status, 405) << head.body;
  EXPECT_EQ(head.header("allow"), "GET");
  EXPECT_EQ(method_set(head.header("allow")), doc.methods("/api/v1/calls/{sid}/recording"));
  EXPECT_EQ(call_api("POST", transfer, "{}", org_token).status, 502);
  caller->send_stop();
  ASSERT_TRUE(wait_until([&] { return server->active_calls() == 0; }));
  ASSERT_TRUE(wait_until([&] {
    const auto reply = call_api("GET", "/api/v1/calls/" + sid);  // kept: `member` points into it
    const auto* ended = member(reply.json, "ended_at");
    return ended != nullptr && ended->is_string();
  }));
  twilio.add_live_call(sid);  // (409 comes before Twilio is asked)
  expect_error(call_api("POST", transfer, "{}"), 409, "call_ended");
  expect_error(call_api("POST", "/assistant/transfer-call/", R"({"call_sid":")" + sid + R"(","to":"+15125550150"})"), 409,
               "call_ended");
  EXPECT_TRUE(twilio.call_updates().empty() ||
              twilio.call_updates().back().twiml.find("<Dial>") == std::string::npos);  // no transfer went out
}

TEST_F(openapi_test, without_twilio_sms_and_transfers_fail_as_documented) {
  start(false);
  ASSERT_EQ(call_api("POST", "/api/v1/orgs", dental_org()).status, 201);
  ASSERT_EQ(call_api("POST", "/api/v1/orgs/bright-smile/assistants", R"({"name":"Ava"})").status, 201);
  auto r = call_api("POST", "/api/v1/sms", R"({"to":"+15127770002","message":"Hello","org_id":"bright-smile"})");
  expect_error(r, 502, "sms_failed");
  r = call_api("POST", "/assistant/send-sms/", R"({"to":"+15127770002","body":"Hello"})");
  expect_error(r, 502, "sms_failed");
  auto caller = connected_caller_to(org_number);
  ASSERT_TRUE(caller);
  const std::string sid = caller->call_sid();
  ASSERT_TRUE(wait_until([&] { return data_size(call_api("GET", "/api/v1/calls/active").json) == 1; }));
  expect_error(call_api("POST", "/api/v1/calls/" + sid + "/transfer", "{}"), 503, "telephony_unavailable");
  expect_error(call_api("POST", "/assistant/transfer-call/", R"({"call_sid":")" + sid + R"("})"), 503, "telephony_unavailable");
  caller->send_stop();
  ASSERT_TRUE(wait_until([&] { return server->active_calls() == 0; }));
  EXPECT_TRUE(twilio.requests().empty());
}

TEST_F(openapi_test, every_documented_operation_is_exercised) {
  run_session();
  if (HasFatalFailure()) return;
  const auto documented = doc.operations();
  ASSERT_FALSE(documented.empty());
  std::string missing;
  for (const auto& op : documented) {
    if (exercised.count(op) == 0) missing += "\n  " + op.first + " " + op.second;
  }
  EXPECT_TRUE(missing.empty()) << "documented in openapi.yaml but never answered with a success (does the route exist?):"
                               << missing;
  // (The reverse, a success on an undocumented route, already failed in call_api.)
  for (const auto& op : exercised) EXPECT_EQ(documented.count(op), 1u) << op.first << " " << op.second;
}

}  // namespace
}  // namespace vg::e2e
