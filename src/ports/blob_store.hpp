// The blob store port: where recordings (Twilio's, downloaded, and voxgate's own WAV) are kept,
// by key. Coroutines: a request never blocks the calling thread. Implementations hold only
// immutable settings or their own synchronisation, so any coroutine on any thread may call them.
// Errors are values: "not found: KEY" (kind not_found), "invalid blob key '...'", or the
// backend's own words.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "core/result.hpp"

namespace vg::ports {

struct blob_info {
  std::string key;
  std::uint64_t size = 0;
  std::string content_type;  // "application/octet-stream" when put without one
};

class blob_store {
 public:
  virtual ~blob_store() = default;
  // Stores `data` under `key`, replacing what was there. All or nothing: a reader never sees
  // half of it.
  virtual boost::asio::awaitable<result<blob_info>> put(std::string key, std::string data,
                                                        std::string content_type) = 0;
  // Stores the content of the file at `path` (read a piece at a time, never whole in memory)
  // under `key`, like put. The file is left where it is.
  virtual boost::asio::awaitable<result<blob_info>> put_file(std::string key, std::string path,
                                                             std::string content_type) = 0;
  // Bytes [offset, offset+length) (length 0 = to the end); a range reaching past the end is cut
  // at the end. An offset at or past the end is the error "range not satisfiable: KEY ..."
  // (except offset 0 with length 0: the whole blob, even an empty one). The total size for a
  // Content-Range header comes from stat().
  virtual boost::asio::awaitable<result<std::string>> get(std::string key, std::uint64_t offset,
                                                          std::uint64_t length) = 0;
  virtual boost::asio::awaitable<result<blob_info>> stat(std::string key) = 0;  // not_found when absent
  virtual boost::asio::awaitable<result<bool>> remove(std::string key) = 0;     // true if it existed
  // A permanent URL that serves `key` to anyone, without a token, when the store has one (a
  // public Supabase Storage bucket); nullopt otherwise. Computed from the settings, no I/O: it
  // does not say that the blob exists.
  virtual std::optional<std::string> public_url(std::string_view key) const {
    (void)key;
    return std::nullopt;
  }
};

// Key rules (shared by every implementation): 1..512 characters of [A-Za-z0-9/._-], no "..",
// no leading or trailing '/', no empty ("//") or "." path segments.
inline bool valid_blob_key(std::string_view key) {
  if (key.empty() || key.size() > 512 || key.front() == '/' || key.back() == '/') return false;
  if (key.find("..") != std::string_view::npos || key.find("//") != std::string_view::npos) return false;
  if (key == "." || key.starts_with("./") || key.ends_with("/.") || key.find("/./") != std::string_view::npos) {
    return false;
  }
  for (const char c : key) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '/' ||
                    c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

// The error every implementation gives for a key that breaks the rules (before any I/O).
inline std::string invalid_blob_key_message(std::string_view key) {
  std::string shown(key.substr(0, 80));
  for (char& c : shown) {
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) c = '?';
  }
  return "invalid blob key '" + shown + (key.size() > 80 ? "...'" : "'") +
         ": use 1-512 characters of A-Z a-z 0-9 / . _ - without '..' or a leading '/'";
}

// The content type every implementation stores: "application/octet-stream" for an empty one;
// an error for one that could not travel in an HTTP header (control characters, over 255 bytes).
inline result<std::string> blob_content_type(std::string_view content_type) {
  if (content_type.empty()) return std::string("application/octet-stream");
  bool ok = content_type.size() <= 255;
  for (const char c : content_type) {
    ok = ok && static_cast<unsigned char>(c) >= 0x20 && static_cast<unsigned char>(c) < 0x7f;
  }
  if (!ok) return make_error("invalid content type: printable ASCII, at most 255 characters");
  return std::string(content_type);
}

// What every put checks before any I/O: the key (invalid_blob_key_message), then the content
// type (blob_content_type). The content type to store, or why not.
inline result<std::string> checked_put(std::string_view key, std::string_view content_type) {
  if (!valid_blob_key(key)) return make_error(invalid_blob_key_message(key));
  return blob_content_type(content_type);
}

}  // namespace vg::ports
