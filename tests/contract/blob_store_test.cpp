// The blob store contract, run against every implementation: the directory store (a temp dir),
// the S3 store against a real S3-compatible server (VOXGATE_TEST_S3_ENDPOINT, e.g. from
// tests/s3/start-s3rver.sh; skipped when unset), and the Supabase Storage store against the fake
// Supabase Storage (real HTTP over loopback), answering errors both ways the service does. Then
// fs-only atomicity, S3 and Supabase specifics, and the factory. Each test owns its loop; each S3
// test works under a prefix of its own (parallel ctest).
#include <gtest/gtest.h>

#include <sys/resource.h>

#include <boost/asio/ssl/context.hpp>

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "adapters/blob_store_factory.hpp"
#include "adapters/fs_blob_store.hpp"
#include "adapters/s3_blob_store.hpp"
#include "adapters/supabase_blob_store.hpp"
#include "core/crypto.hpp"
#include "tests/fakes/event_loop.hpp"
#include "tests/fakes/fake_supabase_storage.hpp"

namespace vg {
namespace {
namespace fs = std::filesystem;

using fakes::settle;

std::string env_or(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::string(v) : std::string(fallback);
}

std::string unique_name() {
  std::uint8_t b[6];
  crypto::random_bytes(b, sizeof b);
  return crypto::hex(b, sizeof b);
}

fs::path make_temp_dir() {
  std::string t = (fs::temp_directory_path() / "vg-blob-XXXXXX").string();
  if (::mkdtemp(t.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  return t;
}

// Every file under `dir`, relative, sorted ("a/.b.wav~type", "a/b.wav").
std::vector<std::string> files_under(const fs::path& dir) {
  std::vector<std::string> out;
  if (!fs::exists(dir)) return out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) out.push_back(fs::relative(e.path(), dir).string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

void write_file(const fs::path& path, const std::string& text) {
  std::FILE* f = std::fopen(path.c_str(), "w");
  if (f == nullptr) throw std::runtime_error("cannot create " + path.string());
  std::fputs(text.c_str(), f);
  std::fclose(f);
}

std::string all_byte_values(std::size_t n) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 7 + i / 256) & 0xFF);
  return s;
}

std::string error_of(const auto& r) { return r.ok() ? std::string("<ok>") : r.error_message(); }
// The bytes read, or the error in brackets (so a comparison failure shows why).
std::string text_of(const result<std::string>& r) { return r.ok() ? *r : "<error: " + r.error_message() + ">"; }

class blob_store_contract : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "fs") {
      dir = make_temp_dir();
      store = std::make_unique<adapters::fs_blob_store>((dir / "blobs").string());
      write_file(dir / "not-a-dir", "");  // any I/O under this root fails, so an early refusal shows
      unusable = std::make_unique<adapters::fs_blob_store>((dir / "not-a-dir").string());
      return;
    }
    if (GetParam().starts_with("supabase")) {
      fakes::fake_supabase_storage::options o;
      o.status_in_body = GetParam() == "supabase";  // supabase_http_status: errors with their own status
      supabase = std::make_unique<fakes::fake_supabase_storage>(o);
      store = std::make_unique<adapters::supabase_blob_store>(tls, supabase_config(supabase->url()));
      unusable = std::make_unique<adapters::supabase_blob_store>(tls, supabase_config("http://127.0.0.1:1"));
      return;
    }
    const std::string endpoint = env_or("VOXGATE_TEST_S3_ENDPOINT", "");
    if (endpoint.empty()) {
      GTEST_SKIP() << "VOXGATE_TEST_S3_ENDPOINT is not set; run VOXGATE_TEST_S3_ENDPOINT=$(tests/s3/start-s3rver.sh)";
    }
    store = std::make_unique<adapters::s3_blob_store>(tls, s3(endpoint));
    unusable = std::make_unique<adapters::s3_blob_store>(tls, s3("http://127.0.0.1:1"));
  }
  void TearDown() override {
    store.reset();
    unusable.reset();
    std::error_code ec;
    if (!dir.empty()) fs::remove_all(dir, ec);
  }

  static adapters::s3_config s3(std::string endpoint) {
    adapters::s3_config c;
    c.endpoint = std::move(endpoint);
    c.region = env_or("VOXGATE_TEST_S3_REGION", "us-east-1");
    c.bucket = env_or("VOXGATE_TEST_S3_BUCKET", "voxgate-test");
    c.prefix = "contract-" + unique_name() + "/";
    c.access_key = env_or("VOXGATE_TEST_S3_ACCESS_KEY", "S3RVER");  // s3rver's built-in account
    c.secret_key = env_or("VOXGATE_TEST_S3_SECRET_KEY", "S3RVER");
    c.timeout = std::chrono::seconds(20);
    return c;
  }
  bool is_s3rver() const { return GetParam() == "s3" && env_or("VOXGATE_TEST_S3_STRICT", "") != "1"; }
  static adapters::supabase_config supabase_config(std::string project_url) {
    adapters::supabase_config c;
    c.project_url = std::move(project_url);
    c.key = fakes::fake_supabase_storage::default_key;
    c.bucket = "call-recordings";
    c.prefix = "contract-" + unique_name() + "/";
    c.timeout = std::chrono::seconds(20);
    return c;
  }

  ports::blob_store& on(ports::blob_store* via) { return via != nullptr ? *via : *store; }
  result<ports::blob_info> put(std::string key, std::string data, std::string type = "application/octet-stream",
                               ports::blob_store* via = nullptr) {
    return *loop.run_sync(settle(on(via).put(std::move(key), std::move(data), std::move(type))));
  }
  result<std::string> get(std::string key, std::uint64_t offset = 0, std::uint64_t length = 0,
                          ports::blob_store* via = nullptr) {
    return *loop.run_sync(settle(on(via).get(std::move(key), offset, length)));
  }
  result<ports::blob_info> stat(std::string key, ports::blob_store* via = nullptr) {
    return *loop.run_sync(settle(on(via).stat(std::move(key))));
  }
  result<bool> remove(std::string key, ports::blob_store* via = nullptr) {
    return *loop.run_sync(settle(on(via).remove(std::move(key))));
  }

  asio::ssl::context tls{asio::ssl::context::tls_client};
  fakes::event_loop loop;
  fs::path dir;
  std::unique_ptr<fakes::fake_supabase_storage> supabase;  // the Supabase parameters' server
  std::unique_ptr<ports::blob_store> store;
  std::unique_ptr<ports::blob_store> unusable;  // every I/O on it fails
};

