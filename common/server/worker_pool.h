// A bounded pool of threads for blocking work (PostgreSQL, synchronous Redis, calls to other
// services). Sized to the connection pool; when its queue is full, work is refused at once so the
// caller can shed load with RESOURCE_EXHAUSTED instead of queueing without bound.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace zhongtai::server {

class WorkerPool {
 public:
  WorkerPool(int threads, int max_queued);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // False when every worker is busy and `max_queued` tasks already wait, or when stopped; the task is then not run.
  bool TrySubmit(std::function<void()> task);
  // Queues `task` whatever the queue holds, ahead of the tasks TrySubmit queued (behind earlier Submit ones); false
  // only when stopped. For the next step of work the pool already admitted (a call that waited on another service),
  // which must not be shed half way, and is finished before new work starts.
  bool Submit(std::function<void()> task);
  // Runs every task already accepted, then joins the threads.
  void Stop();

  // Admission of calls that may outlive their task (RunAsync): a call counts from admission until it is answered,
  // whether it runs, waits in the queue or waits for another service, and at most threads + max_queued are open at
  // once, the most that blocking calls could occupy. False when that many are open.
  bool TryOpenCall();
  void CloseCall();
  int open_calls() const;

  int queued() const;
  int busy() const;

 private:
  void Loop();

  const size_t max_queued_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  size_t resumed_ahead_ = 0;  // how many tasks at the front of queue_ came from Submit
  int busy_ = 0;
  int open_calls_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace zhongtai::server
