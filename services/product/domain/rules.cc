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
