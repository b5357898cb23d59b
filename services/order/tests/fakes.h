// In-memory stand-ins for the order domain's ports, for unit tests of the domain only.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/status/status.h"
#include "services/order/domain/ports.h"

namespace zhongtai::order::testing {

using FakeClock = zhongtai::FakeClock;

class SequentialIds : public IdGenerator {
 public:
  std::string NewOrderId() override { return absl::StrCat("o", ++next_); }
  std::string NewPaymentId() override { return absl::StrCat("p", ++next_); }

 private:
  int next_ = 0;
};

// Stock per SKU with reservations keyed by order id; records every call so tests can check the saga's order.
class FakeCatalog : public ProductCatalog {
 public:
  std::map<std::string, int64_t> available;
  std::map<std::string, int64_t> price;
  std::map<std::string, std::vector<LineRequest>> held, confirmed;
  std::vector<std::string> calls;
  absl::Status fail_reserve, fail_release;

  absl::StatusOr<std::vector<SkuInfo>> GetSkus(const std::vector<std::string>& ids) override {
    calls.push_back("GetSkus");
    std::vector<SkuInfo> out;
    for (const auto& id : ids) {
      if (price.count(id)) out.push_back({id, price[id], "CNY"});
    }
    return out;
  }
  absl::Status Reserve(const std::string& order_id, const std::vector<LineRequest>& lines, absl::Duration) override {
    calls.push_back("Reserve");
    if (!fail_reserve.ok()) return fail_reserve;
    if (held.count(order_id) || confirmed.count(order_id)) return absl::OkStatus();
    for (const auto& line : lines) {
      if (available[line.sku_id] < line.quantity) return FailedPrecondition("INSUFFICIENT_STOCK", line.sku_id);
    }
    for (const auto& line : lines) available[line.sku_id] -= line.quantity;
    held[order_id] = lines;
    return absl::OkStatus();
  }
  absl::Status Confirm(const std::string& order_id) override {
    calls.push_back("Confirm");
    if (confirmed.count(order_id)) return absl::OkStatus();
    if (!held.count(order_id)) return FailedPrecondition("RESERVATION_EXPIRED", order_id);
    confirmed[order_id] = held[order_id];
    held.erase(order_id);
    return absl::OkStatus();
  }
  absl::Status Release(const std::string& order_id) override {
    calls.push_back("Release");
    if (!fail_release.ok()) return fail_release;
    auto it = held.find(order_id);
    if (it == held.end()) return absl::OkStatus();
    for (const auto& line : it->second) available[line.sku_id] += line.quantity;
    held.erase(it);
    return absl::OkStatus();
  }
  // Simulates the product service expiring a reservation on its own.
  void Expire(const std::string& order_id) {
    Release(order_id);
    calls.pop_back();
  }
};

// No promotions: the quote is the plain sum; or a fixed failure.
class FakeQuoter : public PriceQuoter {
 public:
  absl::Status fail;
  std::vector<std::string>* calls = nullptr;

  absl::StatusOr<Quote> QuotePrice(const std::string&, const std::vector<PricedLine>& lines) override {
    if (calls) calls->push_back("QuotePrice");
    if (!fail.ok()) return fail;
    Quote quote;
    for (const auto& line : lines) {
      OrderLine out{line.sku_id,
                    line.quantity,
                    line.unit_price,
                    line.unit_price * line.quantity,
                    0,
                    line.unit_price * line.quantity};
      quote.subtotal += out.subtotal;
      quote.lines.push_back(out);
    }
    quote.total = quote.subtotal;
    return quote;
  }
};

class InMemoryOrderStore : public OrderStore {
 public:
  absl::Status fail_complete;
  std::map<std::string, bool> stock_released;

