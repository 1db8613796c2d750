// The model connection over wss:// with certificate verification, as against OpenAI: a TLS
// front with a locally made certificate stands before the fake Realtime server.
#include <cstdlib>
#include <filesystem>

#include "tests/e2e/e2e_fixture.hpp"
#include "tests/fakes/tls_terminator.hpp"

namespace vg::e2e {
namespace {

using fakes::wait_until;
using namespace std::chrono_literals;

class tls_test : public bridge_test {
 protected:
  std::filesystem::path dir = std::filesystem::temp_directory_path() /
                              ("voxgate-tls-" + std::to_string(::getpid()) + "-" + std::to_string(std::rand()));
  void SetUp() override { std::filesystem::create_directories(dir); }
  void TearDown() override {
    bridge_test::TearDown();
    ::unsetenv("SSL_CERT_FILE");
    std::filesystem::remove_all(dir);
  }
};

TEST_F(tls_test, the_model_is_reached_over_verified_tls) {
  fakes::tls_terminator tls(model.port(), dir.string());
  // OpenSSL's default verify paths honour SSL_CERT_FILE: trust only the test certificate.
  ::setenv("SSL_CERT_FILE", tls.certificate_file().c_str(), 1);
  start_server([&](app::config& c) { c.openai_realtime_url = "wss://localhost:" + std::to_string(tls.port()) + "/v1/realtime"; });
  auto caller = connected_caller();
  ASSERT_TRUE(caller);
  ASSERT_TRUE(wait_until([&] { return caller->heard_audio().size() >= 1600; }));
  EXPECT_TRUE(caller->heard_audio() == fakes::assistant_audio(0, 1, 1600));
  EXPECT_EQ(model.request_header(0, "host"), "localhost:" + std::to_string(tls.port()));
}

TEST_F(tls_test, an_untrusted_certificate_is_refused_and_the_caller_hears_the_apology) {
  fakes::tls_terminator tls(model.port(), dir.string());
  start_server([&](app::config& c) {
    c.openai_realtime_url = "wss://localhost:" + std::to_string(tls.port()) + "/v1/realtime";
    c.model_reconnect_attempts = 0;
  });
  auto caller = connected_caller();
  ASSERT_TRUE(caller);
  ASSERT_TRUE(wait_until([&] { return caller->stream_closed(); }, 10000ms));
  EXPECT_EQ(model.connections(), 0u);  // nothing got past the TLS handshake
  EXPECT_NE(caller->request_action().find("<Say>"), std::string::npos);
}

}  // namespace
}  // namespace vg::e2e
