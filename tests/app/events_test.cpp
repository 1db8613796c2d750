// The event bus and a listener's audio queue, in-process.
#include <gtest/gtest.h>

#include <thread>

#include "app/call/audio_listener.hpp"
#include "app/events/event_bus.hpp"
#include "app/events/metrics_subscriber.hpp"

namespace vg::app {
namespace {

struct counting final : event_subscriber {
  void on_event(const call_event& e) override {
    ++count;
    last_sid = std::string(e.call_sid);
  }
  int count = 0;
  std::string last_sid;
};

call_event note_event(std::string_view sid, call::note_kind k) {
  call_event e{call_event_type::note, sid};
  e.note = call::note{k, {}, 0};
  return e;
}

TEST(event_bus, every_subscriber_gets_each_event_until_it_unsubscribes) {
  event_bus bus;
  auto a = std::make_shared<counting>(), b = std::make_shared<counting>();
  bus.subscribe(a);
  bus.subscribe(b);
  bus.publish(note_event("CA1", call::note_kind::barge_in));
  bus.unsubscribe(a.get());
  bus.publish(note_event("CA2", call::note_kind::barge_in));
  EXPECT_EQ(a->count, 1);
  EXPECT_EQ(b->count, 2);
  EXPECT_EQ(b->last_sid, "CA2");
}

TEST(event_bus, a_subscriber_may_unsubscribe_itself_while_being_called) {
  event_bus bus;
  struct once final : event_subscriber {
    event_bus* bus = nullptr;
    int count = 0;
    void on_event(const call_event&) override {
      ++count;
      bus->unsubscribe(this);  // the delivery in progress keeps its own list
    }
  };
  auto s = std::make_shared<once>();
  s->bus = &bus;
  bus.subscribe(s);
  bus.publish(note_event("CA1", call::note_kind::dtmf));
  bus.publish(note_event("CA1", call::note_kind::dtmf));
  EXPECT_EQ(s->count, 1);
}

TEST(metrics_subscriber, counts_calls_notes_and_actions) {
  metrics_subscriber m;
  m.on_event(call_event{call_event_type::started, "CA1"});
  m.on_event(note_event("CA1", call::note_kind::barge_in));
  m.on_event(note_event("CA1", call::note_kind::barge_in));
  call_event action{call_event_type::action, "CA1"};
  action.name = "transferred";
  m.on_event(action);
  call_event ended{call_event_type::ended, "CA1"};
  ended.name = "max_duration";
  m.on_event(ended);
  const std::string text = m.exposition();
  EXPECT_NE(text.find("voxgate_calls_started_total 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("voxgate_barge_ins_total 2\n"), std::string::npos);
  EXPECT_NE(text.find("voxgate_call_actions_total{action=\"transferred\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("voxgate_calls_ended_total{reason=\"max_duration\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("voxgate_calls_ended_total{reason=\"stream_stopped\"} 0\n"), std::string::npos);
}

TEST(metrics_subscriber, counts_idle_endings_and_nudges) {
  metrics_subscriber m;
  m.on_event(note_event("CA1", call::note_kind::idle_nudge));
  call_event ended{call_event_type::ended, "CA1"};
  ended.name = "idle";
  m.on_event(ended);
  const std::string text = m.exposition();
  EXPECT_NE(text.find("voxgate_idle_nudges_total 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("voxgate_calls_ended_total{reason=\"idle\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("voxgate_calls_ended_total{reason=\"max_duration\"} 0\n"), std::string::npos) << text;
}

TEST(audio_listener, a_slow_reader_loses_the_oldest_frames_never_the_newest) {
  audio_listener l(3);
  for (int i = 0; i < 5; ++i) l.push(i % 2 == 0, std::string(1, static_cast<char>('a' + i)), i);
  const auto frames = l.take();
  ASSERT_EQ(frames.size(), 3u);
  EXPECT_EQ(frames[0].mulaw, "c");
  EXPECT_EQ(frames[2].mulaw, "e");
  EXPECT_TRUE(frames[2].caller);
  EXPECT_EQ(l.dropped(), 2u);
  EXPECT_TRUE(l.take().empty());
}

TEST(audio_listener, wakes_its_reader_when_frames_arrive_on_an_empty_queue) {
  int wakes = 0;
  audio_listener l(10, [&] { ++wakes; });
  l.push(true, "x", 0);
  l.push(true, "y", 1);
  EXPECT_EQ(wakes, 1);
  l.take();
  l.push(false, "z", 2);
  EXPECT_EQ(wakes, 2);
  l.close();
  l.push(false, "w", 3);
  EXPECT_EQ(l.take().size(), 1u);  // nothing is queued once closed
}

TEST(audio_listener, a_reader_on_another_thread_gets_every_frame_in_order) {
  audio_listener l(100000);
  std::thread writer([&] {
    for (int i = 0; i < 20000; ++i) l.push(true, "f", i);
  });
  std::int64_t expected = 0;
  while (expected < 20000) {
    for (const auto& f : l.take()) EXPECT_EQ(f.at_us, expected++);
  }
  writer.join();
  EXPECT_EQ(l.dropped(), 0u);
}

}  // namespace
}  // namespace vg::app
