#include "common/server/timer.h"

#include "absl/time/clock.h"

namespace zhongtai::server {

Timer::Timer() : thread_([this] { Loop(); }) {}

Timer::~Timer() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

void Timer::RunAfter(absl::Duration delay, std::function<void()> task) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    due_.emplace(absl::Now() + delay, std::move(task));
  }
  changed_.notify_all();
}

int Timer::waiting() const {
  std::lock_guard<std::mutex> lock(mu_);
  return static_cast<int>(due_.size());
}

void Timer::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    if (due_.empty()) {
      changed_.wait(lock);
      continue;
    }
    absl::Time next = due_.begin()->first;
    if (absl::Now() < next) {
      changed_.wait_until(lock, absl::ToChronoTime(next));
      continue;
    }
    std::function<void()> task = std::move(due_.begin()->second);
    due_.erase(due_.begin());
    lock.unlock();
    task();
    lock.lock();
  }
}

}  // namespace zhongtai::server
