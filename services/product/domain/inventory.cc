#include "services/product/domain/inventory.h"

#include <algorithm>
#include <set>
#include <unordered_map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/status/status.h"
#include "services/product/domain/product_lifecycle.h"
#include "services/product/domain/rules.h"

namespace zhongtai::product {

Inventory::Inventory(ProductStore& store, Clock& clock, InventoryObserver& observer, InventoryOptions options,
                     ProductCache* cache)
    : store_(store), clock_(clock), observer_(observer), options_(options), cache_(cache) {}

void Inventory::StockChanged(const std::vector<ReservationLine>& lines) {
  if (cache_ == nullptr) return;
  std::vector<std::string> sku_ids;
  for (const ReservationLine& line : lines) sku_ids.push_back(line.sku_id);
  cache_->InvalidateSkus(sku_ids);
}

absl::StatusOr<std::vector<Sku>> Inventory::BatchGetSkus(const std::vector<std::string>& sku_ids,
                                                         const ShippingRegion& region) {
  std::vector<std::string> unique;
  std::set<std::string> seen;
  for (const auto& id : sku_ids) {
    if (seen.insert(id).second) unique.push_back(id);
  }
  ASSIGN_OR_RETURN(std::vector<Sku> found, store_.GetSkus(unique, region));
  std::unordered_map<std::string, Sku*> by_id;
  for (auto& sku : found) by_id[sku.sku_id] = &sku;
  std::vector<Sku> out;
  out.reserve(unique.size());
  for (const auto& id : unique) {
    auto it = by_id.find(id);
    if (it == by_id.end()) return NotFound("SKU_NOT_FOUND", absl::StrCat("sku ", id, " does not exist"));
    if (!OnSale(*it->second)) {
      return FailedPrecondition("SKU_NOT_ON_SALE", absl::StrCat("sku ", id, " is not on sale"));
    }
    out.push_back(std::move(*it->second));
  }
  return out;
}

absl::StatusOr<Reservation> Inventory::Reserve(const std::string& order_id, const std::vector<ReservationLine>& lines,
                                               absl::Duration ttl, const ShippingRegion& region) {
  if (ttl <= absl::ZeroDuration()) ttl = options_.default_ttl;
  if (ttl > options_.max_ttl) ttl = options_.max_ttl;
  Reservation draft;
  draft.order_id = order_id;
  draft.lines = NormalizeLines(lines);
  draft.status = ReservationStatus::kHeld;
  draft.created_at = clock_.Now();
  draft.expires_at = draft.created_at + ttl;
  draft.region = region;
  absl::StatusOr<ReserveOutcome> outcome = store_.Reserve(draft);
  if (!outcome.ok()) {
    if (ReasonOf(outcome.status()) == "INSUFFICIENT_STOCK") observer_.ReservationResult("insufficient");
    return outcome.status();
  }
  if (outcome->created) {
    observer_.ReservationResult("reserved");
    StockChanged(outcome->reservation.lines);
  } else if (outcome->reservation.lines != draft.lines || !(outcome->reservation.region == draft.region)) {
    return FailedPrecondition("RESERVATION_MISMATCH",
                              absl::StrCat("order ", order_id, " already reserved different lines or region"));
  }
  return std::move(outcome->reservation);
}

absl::StatusOr<Reservation> Inventory::Confirm(const std::string& order_id) {
  ASSIGN_OR_RETURN(TransitionOutcome outcome, store_.Transition(order_id, ReservationAction::kConfirm, clock_.Now()));
  if (outcome.changed) {
    observer_.ReservationResult(outcome.reservation.status == ReservationStatus::kConfirmed ? "confirmed" : "expired");
    StockChanged(outcome.reservation.lines);
  }
  if (outcome.reservation.status != ReservationStatus::kConfirmed) {
    return FailedPrecondition("RESERVATION_EXPIRED",
                              absl::StrCat("reservation of order ", order_id, " was released or expired"));
  }
  return std::move(outcome.reservation);
}

absl::StatusOr<Reservation> Inventory::Release(const std::string& order_id) {
  ASSIGN_OR_RETURN(TransitionOutcome outcome, store_.Transition(order_id, ReservationAction::kRelease, clock_.Now()));
  if (outcome.changed) {
    observer_.ReservationResult("released");
    StockChanged(outcome.reservation.lines);
  }
  return std::move(outcome.reservation);
}

absl::StatusOr<Reservation> Inventory::Settle(const std::string& order_id, int64_t confirm_quantity) {
  ASSIGN_OR_RETURN(TransitionOutcome outcome, store_.Settle(order_id, confirm_quantity, clock_.Now()));
  if (outcome.changed) {
    observer_.ReservationResult("settled");
    StockChanged(outcome.reservation.lines);
  }
  return std::move(outcome.reservation);
}

absl::StatusOr<Reservation> Inventory::Resize(const std::string& order_id, int64_t new_quantity,
                                              const std::string& request_id, absl::Duration ttl) {
  if (request_id.empty()) return InvalidArgument("requestId", "REQUEST_ID_MISSING", "a request id is required");
  if (new_quantity <= 0)
    return InvalidArgument("quantity", "QUANTITY_NOT_POSITIVE", "the new quantity must be positive");
  const absl::Time now = clock_.Now();
  const absl::Time hold_until = ttl > absl::ZeroDuration() ? now + std::min(ttl, options_.max_ttl) : now;
  ASSIGN_OR_RETURN(TransitionOutcome outcome, store_.Resize(order_id, new_quantity, request_id, now, hold_until));
  if (outcome.changed) {
    observer_.ReservationResult("resized");
    StockChanged(outcome.reservation.lines);
  }
  return std::move(outcome.reservation);
}

absl::StatusOr<int> Inventory::SweepExpired() {
  int total = 0;
  while (true) {
    ASSIGN_OR_RETURN(int expired, store_.ExpireDue(clock_.Now(), options_.sweep_batch));
    for (int i = 0; i < expired; ++i) observer_.ReservationResult("expired");
    total += expired;
    // The sweep does not say which SKUs it freed: forget every cached product.
    if (expired > 0 && cache_ != nullptr) cache_->Clear();
    if (expired < options_.sweep_batch) return total;
  }
}

}  // namespace zhongtai::product
