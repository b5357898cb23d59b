// The flash-sale use cases. An admin creates a sale: it is stored, its quantity reserved from the product center
// (a reservation keyed by the sale id) and its state loaded into Redis. Buyers are admitted by one Lua script in
// Redis (no PostgreSQL on that path but a winner's record, written before the winner is answered); each winner goes
// on a stream that the order center turns into an order, and the buyer polls the purchase. A cancelled or timed-out
// order gives its unit back (ingest/). After the end and the payment window, the sweeper settles the sale with the
// product center: paid units sold, the rest given back.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/async/callback.h"
#include "common/clock/clock.h"
#include "services/marketing/domain/campaign_calendar.h"
#include "services/marketing/domain/flash_sale_ports.h"

namespace zhongtai::marketing {

struct FlashSaleSettings {
  // A sale is settled this long after its end: longer than the order center's payment timeout plus its sweep, so
  // every order of the sale is paid or released by then.
  absl::Duration settle_after = absl::Minutes(20);
  // The product reservation outlives the settlement by this much, so it never expires before it.
  absl::Duration reservation_margin = absl::Hours(1);
  // A sale still RESERVING after this long was interrupted; the sweeper finishes its reservation.
  absl::Duration stale_after = absl::Seconds(30);
};

struct CreatedFlashSale {
  FlashSale sale;
  std::vector<CampaignConflict> conflicts;  // accepted with allow_conflicts
};

struct CurrentFlashSale {
  FlashSale sale;
  std::optional<int64_t> remaining;  // unset only when the sale could not be loaded into Redis
};

class FlashSales {
 public:
  // With a calendar, a create is checked for conflicts with exclusive promotions (CreateChecked).
  FlashSales(FlashSaleStore& store, FlashAdmission& admission, FlashSaleStock& stock, Clock& clock, FlashSaleIds& ids,
             async::Executor& blocking, FlashSaleSettings settings = {}, CampaignCalendar* calendar = nullptr);

  // Idempotent on request_id (required). Call from a thread that may block; `done` runs once, on any thread.
  // INVALID_ARGUMENT with the field; FAILED_PRECONDITION INSUFFICIENT_STOCK when the product cannot hold the quantity
  // (the sale is FAILED, and a replay gets the same answer).
  void Create(FlashSale draft, const std::string& request_id, async::Callback<FlashSale> done);
  // Create after the calendar's conflict check, under its lock with the sale's insert: ALREADY_EXISTS
  // CAMPAIGN_CONFLICT naming the exclusive promotions over its SKU and time, unless allow_conflicts, which creates it
  // and returns them. A replay of the request id is no conflict with the sale it created.
  void CreateChecked(FlashSale draft, const std::string& request_id, bool allow_conflicts,
                     async::Callback<CreatedFlashSale> done);
  // An admin's change (ApplyFlashSaleChange of flash_sale_rules.h decides what may change when). In order: an
  // increase of the quantity (or a later end) is held by the product first (FAILED_PRECONDITION INSUFFICIENT_STOCK
  // refuses it); the Redis state follows in one script atomic with admissions (FLASH_SALE_QUANTITY_BELOW_SOLD when
  // buyers took more units meanwhile); then PostgreSQL on the version read, under the calendar's conflict check
  // when the window of a sale not yet started changes (ALREADY_EXISTS CAMPAIGN_CONFLICT unless allow_conflicts).
  // A failed step undoes the ones before it. A decrease gives its units back to the product last (settlement gives
  // them back anyway if that call fails). Call from a thread that may block.
  absl::StatusOr<CreatedFlashSale> Update(const std::string& sale_id, const FlashSaleChange& change,
                                          bool allow_conflicts);
  // ACTIVE sales not yet ended, with the units left (a sale missing from Redis is loaded first).
  absl::StatusOr<std::vector<CurrentFlashSale>> ListCurrent();
  // The hot path: one unit for `user_id`, idempotent on request_id. Redis decides; PostgreSQL is written only for a
  // winner (RecordWin), read the first time this process sees the sale (its definition is cached) and when Redis
  // lost the sale (reloaded from PostgreSQL).
  absl::StatusOr<FlashPurchase> Purchase(const std::string& user_id, const std::string& sale_id,
                                         const std::string& request_id);
  // Purchase without holding the calling thread while Redis decides (FlashAdmission::AdmitAsync): what the RPC
  // runs. The rare paths that need PostgreSQL (the sale not yet cached by this process: on the calling thread; the
  // sale missing from Redis: on the blocking executor) block as Purchase does. `done` runs once, on any thread.
  void PurchaseAsync(const std::string& user_id, const std::string& sale_id, const std::string& request_id,
                     async::Callback<FlashPurchase> done);
  // The buyer's purchase: PENDING until its order is recorded, then ORDERED, PAID or RELEASED. NOT_FOUND
  // FLASH_PURCHASE_NOT_FOUND for another buyer's purchase.
  absl::StatusOr<FlashPurchase> GetPurchase(const std::string& user_id, const std::string& sale_id,
                                            const std::string& purchase_id);

