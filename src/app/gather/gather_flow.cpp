#include "app/gather/gather_flow.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/json.hpp>

#include "app/call/after_call.hpp"
#include "app/call/extraction.hpp"
#include "app/gather/gather_conversation.hpp"
#include "app/wall_clock.hpp"
#include "core/agent/tool_support.hpp"
#include "core/http/percent_encoding.hpp"
#include "core/json_scan.hpp"
#include "core/openai/chat.hpp"
#include "core/openai/chat_tools.hpp"
#include "core/text.hpp"
#include "core/twilio/failover.hpp"
#include "core/twilio/gather_twiml.hpp"
#include "net/log.hpp"
#include "net/log_failure.hpp"

namespace vg::app {
namespace js = boost::json;
using steady = std::chrono::steady_clock;

namespace {

// What the caller hears when they say nothing: this, then the assistant's last words again;
// and, after settings.gather.attempts such turns (2 by default), the goodbye.
constexpr std::string_view no_input_reprompt = "Sorry, I didn't catch that.";
constexpr std::string_view no_input_goodbye = "Sorry, I can't hear you. Please call again later. Goodbye.";
constexpr int default_attempts = 2;
// The instructions a gather call adds to the prompt: its words are read out by <Say>.
constexpr std::string_view spoken_by_tts =
    "\n\nThis call runs on speech recognition and text-to-speech: the caller's words reach you as text, "
    "and your replies are read aloud. Answer in short, plain spoken sentences, with no lists, markup or emoji.";

net::http_response xml(std::string body) { return net::http_response{200, "text/xml", std::move(body), {}}; }

awaitable<void> wait_until(steady::time_point deadline) {
  auto ex = co_await asio::this_coro::executor;
  asio::steady_timer timer(ex, deadline);
  co_await timer.async_wait(use_awaitable);
}

std::string greeting_of(const agent::organization& org, const agent::assistant& a) {
  if (!a.greeting.empty()) return a.greeting;
  return "Hello, you've reached " + org.name + ". This is " + a.name + ". How can I help you?";
}

bool is_final_status(std::string_view s) {
  return s == "completed" || s == "busy" || s == "failed" || s == "no-answer" || s == "canceled";
}

}  // namespace

// One webhook's turn: who calls, what they said, and what answers them.
struct gather_flow::turn_context {
  call_info info;            // from Twilio's form; setup filled once the assistant is known
  std::string speech;        // SpeechResult
  std::string digits;        // Digits
  int silence = 0;           // which no-input redirect this is (0: the caller said something)
  std::string org_param;     // from the action URL: who answers when no conversation is stored yet
  std::string assistant_param;
  std::string base;          // the public origin Twilio reaches us at
  steady::time_point deadline;
  std::optional<gather_conversation> conversation;

