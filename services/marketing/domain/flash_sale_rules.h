// The rules of flash sales, pure and testable without Redis or a database. The admission rule runs in Redis as one
// Lua script (store/flash_admission_script.h) so that concurrent buyers see each other at once; DecideAdmission is the
// same rule in C++, and a store test runs both on the same cases to keep them equal.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/marketing/domain/flash_sale_model.h"

namespace zhongtai::marketing {

inline constexpr int64_t kMaxFlashSaleQuantity = 1000000;
inline constexpr int64_t kMaxFlashSalePerUserLimit = 100;
// The product holds the sale's quantity from its creation to its settlement, at most 7 days.
inline constexpr absl::Duration kMaxFlashSaleHorizon = absl::Hours(24 * 6);

// INVALID_ARGUMENT with the field ("flashSale.salePrice.amountMinor", ...): name, SKU, price, currency, quantity,
// per-user limit (at most the quantity), window (end after start, end in the future and at most 6 days from now).
absl::Status ValidateFlashSale(const FlashSale& sale, absl::Time now);

// An admin's change of a sale: absent fields are kept.
struct FlashSaleChange {
  std::optional<int64_t> sale_price;
  std::string currency;  // of sale_price: empty or the sale's (a sale's currency does not change)
  std::optional<int64_t> quantity;
  std::optional<int64_t> per_user_limit;
  std::optional<absl::Time> start_time;
  std::optional<absl::Time> end_time;
  bool end_now = false;          // end the sale at `now` (as an end_time at or before now does)
  int64_t expected_version = 0;  // the version the change was made on; 0 skips the check
};

// The sale after `change` at `now`, given the units taken so far (admitted and not released). Only an ACTIVE sale
// changes (FAILED_PRECONDITION FLASH_SALE_NOT_CHANGEABLE otherwise); ABORTED VERSION_CONFLICT (field
// version) when expected_version is not the sale's. Before its start anything may change, validated as a new sale
// (ValidateFlashSale); INVALID_ARGUMENT CURRENCY_MISMATCH for a price in another currency. Once started (and after its
// end) only two changes are allowed: ending it early (the end becomes `now`; FLASH_SALE_ENDED when it already ended)
// and reducing its quantity, to no less than the units taken (FLASH_SALE_QUANTITY_BELOW_SOLD) and at least 1; the
// per-user limit is lowered to the new quantity if above it. Anything else is FAILED_PRECONDITION FLASH_SALE_STARTED
// with the field ("flashSale.salePrice", ...). The version is raised when something changed.
absl::StatusOr<FlashSale> ApplyFlashSaleChange(const FlashSale& sale, const FlashSaleChange& change, absl::Time now,
                                               int64_t units_taken);

// What Redis holds for one sale and one buyer when an admission is decided.
struct AdmissionView {
  bool loaded = false;  // the sale's state is in Redis (see FlashSales::LoadIntoRedis after a Redis loss)
  // The purchase this buyer's request id already won, if any: a retry gets it back, whatever else changed.
  std::optional<std::string> first_purchase_id;
  absl::Time start_time = absl::InfinitePast();
  absl::Time end_time = absl::InfinitePast();
  int64_t per_user_limit = 0;
  // Units this buyer holds: admitted and not released (a cancelled or timed-out order gives its unit back).
  int64_t held_by_user = 0;
  int64_t remaining = 0;
};

enum class AdmissionOutcome {
  kAdmitted,      // one unit taken, the buyer's count raised, the winner appended to the stream
  kReplay,        // the request id already won: the first purchase is returned, nothing changes
  kNotLoaded,     // the sale is not in Redis: load it from PostgreSQL and decide again
  kNotStarted,    // now < start_time
  kEnded,         // now >= end_time
  kLimitReached,  // held_by_user >= per_user_limit
  kSoldOut,       // remaining <= 0
};

// In this order: not loaded, replay, window, per-user limit, stock. Each unit is one purchase.
AdmissionOutcome DecideAdmission(const AdmissionView& view, absl::Time now);

// The outcome's name as the Lua script answers it ("ADMITTED", "SOLD_OUT", ...), and back.
const char* AdmissionOutcomeName(AdmissionOutcome outcome);
std::optional<AdmissionOutcome> AdmissionOutcomeFromName(const std::string& name);

// OK for kAdmitted and kReplay; FAILED_PRECONDITION FLASH_SALE_NOT_STARTED, FLASH_SALE_ENDED, FLASH_SALE_SOLD_OUT,
// FLASH_SALE_LIMIT_REACHED; UNAVAILABLE FLASH_SALE_NOT_LOADED.
absl::Status AdmissionError(AdmissionOutcome outcome);

// The winner's order id, fixed at admission from the purchase id, so that the order center creates it once whatever
// the redelivery and the buyer knows it before it exists. The order center recognises flash orders by it.
std::string FlashOrderId(const std::string& purchase_id);
inline constexpr char kFlashPurchaseIdPrefix[] = "fp_";
// Whether an order id is a flash order's ("o_fp_..."): the order center's events about it concern a purchase.
bool IsFlashOrderId(const std::string& order_id);

// Settled once no order of the sale can still be paid: the end, plus the payment window and a margin.
bool SettlementDue(const FlashSale& sale, absl::Time now, absl::Duration settle_after);

const char* FlashSaleStatusName(FlashSaleStatus status);
std::optional<FlashSaleStatus> FlashSaleStatusFromName(const std::string& name);
const char* PurchaseStatusName(PurchaseStatus status);
std::optional<PurchaseStatus> PurchaseStatusFromName(const std::string& name);

}  // namespace zhongtai::marketing
