// A connection's byte buffer: a flat array read from the front and appended at the back, grown
// only for bursts or unusually large messages.
#pragma once
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <utility>

namespace loadgen {

struct Buf {
  char* d = nullptr;
  size_t head = 0, len = 0, cap = 0;
  Buf() = default;
  Buf(const Buf&) = delete;
  Buf& operator=(const Buf&) = delete;
  Buf(Buf&& o) noexcept : d(std::exchange(o.d, nullptr)), head(o.head), len(o.len), cap(std::exchange(o.cap, 0)) {}
  ~Buf() { free(d); }
  size_t size() const { return len - head; }
  char* begin() const { return d + head; }
  void reset() { head = len = 0; }
  void consume(size_t n) { head += n; if (head >= len) head = len = 0; }
  // Makes room for `extra` more bytes: slide unread data to the front, then double. Growth only
  // happens for bursts or unusually large messages, never per frame. False above `max`.
  bool reserve(size_t extra, size_t max) {
    if (cap - len >= extra) return true;
    if (head) {
      memmove(d, d + head, len - head);
      len -= head;
      head = 0;
      if (cap - len >= extra) return true;
    }
    size_t need = len + extra;
    if (need > max) return false;
    size_t nc = cap ? cap : 4096;
    while (nc < need) nc *= 2;
    char* nd = static_cast<char*>(realloc(d, nc));
    if (!nd) { perror("realloc"); abort(); }
    d = nd;
    cap = nc;
    return true;
  }
  void append(const void* p, size_t n) { memcpy(d + len, p, n); len += n; }
};

}  // namespace loadgen
