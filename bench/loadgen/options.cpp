// See options.hpp.
#include "options.hpp"

#include <cstdio>
#include <cstdlib>

namespace loadgen {

void usage() {
  fprintf(stderr,
          "usage: voxgate-loadgen [--server http://127.0.0.1:5050] [--public-url URL] [--auth-token T]\n"
          "         [--model-port 9100] [--calls N] [--ramp N/s] [--duration S] [--settle S]\n"
          "         [--setup-timeout S] [--server-pid PID] [--json FILE] [--self-test]\n");
}

bool parse_options(int argc, char** argv, Options& o) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--self-test") { o.self_test = true; continue; }
    if (a == "--help" || a == "-h") return false;
    if (i + 1 >= argc) { fprintf(stderr, "missing value for %s\n", a.c_str()); return false; }
    std::string v = argv[++i];
    if (a == "--server") o.server = v;
    else if (a == "--public-url") o.public_url = v;
    else if (a == "--auth-token") o.auth_token = v;
    else if (a == "--model-port") { o.model_port = atoi(v.c_str()); o.model_port_set = true; }
    else if (a == "--calls") o.calls = uint32_t(strtoul(v.c_str(), nullptr, 10));
    else if (a == "--ramp") o.ramp = atof(v.c_str());
    else if (a == "--duration") o.duration = atof(v.c_str());
    else if (a == "--settle") o.settle = atof(v.c_str());
    else if (a == "--setup-timeout") o.setup_timeout = atof(v.c_str());
    else if (a == "--server-pid") o.server_pid = atoi(v.c_str());
    else if (a == "--json") o.json_path = v;
    else { fprintf(stderr, "unknown option %s\n", a.c_str()); return false; }
  }
  if (o.public_url.empty()) o.public_url = o.server;
  while (!o.public_url.empty() && o.public_url.back() == '/') o.public_url.pop_back();
  if (o.ramp <= 0 || o.duration < 0 || o.settle < 0 || o.setup_timeout <= 0 || o.calls > 100000 ||
      o.model_port < 0 || o.model_port > 65535) {
    fprintf(stderr, "bad option value\n");
    return false;
  }
  return true;
}

}  // namespace loadgen
