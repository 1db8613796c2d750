// voxgate's own recording of a call, streamed to a local spool file as the call goes (never
// held whole in memory): a WAV header written first with sizes 0, audio appended every tick,
// sizes patched on close (by repair(), from the file's length). One per call, used from the call's thread only. The writes are small
// (about 8 KB per half second) and go to the page cache.
#pragma once
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>

#include "core/result.hpp"

namespace vg::app {

class recording_file {
 public:
  // Creates DIR/CALLSID.wav (DIR created if needed); an error names the path and the reason.
  static result<std::unique_ptr<recording_file>> create(const std::string& dir, const std::string& call_sid);
  ~recording_file();
  recording_file(const recording_file&) = delete;
  recording_file& operator=(const recording_file&) = delete;

  // Appends interleaved stereo mu-law; false once a write failed (a full disk): the call goes on.
  bool append(std::string_view bytes);
  // Closes the file and writes the header's sizes from what it holds (after a failed write: the
  // audio before the failure; error() still says what failed). Returns the file's total size.
  result<std::uint64_t> close();
  // A spool file its process never closed (it stopped mid-call): the header gets the sizes of the
  // whole frames the file holds (a torn last frame is cut). Returns the file's new size.
  static result<std::uint64_t> repair(const std::string& path);
  // Whole seconds of audio in a finished recording file of `file_bytes` bytes.
  static std::int64_t seconds_in(std::uint64_t file_bytes);
  const std::string& path() const { return path_; }
  std::uint64_t data_bytes() const { return data_bytes_; }
  const std::string& error() const { return error_; }

 private:
  recording_file(std::string path, std::FILE* f) : path_(std::move(path)), file_(f) {}
  std::string path_;
  std::FILE* file_ = nullptr;
  std::uint64_t data_bytes_ = 0;
  std::string error_;
};

}  // namespace vg::app
