#include "app/store_writer.hpp"

#include <boost/asio/post.hpp>

#include "net/log.hpp"

namespace vg::app {

store_writer::store_writer(std::unique_ptr<ports::store> store) : store_(std::move(store)) {}

store_writer::~store_writer() { pool_.join(); }

void store_writer::post(std::string call_sid, std::function<void(ports::store&)> write) {
  boost::asio::post(pool_, [this, sid = std::move(call_sid), write = std::move(write)] {
    for (int attempt = 1;; ++attempt) {
      try {
        write(*store_);
        return;
      } catch (const std::exception& e) {
        if (attempt == 2) {
          log::error(sid, std::string("store write failed, record lost: ") + e.what());
          return;
        }
        log::warn(sid, std::string("store write failed, retrying: ") + e.what());
      }
    }
  });
}

}  // namespace vg::app