TEST_P(blob_store_contract, binary_data_round_trips_exactly) {
  const std::string data = all_byte_values(1 << 20);
  auto p = put("rec/all-bytes.bin", data, "application/octet-stream");
  ASSERT_TRUE(p.ok()) << error_of(p);
  EXPECT_EQ(p->key, "rec/all-bytes.bin");
  EXPECT_EQ(p->size, data.size());
  auto g = get("rec/all-bytes.bin");
  ASSERT_TRUE(g.ok()) << error_of(g);
  ASSERT_EQ(g->size(), data.size());
  EXPECT_TRUE(*g == data) << "the bytes differ";
}

TEST_P(blob_store_contract, ranged_gets_return_exactly_the_bytes_asked_for) {
  const std::string data = all_byte_values(1 << 20);
  ASSERT_TRUE(put("range.bin", data).ok());
  const std::uint64_t n = data.size();
  EXPECT_EQ(text_of(get("range.bin", 0, 1)), data.substr(0, 1));
  EXPECT_EQ(text_of(get("range.bin", 0, 10)), data.substr(0, 10));
  EXPECT_EQ(text_of(get("range.bin", 1000, 5000)), data.substr(1000, 5000));
  EXPECT_EQ(text_of(get("range.bin", n - 1, 1)), data.substr(n - 1));
  EXPECT_EQ(text_of(get("range.bin", n - 10, 100)), data.substr(n - 10));  // cut at the end
  EXPECT_TRUE(text_of(get("range.bin", 500000, 0)) == data.substr(500000));         // to the end
  for (const auto& [offset, length] : {std::pair<std::uint64_t, std::uint64_t>{n, 1}, {n, 0}, {n + 100, 10}}) {
    auto r = get("range.bin", offset, length);
    ASSERT_FALSE(r.ok()) << "offset " << offset;
    EXPECT_EQ(r.error_message().rfind("range not satisfiable: range.bin", 0), 0u) << r.error_message();
  }
}

TEST_P(blob_store_contract, stat_reports_size_and_content_type) {
  ASSERT_TRUE(put("rec/call.wav", std::string(44, 'w'), "audio/wav").ok());
  auto s = stat("rec/call.wav");
  ASSERT_TRUE(s.ok()) << error_of(s);
  EXPECT_EQ(s->key, "rec/call.wav");
  EXPECT_EQ(s->size, 44u);
  EXPECT_EQ(s->content_type, "audio/wav");

  ASSERT_TRUE(put("custom.bin", all_byte_values(3000), "application/x-voxgate-test").ok());
  EXPECT_EQ(stat("custom.bin")->content_type, "application/x-voxgate-test");
  EXPECT_EQ(stat("custom.bin")->size, 3000u);
  auto untyped = put("untyped", "x", "");
  ASSERT_TRUE(untyped.ok()) << error_of(untyped);
  EXPECT_EQ(untyped->content_type, "application/octet-stream");
  EXPECT_EQ(stat("untyped")->content_type, "application/octet-stream");
}

