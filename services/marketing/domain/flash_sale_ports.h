// What the flash-sale use cases (flash_sales.h) need from outside: the sales and purchases in PostgreSQL, the
// admission state in Redis, the product center's reservation of a sale's quantity, and ids.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/async/callback.h"
#include "services/marketing/domain/flash_sale_model.h"
#include "services/marketing/domain/flash_sale_rules.h"

namespace zhongtai::marketing {

// The source of truth: sales and their purchases, recorded at admission before the buyer is answered and again from
// the winners' stream (and updated from the order center's events). Redis can be rebuilt from it
// (FlashSales::LoadIntoRedis).
class FlashSaleStore {
 public:
  virtual ~FlashSaleStore() = default;

  struct CreateResult {
    FlashSale sale;
    bool created = false;  // false: a sale with this request_id already existed and is returned
  };
  // Inserts the sale in RESERVING; idempotent on sale.request_id.
  virtual absl::StatusOr<CreateResult> Create(const FlashSale& sale) = 0;
  virtual absl::StatusOr<std::optional<FlashSale>> Get(const std::string& sale_id) = 0;
  // An ACTIVE sale's new price, quantity, limit, window and version, unless its stored version is no longer
  // expected_version (ABORTED VERSION_CONFLICT). Returns the sale as it is after.
  virtual absl::StatusOr<FlashSale> Update(const FlashSale& sale, int64_t expected_version, absl::Time now) = 0;
  // RESERVING -> ACTIVE or FAILED; ACTIVE -> SETTLED with the sold quantity. Returns the sale as it is after.
  virtual absl::StatusOr<FlashSale> SetStatus(const std::string& sale_id, FlashSaleStatus status, int64_t sold_quantity,
                                              absl::Time now) = 0;
  // ACTIVE sales not yet ended at `now` (running or upcoming), soonest end first.
  virtual absl::StatusOr<std::vector<FlashSale>> ListCurrent(absl::Time now) = 0;
  // ACTIVE sales that ended at or before `ended_before`, for settlement; at most `limit`.
  virtual absl::StatusOr<std::vector<FlashSale>> ListEnded(absl::Time ended_before, int limit) = 0;
  // RESERVING sales created before `before`: their creation was interrupted.
  virtual absl::StatusOr<std::vector<FlashSale>> ListReserving(absl::Time before, int limit) = 0;
  // Every recorded purchase of the sale.
  virtual absl::StatusOr<std::vector<FlashPurchase>> ListPurchases(const std::string& sale_id) = 0;
  // Records an admitted purchase (PENDING) before its buyer is answered; a purchase already recorded (from the
  // winners' stream, or moved on since) is left as it is.
  virtual absl::Status RecordPurchase(const FlashPurchase& purchase, absl::Time now) = 0;
  virtual absl::StatusOr<std::optional<FlashPurchase>> GetPurchase(const std::string& purchase_id) = 0;
};

// The sale's hot state in Redis; every method is one Lua script or one command.
class FlashAdmission {
 public:
  virtual ~FlashAdmission() = default;

  struct Result {
    AdmissionOutcome outcome = AdmissionOutcome::kNotLoaded;
    std::string purchase_id;  // the new one (kAdmitted) or the first one (kReplay)
  };
  // DecideAdmission on the sale's state, atomically; when admitted, takes the unit, counts it for the buyer,
  // remembers the request id and appends `winner` to the winners' stream.
  virtual absl::StatusOr<Result> Admit(const FlashWinner& winner, const std::string& request_id, absl::Time now) = 0;
  // Admit without holding the calling thread while Redis answers, where the implementation can (a pipelined
  // connection); `done` may run on another thread and must not block. The default calls Admit.
  virtual void AdmitAsync(const FlashWinner& winner, const std::string& request_id, absl::Time now,
                          async::Callback<Result> done) {
    done(Admit(winner, request_id, now));
  }

  // Everything Redis needs to decide for a sale, rebuilt from PostgreSQL.
  struct Snapshot {
    FlashSale sale;
    std::vector<FlashPurchase> purchases;  // all recorded ones; released ones hold no unit
  };
  // Writes the snapshot unless the sale is already there (false then). Remaining = quantity - units held.
  virtual absl::StatusOr<bool> Load(const Snapshot& snapshot) = 0;
  // Appends `winner` to the winners' stream again, as the admission did (same entry id, so each consumer applies it
  // once): for winners whose entry Redis may have lost with the sale.
  virtual absl::Status Republish(const FlashWinner& winner) = 0;
  enum class ResizeOutcome {
    kApplied,     // the new window, limit and quantity hold; remaining moved by the quantity's change
    kNotLoaded,   // the sale is not in Redis: a later load takes the new definition from PostgreSQL
    kBelowTaken,  // more units are taken than the new quantity: nothing changed
  };
  struct ResizeResult {
    ResizeOutcome outcome = ResizeOutcome::kNotLoaded;
    int64_t taken = 0;  // units taken (admitted, not released) when it was decided
  };
  // Moves the sale's admission state from `before` to `after` atomically with admissions (one script): the window,
  // the per-user limit, and remaining by after.quantity - before.quantity, refused when that would go below zero.
  virtual absl::StatusOr<ResizeResult> Resize(const FlashSale& before, const FlashSale& after) = 0;
  // Gives the purchase's unit back to the sale and to the buyer's limit, once per purchase.
  virtual absl::Status Release(const std::string& sale_id, const std::string& purchase_id,
                               const std::string& user_id) = 0;
  // Units left for sale, nullopt when the sale is not in Redis.
  virtual absl::StatusOr<std::optional<int64_t>> Remaining(const std::string& sale_id) = 0;
  // The buyer of an admitted purchase (recorded in Redis at admission), nullopt when unknown.
  virtual absl::StatusOr<std::optional<std::string>> PurchaseBuyer(const std::string& sale_id,
                                                                   const std::string& purchase_id) = 0;
};

// The product center: the sale's quantity is a reservation keyed by the sale id. Asynchronous (a gRPC call); both
// are idempotent for the same sale id.
class FlashSaleStock {
 public:
  virtual ~FlashSaleStock() = default;
  // FAILED_PRECONDITION INSUFFICIENT_STOCK when the SKU has not that much available.
  virtual void Reserve(const FlashSale& sale, absl::Duration ttl, async::StatusCallback done) = 0;
  // Resizes the sale's reservation to `quantity` and holds it at least `ttl` from now, once per request_key:
  // FAILED_PRECONDITION INSUFFICIENT_STOCK when the SKU cannot cover an increase.
  virtual void Resize(const std::string& sale_id, int64_t quantity, absl::Duration ttl, const std::string& request_key,
                      async::StatusCallback done) = 0;
  // Confirms `sold` units of the reservation (they leave stock) and gives the rest back.
  virtual void Settle(const std::string& sale_id, int64_t sold, async::StatusCallback done) = 0;
};

class FlashSaleIds {
 public:
  virtual ~FlashSaleIds() = default;
  virtual std::string NewSaleId() = 0;
  virtual std::string NewPurchaseId() = 0;
};

}  // namespace zhongtai::marketing