  absl::StatusOr<std::optional<Order>> BeginPlacement(const Order& draft) override {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [id, order] : orders_) {
      if (order.user_id == draft.user_id && order.request_id == draft.request_id) return std::optional<Order>(order);
    }
    orders_[draft.order_id] = draft;
    touched_[draft.order_id] = draft.created_at;
    return std::optional<Order>();
  }
  absl::Status CompletePlacement(const Order& order) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (!fail_complete.ok()) return fail_complete;
    orders_[order.order_id] = order;
    return absl::OkStatus();
  }
  absl::Status FailPlacement(const std::string& id, const absl::Status& error, absl::Time now) override {
    std::lock_guard<std::mutex> lock(mu_);
    Order& order = orders_.at(id);
    if (order.status != OrderStatus::kCreating) return absl::OkStatus();
    order.status = OrderStatus::kFailed;
    order.failure_code = static_cast<int>(error.code());
    order.failure_reason = ReasonOf(error);
    order.failure_message = std::string(error.message());
    return absl::OkStatus();
  }
  absl::StatusOr<Order> Get(const std::string& id) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = orders_.find(id);
    if (it == orders_.end()) return NotFound("ORDER_NOT_FOUND", id);
    return it->second;
  }
  absl::StatusOr<OrderPage> ListByUser(const std::string& user_id, int limit, const std::string&) override {
    std::lock_guard<std::mutex> lock(mu_);
    OrderPage page;
    for (auto it = orders_.rbegin(); it != orders_.rend(); ++it) {
      if (it->second.user_id == user_id && IsVisible(it->second.status)) page.orders.push_back(it->second);
    }
    return page;
  }
  absl::StatusOr<bool> ClaimForPayment(const std::string& id, absl::Time now) override {
    return Move(id, OrderStatus::kPendingPayment, OrderStatus::kPaying, now);
  }
  absl::StatusOr<bool> MarkPaid(const Payment& payment) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (!payments.count(payment.order_id)) payments[payment.order_id] = payment;
    Order& order = orders_.at(payment.order_id);
    if (order.status != OrderStatus::kPaying) return false;
    order.status = OrderStatus::kPaid;
    return true;
  }
  absl::StatusOr<bool> Cancel(const std::string& id, OrderStatus from, const std::string& reason,
                              absl::Time now) override {
    return Move(id, from, OrderStatus::kCancelled, now);
  }
  absl::Status MarkStockReleased(const std::string& id) override {
    std::lock_guard<std::mutex> lock(mu_);
    stock_released[id] = true;
    return absl::OkStatus();
  }
  absl::StatusOr<std::vector<std::string>> ListStale(OrderStatus status, absl::Time before, int) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<std::string> ids;
    for (const auto& [id, order] : orders_) {
      if (order.status == status && touched_[id] < before) ids.push_back(id);
    }
    return ids;
  }
  absl::StatusOr<std::vector<std::string>> ListPaymentOverdue(absl::Time now, int) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<std::string> ids;
    for (const auto& [id, order] : orders_) {
      if (order.status == OrderStatus::kPendingPayment && order.pay_deadline <= now) ids.push_back(id);
    }
    return ids;
  }
  absl::StatusOr<std::vector<std::string>> ListUnreleased(int) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<std::string> ids;
    for (const auto& [id, order] : orders_) {
      if ((order.status == OrderStatus::kCancelled || order.status == OrderStatus::kFailed) && !stock_released[id]) {
        ids.push_back(id);
      }
    }
    return ids;
  }

  std::map<std::string, Payment> payments;

 private:
  bool Move(const std::string& id, OrderStatus from, OrderStatus to, absl::Time now) {
    std::lock_guard<std::mutex> lock(mu_);
    Order& order = orders_.at(id);
    if (order.status != from) return false;
    if (to == OrderStatus::kPaying && now >= order.pay_deadline) return false;
    order.status = to;
    touched_[id] = now;
    return true;
  }

  std::mutex mu_;
  std::map<std::string, Order> orders_;
  std::map<std::string, absl::Time> touched_;
};

}  // namespace zhongtai::order::testing