TEST_P(blob_store_contract, a_put_replaces_the_previous_blob) {
  ASSERT_TRUE(put("over.txt", "the first, longer version", "text/plain").ok());
  ASSERT_TRUE(put("over.txt", "v2", "text/x-second").ok());
  EXPECT_EQ(text_of(get("over.txt")), "v2");
  auto s = stat("over.txt");
  ASSERT_TRUE(s.ok()) << error_of(s);
  EXPECT_EQ(s->size, 2u);
  EXPECT_EQ(s->content_type, "text/x-second");
}

TEST_P(blob_store_contract, remove_says_whether_the_blob_existed) {
  ASSERT_TRUE(put("gone.wav", "RIFF", "audio/wav").ok());
  auto first = remove("gone.wav");
  ASSERT_TRUE(first.ok()) << error_of(first);
  EXPECT_TRUE(*first);
  auto second = remove("gone.wav");
  ASSERT_TRUE(second.ok()) << error_of(second);
  EXPECT_FALSE(*second);
  EXPECT_EQ(error_of(get("gone.wav")), "not found: gone.wav");
}

TEST_P(blob_store_contract, absent_keys_are_not_found) {
  EXPECT_EQ(error_of(get("nothing/here.wav")), "not found: nothing/here.wav");
  EXPECT_EQ(error_of(get("nothing/here.wav", 10, 10)), "not found: nothing/here.wav");
  EXPECT_EQ(error_of(stat("nothing/here.wav")), "not found: nothing/here.wav");
  EXPECT_EQ(stat("nothing/here.wav").error_kind(), error_kind::not_found);
  EXPECT_EQ(get("nothing/here.wav").error_kind(), error_kind::not_found);
  auto r = remove("nothing/here.wav");
  ASSERT_TRUE(r.ok()) << error_of(r);
  EXPECT_FALSE(*r);
}

TEST_P(blob_store_contract, invalid_keys_and_content_types_are_refused_before_any_io) {
  const std::vector<std::string> bad = {"", "/abs.wav", "a/../b.wav", "..", "a..b", "a b.wav", "a\\b", "a?b", "a~b",
                                        "caf\xC3\xA9.wav", "a/", "a//b", "./a", "a/./b", std::string(513, 'k')};
  for (const auto& key : bad) {
    EXPECT_FALSE(ports::valid_blob_key(key)) << key;
    for (const auto& e : {error_of(put(key, "x", "text/plain", unusable.get())), error_of(get(key, 0, 0, unusable.get())),
                          error_of(stat(key, unusable.get())), error_of(remove(key, unusable.get())),
                          error_of(*loop.run_sync(settle(unusable->put_file(key, "/no/such/file", "text/plain"))))}) {
      EXPECT_EQ(e.rfind("invalid blob key '", 0), 0u) << e;
    }
  }
  EXPECT_TRUE(ports::valid_blob_key(std::string(512, 'k')));
  EXPECT_TRUE(ports::valid_blob_key("org-1/2024_05/.hidden/CA0123.wav"));
  EXPECT_EQ(error_of(put("ok.txt", "x", "text/plain\r\nX-Evil: 1", unusable.get())).rfind("invalid content type", 0), 0u);
}

TEST_P(blob_store_contract, keys_with_subdirectories_are_independent) {
  ASSERT_TRUE(put("org-1/2024/05/CA1.wav", "one", "audio/wav").ok());
  ASSERT_TRUE(put("org-1/2024/05/CA2.wav", "two", "audio/wav").ok());
  ASSERT_TRUE(put("org-2/2024/05/CA1.wav", "three", "audio/wav").ok());
  EXPECT_EQ(text_of(get("org-1/2024/05/CA1.wav")), "one");
  EXPECT_EQ(text_of(get("org-2/2024/05/CA1.wav")), "three");
  EXPECT_EQ(error_of(stat("org-1/2024/05")), "not found: org-1/2024/05");  // a "folder" is no blob
  EXPECT_TRUE(*remove("org-1/2024/05/CA1.wav"));
  EXPECT_EQ(text_of(get("org-1/2024/05/CA2.wav")), "two");
  EXPECT_EQ(text_of(get("org-2/2024/05/CA1.wav")), "three");
}

TEST_P(blob_store_contract, an_empty_blob_is_stored_and_read_back) {
  ASSERT_TRUE(put("empty.wav", "", "audio/wav").ok());
  EXPECT_EQ(text_of(get("empty.wav")), "");
  if (is_s3rver()) {
    GTEST_SKIP() << "s3rver 3.7.1 answers a ranged GET of an empty object with Content-Length: 1 and no body; "
                    "set VOXGATE_TEST_S3_STRICT=1 against MinIO or AWS";
  }
  auto s = stat("empty.wav");
  ASSERT_TRUE(s.ok()) << error_of(s);
  EXPECT_EQ(s->size, 0u);
  EXPECT_EQ(s->content_type, "audio/wav");
  EXPECT_EQ(error_of(get("empty.wav", 0, 1)).rfind("range not satisfiable: empty.wav", 0), 0u);
}

