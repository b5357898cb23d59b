#include "common/server/worker_pool.h"

namespace zhongtai::server {

WorkerPool::WorkerPool(int threads, int max_queued) : max_queued_(static_cast<size_t>(max_queued)) {
  threads_.reserve(threads);
  for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { Loop(); });
}

WorkerPool::~WorkerPool() { Stop(); }

bool WorkerPool::TrySubmit(std::function<void()> task) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    // Idle workers take work at once; only what is left for them waits in the queue.
    size_t idle = threads_.size() - static_cast<size_t>(busy_);
    if (stopping_ || queue_.size() >= max_queued_ + idle) return false;
    queue_.push_back(std::move(task));
  }
  cv_.notify_one();
  return true;
}

bool WorkerPool::Submit(std::function<void()> task) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return false;
    queue_.insert(queue_.begin() + static_cast<std::ptrdiff_t>(resumed_ahead_), std::move(task));
    ++resumed_ahead_;
  }
  cv_.notify_one();
  return true;
}

void WorkerPool::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_ && threads_.empty()) return;
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
  threads_.clear();
}

bool WorkerPool::TryOpenCall() {
  std::lock_guard<std::mutex> lock(mu_);
  if (stopping_ || static_cast<size_t>(open_calls_) >= threads_.size() + max_queued_) return false;
  ++open_calls_;
  return true;
}

void WorkerPool::CloseCall() {
  std::lock_guard<std::mutex> lock(mu_);
  --open_calls_;
}

int WorkerPool::open_calls() const {
  std::lock_guard<std::mutex> lock(mu_);
  return open_calls_;
}

int WorkerPool::queued() const {
  std::lock_guard<std::mutex> lock(mu_);
  return static_cast<int>(queue_.size());
}

int WorkerPool::busy() const {
  std::lock_guard<std::mutex> lock(mu_);
  return busy_;
}

void WorkerPool::Loop() {
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping and drained
      task = std::move(queue_.front());
      queue_.pop_front();
      if (resumed_ahead_ > 0) --resumed_ahead_;
      ++busy_;
    }
    task();
    std::lock_guard<std::mutex> lock(mu_);
    --busy_;
  }
}

}  // namespace zhongtai::server
