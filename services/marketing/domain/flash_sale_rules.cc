#include "services/marketing/domain/flash_sale_rules.h"

#include <algorithm>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/status/status.h"

namespace zhongtai::marketing {
namespace {

absl::Status Invalid(const std::string& field, const char* reason, const char* message) {
  return InvalidArgument("flashSale." + field, reason, message);
}

constexpr std::pair<AdmissionOutcome, const char*> kOutcomeNames[] = {
    {AdmissionOutcome::kAdmitted, "ADMITTED"},    {AdmissionOutcome::kReplay, "REPLAY"},
    {AdmissionOutcome::kNotLoaded, "NOT_LOADED"}, {AdmissionOutcome::kNotStarted, "NOT_STARTED"},
    {AdmissionOutcome::kEnded, "ENDED"},          {AdmissionOutcome::kLimitReached, "LIMIT_REACHED"},
    {AdmissionOutcome::kSoldOut, "SOLD_OUT"},
};

constexpr std::pair<FlashSaleStatus, const char*> kSaleStatusNames[] = {
    {FlashSaleStatus::kReserving, "RESERVING"},
    {FlashSaleStatus::kActive, "ACTIVE"},
    {FlashSaleStatus::kFailed, "FAILED"},
    {FlashSaleStatus::kSettled, "SETTLED"},
};

constexpr std::pair<PurchaseStatus, const char*> kPurchaseStatusNames[] = {
    {PurchaseStatus::kPending, "PENDING"},
    {PurchaseStatus::kOrdered, "ORDERED"},
    {PurchaseStatus::kPaid, "PAID"},
    {PurchaseStatus::kReleased, "RELEASED"},
};

template <typename Enum, size_t N>
const char* NameOf(const std::pair<Enum, const char*> (&names)[N], Enum value) {
  for (const auto& [candidate, name] : names) {
    if (candidate == value) return name;
  }
  return "";
}

template <typename Enum, size_t N>
std::optional<Enum> FromName(const std::pair<Enum, const char*> (&names)[N], const std::string& text) {
  for (const auto& [value, name] : names) {
    if (text == name) return value;
  }
  return std::nullopt;
}

}  // namespace

absl::StatusOr<FlashSale> ApplyFlashSaleChange(const FlashSale& sale, const FlashSaleChange& change, absl::Time now,
                                               int64_t units_taken) {
  if (sale.status != FlashSaleStatus::kActive) {
    return FailedPrecondition("FLASH_SALE_NOT_CHANGEABLE",
                              absl::StrCat("a flash sale that is ", FlashSaleStatusName(sale.status),
                                           " cannot be changed; only an ACTIVE (reserved, not settled) one can"));
  }
  if (change.expected_version != 0 && change.expected_version != sale.version) {
    return Error(absl::StatusCode::kAborted, "VERSION_CONFLICT",
                 absl::StrCat("the flash sale is at version ", sale.version, ", not ", change.expected_version,
                              ": read it again and redo the change"),
                 "version");
  }
  if (!change.currency.empty() && change.currency != sale.currency) {
    return Invalid("salePrice.currency", "CURRENCY_MISMATCH", "the sale's currency cannot change");
  }
  FlashSale next = sale;
  if (now < sale.start_time) {
    if (change.sale_price) next.sale_price = *change.sale_price;
    if (change.quantity) next.quantity = *change.quantity;
    if (change.per_user_limit) next.per_user_limit = *change.per_user_limit;
    if (change.start_time) next.start_time = *change.start_time;
    if (change.end_time) next.end_time = *change.end_time;
    if (change.end_now) next.end_time = now;
    if (change.end_now || (change.end_time && *change.end_time <= now)) {
      return Invalid("endTime", "END_TIME_NOT_AFTER_NOW", "a sale not yet started cannot end now: change its window");
    }
    RETURN_IF_ERROR(ValidateFlashSale(next, now));
  } else {
    auto started = [](const std::string& field, const char* what) {
      return Error(absl::StatusCode::kFailedPrecondition, "FLASH_SALE_STARTED",
                   absl::StrCat("the flash sale has started: ", what,
                                " can no longer change (only ending it now or reducing its quantity can)"),
                   "flashSale." + field);
    };
    if (change.sale_price && *change.sale_price != sale.sale_price) return started("salePrice", "its price");
    if (change.per_user_limit && *change.per_user_limit != sale.per_user_limit) {
      return started("perUserLimit", "its per-user limit");
    }
    if (change.start_time && *change.start_time != sale.start_time) return started("startTime", "its start");
    const bool end_early = change.end_now || (change.end_time && *change.end_time <= now);
    if (change.end_time && !end_early && *change.end_time != sale.end_time) {
      return started("endTime", "its end, except to end it now,");
    }
    if (end_early) {
      if (now >= sale.end_time) {
        return Error(absl::StatusCode::kFailedPrecondition, "FLASH_SALE_ENDED", "the flash sale has already ended",
                     "flashSale.endTime");
      }
      next.end_time = now;
    }
    if (change.quantity && *change.quantity != sale.quantity) {
      if (*change.quantity > sale.quantity) return started("quantity", "raising its quantity");
      if (*change.quantity < std::max<int64_t>(units_taken, 1)) {
        return Error(absl::StatusCode::kFailedPrecondition, "FLASH_SALE_QUANTITY_BELOW_SOLD",
                     absl::StrCat("the quantity cannot go below the ", std::max<int64_t>(units_taken, 1),
                                  " unit(s) already taken (at least 1)"),
                     "flashSale.quantity");
      }
      next.quantity = *change.quantity;
      next.per_user_limit = std::min(next.per_user_limit, next.quantity);
    }
  }
  const bool changed = next.sale_price != sale.sale_price || next.quantity != sale.quantity ||
                       next.per_user_limit != sale.per_user_limit || next.start_time != sale.start_time ||
                       next.end_time != sale.end_time;
  if (changed) ++next.version;
  return next;
}

absl::Status ValidateFlashSale(const FlashSale& sale, absl::Time now) {
  if (sale.name.empty()) return Invalid("name", "NAME_MISSING", "name is required");
  if (sale.name.size() > 100) return Invalid("name", "NAME_TOO_LONG", "name is at most 100 bytes");
  if (sale.sku_id.empty()) return Invalid("skuId", "SKU_ID_MISSING", "sku_id is required");
  if (sale.sale_price <= 0) {
    return Invalid("salePrice.amountMinor", "PRICE_NOT_POSITIVE", "sale price must be positive");
  }
  if (sale.currency.size() != 3) {
    return Invalid("salePrice.currency", "CURRENCY_INVALID", "currency is a three-letter code");
  }
  if (sale.quantity <= 0) return Invalid("quantity", "QUANTITY_NOT_POSITIVE", "quantity must be positive");
  if (sale.quantity > kMaxFlashSaleQuantity) {
    return Invalid("quantity", "QUANTITY_TOO_LARGE", "quantity is at most 1000000");
  }
  if (sale.per_user_limit <= 0) {
    return Invalid("perUserLimit", "QUANTITY_NOT_POSITIVE", "per-user limit must be positive");
  }
  if (sale.per_user_limit > kMaxFlashSalePerUserLimit) {
    return Invalid("perUserLimit", "QUANTITY_TOO_LARGE", "per-user limit is at most 100");
  }
  if (sale.per_user_limit > sale.quantity) {
    return Invalid("perUserLimit", "LIMIT_ABOVE_QUANTITY", "per-user limit must not exceed the quantity");
  }
  if (sale.start_time == absl::InfinitePast())
    return Invalid("startTime", "START_TIME_MISSING", "start time is required");
  if (sale.end_time <= sale.start_time) {
    return Invalid("endTime", "END_BEFORE_START", "end time must be after the start time");
  }
  if (sale.end_time <= now) return Invalid("endTime", "INVALID_TIME_RANGE", "end time must be in the future");
  if (sale.end_time - now > kMaxFlashSaleHorizon) {
    return Invalid("endTime", "INVALID_TIME_RANGE", "a flash sale ends at most 6 days from now");
  }
  return absl::OkStatus();
}

AdmissionOutcome DecideAdmission(const AdmissionView& view, absl::Time now) {
  if (!view.loaded) return AdmissionOutcome::kNotLoaded;
  if (view.first_purchase_id.has_value()) return AdmissionOutcome::kReplay;
  if (now < view.start_time) return AdmissionOutcome::kNotStarted;
  if (now >= view.end_time) return AdmissionOutcome::kEnded;
  if (view.held_by_user >= view.per_user_limit) return AdmissionOutcome::kLimitReached;
  if (view.remaining <= 0) return AdmissionOutcome::kSoldOut;
  return AdmissionOutcome::kAdmitted;
}

const char* AdmissionOutcomeName(AdmissionOutcome outcome) { return NameOf(kOutcomeNames, outcome); }
std::optional<AdmissionOutcome> AdmissionOutcomeFromName(const std::string& name) {
  return FromName(kOutcomeNames, name);
}

absl::Status AdmissionError(AdmissionOutcome outcome) {
  switch (outcome) {
    case AdmissionOutcome::kAdmitted:
    case AdmissionOutcome::kReplay: return absl::OkStatus();
    case AdmissionOutcome::kNotLoaded:
      return Unavailable("FLASH_SALE_NOT_LOADED", "the sale is being loaded, try again");
    case AdmissionOutcome::kNotStarted: return FailedPrecondition("FLASH_SALE_NOT_STARTED", "the sale has not started");
    case AdmissionOutcome::kEnded: return FailedPrecondition("FLASH_SALE_ENDED", "the sale has ended");
    case AdmissionOutcome::kLimitReached:
      return FailedPrecondition("FLASH_SALE_LIMIT_REACHED",
                                "you already hold as many units of this sale as one buyer may");
    case AdmissionOutcome::kSoldOut: return FailedPrecondition("FLASH_SALE_SOLD_OUT", "the sale is sold out");
  }
  return Internal("FLASH_SALE_OUTCOME_UNKNOWN", "unknown admission outcome");
}

std::string FlashOrderId(const std::string& purchase_id) { return "o_" + purchase_id; }
bool IsFlashOrderId(const std::string& order_id) {
  return absl::StartsWith(order_id, FlashOrderId(kFlashPurchaseIdPrefix));
}

bool SettlementDue(const FlashSale& sale, absl::Time now, absl::Duration settle_after) {
  return sale.status == FlashSaleStatus::kActive && now >= sale.end_time + settle_after;
}

const char* FlashSaleStatusName(FlashSaleStatus status) { return NameOf(kSaleStatusNames, status); }
std::optional<FlashSaleStatus> FlashSaleStatusFromName(const std::string& name) {
  return FromName(kSaleStatusNames, name);
}
const char* PurchaseStatusName(PurchaseStatus status) { return NameOf(kPurchaseStatusNames, status); }
std::optional<PurchaseStatus> PurchaseStatusFromName(const std::string& name) {
  return FromName(kPurchaseStatusNames, name);
}

}  // namespace zhongtai::marketing