TEST_P(blob_store_contract, a_file_is_stored_a_piece_at_a_time_and_read_back_exactly) {
  // Larger than one piece of every implementation (256 KiB) and not a multiple of it.
  const std::string data = all_byte_values(3 * (1 << 20) + 12345);
  const fs::path scratch = make_temp_dir();
  const fs::path source = scratch / "call.wav";
  {
    std::FILE* f = std::fopen(source.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    ASSERT_EQ(std::fwrite(data.data(), 1, data.size(), f), data.size());
    std::fclose(f);
  }
  auto p = *loop.run_sync(settle(store->put_file("calls/CA1/voxgate.wav", source.string(), "audio/wav")));
  ASSERT_TRUE(p.ok()) << error_of(p);
  EXPECT_EQ(p->size, data.size());
  EXPECT_EQ(p->content_type, "audio/wav");
  EXPECT_TRUE(fs::exists(source)) << "the source file is left where it was";
  auto g = get("calls/CA1/voxgate.wav");
  ASSERT_TRUE(g.ok()) << error_of(g);
  ASSERT_EQ(g->size(), data.size());
  EXPECT_TRUE(*g == data) << "the bytes differ";
  EXPECT_EQ(stat("calls/CA1/voxgate.wav")->content_type, "audio/wav");

  // A missing source file is a clear error and stores nothing.
  auto missing = *loop.run_sync(settle(store->put_file("calls/CA2/voxgate.wav", (scratch / "gone.wav").string(), "audio/wav")));
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error_message().find("gone.wav"), std::string::npos) << missing.error_message();
  EXPECT_EQ(error_of(stat("calls/CA2/voxgate.wav")), "not found: calls/CA2/voxgate.wav");
  std::error_code ec;
  fs::remove_all(scratch, ec);
}

INSTANTIATE_TEST_SUITE_P(blob, blob_store_contract, ::testing::Values("fs", "s3", "supabase", "supabase_http_status"),
                         [](const ::testing::TestParamInfo<std::string>& i) { return i.param; });

// --- fs only: atomic puts -------------------------------------------------------------------

class fs_blob_store_test : public ::testing::Test {
 protected:
  ~fs_blob_store_test() override {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  template <class T>
  result<T> run(awaitable<result<T>> work) { return *loop.run_sync(settle(std::move(work))); }

  fs::path dir = make_temp_dir();
  fakes::event_loop loop;
  adapters::fs_blob_store store{dir.string()};
};

TEST_F(fs_blob_store_test, a_put_leaves_the_blob_and_its_type_and_no_temporary_file) {
  auto r = run(store.put("rec/a.wav", "RIFF....", "audio/wav"));
  ASSERT_TRUE(r.ok()) << error_of(r);
  EXPECT_EQ(files_under(dir), (std::vector<std::string>{"rec/.a.wav~type", "rec/a.wav"}));
}

TEST_F(fs_blob_store_test, a_failed_put_leaves_nothing_behind) {
  ASSERT_TRUE(run(store.put("calls/x/part.wav", "data", "audio/wav")).ok());
  // A directory where the file should go: the rename fails after the temp file was written.
  auto r = run(store.put("calls/x", "would replace a directory", "audio/wav"));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error_message().find("calls/x"), std::string::npos) << r.error_message();
  EXPECT_EQ(files_under(dir), (std::vector<std::string>{"calls/x/.part.wav~type", "calls/x/part.wav"}));
  // A file where a directory should go: refused before any file is made.
  auto under_file = run(store.put("calls/x/part.wav/inner.wav", "data", "audio/wav"));
  EXPECT_NE(error_of(under_file).find("cannot create directory"), std::string::npos) << error_of(under_file);
  EXPECT_EQ(files_under(dir).size(), 2u);
}

TEST_F(fs_blob_store_test, a_write_error_keeps_the_old_version_and_leaves_no_partial_file) {
  ASSERT_TRUE(run(store.put("big.wav", "old version", "audio/wav")).ok());
  // The file size limit makes write() fail part-way (EFBIG), as a full disk (ENOSPC) would.
  rlimit old{};
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &old), 0);
  const auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
  rlimit small = old;
  small.rlim_cur = 64 * 1024;
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &small), 0);
  auto r = run(store.put("big.wav", all_byte_values(1 << 20), "audio/wav"));
  ::setrlimit(RLIMIT_FSIZE, &old);
  std::signal(SIGXFSZ, old_handler);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error_message(), "cannot write " + dir.string() + "/big.wav: File too large");
  EXPECT_EQ(text_of(run(store.get("big.wav", 0, 0))), "old version");
  EXPECT_EQ(files_under(dir), (std::vector<std::string>{".big.wav~type", "big.wav"}));
}

