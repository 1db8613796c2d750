// The command line of voxgate-loadgen.
#pragma once
#include <cstdint>
#include <string>

namespace loadgen {

struct Options {
  std::string server = "http://127.0.0.1:5050", public_url, auth_token, json_path;
  int model_port = 9100;
  bool model_port_set = false;
  uint32_t calls = 100;
  double ramp = 200, duration = 20, settle = 1, setup_timeout = 10;
  int server_pid = 0;
  bool self_test = false;
};

void usage();
// False on --help or a bad option (the message is printed).
bool parse_options(int argc, char** argv, Options& o);

}  // namespace loadgen
