// The store port: where calls, their transcripts and their events are kept, written as they
// happen so a crash loses at most the last moment (issue 4). Implementations are blocking;
// the app calls them from its store thread (app/store_writer), never from a call's thread.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace vg::ports {

struct call_row {
  std::string call_sid;
  std::string account_sid;
  std::string from;
  std::string to;
  std::string direction;
  std::string status;        // Twilio CallStatus, latest by SequenceNumber
  std::string end_reason;    // voxgate's reason, once the session ended
  std::int64_t started_at_ms = 0;
  std::int64_t ended_at_ms = 0;
  std::int64_t duration_s = 0;
  std::int64_t first_audio_ms = -1;
};

struct transcript_turn {
  std::string call_sid;
  std::string speaker;  // "caller" or "assistant"
  std::string text;
  std::int64_t at_ms = 0;
};

struct call_event {
  std::string call_sid;
  std::string kind;  // barge_in, dtmf, model_error, ...
  std::string detail;
  std::int64_t value = 0;
  std::int64_t at_ms = 0;
};

class store {
 public:
  virtual ~store() = default;
  // Applies pending migrations. Throws std::runtime_error naming what failed.
  virtual void migrate() = 0;
  // Creates the call row, or fills in what a later webhook knows.
  virtual void upsert_call(const call_row& row) = 0;
  // A status callback; older SequenceNumbers than the last applied are ignored.
  virtual void update_status(const std::string& call_sid, const std::string& status, std::int64_t sequence,
                             std::int64_t duration_s) = 0;
  virtual void finish_call(const std::string& call_sid, const std::string& end_reason, std::int64_t ended_at_ms,
                           std::int64_t first_audio_ms) = 0;
  virtual void add_turn(const transcript_turn& turn) = 0;
  virtual void add_event(const call_event& event) = 0;

  virtual std::optional<call_row> find_call(const std::string& call_sid) = 0;
  virtual std::vector<transcript_turn> transcript(const std::string& call_sid) = 0;
  virtual std::vector<call_event> events(const std::string& call_sid) = 0;
};

}  // namespace vg::ports