TEST_F(fs_blob_store_test, remove_tidies_empty_directories_but_not_the_root) {
  ASSERT_TRUE(run(store.put("a/b/c.wav", "x", "audio/wav")).ok());
  ASSERT_TRUE(run(store.put("a/keep.wav", "y", "audio/wav")).ok());
  EXPECT_TRUE(*run(store.remove("a/b/c.wav")));
  EXPECT_FALSE(fs::exists(dir / "a" / "b"));
  EXPECT_TRUE(fs::exists(dir / "a" / "keep.wav"));
  EXPECT_TRUE(*run(store.remove("a/keep.wav")));
  EXPECT_FALSE(fs::exists(dir / "a"));
  EXPECT_TRUE(fs::is_directory(dir));
}

TEST_F(fs_blob_store_test, a_blob_placed_by_hand_gets_a_type_from_its_extension) {
  fs::create_directories(dir / "old");
  write_file(dir / "old" / "call.wav", "RIFF");
  auto s = run(store.stat("old/call.wav"));
  ASSERT_TRUE(s.ok()) << error_of(s);
  EXPECT_EQ(s->size, 4u);
  EXPECT_EQ(s->content_type, "audio/wav");
}

// --- S3 only: the server's errors as values ---------------------------------------------------

TEST(s3_blob_store, server_errors_and_an_unreachable_server_are_one_line_values) {
  asio::ssl::context tls{asio::ssl::context::tls_client};
  fakes::event_loop loop;
  const auto get_with = [&](std::string endpoint, std::string bucket, std::string access_key) {
    adapters::s3_config c;
    c.endpoint = std::move(endpoint);
    c.bucket = std::move(bucket);
    c.access_key = std::move(access_key);
    c.secret_key = env_or("VOXGATE_TEST_S3_SECRET_KEY", "S3RVER");
    adapters::s3_blob_store s3(tls, std::move(c));
    return error_of(*loop.run_sync(settle(s3.get("k.txt", 0, 0))));
  };
  const std::string down = get_with("http://127.0.0.1:1", "b", "AK");
  EXPECT_EQ(down.rfind("S3 unreachable: cannot connect to 127.0.0.1:1", 0), 0u) << down;
  const std::string endpoint = env_or("VOXGATE_TEST_S3_ENDPOINT", "");
  if (endpoint.empty()) GTEST_SKIP() << "VOXGATE_TEST_S3_ENDPOINT is not set (tests/s3/start-s3rver.sh)";
  const std::string bucket = env_or("VOXGATE_TEST_S3_BUCKET", "voxgate-test");
  const std::string wrong_key = get_with(endpoint, bucket, "NOT-A-KNOWN-KEY");
  EXPECT_EQ(wrong_key.rfind("S3 403: InvalidAccessKeyId: ", 0), 0u) << wrong_key;
  const std::string key = env_or("VOXGATE_TEST_S3_ACCESS_KEY", "S3RVER");
  const std::string no_bucket = get_with(endpoint, "no-such-bucket-" + unique_name(), key);
  EXPECT_EQ(no_bucket.rfind("S3 404: NoSuchBucket: ", 0), 0u) << no_bucket;
}

// --- Supabase only: the requests on the wire, public URLs, the service's errors ---------------

class supabase_blob_store_test : public ::testing::Test {
 protected:
  template <class T>
  result<T> run(awaitable<result<T>> work) { return *loop.run_sync(settle(std::move(work))); }
  adapters::supabase_config config(const fakes::fake_supabase_storage& server, std::string prefix = {}) const {
    adapters::supabase_config c;
    c.project_url = server.url();
    c.key = server.settings().key;
    c.bucket = server.settings().bucket;
    c.prefix = std::move(prefix);
    c.public_bucket = server.settings().public_bucket;
    return c;
  }
  static std::string header(const fakes::supabase_request& r, std::string_view name) {
    for (const auto& [n, v] : r.headers) {
      if (n == name) return v;
    }
    return "<none>";
  }

  asio::ssl::context tls{asio::ssl::context::tls_client};
  fakes::event_loop loop;
};

