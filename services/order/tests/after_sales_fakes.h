// In-memory stand-ins for the after-sales ports (domain/after_sales_ports.h), for domain tests only. The store is
// thread-safe and, like PostgreSQL's row lock, runs one order's Create and CompleteRefund at a time.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/status/status.h"
#include "services/order/domain/after_sales_ports.h"

namespace zhongtai::order::testing {

class SequentialReturnIds : public ReturnIds {
 public:
  std::string NewReturnId() override {
    std::lock_guard<std::mutex> lock(mu_);
    return absl::StrCat("r", ++next_);
  }

 private:
  std::mutex mu_;
  int next_ = 0;
};

class InMemoryReturnStore : public ReturnStore {
 public:
  std::map<std::string, ReturnableOrder> orders;
  std::vector<std::string> events;  // "<type>:<id>", in the order written
  // OrderRefunded events: (order id, amount, full refund).
  struct Refunded {
    std::string order_id;
    int64_t amount = 0;
    bool full = false;
  };
  std::vector<Refunded> refunded_events;

  absl::StatusOr<Created> Create(const std::string& order_id, const std::string& user_id, const std::string& request_id,
                                 const std::string& return_id, const Drafter& draft) override {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [id, r] : returns_) {
      if (r.user_id == user_id && r.request_id == request_id) return Created{r, true};
    }
    auto order = orders.find(order_id);
    if (order == orders.end()) return NotFound("ORDER_NOT_FOUND", "no such order");
    ASSIGN_OR_RETURN(Return r, draft(order->second, OfOrder(order_id)));
    r.return_id = return_id;
    returns_[return_id] = r;
    events.push_back("ReturnStatusChanged:" + return_id);
    return Created{r, false};
  }
  absl::StatusOr<Return> Get(const std::string& return_id) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = returns_.find(return_id);
    if (it == returns_.end()) return NotFound("RETURN_NOT_FOUND", "no such return");
    return it->second;
  }
  absl::StatusOr<bool> Update(const Return& updated, ReturnStatus from) override {
    std::lock_guard<std::mutex> lock(mu_);
    Return& stored = returns_.at(updated.return_id);
    if (stored.status != from) return false;
    const bool restocked = stored.restocked;
    stored = updated;
    stored.restocked = restocked;
    events.push_back("ReturnStatusChanged:" + updated.return_id);
    return true;
  }
  absl::StatusOr<bool> CompleteRefund(const Return& refunded, ReturnStatus from,
                                      const FullRefundRule& fully_refunded) override {
    std::lock_guard<std::mutex> lock(mu_);
    Return& stored = returns_.at(refunded.return_id);
    if (stored.status != from) return false;
    const bool restocked = stored.restocked;
    stored = refunded;
    stored.restocked = restocked;
    ReturnableOrder& order = orders.at(refunded.order_id);
    const bool full = fully_refunded(order.order, OfOrder(refunded.order_id));
    if (full) order.order.status = OrderStatus::kClosed;
    events.push_back("ReturnStatusChanged:" + refunded.return_id);
    events.push_back("OrderRefunded:" + refunded.order_id);
    refunded_events.push_back({refunded.order_id, refunded.refund_amount, full});
    return true;
  }
  absl::Status MarkRestocked(const std::string& return_id) override {
    std::lock_guard<std::mutex> lock(mu_);
    returns_.at(return_id).restocked = true;
    return absl::OkStatus();
  }
  absl::Status MarkReplacementHeld(const std::string& return_id, const std::vector<ReplacementHold>& holds) override {
    std::lock_guard<std::mutex> lock(mu_);
    Return& r = returns_.at(return_id);
    if (r.replacement_holds.empty()) r.replacement_holds = holds;
    return absl::OkStatus();
  }
  absl::StatusOr<std::vector<std::string>> ListEffectsDue(int limit) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<std::string> due;
    for (const auto& [id, r] : returns_) {
      if ((RefundDue(r) || RestockDue(r) || ReplacementDue(r)) && static_cast<int>(due.size()) < limit) {
        due.push_back(id);
      }
    }
    return due;
  }

  std::vector<Return> All(const std::string& order_id) {
    std::lock_guard<std::mutex> lock(mu_);
    return OfOrder(order_id);
  }

 private:
  std::vector<Return> OfOrder(const std::string& order_id) {
    std::vector<Return> out;
    for (const auto& [id, r] : returns_) {
      if (r.order_id == order_id) out.push_back(r);
    }
    return out;
  }

  std::mutex mu_;
  std::map<std::string, Return> returns_;
};

// Points given back per request id (the first call counts); completes inline.
class FakePointsRefunds : public PointsRefunds {
 public:
  absl::Status fail;
  std::map<std::string, int64_t> returned;  // request id -> points
  int calls = 0;

  void ReturnPoints(const std::string&, int64_t points, const std::string& request_id,
                    async::StatusCallback done) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++calls;
      if (fail.ok()) returned.emplace(request_id, points);
    }
    done(fail);
  }

 private:
  std::mutex mu_;
};

// Stock booked back per return id; completes inline.
class FakeReturnedStock : public ReturnedStock {
 public:
  absl::Status fail;
  std::map<std::string, ReturnedGoods> restocked;
  std::map<std::string, int64_t> sellable, damaged;  // sku -> units
  int calls = 0;

  void Restock(const ReturnedGoods& goods, async::StatusCallback done) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++calls;
      if (fail.ok() && restocked.emplace(goods.return_id, goods).second) {
        for (const auto& [sku, quantity] : goods.lines) {
          (goods.condition == ItemCondition::kDamaged ? damaged : sellable)[sku] += quantity;
        }
      }
    }
    done(fail);
  }

 private:
  std::mutex mu_;
};

}  // namespace zhongtai::order::testing
