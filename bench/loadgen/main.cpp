// voxgate-loadgen: see loadgen.hpp for what it does and how it is built.
#include "loadgen.hpp"

using namespace loadgen;

int main(int argc, char** argv) {
  Options o;
  if (!parse_options(argc, argv, o)) { usage(); return 2; }
  init_payload_template();
  if (o.self_test) {
    bool units = unit_tests();
    if (!o.model_port_set) o.model_port = 0;  // ephemeral port: never clashes with a running bench
    if (o.calls == 100) o.calls = 4;
    if (o.duration == 20) o.duration = 2;
    o.settle = 0.2;
    Loadgen lg(o);
    int rc = lg.run();
    return units && rc == 0 ? 0 : 1;
  }
  Loadgen lg(o);
  return lg.run();
}
