#include "services/user/domain/hash_slots.h"

#include <algorithm>

#include "common/status/status.h"

namespace zhongtai::user {

HashSlots::HashSlots(int slots, absl::Duration max_wait) : capacity_(std::max(1, slots)), max_wait_(max_wait) {}

absl::StatusOr<HashSlots::Slot> HashSlots::Acquire() {
  std::unique_lock<std::mutex> lock(mu_);
  if (!freed_.wait_for(lock, absl::ToChronoNanoseconds(max_wait_), [this] { return in_use_ < capacity_; })) {
    return Error(absl::StatusCode::kResourceExhausted, "OVERLOADED",
                 "too many password checks at once; try again shortly");
  }
  ++in_use_;
  return Slot(this);
}

int HashSlots::in_use() const {
  std::lock_guard<std::mutex> lock(mu_);
  return in_use_;
}

void HashSlots::Release() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    --in_use_;
  }
  freed_.notify_one();
}

}  // namespace zhongtai::user
