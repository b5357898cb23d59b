// The clock a service runs on: the system clock, unless ZT_TEST_CLOCK_OFFSET_FILE names a file (local stacks and
// tests only; deploy/stack.sh sets it, production never does). The clock is then the system clock moved by the
// seconds that file holds (e.g. "600", "-3600"; missing or unreadable: 0), read again at most every 200 ms, so a test
// can jump one service's clock while it runs (tests/reliability, the clock-jump fault). Only what the domain reads
// through Clock moves (payment deadlines, coupon and flash-sale windows, sweeps); timers, gRPC deadlines and
// PostgreSQL's now() stay on the real clock, as with a skewed server clock.
// Cost without the variable: one branch per Now(); with it, one relaxed atomic load, and a file read every 200 ms.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <string>
#include <utility>

#include "common/clock/clock.h"

namespace zhongtai {

class ServiceClock : public Clock {
 public:
  ServiceClock() {
    const char* path = std::getenv("ZT_TEST_CLOCK_OFFSET_FILE");
    if (path != nullptr) path_ = path;
  }
  explicit ServiceClock(std::string offset_file) : path_(std::move(offset_file)) {}

  absl::Time Now() override {
    absl::Time now = absl::Now();
    if (path_.empty()) return now;
    int64_t now_ns = absl::ToUnixNanos(now);
    if (now_ns >= next_read_ns_.load(std::memory_order_relaxed)) {
      std::unique_lock<std::mutex> lock(mu_, std::try_to_lock);
      if (lock.owns_lock()) {
        offset_ns_.store(ReadOffsetNanos(), std::memory_order_relaxed);
        next_read_ns_.store(now_ns + kRereadNanos, std::memory_order_relaxed);
      }
    }
    return now + absl::Nanoseconds(offset_ns_.load(std::memory_order_relaxed));
  }

 private:
  static constexpr int64_t kRereadNanos = 200'000'000;

  int64_t ReadOffsetNanos() const {
    std::ifstream in(path_);
    double seconds = 0;
    if (!(in >> seconds)) return 0;
    return static_cast<int64_t>(seconds * 1e9);
  }

  std::string path_;
  std::mutex mu_;
  std::atomic<int64_t> next_read_ns_{0};
  std::atomic<int64_t> offset_ns_{0};
};

}  // namespace zhongtai