  // Rebuilds the sale's Redis state from PostgreSQL unless it is there: remaining = quantity - units held by
  // purchases not released, each buyer's count, the request ids already won; and puts its winners without an order
  // (PENDING) back on the winners' stream, which Redis may have lost with the sale. Returns whether it wrote.
  absl::StatusOr<bool> LoadIntoRedis(const std::string& sale_id);

  // One pass of the sweeper (its own thread; it waits for the product center): finishes interrupted creations,
  // rebuilds unsettled sales Redis lost (LoadIntoRedis) and settles ended sales. Returns the sales it touched.
  int SweepOnce();

 private:
  absl::StatusOr<FlashSale> CachedSale(const std::string& sale_id);
  absl::StatusOr<FlashWinner> NewWinner(const std::string& user_id, const std::string& sale_id,
                                        const std::string& request_id);
  static absl::StatusOr<FlashPurchase> PurchaseOf(const FlashWinner& winner, const FlashAdmission::Result& result);
  // PurchaseOf, and for a new winner its purchase recorded in PostgreSQL first: a buyer told they won keeps the win
  // whatever Redis loses afterwards. Blocks on PostgreSQL.
  absl::StatusOr<FlashPurchase> RecordWin(const FlashWinner& winner, const FlashAdmission::Result& result);
  // The stream entry an admission wrote for `purchase`, rebuilt from its sale.
  static FlashWinner WinnerOf(const FlashSale& sale, const FlashPurchase& purchase);
  void Continue(FlashSale stored, async::Callback<FlashSale> done);
  void ReserveAndOpen(FlashSale sale, async::Callback<FlashSale> done);
  absl::StatusOr<FlashSale> Open(const FlashSale& sale, const absl::Status& reserved);
  absl::Status Settle(const FlashSale& sale);
  absl::StatusOr<int64_t> UnitsTaken(const FlashSale& sale);
  absl::Status ResizeStock(const FlashSale& sale, const std::string& request_key);

  FlashSaleStore& store_;
  FlashAdmission& admission_;
  FlashSaleStock& stock_;
  Clock& clock_;
  FlashSaleIds& ids_;
  async::Executor& blocking_;
  FlashSaleSettings settings_;
  CampaignCalendar* calendar_;
  std::mutex mu_;
  // ACTIVE sales' definitions as this process read them, and when. Only the price in it matters (Redis decides the
  // rest), and a price changes only before the start: an entry read before the start is read again once the sale
  // has started, so every process sells at the price in force at the start. Update drops its sale's entry.
  struct CachedFlashSale {
    FlashSale sale;
    absl::Time read_at;
  };
  std::map<std::string, CachedFlashSale> active_sales_;
};

}  // namespace zhongtai::marketing