TEST_F(supabase_blob_store_test, each_operation_sends_the_documented_method_path_and_headers) {
  fakes::fake_supabase_storage server;
  adapters::supabase_blob_store store(tls, config(server, "voxgate/"));
  const std::string key = fakes::fake_supabase_storage::default_key;
  ASSERT_TRUE(run(store.put("calls/CA1/RE1.wav", "RIFFdata", "audio/x-wav")).ok());
  ASSERT_TRUE(run(store.put("calls/CA1/RE1.wav", "RIFFdata2", "audio/x-wav")).ok());  // replaced: x-upsert
  EXPECT_EQ(text_of(run(store.get("calls/CA1/RE1.wav", 4, 4))), "data");
  EXPECT_EQ(run(store.stat("calls/CA1/RE1.wav"))->size, 9u);
  EXPECT_TRUE(*run(store.remove("calls/CA1/RE1.wav")));
  const auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 5u);
  for (const auto& r : reqs) {
    SCOPED_TRACE(r.method + " " + r.path);
    EXPECT_EQ(header(r, "apikey"), key);
    EXPECT_EQ(header(r, "authorization"), "Bearer " + key);  // a legacy key is a JWT: also the bearer token
  }
  EXPECT_EQ(reqs[0].method, "POST");
  EXPECT_EQ(reqs[0].path, "/storage/v1/object/call-recordings/voxgate/calls/CA1/RE1.wav");
  EXPECT_EQ(header(reqs[0], "x-upsert"), "true");
  EXPECT_EQ(header(reqs[0], "content-type"), "audio/x-wav");
  EXPECT_EQ(reqs[0].body_bytes, 8u);
  EXPECT_EQ(reqs[1].status, 200);
  EXPECT_EQ(reqs[2].method, "GET");
  EXPECT_EQ(reqs[2].path, "/storage/v1/object/authenticated/call-recordings/voxgate/calls/CA1/RE1.wav");
  EXPECT_EQ(header(reqs[2], "range"), "bytes=4-7");
  EXPECT_EQ(reqs[2].status, 206);
  EXPECT_EQ(header(reqs[3], "range"), "bytes=0-0");
  EXPECT_EQ(reqs[4].method, "DELETE");
  EXPECT_EQ(reqs[4].path, "/storage/v1/object/call-recordings/voxgate/calls/CA1/RE1.wav");
  EXPECT_TRUE(server.names().empty());
}

TEST_F(supabase_blob_store_test, a_new_secret_key_goes_in_apikey_only) {
  fakes::fake_supabase_storage::options o;
  o.key = "sb_secret_0123456789abcdefghijklmnopqrstuv";
  fakes::fake_supabase_storage server(o);  // refuses an sb_ key as a bearer token, as Storage does
  adapters::supabase_blob_store store(tls, config(server));
  auto p = run(store.put("a.wav", "RIFF", "audio/wav"));
  ASSERT_TRUE(p.ok()) << error_of(p);
  EXPECT_EQ(text_of(run(store.get("a.wav", 0, 0))), "RIFF");
  for (const auto& r : server.requests()) {
    EXPECT_EQ(header(r, "apikey"), o.key);
    EXPECT_EQ(header(r, "authorization"), "<none>");
  }
}

TEST_F(supabase_blob_store_test, a_public_bucket_gives_each_object_a_permanent_url_that_plays_without_a_key) {
  fakes::fake_supabase_storage server;
  adapters::supabase_blob_store store(tls, config(server, "rec/"));
  const std::string audio = all_byte_values(5000);
  ASSERT_TRUE(run(store.put("calls/CA1/RE1.wav", audio, "audio/x-wav")).ok());
  const auto url = store.public_url("calls/CA1/RE1.wav");
  ASSERT_TRUE(url.has_value());
  EXPECT_EQ(*url, server.url() + "/storage/v1/object/public/call-recordings/rec/calls/CA1/RE1.wav");
  net::client_request req;  // no key at all, as a browser's <audio src>
  req.url = *url;
  auto got = loop.run_sync([](net::client_request r) -> awaitable<std::optional<net::client_response>> {
    auto ex = co_await asio::this_coro::executor;  // one co_await per statement (docs/decisions/0002)
    net::client_options options;
    auto res = co_await net::http_fetch(ex, std::move(r), std::move(options));
    co_return res ? std::optional<net::client_response>(std::move(*res)) : std::nullopt;
  }(std::move(req)));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->status, 200);
  EXPECT_TRUE(got->body == audio);
  EXPECT_EQ(got->header("content-type"), "audio/x-wav");
  EXPECT_FALSE(store.public_url("../x").has_value());

  fakes::fake_supabase_storage::options o;
  o.public_bucket = false;
  fakes::fake_supabase_storage private_server(o);
  adapters::supabase_blob_store private_store(tls, config(private_server));
  EXPECT_FALSE(private_store.public_url("calls/CA1/RE1.wav").has_value());
}

