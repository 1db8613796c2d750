// The store contract fixture: each test runs against every backend (SQLite in memory and in a
// file, PostgreSQL when VOXGATE_TEST_POSTGRES_URL is set). Instantiated in store_contract_test.cpp.
#pragma once
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <functional>
#include <memory>

#include "adapters/postgres_store.hpp"
#include "adapters/sqlite_store.hpp"

namespace vg::testing {

struct backend {
  std::string name;
  std::function<std::unique_ptr<ports::store>()> open;
};

class store_contract : public ::testing::TestWithParam<backend> {
 protected:
  void SetUp() override {
    store = GetParam().open();
    if (!store) GTEST_SKIP() << "no PostgreSQL here (set VOXGATE_TEST_POSTGRES_URL; CI does)";
    store->migrate();
  }
  void TearDown() override {
    if (auto* pg = dynamic_cast<adapters::postgres_store*>(store.get())) pg->drop_schema();
  }
  std::unique_ptr<ports::store> store;
};

// Each PostgreSQL test works in a schema of its own, so tests can run in parallel.
inline std::unique_ptr<ports::store> open_postgres() {
  const char* url = std::getenv("VOXGATE_TEST_POSTGRES_URL");
  if (url == nullptr || *url == '\0') return nullptr;
  static int n = 0;
  return std::make_unique<adapters::postgres_store>(
      url, "contract_" + std::to_string(::getpid()) + "_" + std::to_string(++n));
}

}  // namespace vg::testing
