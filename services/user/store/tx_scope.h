// Store work that runs in a transaction of its own (from the pool) or in one the caller already holds (the events
// inbox's, so that an event's effect commits with its inbox row).
#pragma once

#include <functional>

#include "absl/status/status.h"
#include "common/pg/pool.h"

namespace zhongtai::user {

class TxScope {
 public:
  explicit TxScope(pg::Pool& pool) : pool_(&pool) {}
  explicit TxScope(pqxx::work& tx) : tx_(&tx) {}

  // In the held transaction, libpqxx errors propagate to its owner (whose Transact maps them).
  absl::Status Run(const std::function<absl::Status(pqxx::work&)>& fn) {
    if (tx_ != nullptr) return fn(*tx_);
    return pool_->Transact(fn);
  }

 private:
  pg::Pool* pool_ = nullptr;
  pqxx::work* tx_ = nullptr;
};

}  // namespace zhongtai::user
