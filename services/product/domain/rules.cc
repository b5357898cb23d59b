#include "services/product/domain/rules.h"

#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"
#include "common/status/status.h"

namespace zhongtai::product {

const char* ReservationStatusName(ReservationStatus status) {
  switch (status) {
    case ReservationStatus::kHeld: return "HELD";
    case ReservationStatus::kConfirmed: return "CONFIRMED";
    case ReservationStatus::kReleased: return "RELEASED";
    case ReservationStatus::kExpired: return "EXPIRED";
  }
  return "UNKNOWN";
}

std::vector<ReservationLine> NormalizeLines(const std::vector<ReservationLine>& lines) {
  std::map<std::string, int64_t> by_sku;
  for (const auto& line : lines) by_sku[line.sku_id] += line.quantity;
  std::vector<ReservationLine> out;
  out.reserve(by_sku.size());
  for (const auto& [sku, quantity] : by_sku) out.push_back({sku, quantity});
  return out;
}

absl::StatusOr<std::vector<Allocation>> AllocateStock(const std::string& sku_id, int64_t quantity,
                                                      const std::vector<StockLevel>& levels) {
  std::vector<const StockLevel*> fullest;
  int64_t total = 0;
  for (const auto& level : levels) {
    if (level.available() <= 0) continue;
    fullest.push_back(&level);
    total += level.available();
  }
  if (total < quantity) {
    return FailedPrecondition("INSUFFICIENT_STOCK", absl::StrCat("not enough stock for sku ", sku_id, ": requested ",
                                                                 quantity, ", available ", total));
  }
  // Stable: equal availability goes to the warehouse with the smaller id.
  std::stable_sort(fullest.begin(), fullest.end(),
                   [](const StockLevel* a, const StockLevel* b) { return a->available() > b->available(); });
  std::vector<Allocation> out;
  int64_t left = quantity;
  for (const StockLevel* level : fullest) {
    if (left == 0) break;
    int64_t take = std::min(left, level->available());
    out.push_back({sku_id, level->warehouse_id, take});
    left -= take;
  }
  std::sort(out.begin(), out.end(),
            [](const Allocation& a, const Allocation& b) { return a.warehouse_id < b.warehouse_id; });
  return out;
}

absl::StatusOr<std::optional<ReservationStatus>> DecideTransition(const Reservation& current, ReservationAction action,
                                                                  absl::Time now) {
  const bool held = current.status == ReservationStatus::kHeld;
  const bool past_expiry = now >= current.expires_at;
  switch (action) {
    case ReservationAction::kConfirm:
      if (!held) return std::nullopt;
      return past_expiry ? ReservationStatus::kExpired : ReservationStatus::kConfirmed;
    case ReservationAction::kRelease:
      if (current.status == ReservationStatus::kConfirmed) {
        return FailedPrecondition("RESERVATION_CONFIRMED", absl::StrCat("reservation of order ", current.order_id,
                                                                        " is confirmed and cannot be released"));
      }
      if (!held) return std::nullopt;
      return ReservationStatus::kReleased;
    case ReservationAction::kExpire:
      if (!held || !past_expiry) return std::nullopt;
      return ReservationStatus::kExpired;
  }
  return std::nullopt;
}

StockDelta DeltaFor(ReservationStatus to, int64_t quantity) {
  switch (to) {
    case ReservationStatus::kHeld: return {0, quantity};
    case ReservationStatus::kConfirmed: return {-quantity, -quantity};
    case ReservationStatus::kReleased:
    case ReservationStatus::kExpired: return {0, -quantity};
  }
  return {};
}

const char* LedgerKindFor(ReservationStatus to) {
  switch (to) {
    case ReservationStatus::kHeld: return "reserve";
    case ReservationStatus::kConfirmed: return "confirm";
    case ReservationStatus::kReleased: return "release";
    case ReservationStatus::kExpired: return "expire";
  }
  return "unknown";
}

}  // namespace zhongtai::product
