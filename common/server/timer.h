// Runs tasks once their delay has passed, on one thread of its own that only waits and hands them over: a task must be
// short (PoolExecutor's hands the real work to the worker pool). Tasks still waiting at destruction are dropped.
#pragma once

#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

#include "absl/time/time.h"

namespace zhongtai::server {

class Timer {
 public:
  Timer();
  ~Timer();
  Timer(const Timer&) = delete;
  Timer& operator=(const Timer&) = delete;

  void RunAfter(absl::Duration delay, std::function<void()> task);
  int waiting() const;

 private:
  void Loop();

  mutable std::mutex mu_;
  std::condition_variable changed_;
  std::multimap<absl::Time, std::function<void()>> due_;
  bool stopping_ = false;
  std::thread thread_;  // last: starts after the fields it uses exist
};

}  // namespace zhongtai::server
