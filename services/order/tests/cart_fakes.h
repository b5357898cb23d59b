// An in-memory CartStore for the cart's domain tests: one mutex stands for the row lock, so the rules run on a cart no
// one else changes meanwhile, as in PgCartStore.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "services/order/domain/cart.h"

namespace zhongtai::order::testing {

class InMemoryCartStore : public CartStore {
 public:
  absl::StatusOr<Cart> Load(const std::string& user_id) override {
    std::lock_guard<std::mutex> lock(mu_);
    Cart cart = carts_[user_id];
    cart.user_id = user_id;
    return cart;
  }
  absl::Status Modify(const std::string& user_id, const std::function<absl::Status(Cart&)>& change) override {
    std::lock_guard<std::mutex> lock(mu_);
    Cart cart = carts_[user_id];
    cart.user_id = user_id;
    absl::Status changed = change(cart);
    if (changed.ok()) carts_[user_id] = cart;
    return changed;
  }
  absl::StatusOr<std::vector<LineRequest>> RecordCheckout(
      const std::string& user_id, const std::string& request_id, absl::Time,
      const std::function<absl::StatusOr<std::vector<LineRequest>>(const Cart&)>& pick) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto recorded = checkouts_.find({user_id, request_id});
    if (recorded != checkouts_.end()) return recorded->second.lines;
    Cart cart = carts_[user_id];
    cart.user_id = user_id;
    absl::StatusOr<std::vector<LineRequest>> lines = pick(cart);
    if (lines.ok()) checkouts_[{user_id, request_id}] = {*lines, false};
    return lines;
  }
  absl::StatusOr<bool> FinishCheckout(const std::string& user_id, const std::string& request_id, const std::string&,
                                      absl::Time) override {
    std::lock_guard<std::mutex> lock(mu_);
    ++finish_calls;
    auto recorded = checkouts_.find({user_id, request_id});
    if (recorded == checkouts_.end() || recorded->second.taken) return false;
    TakeOrdered(carts_[user_id], recorded->second.lines);
    recorded->second.taken = true;
    return true;
  }

  int finish_calls = 0;

 private:
  struct Checkout {
    std::vector<LineRequest> lines;
    bool taken = false;
  };
  std::mutex mu_;
  std::map<std::string, Cart> carts_;
  std::map<std::pair<std::string, std::string>, Checkout> checkouts_;
};

}  // namespace zhongtai::order::testing