  const agent::assistant& assistant() const { return *info.setup.assistant; }
  const std::string& sid() const { return info.call_sid; }
  std::string voice(const config& cfg) const {
    const auto& g = assistant().settings.gather;
    return g && !g->voice.empty() ? g->voice : cfg.say_voice;
  }
  std::string model(const config& cfg) const {
    const auto& g = assistant().settings.gather;
    return g && !g->model.empty() ? g->model : cfg.openai_chat_model;
  }
};

namespace {

// The gather callback's URL, naming who answers (Twilio signs it, query included); with
// `silence`, the no-input redirect's.
std::string callback_url(const std::string& base, const call_setup& s, int silence) {
  std::string url = base + "/twilio/gather?";
  if (silence > 0) url += "silence=" + std::to_string(silence) + "&";
  return url + "org=" + http::percent_encode(s.org_id) + "&assistant=" + http::percent_encode(s.assistant_id);
}

twiml::gather_voice voice_of(const config& cfg, const std::string& base, const call_setup& s, int next_silence) {
  const agent::assistant& a = *s.assistant;
  twiml::gather_voice v;
  v.voice = a.settings.gather && !a.settings.gather->voice.empty() ? a.settings.gather->voice : cfg.say_voice;
  v.language = twiml::speech_language(a.languages.empty() ? std::string() : a.languages.front());
  v.action_url = callback_url(base, s, 0);
  v.no_input_url = callback_url(base, s, next_silence);
  return v;
}

}  // namespace

gather_flow::gather_flow(call_services& services) : svc_(services) {}

void gather_flow::start(asio::any_io_executor ex) { status_ex_ = std::move(ex); }

void gather_flow::publish(const call_info& call, call_event e) const {
  e.call_sid = call.call_sid;
  e.call = &call;
  if (e.at_ms == 0) e.at_ms = unix_ms();
  svc_.events.publish(e);
}

std::optional<call_setup> gather_flow::setup_of(const std::string& org_id, const std::string& assistant_id) const {
  auto snap = svc_.dir.current();
  const org_entry* entry = snap->find(org_id);
  if (entry == nullptr) return std::nullopt;
  const agent::assistant* a = agent::pick_assistant(entry->assistants, assistant_id);
  if (a == nullptr) return std::nullopt;
  call_setup s;
  s.org_id = entry->org.id;
  s.assistant_id = a->id;
  s.instructions = svc_.dir.prompt(*entry, *a, unix_now());
  s.voice = a->voice;
  s.snap = std::move(snap);
  s.org = entry;
  s.assistant = a;
  return s;
}

std::string gather_flow::first_turn(const call_info& info, const std::string& public_base) {
  const call_setup& s = info.setup;
  const std::string greeting = greeting_of(s.org->org, *s.assistant);
  publish(info, call_event{call_event_type::started});
  call_event said{call_event_type::note};
  said.note = {call::note_kind::assistant_said, greeting, 0};
  publish(info, said);
  const auto opening = gather_conversation::opening(info.call_sid, s.org_id, s.assistant_id, greeting).next_row(unix_ms());
  svc_.store.post(info.call_sid, [opening](ports::store& st) { st.save_gather(opening); });
  log::info(info.call_sid, "gather call: the assistant '" + s.org_id + "/" + s.assistant_id + "' answers by turns");
  return twiml::gather_turn(greeting, voice_of(svc_.cfg, public_base, s, 1));
}

std::string gather_flow::resume(const call_info& info, const std::string& public_base) {
  const call_setup& s = info.setup;
  call_event said{call_event_type::note};
  said.note = {call::note_kind::assistant_said, twiml::resume_line, 0};
  publish(info, said);
  // The conversation starts over from this line: what was said on the Realtime session is in
  // the transcript, not in the chat model's messages.
  const auto opening =
      gather_conversation::opening(info.call_sid, s.org_id, s.assistant_id, twiml::resume_line).next_row(unix_ms());
  svc_.store.post(info.call_sid, [opening](ports::store& st) { st.save_gather(opening); });
  log::info(info.call_sid, "the Realtime session failed: the assistant '" + s.org_id + "/" + s.assistant_id +
                               "' goes on by turns (settings.fallback: gather)");
  return twiml::gather_turn(twiml::resume_line, voice_of(svc_.cfg, public_base, s, 1));
}

awaitable<net::http_response> gather_flow::turn(twilio::form params, std::string query, std::string public_base) {
  auto busy = svc_.background.begin();  // a graceful stop waits for the answer
  turn_context t;
  t.info = call_info{std::string(twilio::form_value(params, "CallSid")), std::string(twilio::form_value(params, "AccountSid")),
                     std::string(twilio::form_value(params, "From")), std::string(twilio::form_value(params, "To")),
                     std::string(twilio::form_value(params, "Direction")), {}};
  if (t.sid().empty()) co_return net::http_response{400, "text/plain; charset=utf-8", "missing CallSid\n", {}};
  t.speech = text::trim(twilio::form_value(params, "SpeechResult"));
  t.digits = text::trim(twilio::form_value(params, "Digits"));
  if (auto q = twilio::parse_form(query)) {
    t.silence = static_cast<int>(json::to_integer(twilio::form_value(*q, "silence")).value_or(0));
    t.org_param = twilio::form_value(*q, "org");
    t.assistant_param = twilio::form_value(*q, "assistant");
  }
  t.base = std::move(public_base);
  const auto started = steady::now();
  t.deadline = started + svc_.cfg.gather_turn_timeout;
  std::string answered;
  try {
    auto work = answer(&t);
    answered = co_await std::move(work);
  } catch (const std::exception& e) {
    // Unexpected (the store failed): the caller still hears a sentence, never silence.
    log::error(t.sid(), std::string("gather turn failed: ") + e.what());
    answered = twiml::say_and_hang_up(svc_.cfg.apology, svc_.cfg.say_voice);
  }
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(steady::now() - started).count();
  log::info(t.sid(), "gather turn answered in " + std::to_string(ms) + " ms");
  co_return xml(std::move(answered));
}

awaitable<std::string> gather_flow::answer(turn_context* t) {
  auto read = [sid = t->sid()](ports::store& s) { return s.find_gather(sid); };
  const std::optional<ports::gather_conversation> row = co_await svc_.store.run(std::move(read));
  // The stored conversation names who answers; the callback URL does until it is stored.
  auto setup = setup_of(row ? row->org_id : t->org_param, row ? row->assistant_id : t->assistant_param);
  if (!setup) {
    log::warn(t->sid(), "gather turn refused: the organisation or assistant of this call no longer exists");
    co_return twiml::say_and_hang_up(svc_.cfg.not_configured, svc_.cfg.say_voice);
  }
  t->info.setup = std::move(*setup);
  if (row) {
    auto stored = gather_conversation::from_row(*row);
    if (!stored) {
      auto failed = when_model_failed(t, "the stored conversation is unreadable: " + stored.error_message());
      co_return co_await std::move(failed);
    }
    t->conversation = std::move(*stored);
  } else {
    // Not stored yet (the voice webhook's node has not written it): it starts as that node's did.
    t->conversation = gather_conversation::opening(t->sid(), t->info.setup.org_id, t->info.setup.assistant_id,
                                                   greeting_of(t->info.setup.org->org, t->assistant()));
  }
  if (t->conversation->ended()) co_return twiml::document({twiml::hangup()});
  if (t->speech.empty() && t->digits.empty()) {
    auto quiet = no_input(t);
    co_return co_await std::move(quiet);
  }
  // Twilio records a call that is in progress: the first time the caller speaks, it is.
  if (recordings::wanted(t->info.setup.assistant, "twilio") && (!row || row->version <= 1)) {
    auto ex = co_await asio::this_coro::executor;
    svc_.recs.start_twilio_recording(ex, t->sid());
  }
  auto talk = converse(t);
  co_return co_await std::move(talk);
}

awaitable<std::string> gather_flow::no_input(turn_context* t) {
  const auto& g = t->assistant().settings.gather;
  const int attempts = g && g->attempts ? *g->attempts : default_attempts;
  call_event quiet{call_event_type::action};
  quiet.name = "no_input";
  quiet.value = t->silence;
  publish(t->info, quiet);
  const std::string voice = t->voice(svc_.cfg);
  call_event said{call_event_type::note};
  if (t->silence < attempts) {
    const std::string last = t->conversation->last_words();
    const std::string again = std::string(no_input_reprompt) + (last.empty() ? "" : " " + last);
    said.note = {call::note_kind::assistant_said, again, 0};
    publish(t->info, said);
    co_return twiml::gather_turn(again, voice_of(svc_.cfg, t->base, t->info.setup, t->silence + 1));
  }
  said.note = {call::note_kind::assistant_said, no_input_goodbye, 0};
  publish(t->info, said);
  auto done = finish(t->info.setup, t->sid(), call::end_reason::stream_stopped,
                     "the caller said nothing for " + std::to_string(t->silence) + " turns");
  co_await std::move(done);
  co_return twiml::say_and_hang_up(std::string(no_input_goodbye), voice);
}

awaitable<std::string> gather_flow::converse(turn_context* t) {
  using namespace asio::experimental::awaitable_operators;
  const config& cfg = svc_.cfg;
  gather_conversation& conv = *t->conversation;
  const agent::assistant& a = t->assistant();
  // What the caller said, as a realtime call records it: a transcript turn, or keys.
  call_event heard{call_event_type::note};
  std::string user_text;
  if (!t->speech.empty()) {
    heard.note = {call::note_kind::caller_said, t->speech, 0};
    publish(t->info, heard);
    user_text = t->speech;
  } else {
    for (std::size_t i = 0; i < t->digits.size(); ++i) {  // one note per key, as the stream gives them
      heard.note = {call::note_kind::dtmf, std::string_view(t->digits).substr(i, 1), 0};
      publish(t->info, heard);
    }
    user_text = "[The caller pressed the key" + std::string(t->digits.size() > 1 ? "s " : " ") + t->digits +
                " on the phone keypad.]";
  }
  conv.messages().push_back(openai::user_message(user_text));
  if (!svc_.chat.configured()) {
    auto failed = when_model_failed(t, "no OpenAI API key is set (OPENAI_API_KEY)");
    co_return co_await std::move(failed);
  }

  // The same instructions and tools as a realtime call of this assistant.
  std::string instructions = t->info.setup.instructions;
  const std::string caller = t->info.outbound() ? t->info.to : t->info.from;
  if (!caller.empty()) instructions += "\n\nThe caller's phone number is " + caller + ".";
  instructions += spoken_by_tts;
  const js::array tools = agent::chat_tools(a);
  const std::string model = t->model(cfg);

  std::string words;
  std::optional<call::follow_up> then;
  for (int request = 1; request <= max_model_requests; ++request) {
    js::array messages;
    messages.reserve(conv.messages().size() + 1);
    messages.push_back(openai::system_message(instructions));
    for (const auto& m : conv.messages()) messages.push_back(m);
    const bool last = request == max_model_requests;  // must answer in words
    auto ask = svc_.chat.complete(openai::conversation_request(model, messages, tools, !last));
    auto timeout = wait_until(t->deadline);
    auto raced = co_await (std::move(ask) || std::move(timeout));
    if (raced.index() == 1) {
      auto failed = when_model_failed(t, "the chat model did not answer within the turn's " +
                                             std::to_string(cfg.gather_turn_timeout.count()) + " ms");
      co_return co_await std::move(failed);
    }
    auto reply = std::move(std::get<0>(raced));
    if (!reply) {
      auto failed = when_model_failed(t, "the OpenAI API could not be reached: " + reply.error_message());
      co_return co_await std::move(failed);
    }
    if (const auto usage = openai::parse_chat_usage(reply->body)) {
      conv.add_usage(billed(*usage));  // billed whatever the answer says
      call_event e{call_event_type::usage};
      const std::string total = js::serialize(billing::to_json(conv.usage()));
      e.name = model;
      e.detail = total;
      publish(t->info, e);
    }
    if (reply->status < 200 || reply->status >= 300) {
      const std::string message = openai::api_error_message(reply->body);
      auto failed = when_model_failed(t, "the OpenAI API answered HTTP " + std::to_string(reply->status) +
                                             (message.empty() ? std::string() : ": " + message));
      co_return co_await std::move(failed);
    }
    auto got = openai::parse_chat_answer(reply->body);
    if (!got) {
      auto failed = when_model_failed(t, got.error_message());
      co_return co_await std::move(failed);
    }
    if (got->tool_calls.empty() || last) {
      words = got->text;
      conv.messages().push_back(last ? openai::assistant_message(got->text) : std::move(got->message));
      break;
    }
    conv.messages().push_back(std::move(got->message));
    // Each call answered in order, as the realtime call does: the same runner, checks and actions.
    for (const openai::tool_call& c : got->tool_calls) {
      call_event note{call_event_type::note};
      note.note = {call::note_kind::tool_call, c.name, 0};
      publish(t->info, note);
      log::info(t->sid(), "tool " + c.name + " called with " + c.arguments);
      tool_context ctx{t->sid(), caller, t->info.outbound() ? t->info.from : t->info.to, t->info.setup.snap,
                       t->info.setup.org, t->info.setup.assistant};
      const auto tool_started = steady::now();
      auto run = svc_.tools.run(std::move(ctx), c.id, c.name, c.arguments);
      auto cut = wait_until(t->deadline);
      auto ran = co_await (std::move(run) || std::move(cut));
      if (ran.index() == 1) {
        // Cut off with the turn: its row would otherwise say "running" for ever.
        const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(steady::now() - tool_started).count();
        svc_.store.post(t->sid(), [id = c.id, ms](ports::store& s) {
          s.finish_tool_call(id, R"({"error":"The turn ran out of time before the action answered."})", "timeout", ms);
        });
        auto failed = when_model_failed(t, "the tool " + c.name + " did not answer within the turn's " +
                                               std::to_string(cfg.gather_turn_timeout.count()) + " ms");
        co_return co_await std::move(failed);
      }
      tool_outcome out = std::move(std::get<0>(ran));
      conv.messages().push_back(openai::tool_message(c.id, out.output));
      if (out.then) then = std::move(out.then);
    }
  }

  if (!words.empty()) {
    call_event said{call_event_type::note};
    said.note = {call::note_kind::assistant_said, words, 0};
    publish(t->info, said);
  }
  auto save = [row = conv.next_row(unix_ms())](ports::store& s) { return s.save_gather(row); };
  const bool saved = co_await svc_.store.run(std::move(save));
  if (!saved) log::warn(t->sid(), "the conversation was changed meanwhile (another webhook of this call?): this turn is not kept");

  const auto voice = voice_of(cfg, t->base, t->info.setup, 1);
  if (!then) co_return twiml::gather_turn(words, voice);
  // The follow-up after the words, as TwiML: recorded as a realtime call's (call_session's carry_out).
  struct named {
    std::string action, detail;
    bool ends;
  };
  struct visitor {
    named operator()(const call::transfer_to& f) const { return {"transferred", f.number, true}; }
    named operator()(const call::join_conference& f) const { return {"joined_conference", f.room, true}; }
    named operator()(const call::hang_up&) const { return {"hung_up", {}, true}; }
    named operator()(const call::send_digits& f) const { return {"digits_sent", f.digits, false}; }
  };
  const named what = std::visit(visitor{}, *then);
  call_event done{call_event_type::action};
  done.name = what.action;
  done.detail = what.detail;
  publish(t->info, done);
  std::string document = twiml::gather_reply_then(words, *then, voice);
  if (what.ends) {
    auto end = finish(t->info.setup, t->sid(), call::end_reason::stream_stopped, "the assistant " + what.action + " the call");
    co_await std::move(end);
  }
  co_return document;
}

awaitable<std::string> gather_flow::when_model_failed(turn_context* t, std::string why) {
  // settings.fallback: transfer dials the organisation's fallback number; anything else is the
  // apology (gather cannot fall back to itself: the document checks refuse it).
  const agent::assistant& a = t->assistant();
  const bool transfer = a.settings.on_model_failure() == agent::fallback_route::transfer;
  const std::string number = t->info.setup.org != nullptr ? t->info.setup.org->org.fallback_number : std::string();
  const bool dials = transfer && !number.empty();
  log::warn(t->sid(), "gather turn: " + why + (dials ? "; the call goes to the fallback number" : "; the caller hears the apology"));
  call_event e{call_event_type::note};
  e.note = {call::note_kind::model_error, why, 0};
  publish(t->info, e);
  auto end = finish(t->info.setup, t->sid(), call::end_reason::model_unavailable, why);
  co_await std::move(end);
  co_return twiml::model_failed_document(transfer, number, svc_.cfg.apology, t->voice(svc_.cfg));
}

awaitable<void> gather_flow::finish(call_setup setup, std::string call_sid, call::end_reason why, std::string detail) {
  const std::int64_t at = unix_ms();
  auto end = [call_sid, at](ports::store& s) { return s.end_gather(call_sid, at); };
  const bool first = co_await svc_.store.run(std::move(end));
  if (!first) co_return;  // another webhook or node ended it already
  const std::string summary = "gather call ended: " + std::string(call::to_string(why)) + " (" + detail + ")";
  call_event ended{call_event_type::ended, call_sid};
  ended.name = call::to_string(why);
  ended.value = -1;  // no audio stream: no first-audio time
  ended.detail = summary;
  ended.at_ms = at;
  svc_.events.publish(ended);
  auto ex = co_await asio::this_coro::executor;
  after_call(ex, svc_.cfg, svc_.tls, svc_.chat, svc_.store, std::move(setup), std::move(call_sid), svc_.background.begin());
}

void gather_flow::on_final_status(std::string call_sid) {
  if (!status_ex_) return;
  asio::co_spawn(*status_ex_, end_if_gather(call_sid), net::log_failure(call_sid, "ending the gather call failed"));
}

awaitable<void> gather_flow::end_if_gather(std::string call_sid) {
  auto read = [call_sid](ports::store& s) { return s.find_gather(call_sid); };
  const auto row = co_await svc_.store.run(std::move(read));
  if (!row || row->ended_at_ms != 0) co_return;  // a realtime call, or ended already
  call_setup setup;
  if (auto s = setup_of(row->org_id, row->assistant_id)) setup = std::move(*s);
  auto end = finish(std::move(setup), call_sid, call::end_reason::stream_stopped, "Twilio reported the call over");
  co_await std::move(end);
}

void gather_status_subscriber::on_event(const call_event& e) {
  if (e.type == call_event_type::status && is_final_status(e.name)) flow_.on_final_status(std::string(e.call_sid));
}

}  // namespace vg::app
