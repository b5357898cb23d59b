// A bound on password hashes running at once. Each argon2id hash holds its memory cost (64 MiB with
// libsodium's INTERACTIVE limits) for its whole run, so an unbounded number of concurrent logins or
// registrations can exhaust the pod's memory. A counting semaphore: a call waits for a slot up to
// `max_wait`, then gives up with RESOURCE_EXHAUSTED reason OVERLOADED (the gateway answers 429).
#pragma once

#include <condition_variable>
#include <mutex>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace zhongtai::user {

class HashSlots {
 public:
  HashSlots(int slots, absl::Duration max_wait);
  HashSlots(const HashSlots&) = delete;
  HashSlots& operator=(const HashSlots&) = delete;

  // Holds a slot until destroyed.
  class Slot {
   public:
    explicit Slot(HashSlots* owner) : owner_(owner) {}
    Slot(Slot&& other) noexcept : owner_(other.owner_) { other.owner_ = nullptr; }
    Slot& operator=(Slot&&) = delete;
    ~Slot() {
      if (owner_ != nullptr) owner_->Release();
    }

   private:
    HashSlots* owner_;
  };

  absl::StatusOr<Slot> Acquire();

  int capacity() const { return capacity_; }
  int in_use() const;

 private:
  void Release();

  const int capacity_;
  const absl::Duration max_wait_;
  mutable std::mutex mu_;
  std::condition_variable freed_;
  int in_use_ = 0;  // guarded by mu_
};

}  // namespace zhongtai::user
