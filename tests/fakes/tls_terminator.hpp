// A TLS front for a plain local server: accepts TLS on 127.0.0.1 with a self-signed
// certificate it creates (CN and SAN localhost / 127.0.0.1) and pipes the bytes to a plain
// backend port. Lets tests reach the fakes over wss:// exactly as voxgate reaches OpenAI.
#pragma once
#include <memory>
#include <string>

#include "tests/fakes/event_loop.hpp"

namespace vg::fakes {

class tls_terminator {
 public:
  // `dir` receives cert.pem and key.pem (made with the openssl command-line tool).
  tls_terminator(std::uint16_t backend_port, const std::string& dir);
  ~tls_terminator();
  std::uint16_t port() const;
  std::string certificate_file() const;  // trust this to verify the terminator

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace vg::fakes
