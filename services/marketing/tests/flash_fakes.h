// In-memory fakes of the flash-sale ports for domain tests. The admission fake decides with DecideAdmission, the
// rule the Lua script must agree with (store test flash_admission_script agreement).
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "common/status/status.h"
#include "services/marketing/domain/flash_sale_ports.h"

namespace zhongtai::marketing {

class InMemoryFlashSaleStore : public FlashSaleStore {
 public:
  absl::StatusOr<CreateResult> Create(const FlashSale& sale) override {
    for (const auto& [id, existing] : sales_) {
      if (existing.request_id == sale.request_id) return CreateResult{existing, false};
    }
    sales_[sale.sale_id] = sale;
    return CreateResult{sale, true};
  }
  absl::StatusOr<std::optional<FlashSale>> Get(const std::string& sale_id) override {
    auto it = sales_.find(sale_id);
    if (it == sales_.end()) return std::nullopt;
    return it->second;
  }
  absl::StatusOr<FlashSale> Update(const FlashSale& sale, int64_t expected_version, absl::Time) override {
    auto it = sales_.find(sale.sale_id);
    if (it == sales_.end() || it->second.version != expected_version || it->second.status != FlashSaleStatus::kActive) {
      return Aborted("VERSION_CONFLICT", "the flash sale changed meanwhile");
    }
    FlashSale& stored = it->second;
    stored.sale_price = sale.sale_price;
    stored.quantity = sale.quantity;
    stored.per_user_limit = sale.per_user_limit;
    stored.start_time = sale.start_time;
    stored.end_time = sale.end_time;
    stored.version = sale.version;
    return stored;
  }
  absl::StatusOr<FlashSale> SetStatus(const std::string& sale_id, FlashSaleStatus status, int64_t sold,
                                      absl::Time) override {
    FlashSale& sale = sales_.at(sale_id);
    sale.status = status;
    sale.sold_quantity = sold;
    return sale;
  }
  absl::StatusOr<std::vector<FlashSale>> ListCurrent(absl::Time now) override {
    std::vector<FlashSale> out;
    for (const auto& [id, sale] : sales_) {
      if (sale.status == FlashSaleStatus::kActive && sale.end_time > now) out.push_back(sale);
    }
    return out;
  }
  absl::StatusOr<std::vector<FlashSale>> ListEnded(absl::Time before, int) override {
    std::vector<FlashSale> out;
    for (const auto& [id, sale] : sales_) {
      if (sale.status == FlashSaleStatus::kActive && sale.end_time <= before) out.push_back(sale);
    }
    return out;
  }
  absl::StatusOr<std::vector<FlashSale>> ListReserving(absl::Time before, int) override {
    std::vector<FlashSale> out;
    for (const auto& [id, sale] : sales_) {
      if (sale.status == FlashSaleStatus::kReserving && sale.create_time < before) out.push_back(sale);
    }
    return out;
  }
  absl::StatusOr<std::vector<FlashPurchase>> ListPurchases(const std::string& sale_id) override {
    std::vector<FlashPurchase> out;
    for (const auto& [id, purchase] : purchases_) {
      if (purchase.sale_id == sale_id) out.push_back(purchase);
    }
    return out;
  }
  absl::StatusOr<std::optional<FlashPurchase>> GetPurchase(const std::string& purchase_id) override {
    auto it = purchases_.find(purchase_id);
    if (it == purchases_.end()) return std::nullopt;
    return it->second;
  }

  absl::Status RecordPurchase(const FlashPurchase& purchase, absl::Time) override {
    purchases_.emplace(purchase.purchase_id, purchase);  // a recorded one is left as it is
    return absl::OkStatus();
  }

  // What the ingest does from the streams.
  void Record(FlashPurchase purchase) { purchases_[purchase.purchase_id] = std::move(purchase); }
  void SetPurchaseStatus(const std::string& purchase_id, PurchaseStatus status) {
    purchases_.at(purchase_id).status = status;
  }

 private:
  std::map<std::string, FlashSale> sales_;
  std::map<std::string, FlashPurchase> purchases_;
};

class InMemoryFlashAdmission : public FlashAdmission {
 public:
  struct SaleState {
    FlashSale sale;
    int64_t remaining = 0;
    std::map<std::string, int64_t> held;                // user -> units
    std::map<std::string, std::string> first_purchase;  // user|request -> purchase
    std::map<std::string, std::string> buyers;          // purchase -> user
    std::set<std::string> released;
  };

