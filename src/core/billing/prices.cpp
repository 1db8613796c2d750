// Default prices (PROTOCOLS.md H.2, checked 2026): change them here, or point PRICES_FILE at a
// JSON file with the same shape. OpenAI per 1M tokens; Twilio US per minute and per segment.
#include "core/billing/cost.hpp"

namespace vg::billing {

const price_table& default_prices() {
  static const price_table table = [] {
    price_table t;
    const model_price realtime{32.0, 0.40, 64.0, 4.0, 0.40, 16.0};
    t.models["gpt-realtime"] = realtime;
    t.models["gpt-realtime-1.5"] = realtime;
    t.models["gpt-realtime-2"] = {32.0, 0.40, 64.0, 4.0, 0.40, 24.0};
    t.models["gpt-realtime-2.1-mini"] = {10.0, 0.30, 20.0, 0.60, 0.06, 2.40};
    t.models["gpt-4o-realtime-preview"] = {40.0, 2.50, 80.0, 5.0, 2.50, 20.0};
    t.models["gpt-4o-mini-realtime-preview"] = {10.0, 0.30, 20.0, 0.60, 0.30, 2.40};
    t.models["*"] = realtime;  // an unknown model is priced like gpt-realtime rather than free
    t.twilio_inbound_per_min = 0.0085;
    t.twilio_outbound_per_min = 0.013;
    t.sms_per_segment = 0.0079;
    return t;
  }();
  return table;
}

}  // namespace vg::billing
