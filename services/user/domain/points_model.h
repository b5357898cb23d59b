// The points (积分) ledger's plain data. Points come in lots that expire; spending takes from the lots that
// expire first. 1 point is worth 1 fen (100 points = ¥1).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace zhongtai::user {

// Points earned together, expiring together. `remaining` is what is left to spend.
struct PointsLot {
  int64_t lot_id = 0;  // assigned by the store; time-ordered within an account
  std::string user_id;
  int64_t original = 0;
  int64_t remaining = 0;
  absl::Time earned_at;
  absl::Time expires_at;
  std::string reference;  // the earn that made it, e.g. "order-paid:o_1"
};

// Points an order took from one lot; `returned` of them went back after the order was cancelled or refunded.
struct LotTake {
  int64_t lot_id = 0;
  int64_t points = 0;
  int64_t returned = 0;
};

enum class HoldStatus { kHeld, kCommitted, kReleased };
const char* HoldStatusName(HoldStatus status);  // "held", "committed", "released"

// Points redeemed by one order: held at checkout, committed when the order is paid, released when it is not.
// A held hold that outlives `expires_at` is released by the sweep, so nothing stays held forever.
struct PointsHold {
  std::string order_id;
  std::string user_id;
  int64_t points = 0;
  int64_t returned = 0;  // committed points given back after a cancellation or refund
  HoldStatus status = HoldStatus::kHeld;
  std::vector<LotTake> takes;
  absl::Time created_at;
  absl::Time updated_at;
  absl::Time expires_at;
};

enum class LedgerKind {
  kEarn,     // a new lot
  kRedeem,   // points held for an order (its commit changes no balance)
  kRelease,  // an order's hold undone before payment
  kReturn,   // a paid order's points given back (cancellation, refund)
  kReverse,  // earned points taken back (the order that earned them was refunded)
  kExpire,   // a lot's rest expired
};
const char* LedgerKindName(LedgerKind kind);  // "earn", "redeem", ...
bool ParseLedgerKind(const std::string& name, LedgerKind* kind);

// One change of the balance. The balance always equals the sum of `delta` over the account's entries.
struct LedgerEntry {
  int64_t seq = 0;  // assigned by the store, increasing; the ledger's page order
  std::string user_id;
  LedgerKind kind = LedgerKind::kEarn;
  int64_t delta = 0;
  int64_t balance_after = 0;
  std::string reason;     // why, for the user: "order paid", "signed in", ...
  std::string reference;  // what it belongs to: an order id, an earn or return reference, a lot
  absl::Time at;
};

}  // namespace zhongtai::user