  absl::StatusOr<Result> Admit(const FlashWinner& winner, const std::string& request_id, absl::Time now) override {
    auto it = sales_.find(winner.sale_id);
    AdmissionView view;
    if (it != sales_.end()) {
      SaleState& s = it->second;
      view.loaded = true;
      auto first = s.first_purchase.find(winner.user_id + "|" + request_id);
      if (first != s.first_purchase.end()) view.first_purchase_id = first->second;
      view.start_time = s.sale.start_time;
      view.end_time = s.sale.end_time;
      view.per_user_limit = s.sale.per_user_limit;
      view.held_by_user = s.held[winner.user_id];
      view.remaining = s.remaining;
    }
    Result result{DecideAdmission(view, now), ""};
    if (result.outcome == AdmissionOutcome::kReplay) result.purchase_id = *view.first_purchase_id;
    if (result.outcome == AdmissionOutcome::kAdmitted) {
      SaleState& s = it->second;
      --s.remaining;
      ++s.held[winner.user_id];
      s.first_purchase[winner.user_id + "|" + request_id] = winner.purchase_id;
      s.buyers[winner.purchase_id] = winner.user_id;
      winners.push_back(winner);
      result.purchase_id = winner.purchase_id;
    }
    return result;
  }
  absl::StatusOr<bool> Load(const Snapshot& snapshot) override {
    ++loads;
    if (sales_.count(snapshot.sale.sale_id)) return false;
    SaleState s;
    s.sale = snapshot.sale;
    s.remaining = snapshot.sale.quantity;
    for (const FlashPurchase& p : snapshot.purchases) {
      s.first_purchase[p.user_id + "|" + p.request_id] = p.purchase_id;
      s.buyers[p.purchase_id] = p.user_id;
      if (p.status == PurchaseStatus::kReleased) {
        s.released.insert(p.purchase_id);
      } else {
        --s.remaining;
        ++s.held[p.user_id];
      }
    }
    sales_[snapshot.sale.sale_id] = std::move(s);
    return true;
  }
  absl::Status Republish(const FlashWinner& winner) override {
    winners.push_back(winner);
    return absl::OkStatus();
  }
  absl::StatusOr<ResizeResult> Resize(const FlashSale& before, const FlashSale& after) override {
    auto it = sales_.find(after.sale_id);
    if (it == sales_.end()) return ResizeResult{};
    SaleState& s = it->second;
    const int64_t taken = s.sale.quantity - s.remaining;
    if (after.quantity < taken) return ResizeResult{ResizeOutcome::kBelowTaken, taken};
    s.remaining = after.quantity - taken;
    s.sale = after;
    return ResizeResult{ResizeOutcome::kApplied, taken};
  }
  absl::Status Release(const std::string& sale_id, const std::string& purchase_id,
                       const std::string& user_id) override {
    auto it = sales_.find(sale_id);
    if (it == sales_.end() || !it->second.released.insert(purchase_id).second) return absl::OkStatus();
    ++it->second.remaining;
    --it->second.held[user_id];
    return absl::OkStatus();
  }
  absl::StatusOr<std::optional<int64_t>> Remaining(const std::string& sale_id) override {
    auto it = sales_.find(sale_id);
    if (it == sales_.end()) return std::nullopt;
    return it->second.remaining;
  }
  absl::StatusOr<std::optional<std::string>> PurchaseBuyer(const std::string& sale_id,
                                                           const std::string& purchase_id) override {
    auto it = sales_.find(sale_id);
    if (it == sales_.end()) return std::nullopt;
    auto buyer = it->second.buyers.find(purchase_id);
    if (buyer == it->second.buyers.end()) return std::nullopt;
    return buyer->second;
  }

  // Redis restarted without its data: the sales' state and the winners' stream.
  void Flush() {
    sales_.clear();
    winners.clear();
  }

  std::vector<FlashWinner> winners;
  int loads = 0;

 private:
  std::map<std::string, SaleState> sales_;
};

class FakeFlashSaleStock : public FlashSaleStock {
 public:
  void Reserve(const FlashSale& sale, absl::Duration ttl, async::StatusCallback done) override {
    reserves.push_back({sale.sale_id, sale.quantity});
    last_ttl = ttl;
    done(reserve_result);
  }
  // A reservation whose size is tracked: an increase above `available` is refused.
  void Resize(const std::string& sale_id, int64_t quantity, absl::Duration ttl, const std::string& request_key,
              async::StatusCallback done) override {
    resizes.push_back({sale_id, quantity});
    done(resize_result);
  }
  void Settle(const std::string& sale_id, int64_t sold, async::StatusCallback done) override {
    settlements.push_back({sale_id, sold});
    done(absl::OkStatus());
  }

  absl::Status reserve_result = absl::OkStatus();
  absl::Status resize_result = absl::OkStatus();
  std::vector<std::pair<std::string, int64_t>> resizes;
  std::vector<std::pair<std::string, int64_t>> reserves;
  std::vector<std::pair<std::string, int64_t>> settlements;
  absl::Duration last_ttl;
};

class SequentialFlashIds : public FlashSaleIds {
 public:
  std::string NewSaleId() override { return "fs_" + std::to_string(++sales_); }
  std::string NewPurchaseId() override { return "fp_" + std::to_string(++purchases_); }

 private:
  int sales_ = 0;
  int purchases_ = 0;
};

}  // namespace zhongtai::marketing
