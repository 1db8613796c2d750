// Work that outlives the request or the call that started it (recording downloads and uploads,
// after-call extraction and its webhook), counted so that a graceful stop can wait for it
// instead of cutting it off. Thread-safe: started and finished on any thread.
#pragma once
#include <atomic>
#include <cstddef>
#include <memory>

namespace vg::app {

class background_work {
 public:
  // Held by the work while it runs (moved into its coroutine); the count drops when the last
  // copy goes, however the work ends.
  class ticket {
   public:
    ticket() = default;
    bool held() const { return state_ != nullptr; }

   private:
    friend class background_work;
    struct release {
      void operator()(std::atomic<std::size_t>* n) const { n->fetch_sub(1, std::memory_order_acq_rel); }
    };
    explicit ticket(std::atomic<std::size_t>& n) : state_(&n, release{}) {}
    std::shared_ptr<std::atomic<std::size_t>> state_;
  };

  ticket begin() {
    running_.fetch_add(1, std::memory_order_acq_rel);
    return ticket(running_);
  }
  std::size_t running() const { return running_.load(std::memory_order_acquire); }

 private:
  std::atomic<std::size_t> running_{0};
};

}  // namespace vg::app
