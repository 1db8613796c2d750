// Records: save, update, cancel and look up the organisation's records (bookings, waitlist,
// task orders...), each in the collection its action names.
#include <algorithm>

#include <boost/json.hpp>

#include "app/tools/action_families.hpp"
#include "app/tools/action_support.hpp"
#include "app/wall_clock.hpp"
#include "core/agent/tool_support.hpp"
#include "core/crypto.hpp"

namespace vg::app::actions {
namespace json = boost::json;

namespace {

// The caller's record in `collection`: by reference when given, else their latest active one.
awaitable<std::optional<ports::record_row>> find_callers_record(tool_runner& runner, tool_context ctx,
                                                                std::string collection, json::object args) {
  std::string ref = string_at(args, "reference");
  if (ref.empty()) ref = string_at(args, "ref");
  const std::string org = ctx.org->org.id;
  if (!ref.empty()) {
    auto by_ref = [org, collection, ref](ports::store& s) { return s.find_record(org, collection, ref); };
    auto r = co_await runner.store().run(std::move(by_ref));
    co_return r;
  }
  ports::record_filter f{org, collection, {}, {}, caller_phone(ctx, args), "active", 1, 0};
  auto latest = [f](ports::store& s) { return s.list_records(f); };
  auto rows = co_await runner.store().run(std::move(latest));
  if (rows.empty()) co_return std::nullopt;
  co_return rows.front();
}

// Why a date + time in `data` cannot be booked ("" when it can, or when there is none).
std::string slot_problem(tool_runner& runner, const tool_context& ctx, const json::object& data) {
  const std::string date = string_at(data, "date"), time = string_at(data, "time");
  if (date.empty() || time.empty()) return {};
  const auto now = runner.dir().local_now(ctx.org->org, unix_ms() / 1000);  // zone already cached by the directory
  return agent::check_booking_slot(*ctx.assistant, date, time, now, ctx.assistant->settings.min_lead_minutes());
}

// Update and cancel: the same search and write, with a different status.
awaitable<tool_outcome> change(tool_runner& runner, tool_context ctx, std::string collection, std::string then_sms,
                               json::object args, bool cancel) {
  auto found = co_await find_callers_record(runner, ctx, collection, args);
  if (!found) {
    co_return failed("No matching record was found. Ask the caller for their reference and try again.");
  }
  boost::system::error_code ec;
  json::value data = json::parse(found->data, ec);
  if (ec || !data.is_object()) data = json::object{};
  for (const auto& [k, v] : args) {
    if (k != "reference" && k != "ref") data.as_object()[k] = v;
  }
  if (!cancel) {
    if (auto why = slot_problem(runner, ctx, data.as_object()); !why.empty()) {
      co_return failed("That time cannot be booked: " + why + ". Offer the caller another time.");
    }
  }
  found->data = json::serialize(data);
  found->status = cancel ? "cancelled" : "active";
  found->updated_at_ms = unix_ms();
  auto write = [row = *found](ports::store& s) { return s.update_record(row); };
  co_await runner.store().run(std::move(write));
  json::object out{{"ok", true}, {"reference", found->ref}, {"status", found->status}};
  json::object fields = template_fields(ctx, data.as_object(), found->ref);
  std::string to = caller_phone(ctx, data.as_object());
  const std::string sms = co_await maybe_sms(runner, ctx, then_sms, std::move(fields), std::move(to));
  if (!sms.empty()) out["sms"] = sms;
  co_return ok(std::move(out));
}

}  // namespace

awaitable<tool_outcome> perform(tool_runner& runner, tool_context ctx, std::string, agent::save_record a, args_t args) {
  if (auto why = slot_problem(runner, ctx, args); !why.empty()) {
    co_return failed("That time cannot be booked: " + why + ". Offer the caller another time.");
  }
  const std::int64_t now = unix_ms();
  ports::record_row row{ctx.org->org.id, a.collection, {}, json::serialize(args), "active", ctx.call_sid, ctx.caller, now, now};
  // A fresh reference; a collision (1 in 729 million per pair) just draws again.
  for (int attempt = 0;; ++attempt) {
    std::uint8_t random[6];
    crypto::random_bytes(random, sizeof random);
    row.ref = agent::make_reference(random);
    auto insert = [row](ports::store& s) {
      try {
        s.add_record(row);
        return true;
      } catch (const ports::store_conflict&) {
        return false;
      }
    };
    const bool saved = co_await runner.store().run(std::move(insert));
    if (saved) break;
    if (attempt == 3) co_return failed("The record could not be saved. Apologise and offer to take a message.");
  }
  json::object out{{"ok", true}, {"reference", row.ref}, {"collection", a.collection}};
  json::object fields = template_fields(ctx, args, row.ref);
  std::string to = caller_phone(ctx, args);
  const std::string sms = co_await maybe_sms(runner, ctx, a.then_sms, std::move(fields), std::move(to));
  if (!sms.empty()) out["sms"] = sms;
  out["instruction"] = "Read the reference to the caller slowly, character by character.";
  co_return ok(std::move(out));
}

awaitable<tool_outcome> perform(tool_runner& runner, tool_context ctx, std::string, agent::update_record a, args_t args) {
  auto out = co_await change(runner, ctx, a.collection, a.then_sms, std::move(args), false);
  co_return out;
}

awaitable<tool_outcome> perform(tool_runner& runner, tool_context ctx, std::string, agent::cancel_record a, args_t args) {
  auto out = co_await change(runner, ctx, a.collection, a.then_sms, std::move(args), true);
  co_return out;
}

awaitable<tool_outcome> perform(tool_runner& runner, tool_context ctx, std::string, agent::look_up_record a, args_t args) {
  ports::record_filter f{ctx.org->org.id, a.collection, {}, {}, {}, "active", 1, 0};
  if (a.by_caller()) {
    f.caller = caller_phone(ctx, args);
  } else {
    f.field = a.by;
    const auto* v = args.if_contains(a.by);
    f.value = v == nullptr ? std::string() : (v->is_string() ? std::string(v->get_string()) : json::serialize(*v));
    if (f.value.empty()) co_return failed("Ask the caller for their " + a.by + " first.");
  }
  auto read = [f](ports::store& s) { return s.list_records(f); };
  const auto rows = co_await runner.store().run(std::move(read));
  if (rows.empty()) co_return ok(json::object{{"found", false}});
  boost::system::error_code ec;
  json::value data = json::parse(rows.front().data, ec);
  json::object record;
  if (!ec && data.is_object()) {
    for (const auto& [k, v] : data.as_object()) {
      // Only the listed fields may be told to the caller (all when there is no list).
      const bool allowed = !a.fields || std::find(a.fields->begin(), a.fields->end(), std::string_view(k)) != a.fields->end();
      if (allowed) record[k] = v;
    }
  }
  record["reference"] = rows.front().ref;
  co_return ok(json::object{{"found", true}, {"record", std::move(record)}});
}

}  // namespace vg::app::actions
