// Directory-backed blob store: POSIX file I/O on the store's own thread, atomic puts (temp file,
// fsync, rename, fsync of the directory). See fs_blob_store.hpp for the layout and threading.
#include "adapters/fs_blob_store.hpp"

#include <boost/asio/post.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <exception>
#include <filesystem>
#include <functional>
#include <optional>
#include <system_error>
#include <utility>

namespace vg::adapters {
namespace fs_blob {
namespace {
namespace stdfs = std::filesystem;

struct place {
  std::string dir;   // "ROOT/rec/2024"
  std::string name;  // "call.wav"
  std::string path() const { return dir + "/" + name; }
  std::string type_path() const { return dir + "/." + name + "~type"; }
};

place place_of(const std::string& root, const std::string& key) {
  const std::string base = root.empty() ? std::string(".") : root;
  const auto slash = key.rfind('/');
  if (slash == std::string::npos) return {base, key};
  return {base + "/" + key.substr(0, slash), key.substr(slash + 1)};
}

std::string why(int err) { return std::generic_category().message(err); }  // thread-safe strerror

class fd_guard {
 public:
  explicit fd_guard(int fd) : fd_(fd) {}
  ~fd_guard() {
    if (fd_ >= 0) ::close(fd_);
  }
  fd_guard(const fd_guard&) = delete;
  fd_guard& operator=(const fd_guard&) = delete;
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

// Writes all of `data` to `fd`; the errno of a failure, or 0.
int write_all(int fd, std::string_view data) {
  std::size_t done = 0;
  while (done < data.size()) {
    const ::ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno;
    if (n == 0) return EIO;
    done += static_cast<std::size_t>(n);
  }
  return 0;
}

// What goes into the new file: it writes to the fd and returns an error text, or nullopt.
using file_filler = std::function<std::optional<std::string>(int fd)>;

// Writes DIR/NAME atomically with `fill`: a reader (or a crash) sees the old file or the new one,
// never a part. On any failure the temp file is removed and the reason is returned.
std::optional<std::string> write_atomic(const std::string& dir, const std::string& name, const file_filler& fill) {
  std::string tmp = dir + "/." + name + "~tmpXXXXXX";
  fd_guard fd(::mkostemp(tmp.data(), O_CLOEXEC));
  if (fd.get() < 0) return "cannot create a temporary file in " + dir + ": " + why(errno);
  const auto fail = [&](const std::string& what, int err) -> std::optional<std::string> {
    ::close(fd.release());
    ::unlink(tmp.c_str());
    return err == 0 ? what : what + ": " + why(err);
  };
  if (auto err = fill(fd.get())) return fail(*err, 0);
  // fsync before rename: otherwise a crash can leave the new name on empty or partial data.
  if (::fsync(fd.get()) != 0) return fail("cannot write " + dir + "/" + name + " to disk", errno);
  const int raw = fd.release();
  if (::close(raw) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    return "cannot write " + dir + "/" + name + ": " + why(err);
  }
  const std::string target = dir + "/" + name;
  if (::rename(tmp.c_str(), target.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    return "cannot store " + target + ": " + why(err);
  }
  // Make the rename itself durable; best effort (some filesystems refuse fsync on directories).
  fd_guard d(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (d.get() >= 0) ::fsync(d.get());
  return std::nullopt;
}

std::optional<std::string> write_atomic(const std::string& dir, const std::string& name, std::string_view data) {
  return write_atomic(dir, name, [&](int fd) -> std::optional<std::string> {
    if (const int err = write_all(fd, data)) return "cannot write " + dir + "/" + name + ": " + why(err);
    return std::nullopt;
  });
}

std::optional<std::string> read_small(const std::string& path) {
  fd_guard fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return std::nullopt;
  char buf[512];
  const ::ssize_t n = ::read(fd.get(), buf, sizeof buf);
  if (n <= 0) return std::nullopt;
  return std::string(buf, static_cast<std::size_t>(n));
}

error not_found(const std::string& key) { return make_error("not found: " + key, error_kind::not_found); }

}  // namespace

std::string guess_content_type(std::string_view key) {
  static constexpr std::pair<std::string_view, std::string_view> table[] = {
      {".wav", "audio/wav"},  {".mp3", "audio/mpeg"},      {".ogg", "audio/ogg"},  {".json", "application/json"},
      {".txt", "text/plain"}, {".ulaw", "audio/basic"},    {".webm", "audio/webm"}, {".m4a", "audio/mp4"},
  };
  for (const auto& [ext, type] : table) {
    if (key.ends_with(ext)) return std::string(type);
  }
  return "application/octet-stream";
}

namespace {
// KEY's bytes written by `fill` (atomically), then its content type. The bytes first: a failure
// at the type leaves the new recording with a stale or guessed type, never a new type on old bytes.
std::optional<std::string> store_atomically(const std::string& root, const std::string& key, const std::string& content_type,
                                            const file_filler& fill) {
  const place p = place_of(root, key);
  std::error_code ec;
  stdfs::create_directories(p.dir, ec);
  if (ec) return "cannot create directory " + p.dir + ": " + ec.message();
  if (auto err = write_atomic(p.dir, p.name, fill)) return err;
  if (auto err = write_atomic(p.dir, "." + p.name + "~type", content_type)) {
    return "stored " + key + " but not its content type: " + *err;
  }
  return std::nullopt;
}
}  // namespace

result<ports::blob_info> put(const std::string& root, const std::string& key, const std::string& data,
                             const std::string& content_type) {
  const auto write = [&](int out) -> std::optional<std::string> {
    if (const int err = write_all(out, data)) return "cannot write " + place_of(root, key).path() + ": " + why(err);
    return std::nullopt;
  };
  if (auto err = store_atomically(root, key, content_type, write)) return make_error(std::move(*err));
  return ports::blob_info{key, data.size(), content_type};
}

result<ports::blob_info> put_file(const std::string& root, const std::string& key, const std::string& source,
                                  const std::string& content_type) {
  fd_guard in(::open(source.c_str(), O_RDONLY | O_CLOEXEC));
  if (in.get() < 0) return make_error("cannot open " + source + ": " + why(errno));
  std::uint64_t copied = 0;
  const auto copy = [&](int out) -> std::optional<std::string> {
    std::string buffer(256 * 1024, '\0');  // a piece at a time: recordings run to 100 MB and more
    for (;;) {
      const ::ssize_t n = ::read(in.get(), buffer.data(), buffer.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return "cannot read " + source + ": " + why(errno);
      if (n == 0) return std::nullopt;
      if (const int err = write_all(out, std::string_view(buffer.data(), static_cast<std::size_t>(n)))) {
        return "cannot write " + place_of(root, key).path() + ": " + why(err);
      }
      copied += static_cast<std::uint64_t>(n);
    }
  };
  if (auto err = store_atomically(root, key, content_type, copy)) return make_error(std::move(*err));
  return ports::blob_info{key, copied, content_type};
}

result<std::string> get(const std::string& root, const std::string& key, std::uint64_t offset, std::uint64_t length) {
  const place p = place_of(root, key);
  const std::string path = p.path();
  fd_guard fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT || errno == ENOTDIR) return not_found(key);
    return make_error("cannot open " + path + ": " + why(errno));
  }
  struct ::stat st {};
  if (::fstat(fd.get(), &st) != 0) return make_error("cannot stat " + path + ": " + why(errno));
  if (!S_ISREG(st.st_mode)) return not_found(key);
  const auto size = static_cast<std::uint64_t>(st.st_size);
  const bool whole = offset == 0 && length == 0;
  if (!whole && offset >= size) {
    return make_error("range not satisfiable: " + key + " has " + std::to_string(size) + " bytes, offset " +
                      std::to_string(offset));
  }
  const std::uint64_t left = size - offset;
  const std::uint64_t want = length == 0 || length > left ? left : length;
  std::string out(static_cast<std::size_t>(want), '\0');
  std::size_t done = 0;
  while (done < out.size()) {
    const ::ssize_t n = ::pread(fd.get(), out.data() + done, out.size() - done, static_cast<::off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return make_error("cannot read " + path + ": " + why(errno));
    if (n == 0) break;  // truncated meanwhile: return what is there
    done += static_cast<std::size_t>(n);
  }
  out.resize(done);
  return out;
}

result<ports::blob_info> stat(const std::string& root, const std::string& key) {
  const place p = place_of(root, key);
  const std::string path = p.path();
  struct ::stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return not_found(key);
    return make_error("cannot stat " + path + ": " + why(errno));
  }
  if (!S_ISREG(st.st_mode)) return not_found(key);
  auto type = read_small(p.type_path());
  auto checked = ports::blob_content_type(type ? *type : std::string());
  std::string content_type = type && checked ? std::move(*checked) : guess_content_type(key);
  return ports::blob_info{key, static_cast<std::uint64_t>(st.st_size), std::move(content_type)};
}

result<bool> remove(const std::string& root, const std::string& key) {
  const place p = place_of(root, key);
  const std::string path = p.path();
  struct ::stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return false;
    return make_error("cannot stat " + path + ": " + why(errno));
  }
  if (S_ISDIR(st.st_mode)) return false;  // a "folder" of other keys, not a blob
  if (::unlink(path.c_str()) != 0) {
    if (errno == ENOENT) return false;
    return make_error("cannot remove " + path + ": " + why(errno));
  }
  ::unlink(p.type_path().c_str());
  // Tidy directories the key made, up to (not including) the root; stops at the first
  // non-empty one (rmdir refuses).
  const std::string base = root.empty() ? std::string(".") : root;
  std::string dir = p.dir;
  while (dir.size() > base.size() && dir.starts_with(base + "/")) {
    if (::rmdir(dir.c_str()) != 0) break;
    dir.erase(dir.rfind('/'));
  }
  return true;
}

}  // namespace fs_blob

namespace {

// Runs `work` on `pool` and resumes the calling coroutine on its own executor with the result.
template <class T, class F>
awaitable<result<T>> on_pool(asio::thread_pool& pool, F work) {
  auto init = [&pool](auto handler, F job) {
    auto home = asio::prefer(asio::get_associated_executor(handler), asio::execution::outstanding_work.tracked);
    asio::post(pool, [handler = std::move(handler), job = std::move(job), home = std::move(home)]() mutable {
      std::optional<result<T>> out;
      try {
        out.emplace(job());
      } catch (const std::exception& e) {
        out.emplace(make_error(std::string("blob store failure: ") + e.what()));
      }
      asio::post(home, [handler = std::move(handler), out = std::move(out)]() mutable {
        std::move(handler)(std::move(out));
      });
    });
  };
  std::optional<result<T>> out =
      co_await asio::async_initiate<const asio::use_awaitable_t<>, void(std::optional<result<T>>)>(
          init, use_awaitable, std::move(work));
  co_return std::move(*out);
}

}  // namespace

fs_blob_store::fs_blob_store(std::string root) : root_(std::move(root)) {
  while (root_.size() > 1 && root_.back() == '/') root_.pop_back();
}

fs_blob_store::~fs_blob_store() { io_.join(); }

awaitable<result<ports::blob_info>> fs_blob_store::put(std::string key, std::string data, std::string content_type) {
  auto type = ports::checked_put(key, content_type);
  if (!type) co_return type.failure();
  auto job = [root = root_, key = std::move(key), data = std::move(data), type = std::move(*type)] {
    return fs_blob::put(root, key, data, type);
  };
  co_return co_await on_pool<ports::blob_info>(io_, std::move(job));
}

awaitable<result<ports::blob_info>> fs_blob_store::put_file(std::string key, std::string path, std::string content_type) {
  auto type = ports::checked_put(key, content_type);
  if (!type) co_return type.failure();
  auto job = [root = root_, key = std::move(key), path = std::move(path), type = std::move(*type)] {
    return fs_blob::put_file(root, key, path, type);
  };
  co_return co_await on_pool<ports::blob_info>(io_, std::move(job));
}

awaitable<result<std::string>> fs_blob_store::get(std::string key, std::uint64_t offset, std::uint64_t length) {
  if (!ports::valid_blob_key(key)) co_return make_error(ports::invalid_blob_key_message(key));
  auto job = [root = root_, key = std::move(key), offset, length] { return fs_blob::get(root, key, offset, length); };
  co_return co_await on_pool<std::string>(io_, std::move(job));
}

awaitable<result<ports::blob_info>> fs_blob_store::stat(std::string key) {
  if (!ports::valid_blob_key(key)) co_return make_error(ports::invalid_blob_key_message(key));
  auto job = [root = root_, key = std::move(key)] { return fs_blob::stat(root, key); };
  co_return co_await on_pool<ports::blob_info>(io_, std::move(job));
}

awaitable<result<bool>> fs_blob_store::remove(std::string key) {
  if (!ports::valid_blob_key(key)) co_return make_error(ports::invalid_blob_key_message(key));
  auto job = [root = root_, key = std::move(key)] { return fs_blob::remove(root, key); };
  co_return co_await on_pool<bool>(io_, std::move(job));
}

}  // namespace vg::adapters
