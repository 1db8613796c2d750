#include "app/recordings/recording_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <system_error>

#include "core/audio/wav.hpp"
#include "core/call/stereo_recording.hpp"

namespace vg::app {

namespace {
constexpr std::uint16_t format = call::stereo_recording::wav_format;
constexpr std::uint16_t channels = call::stereo_recording::channels;
constexpr std::uint16_t bits = call::stereo_recording::bits_per_sample;
constexpr std::uint64_t frame_bytes = channels * (bits / 8);
std::string why(int err) { return std::generic_category().message(err); }  // strerror is not thread-safe
}  // namespace

result<std::unique_ptr<recording_file>> recording_file::create(const std::string& dir, const std::string& call_sid) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  const std::string path = (std::filesystem::path(dir) / (call_sid + ".wav")).string();
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return make_error("cannot create " + path + ": " + why(errno));
  const std::string header = audio::wav_header(format, channels, call::stereo_recording::sample_rate, bits, 0);
  if (std::fwrite(header.data(), 1, header.size(), f) != header.size()) {
    const std::string reason = why(errno);
    std::fclose(f);
    std::filesystem::remove(path, ec);
    return make_error("cannot write " + path + ": " + reason);
  }
  return std::unique_ptr<recording_file>(new recording_file(path, f));
}

recording_file::~recording_file() {
  if (file_ != nullptr) std::fclose(file_);
}

bool recording_file::append(std::string_view bytes) {
  if (file_ == nullptr || !error_.empty()) return false;
  if (bytes.empty()) return true;
  if (std::fwrite(bytes.data(), 1, bytes.size(), file_) != bytes.size()) {
    error_ = std::string("write failed: ") + why(errno);
    return false;
  }
  data_bytes_ += bytes.size();
  return true;
}

result<std::uint64_t> recording_file::close() {
  if (file_ == nullptr) return make_error("already closed");
  if (std::fflush(file_) != 0 && error_.empty()) error_ = "write failed: " + why(errno);
  std::fclose(file_);
  file_ = nullptr;
  // The header's sizes come from what reached the file: all of it, or, after a write failed (a
  // full disk), the audio before the failure, which is still worth keeping.
  return repair(path_);
}

std::int64_t recording_file::seconds_in(std::uint64_t file_bytes) {
  const std::uint64_t header = audio::wav_header_size(format);
  if (file_bytes <= header) return 0;
  return static_cast<std::int64_t>((file_bytes - header) / (frame_bytes * call::stereo_recording::sample_rate));
}

result<std::uint64_t> recording_file::repair(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) return make_error("cannot open " + path + ": " + why(errno));
  const auto fail = [&](const std::string& what) {
    const int err = errno;
    ::close(fd);
    return make_error(what + " " + path + ": " + why(err));
  };
  const ::off_t end = ::lseek(fd, 0, SEEK_END);
  if (end < 0) return fail("cannot measure");
  const std::uint64_t header = audio::wav_header_size(format);
  if (static_cast<std::uint64_t>(end) < header) {
    ::close(fd);
    return make_error(path + " is not a recording (shorter than its header)");
  }
  std::uint64_t data = (static_cast<std::uint64_t>(end) - header) / frame_bytes * frame_bytes;
  data = std::min<std::uint64_t>(data, 0xFFFFFFFFu - header);  // what a WAV can say
  if (::ftruncate(fd, static_cast<::off_t>(header + data)) != 0) return fail("cannot cut");
  for (const auto& patch : audio::wav_size_patches(format, channels, bits, static_cast<std::uint32_t>(data))) {
    const auto b = patch.bytes();
    if (::pwrite(fd, b.data(), b.size(), static_cast<::off_t>(patch.offset)) != static_cast<::ssize_t>(b.size())) {
      return fail("cannot patch");
    }
  }
  if (::close(fd) != 0) return make_error("cannot finish " + path + ": " + why(errno));
  return header + data;
}

}  // namespace vg::app