TEST_F(supabase_blob_store_test, the_services_errors_are_one_line_values) {
  fakes::fake_supabase_storage server;
  auto wrong_key = config(server);
  wrong_key.key = "eyJ.not-the-key.x";
  adapters::supabase_blob_store refused(tls, wrong_key);
  EXPECT_EQ(error_of(run(refused.get("a.wav", 0, 0))), "Supabase Storage 401: Invalid API key");
  auto other_bucket = config(server);
  other_bucket.bucket = "no-such-bucket";
  adapters::supabase_blob_store nowhere(tls, other_bucket);
  EXPECT_EQ(error_of(run(nowhere.get("a.wav", 0, 0))), "Supabase Storage 400 (statusCode 404): NoSuchBucket: Bucket not found");
  EXPECT_EQ(error_of(run(nowhere.remove("a.wav"))), "Supabase Storage 400 (statusCode 404): NoSuchBucket: Bucket not found");
  EXPECT_NE(run(nowhere.stat("a.wav")).error_kind(), error_kind::not_found);  // a missing bucket is no missing blob
  adapters::supabase_blob_store store(tls, config(server));
  server.fail_next(1, 503, R"({"message":"upstream connect error"})");
  EXPECT_EQ(error_of(run(store.put("a.wav", "x", "audio/wav"))), "Supabase Storage 503: upstream connect error");
  auto unreachable_config = config(server);
  unreachable_config.project_url = "http://127.0.0.1:1";
  adapters::supabase_blob_store down(tls, unreachable_config);
  const std::string unreachable = error_of(run(down.stat("a.wav")));
  EXPECT_EQ(unreachable.rfind("Supabase Storage unreachable: cannot connect to 127.0.0.1:1", 0), 0u) << unreachable;
  for (const auto& e : {unreachable, error_of(run(refused.get("a.wav", 0, 0)))}) EXPECT_EQ(e.find('\n'), std::string::npos);
}

TEST_F(supabase_blob_store_test, bad_settings_are_refused_before_any_request) {
  const auto why = [](auto change) {
    adapters::supabase_config c;
    c.project_url = "https://abc.supabase.co";
    c.key = "sb_secret_x";
    c.bucket = "call-recordings";
    change(c);
    return adapters::supabase_blob_store::config_error(c);
  };
  EXPECT_EQ(why([](auto&) {}), "");
  EXPECT_EQ(why([](auto& c) { c.project_url = ""; }).rfind("SUPABASE_URL is not set", 0), 0u);
  EXPECT_EQ(why([](auto& c) { c.project_url = "abc.supabase.co"; }).rfind("SUPABASE_URL must be the project URL", 0), 0u);
  EXPECT_EQ(why([](auto& c) { c.project_url = "https://abc.supabase.co/storage/v1"; }).rfind("SUPABASE_URL is the project URL without /storage/v1", 0), 0u);
  EXPECT_EQ(why([](auto& c) { c.project_url = "https://user:pw@abc.supabase.co"; }).find("pw"), std::string::npos);
  EXPECT_EQ(why([](auto& c) { c.key = ""; }).rfind("SUPABASE_KEY is not set", 0), 0u);
  EXPECT_EQ(why([](auto& c) { c.key = "sb secret"; }).rfind("SUPABASE_KEY has a space", 0), 0u);
  EXPECT_EQ(why([](auto& c) { c.bucket = ""; }).rfind("SUPABASE_BUCKET is not set", 0), 0u);
  EXPECT_EQ(why([](auto& c) { c.bucket = "call recordings"; }).rfind("SUPABASE_BUCKET may use only", 0), 0u);
  adapters::supabase_config bad;
  adapters::supabase_blob_store store(tls, bad);
  EXPECT_EQ(error_of(run(store.get("a.wav", 0, 0))).rfind("SUPABASE_URL is not set", 0), 0u);
}

// --- the factory ------------------------------------------------------------------------------

