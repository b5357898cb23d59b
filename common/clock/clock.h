// Time as a dependency: domains take a Clock so that tests decide what "now" is (expiry, timeouts,
// sweeps) without sleeping. SystemClock for running services, FakeClock for tests.
#pragma once

#include <mutex>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace zhongtai {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() = 0;
};

class SystemClock : public Clock {
 public:
  absl::Time Now() override { return absl::Now(); }
};

// Stands still until a test moves it. Safe to read from several threads.
class FakeClock : public Clock {
 public:
  explicit FakeClock(absl::Time start = absl::FromUnixSeconds(1700000000)) : now_(start) {}
  absl::Time Now() override {
    std::lock_guard<std::mutex> lock(mu_);
    return now_;
  }
  void Advance(absl::Duration by) {
    std::lock_guard<std::mutex> lock(mu_);
    now_ += by;
  }
  void Set(absl::Time to) {
    std::lock_guard<std::mutex> lock(mu_);
    now_ = to;
  }

 private:
  std::mutex mu_;
  absl::Time now_;
};

}  // namespace zhongtai
