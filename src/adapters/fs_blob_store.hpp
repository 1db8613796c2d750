// The blob store port over a local directory (STORAGE_URL unset or file:PATH). Each put is
// atomic (temp file in the same directory, fsync, rename). File I/O runs on the store's own two
// threads, never the caller's; any coroutine on any thread may call it. The store must outlive
// its requests (its destructor finishes the queued ones).
#pragma once
#include <boost/asio/thread_pool.hpp>

#include <string>

#include "net/asio.hpp"
#include "ports/blob_store.hpp"

namespace vg::adapters {

// Layout under the root: KEY holds the bytes, DIR/.NAME~type the content type. Temp files are
// DIR/.NAME~tmpXXXXXX. '~' is not allowed in keys, so neither can collide with a blob.
class fs_blob_store final : public ports::blob_store {
 public:
  // `root` need not exist yet: it is created by the first put.
  explicit fs_blob_store(std::string root);
  ~fs_blob_store() override;
  fs_blob_store(const fs_blob_store&) = delete;
  fs_blob_store& operator=(const fs_blob_store&) = delete;

  awaitable<result<ports::blob_info>> put(std::string key, std::string data, std::string content_type) override;
  awaitable<result<ports::blob_info>> put_file(std::string key, std::string path, std::string content_type) override;
  awaitable<result<std::string>> get(std::string key, std::uint64_t offset, std::uint64_t length) override;
  awaitable<result<ports::blob_info>> stat(std::string key) override;
  awaitable<result<bool>> remove(std::string key) override;

  const std::string& root() const { return root_; }

 private:
  std::string root_;
  asio::thread_pool io_{2};  // a long put (fsync) does not hold up reads
};

// The blocking operations behind fs_blob_store (the key must be valid). Exposed for tests.
namespace fs_blob {
result<ports::blob_info> put(const std::string& root, const std::string& key, const std::string& data,
                             const std::string& content_type);
result<ports::blob_info> put_file(const std::string& root, const std::string& key, const std::string& source,
                                  const std::string& content_type);
result<std::string> get(const std::string& root, const std::string& key, std::uint64_t offset, std::uint64_t length);
result<ports::blob_info> stat(const std::string& root, const std::string& key);
result<bool> remove(const std::string& root, const std::string& key);
// A content type from the key's extension, for blobs stored without a ~type file.
std::string guess_content_type(std::string_view key);
}  // namespace fs_blob

}  // namespace vg::adapters