TEST(blob_store_factory, storage_url_picks_the_store_and_bad_urls_are_one_line_errors) {
  asio::ssl::context tls{asio::ssl::context::tls_client};
  const adapters::s3_settings keys{"http://127.0.0.1:9000/storage/v1/s3", "", "AK", "SK"};
  auto def = adapters::open_blob_store("", {}, tls);
  ASSERT_TRUE(def.ok()) << error_of(def);
  ASSERT_NE(dynamic_cast<adapters::fs_blob_store*>(def->get()), nullptr);
  EXPECT_EQ(dynamic_cast<adapters::fs_blob_store*>(def->get())->root(), "recordings");
  auto file = adapters::open_blob_store("file:/var/lib/voxgate/rec/", {}, tls);
  ASSERT_TRUE(file.ok()) << error_of(file);
  EXPECT_EQ(dynamic_cast<adapters::fs_blob_store*>(file->get())->root(), "/var/lib/voxgate/rec");
  EXPECT_EQ(dynamic_cast<adapters::fs_blob_store*>(adapters::open_blob_store("file:///srv/r", {}, tls)->get())->root(),
            "/srv/r");

  auto s3 = adapters::open_blob_store("s3://calls/voxgate/rec/", keys, tls);
  ASSERT_TRUE(s3.ok()) << error_of(s3);
  auto* s3_store = dynamic_cast<adapters::s3_blob_store*>(s3->get());
  ASSERT_NE(s3_store, nullptr);
  EXPECT_EQ(s3_store->object_path("2024/CA1.wav"), "/storage/v1/s3/calls/voxgate/rec/2024/CA1.wav");
  auto bare = adapters::open_blob_store("s3://calls", keys, tls);
  EXPECT_EQ(dynamic_cast<adapters::s3_blob_store*>(bare->get())->object_path("k"), "/storage/v1/s3/calls/k");

  const auto err = [&](std::string url, adapters::s3_settings s) {
    return error_of(adapters::open_blob_store(std::move(url), std::move(s), tls));
  };
  EXPECT_EQ(err("ftp://host/x", keys),
            "STORAGE_URL must be file:PATH, s3://BUCKET[/PREFIX] or supabase://BUCKET[/PREFIX] (got 'ftp:...')");
  EXPECT_EQ(err("./rec", keys), "STORAGE_URL must be file:PATH, s3://BUCKET[/PREFIX] or supabase://BUCKET[/PREFIX] "
                                "(got './rec'; a directory is written file:./rec)");
  EXPECT_EQ(err("file:", keys), "STORAGE_URL file: needs a directory (e.g. file:./recordings)");
  EXPECT_EQ(err("s3://", keys), "STORAGE_URL s3:// needs a bucket name (s3://BUCKET[/PREFIX])");
  const std::string leaked = err("s3://AKIA:topsecret@bucket/x", keys);
  EXPECT_EQ(leaked.find("topsecret"), std::string::npos) << leaked;
  EXPECT_EQ(err("s3://b/a/../c", keys).rfind("STORAGE_URL prefix may use only", 0), 0u);
  EXPECT_EQ(err("s3://b", {"http://127.0.0.1:9000", "", "", ""}).rfind("S3 needs an access key", 0), 0u);
  EXPECT_EQ(err("s3://b", {"ftp://x", "", "AK", "SK"}).rfind("S3 endpoint must be", 0), 0u);
  for (const auto& e : {err("ftp://x", keys), err("s3://", keys), leaked}) EXPECT_EQ(e.find('\n'), std::string::npos);

  // supabase://BUCKET[/PREFIX] with the project's URL and key (SUPABASE_*).
  const adapters::supabase_settings project{"https://abc.supabase.co", "sb_secret_x", true};
  auto supa = adapters::open_blob_store("supabase://call-recordings/voxgate/", {}, tls, project);
  ASSERT_TRUE(supa.ok()) << error_of(supa);
  auto* supa_store = dynamic_cast<adapters::supabase_blob_store*>(supa->get());
  ASSERT_NE(supa_store, nullptr);
  EXPECT_EQ(supa_store->object_path("2024/CA1.wav"), "/storage/v1/object/call-recordings/voxgate/2024/CA1.wav");
  EXPECT_EQ(supa_store->public_url("2024/CA1.wav"),
            "https://abc.supabase.co/storage/v1/object/public/call-recordings/voxgate/2024/CA1.wav");
  auto private_bucket = adapters::open_blob_store("supabase://call-recordings", {}, tls, {"https://abc.supabase.co", "k", false});
  ASSERT_TRUE(private_bucket.ok()) << error_of(private_bucket);
  EXPECT_EQ((*private_bucket)->public_url("2024/CA1.wav"), std::nullopt);
  const auto supa_err = [&](std::string url, adapters::supabase_settings s) {
    return error_of(adapters::open_blob_store(std::move(url), {}, tls, std::move(s)));
  };
  EXPECT_EQ(supa_err("supabase://", project), "STORAGE_URL supabase:// needs a bucket name (supabase://BUCKET[/PREFIX])");
  EXPECT_EQ(supa_err("supabase://b", {"", "k", true}).rfind("SUPABASE_URL is not set", 0), 0u);
  EXPECT_EQ(supa_err("supabase://b", {"https://abc.supabase.co", "", true}).rfind("SUPABASE_KEY is not set", 0), 0u);
  EXPECT_EQ(supa_err("supabase://b*d", project).rfind("SUPABASE_BUCKET may use only", 0), 0u);
  EXPECT_EQ(supa_err("supabase://key:secret@b", project).find("secret"), std::string::npos);
  EXPECT_EQ(supa_err("supabase://b/a/../c", project).rfind("STORAGE_URL prefix may use only", 0), 0u);

  // S3_* wins over AWS_*; the region defaults later, in open_blob_store.
  const auto s = adapters::s3_settings_from({{"AWS_ACCESS_KEY_ID", "aws-ak"}, {"S3_ACCESS_KEY_ID", "s3-ak"},
                                            {"AWS_SECRET_ACCESS_KEY", "aws-sk"}, {"S3_ENDPOINT", "http://m:9000"}});
  EXPECT_EQ(s.access_key_id, "s3-ak");
  EXPECT_EQ(s.secret_access_key, "aws-sk");
  EXPECT_EQ(s.endpoint, "http://m:9000");
  EXPECT_EQ(s.region, "");
}

}  // namespace
}  // namespace vg
