// PointsStore in memory, for unit tests: one mutex plays the account lock, and the same checks as the
// PostgreSQL store (the balance never negative, always the sum of the ledger).
#pragma once

#include <algorithm>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "common/status/status.h"
#include "services/user/domain/points_ports.h"

namespace zhongtai::user::testing {

class InMemoryPointsStore : public PointsStore {
 public:
  absl::Status Update(const PointsScope& scope, const PointsDecision& decide) override {
    std::lock_guard<std::mutex> lock(mu_);
    PointsSnapshot snapshot;
    snapshot.account = LoadLocked(scope.user_id);
    if (scope.lots_to_cover != kAllLots) KeepLotsToCover(snapshot.account, scope.lots_to_cover, scope.now);
    if (!scope.order_id.empty()) {
      auto hold = holds_.find(scope.order_id);
      if (hold != holds_.end()) {
        snapshot.hold = hold->second;
        for (const LotTake& take : hold->second.takes) {
          const PointsLot& lot = lots_.at(take.lot_id);
          const bool loaded = std::any_of(snapshot.account.lots.begin(), snapshot.account.lots.end(),
                                          [&](const PointsLot& l) { return l.lot_id == lot.lot_id; });
          if (!loaded && lot.user_id == scope.user_id) snapshot.account.lots.push_back(lot);
        }
      }
    }
    if (!scope.reference.empty()) {
      for (const LedgerEntry& e : entries_) {
        if (e.kind == scope.reference_kind && e.reference == scope.reference) snapshot.reference_used = true;
      }
    }
    ASSIGN_OR_RETURN(PointsChange change, decide(snapshot));
    if (change.empty()) return absl::OkStatus();
    int64_t sum = balances_[scope.user_id];
    for (const LedgerEntry& e : change.entries) sum += e.delta;
    if (sum != change.balance_after || sum < 0) {
      return Internal("POINTS_LEDGER_MISMATCH", "the change does not add up");
    }
    if (change.hold && holds_.count(change.hold->order_id) > 0 &&
        holds_.at(change.hold->order_id).user_id != scope.user_id) {
      return AlreadyExists("DB_UNIQUE_VIOLATION", "order id taken");
    }
    for (PointsLot lot : change.new_lots) {
      lot.lot_id = ++next_lot_;
      lots_[lot.lot_id] = lot;
    }
    for (const auto& [lot_id, remaining] : change.lot_remaining) lots_.at(lot_id).remaining = remaining;
    for (LedgerEntry e : change.entries) {
      e.seq = ++next_seq_;
      entries_.push_back(e);
    }
    if (change.hold) holds_[change.hold->order_id] = *change.hold;
    balances_[scope.user_id] = change.balance_after;
    ++updates;
    return absl::OkStatus();
  }

  absl::StatusOr<PointsAccount> Load(const PointsScope& scope) override {
    std::lock_guard<std::mutex> lock(mu_);
    PointsAccount account = LoadLocked(scope.user_id);
    if (scope.lots_to_cover != kAllLots) KeepLotsToCover(account, scope.lots_to_cover, scope.now);
    return account;
  }

  absl::StatusOr<PointsHold> FindHold(const std::string& order_id) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = holds_.find(order_id);
    if (it == holds_.end()) return NotFound("POINTS_HOLD_NOT_FOUND", "no hold");
    return it->second;
  }

  absl::StatusOr<std::vector<std::string>> AccountsDue(absl::Time now, int limit) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<std::string> out;
    for (const auto& [user_id, balance] : balances_) {
      bool due = false;
      for (const auto& [id, lot] : lots_) due |= lot.user_id == user_id && lot.remaining > 0 && LotExpired(lot, now);
      for (const auto& [id, hold] : holds_) {
        due |= hold.user_id == user_id && hold.status == HoldStatus::kHeld && hold.expires_at <= now;
      }
      if (due && static_cast<int>(out.size()) < limit) out.push_back(user_id);
    }
    return out;
  }

  absl::StatusOr<std::vector<std::string>> OverdueHolds(const std::string& user_id, absl::Time now) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<std::string> out;
    for (const auto& [id, hold] : holds_) {
      if (hold.user_id == user_id && hold.status == HoldStatus::kHeld && hold.expires_at <= now) out.push_back(id);
    }
    return out;
  }

  absl::StatusOr<LedgerPage> ListLedger(const std::string& user_id, int64_t before_seq, int limit) override {
    std::lock_guard<std::mutex> lock(mu_);
    LedgerPage page;
    for (auto it = entries_.rbegin(); it != entries_.rend(); ++it) {
      if (it->user_id != user_id || (before_seq != 0 && it->seq >= before_seq)) continue;
      if (static_cast<int>(page.entries.size()) == limit) {
        page.next_before_seq = page.entries.back().seq;
        break;
      }
      page.entries.push_back(*it);
    }
    return page;
  }

  // The invariants a test checks after every scenario.
  int64_t LedgerSum(const std::string& user_id) {
    std::lock_guard<std::mutex> lock(mu_);
    int64_t sum = 0;
    for (const LedgerEntry& e : entries_) sum += e.user_id == user_id ? e.delta : 0;
    return sum;
  }
  int64_t LotsSum(const std::string& user_id) {
    std::lock_guard<std::mutex> lock(mu_);
    int64_t sum = 0;
    for (const auto& [id, lot] : lots_) sum += lot.user_id == user_id ? lot.remaining : 0;
    return sum;
  }
  int64_t StoredBalance(const std::string& user_id) {
    std::lock_guard<std::mutex> lock(mu_);
    return balances_[user_id];
  }
  std::vector<LedgerEntry> Entries(const std::string& user_id) {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<LedgerEntry> out;
    for (const LedgerEntry& e : entries_) {
      if (e.user_id == user_id) out.push_back(e);
    }
    return out;
  }
  std::vector<PointsLot> Lots(const std::string& user_id) {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<PointsLot> out;
    for (const auto& [id, lot] : lots_) {
      if (lot.user_id == user_id) out.push_back(lot);
    }
    return out;
  }

  int updates = 0;

 private:
  // The lots PointsScope::lots_to_cover asks for, as the PostgreSQL store loads them: the expired ones and the
  // smallest first part of the live ones in spending order that covers `points` (the store may load more).
  static void KeepLotsToCover(PointsAccount& account, int64_t points, absl::Time now) {
    std::vector<PointsLot> live;
    std::vector<PointsLot> kept;
    for (const PointsLot& lot : account.lots) (LotExpired(lot, now) ? kept : live).push_back(lot);
    std::sort(live.begin(), live.end(), SpendsBefore);
    std::vector<PointsLot> first;
    for (const PointsLot& lot : live) {
      if (CoverPoints(first, points)) break;
      first.push_back(lot);
    }
    kept.insert(kept.end(), first.begin(), first.end());
    account.lots = std::move(kept);
  }

  PointsAccount LoadLocked(const std::string& user_id) {
    PointsAccount account;
    account.user_id = user_id;
    account.balance = balances_[user_id];
    for (const auto& [id, lot] : lots_) {
      if (lot.user_id == user_id && lot.remaining > 0) account.lots.push_back(lot);
    }
    return account;
  }

  std::mutex mu_;
  std::map<std::string, int64_t> balances_;
  std::map<int64_t, PointsLot> lots_;
  std::map<std::string, PointsHold> holds_;
  std::vector<LedgerEntry> entries_;
  int64_t next_lot_ = 0;
  int64_t next_seq_ = 0;
};

}  // namespace zhongtai::user::testing
