// Default prices (docs/protocols/pricing.md, checked 2026): change them here, or point PRICES_FILE at a
// JSON file with the same shape. OpenAI per 1M tokens; Twilio US per minute and per segment.
// Text models (the after-call extraction's Chat Completions): OpenAI's pricing page
// (developers.openai.com/api/docs/pricing, standard tier), input / cached input / output.
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
    const auto text = [](double in, double cached, double out) {
      return model_price{.text_in = in, .text_cached = cached, .text_out = out};
    };
    t.models["gpt-4o-mini"] = text(0.15, 0.075, 0.60);  // the extraction's default
    t.models["gpt-4o"] = text(2.50, 1.25, 10.00);
    t.models["gpt-4.1"] = text(2.00, 0.50, 8.00);
    t.models["gpt-4.1-mini"] = text(0.40, 0.10, 1.60);
    t.models["gpt-4.1-nano"] = text(0.10, 0.025, 0.40);
    t.models["gpt-5"] = text(1.25, 0.125, 10.00);
    t.models["gpt-5-mini"] = text(0.25, 0.025, 2.00);
    t.models["gpt-5-nano"] = text(0.05, 0.005, 0.40);
    t.models["*"] = realtime;  // an unknown model is priced like gpt-realtime rather than free
    t.twilio_inbound_per_min = 0.0085;
    t.twilio_outbound_per_min = 0.013;
    t.sms_per_segment = 0.0079;
    return t;
  }();
  return table;
}

}  // namespace vg::billing
