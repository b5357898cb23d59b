#include "services/marketing/domain/flash_sales.h"

#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/log/log.h"
#include "common/status/status.h"

namespace zhongtai::marketing {
namespace {

absl::Status SaleNotFound() { return NotFound("FLASH_SALE_NOT_FOUND", "no such flash sale"); }
absl::Status PurchaseNotFound() { return NotFound("FLASH_PURCHASE_NOT_FOUND", "no such purchase of yours"); }
absl::Status StockUnavailable() {
  return FailedPrecondition("INSUFFICIENT_STOCK", "the SKU has not enough available stock for the sale's quantity");
}

absl::Status RequireRequestId(const std::string& request_id) {
  if (request_id.empty()) return InvalidArgument("requestId", "REQUEST_ID_MISSING", "an Idempotency-Key is required");
  if (request_id.size() > 128) return InvalidArgument("requestId", "REQUEST_ID_TOO_LONG", "at most 128 bytes");
  return absl::OkStatus();
}

// The product's answers that no retry changes: the sale fails. Anything else (unavailable, timeout) leaves it
// RESERVING for the sweeper to try again.
bool IsFinalRefusal(const absl::Status& status) {
  return status.code() == absl::StatusCode::kFailedPrecondition || status.code() == absl::StatusCode::kNotFound ||
         status.code() == absl::StatusCode::kInvalidArgument;
}

}  // namespace

FlashSales::FlashSales(FlashSaleStore& store, FlashAdmission& admission, FlashSaleStock& stock, Clock& clock,
                       FlashSaleIds& ids, async::Executor& blocking, FlashSaleSettings settings,
                       CampaignCalendar* calendar)
    : store_(store),
      admission_(admission),
      stock_(stock),
      clock_(clock),
      ids_(ids),
      blocking_(blocking),
      settings_(settings),
      calendar_(calendar) {}

void FlashSales::Create(FlashSale draft, const std::string& request_id, async::Callback<FlashSale> done) {
  const absl::Time now = clock_.Now();
  if (absl::Status status = RequireRequestId(request_id); !status.ok()) return done(status);
  if (absl::Status status = ValidateFlashSale(draft, now); !status.ok()) return done(status);
  draft.sale_id = ids_.NewSaleId();
  draft.request_id = request_id;
  draft.status = FlashSaleStatus::kReserving;
  draft.sold_quantity = 0;
  draft.create_time = now;
  absl::StatusOr<FlashSaleStore::CreateResult> created = store_.Create(draft);
  if (!created.ok()) return done(created.status());
  Continue(std::move(created->sale), std::move(done));
}

void FlashSales::CreateChecked(FlashSale draft, const std::string& request_id, bool allow_conflicts,
                               async::Callback<CreatedFlashSale> done) {
  if (calendar_ == nullptr) {
    return Create(std::move(draft), request_id, [done = std::move(done)](absl::StatusOr<FlashSale> sale) {
      if (!sale.ok()) return done(sale.status());
      done(CreatedFlashSale{*std::move(sale), {}});
    });
  }
  const absl::Time now = clock_.Now();
  if (absl::Status status = RequireRequestId(request_id); !status.ok()) return done(status);
  if (absl::Status status = ValidateFlashSale(draft, now); !status.ok()) return done(status);
  draft.sale_id = ids_.NewSaleId();
  draft.request_id = request_id;
  draft.status = FlashSaleStatus::kReserving;
  draft.sold_quantity = 0;
  draft.create_time = now;
  // The check and the insert under the calendar's lock; the product's reservation after it, without the lock.
  FlashSale stored;
  absl::StatusOr<std::vector<CampaignConflict>> conflicts =
      calendar_->CheckAndChange(CalendarItemOf(draft), allow_conflicts, [&]() -> absl::Status {
        ASSIGN_OR_RETURN(FlashSaleStore::CreateResult created, store_.Create(draft));
        stored = std::move(created.sale);
        return absl::OkStatus();
      });
  if (!conflicts.ok()) return done(conflicts.status());
  if (!conflicts->empty()) log::Info("flash sale created over conflicts", {{"sale_id", stored.sale_id}});
  Continue(std::move(stored),
           [conflicts = *std::move(conflicts), done = std::move(done)](absl::StatusOr<FlashSale> sale) {
             if (!sale.ok()) return done(sale.status());
             done(CreatedFlashSale{*std::move(sale), conflicts});
           });
}

void FlashSales::Continue(FlashSale stored, async::Callback<FlashSale> done) {
  switch (stored.status) {
    case FlashSaleStatus::kReserving: return ReserveAndOpen(std::move(stored), std::move(done));
    case FlashSaleStatus::kFailed: return done(StockUnavailable());
    case FlashSaleStatus::kActive:
    case FlashSaleStatus::kSettled: return done(std::move(stored));
  }
}

void FlashSales::ReserveAndOpen(FlashSale sale, async::Callback<FlashSale> done) {
  const absl::Duration ttl = sale.end_time - clock_.Now() + settings_.settle_after + settings_.reservation_margin;
  FlashSale reserving = sale;
  stock_.Reserve(reserving, ttl,
                 async::On<absl::Status>(blocking_, [this, sale = std::move(sale), done = std::move(done)](
                                                        absl::Status reserved) { done(Open(sale, reserved)); }));
}

absl::StatusOr<FlashSale> FlashSales::Open(const FlashSale& sale, const absl::Status& reserved) {
  const absl::Time now = clock_.Now();
  if (!reserved.ok()) {
    if (!IsFinalRefusal(reserved)) return reserved;
    absl::StatusOr<FlashSale> failed = store_.SetStatus(sale.sale_id, FlashSaleStatus::kFailed, 0, now);
    if (!failed.ok()) return failed.status();
    return reserved;
  }
  ASSIGN_OR_RETURN(FlashSale active, store_.SetStatus(sale.sale_id, FlashSaleStatus::kActive, 0, now));
  // A purchase loads the sale itself when this fails (Redis down now): the sale is open either way.
  if (absl::StatusOr<bool> loaded = LoadIntoRedis(active.sale_id); !loaded.ok()) {
    log::Warn("flash sale not loaded into Redis yet",
              {{"sale_id", active.sale_id}, {"error", loaded.status().ToString()}});
  }
  return active;
}

absl::StatusOr<int64_t> FlashSales::UnitsTaken(const FlashSale& sale) {
  ASSIGN_OR_RETURN(std::optional<int64_t> remaining, admission_.Remaining(sale.sale_id));
  if (remaining.has_value()) return sale.quantity - *remaining;
  ASSIGN_OR_RETURN(std::vector<FlashPurchase> purchases, store_.ListPurchases(sale.sale_id));
  int64_t taken = 0;
  for (const FlashPurchase& p : purchases) {
    if (p.status != PurchaseStatus::kReleased) ++taken;
  }
  return taken;
}

absl::Status FlashSales::ResizeStock(const FlashSale& sale, const std::string& request_key) {
  const absl::Duration ttl = sale.end_time - clock_.Now() + settings_.settle_after + settings_.reservation_margin;
  return async::Await<absl::Status>([&](async::StatusCallback done) {
    stock_.Resize(sale.sale_id, sale.quantity, ttl, request_key, std::move(done));
  });
}

absl::StatusOr<CreatedFlashSale> FlashSales::Update(const std::string& sale_id, const FlashSaleChange& change,
                                                    bool allow_conflicts) {
  const absl::Time now = clock_.Now();
  ASSIGN_OR_RETURN(std::optional<FlashSale> stored, store_.Get(sale_id));
  if (!stored.has_value() || stored->status == FlashSaleStatus::kFailed) return SaleNotFound();
  const FlashSale before = *std::move(stored);
  ASSIGN_OR_RETURN(int64_t taken, UnitsTaken(before));
  ASSIGN_OR_RETURN(FlashSale after, ApplyFlashSaleChange(before, change, now, taken));
  if (after.version == before.version) return CreatedFlashSale{before, {}};
  // The product's request key: this attempt's (two concurrent changes of one version must not share one; the
  // loser's is undone).
  const std::string key = absl::StrCat(sale_id, ":v", after.version, ":", ids_.NewSaleId());

  // 1. More units, or held longer: the product first, as it may refuse.
  const bool hold_more = after.quantity > before.quantity || after.end_time > before.end_time;
  if (hold_more) RETURN_IF_ERROR(ResizeStock(after, key));
  auto undo_stock = [&] {
    if (!hold_more) return;
    if (absl::Status undone = ResizeStock(before, key + ":undo"); !undone.ok()) {
      log::Warn("flash sale change: product reservation not shrunk back",
                {{"sale_id", sale_id}, {"error", undone.ToString()}});
    }
  };

  // 2. Redis, atomic with admissions: never more admitted than the new quantity.
  absl::StatusOr<FlashAdmission::ResizeResult> resized = admission_.Resize(before, after);
  if (!resized.ok()) {
    undo_stock();
    return resized.status();
  }
  if (resized->outcome == FlashAdmission::ResizeOutcome::kBelowTaken) {
    undo_stock();
    return Error(absl::StatusCode::kFailedPrecondition, "FLASH_SALE_QUANTITY_BELOW_SOLD",
                 absl::StrCat("the quantity cannot go below the ", resized->taken, " unit(s) already taken"),
                 "flashSale.quantity");
  }

  // 3. PostgreSQL on the version read; a new window of a sale not yet started is checked against the calendar.
  absl::StatusOr<FlashSale> updated = absl::UnknownError("not written");
  auto write = [&]() -> absl::Status {
    updated = store_.Update(after, before.version, now);
    return updated.status();
  };
  std::vector<CampaignConflict> conflicts;
  absl::Status written;
  const bool new_window =
      now < before.start_time && (after.start_time != before.start_time || after.end_time != before.end_time);
  if (calendar_ != nullptr && new_window) {
    absl::StatusOr<std::vector<CampaignConflict>> checked =
        calendar_->CheckAndChange(CalendarItemOf(after), allow_conflicts, write);
    if (checked.ok()) conflicts = *std::move(checked);
    written = checked.status();
  } else {
    written = write();
  }
  if (!written.ok()) {
    if (resized->outcome == FlashAdmission::ResizeOutcome::kApplied) {
      if (absl::StatusOr<FlashAdmission::ResizeResult> back = admission_.Resize(after, before);
          !back.ok() || back->outcome != FlashAdmission::ResizeOutcome::kApplied) {
        log::Warn("flash sale change: Redis state not put back", {{"sale_id", sale_id}});
      }
    }
    undo_stock();
    return written;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    active_sales_.erase(sale_id);
  }

  // 4. Fewer units: back to the product's available stock.
  if (after.quantity < before.quantity) {
    if (absl::Status shrunk = ResizeStock(after, key); !shrunk.ok()) {
      log::Warn("flash sale change: product reservation not shrunk yet (settlement gives the units back)",
                {{"sale_id", sale_id}, {"error", shrunk.ToString()}});
    }
  }
  log::Info("flash sale changed", {{"sale_id", sale_id}, {"version", std::to_string(updated->version)}});
  return CreatedFlashSale{*std::move(updated), std::move(conflicts)};
}

absl::StatusOr<std::vector<CurrentFlashSale>> FlashSales::ListCurrent() {
  ASSIGN_OR_RETURN(std::vector<FlashSale> sales, store_.ListCurrent(clock_.Now()));
  std::vector<CurrentFlashSale> current;
  current.reserve(sales.size());
  for (FlashSale& sale : sales) {
    ASSIGN_OR_RETURN(std::optional<int64_t> remaining, admission_.Remaining(sale.sale_id));
    if (!remaining.has_value()) {
      // Not in Redis (a restart lost it): rebuilt as a purchase would rebuild it, so the list can say what is left.
      if (absl::StatusOr<bool> loaded = LoadIntoRedis(sale.sale_id); loaded.ok()) {
        ASSIGN_OR_RETURN(remaining, admission_.Remaining(sale.sale_id));
      }
    }
    current.push_back({std::move(sale), remaining});
  }
  return current;
}

absl::StatusOr<FlashSale> FlashSales::CachedSale(const std::string& sale_id) {
  const absl::Time now = clock_.Now();
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = active_sales_.find(sale_id);
    // Read before the start and started since: its price may have changed meanwhile (FlashSales::Update).
    if (it != active_sales_.end() &&
        !(it->second.read_at < it->second.sale.start_time && now >= it->second.sale.start_time)) {
      return it->second.sale;
    }
  }
  ASSIGN_OR_RETURN(std::optional<FlashSale> sale, store_.Get(sale_id));
  if (!sale.has_value()) return SaleNotFound();
  switch (sale->status) {
    case FlashSaleStatus::kActive: break;
    case FlashSaleStatus::kReserving: return AdmissionError(AdmissionOutcome::kNotStarted);
    case FlashSaleStatus::kFailed: return SaleNotFound();
    case FlashSaleStatus::kSettled: return AdmissionError(AdmissionOutcome::kEnded);
  }
  std::lock_guard<std::mutex> lock(mu_);
  CachedFlashSale& cached = active_sales_[sale_id];
  cached = {*std::move(sale), now};
  return cached.sale;
}

absl::StatusOr<FlashWinner> FlashSales::NewWinner(const std::string& user_id, const std::string& sale_id,
                                                  const std::string& request_id) {
  RETURN_IF_ERROR(RequireRequestId(request_id));
  ASSIGN_OR_RETURN(FlashSale sale, CachedSale(sale_id));
  FlashWinner winner;
  winner.purchase_id = ids_.NewPurchaseId();
  winner.order_id = FlashOrderId(winner.purchase_id);
  winner.sale_id = std::move(sale.sale_id);
  winner.user_id = user_id;
  winner.request_id = request_id;
  winner.sku_id = std::move(sale.sku_id);
  winner.sale_price = sale.sale_price;
  winner.currency = std::move(sale.currency);
  winner.admit_time = clock_.Now();
  return winner;
}

absl::StatusOr<FlashPurchase> FlashSales::PurchaseOf(const FlashWinner& winner, const FlashAdmission::Result& result) {
  RETURN_IF_ERROR(AdmissionError(result.outcome));
  FlashPurchase purchase;
  purchase.purchase_id = result.purchase_id;
  purchase.sale_id = winner.sale_id;
  purchase.user_id = winner.user_id;
  purchase.request_id = winner.request_id;
  purchase.order_id = FlashOrderId(result.purchase_id);
  purchase.status = PurchaseStatus::kPending;
  purchase.admit_time = winner.admit_time;
  return purchase;
}

absl::StatusOr<FlashPurchase> FlashSales::Purchase(const std::string& user_id, const std::string& sale_id,
                                                   const std::string& request_id) {
  ASSIGN_OR_RETURN(FlashWinner winner, NewWinner(user_id, sale_id, request_id));
  ASSIGN_OR_RETURN(FlashAdmission::Result result, admission_.Admit(winner, request_id, winner.admit_time));
  if (result.outcome == AdmissionOutcome::kNotLoaded) {
    RETURN_IF_ERROR(LoadIntoRedis(sale_id).status());
    ASSIGN_OR_RETURN(result, admission_.Admit(winner, request_id, winner.admit_time));
  }
  return RecordWin(winner, result);
}

absl::StatusOr<FlashPurchase> FlashSales::RecordWin(const FlashWinner& winner, const FlashAdmission::Result& result) {
  absl::StatusOr<FlashPurchase> purchase = PurchaseOf(winner, result);
  if (!purchase.ok() || result.outcome != AdmissionOutcome::kAdmitted) return purchase;
  // Without PostgreSQL the win still stands (the winners' stream carries it): only a Redis loss before the stream's
  // consumers read it could lose it then.
  if (absl::Status recorded = store_.RecordPurchase(*purchase, clock_.Now()); !recorded.ok()) {
    log::Warn("flash purchase not recorded at admission; its stream entry records it",
              {{"purchase_id", purchase->purchase_id}, {"error", recorded.ToString()}});
  }
  return purchase;
}

FlashWinner FlashSales::WinnerOf(const FlashSale& sale, const FlashPurchase& purchase) {
  FlashWinner winner;
  winner.purchase_id = purchase.purchase_id;
  winner.order_id = purchase.order_id;
  winner.sale_id = sale.sale_id;
  winner.user_id = purchase.user_id;
  winner.request_id = purchase.request_id;
  winner.sku_id = sale.sku_id;
  winner.sale_price = sale.sale_price;
  winner.currency = sale.currency;
  winner.admit_time = purchase.admit_time;
  return winner;
}

void FlashSales::PurchaseAsync(const std::string& user_id, const std::string& sale_id, const std::string& request_id,
                               async::Callback<FlashPurchase> done) {
  absl::StatusOr<FlashWinner> made = NewWinner(user_id, sale_id, request_id);
  if (!made.ok()) return done(made.status());
  auto winner = std::make_shared<const FlashWinner>(*std::move(made));
  admission_.AdmitAsync(*winner, winner->request_id, winner->admit_time,
                        [this, winner, done = std::move(done)](absl::StatusOr<FlashAdmission::Result> result) mutable {
                          if (!result.ok()) return done(result.status());
                          if (result->outcome == AdmissionOutcome::kAdmitted) {
                            // Recorded off this (I/O) thread before the buyer hears of it.
                            return blocking_.Run([this, winner, result = *result, done = std::move(done)] {
                              done(RecordWin(*winner, result));
                            });
                          }
                          if (result->outcome != AdmissionOutcome::kNotLoaded)
                            return done(PurchaseOf(*winner, *result));
                          // Redis lost the sale: rebuilt from PostgreSQL off this (I/O) thread, then decided as
                          // Purchase does.
                          blocking_.Run([this, winner, done = std::move(done)] {
                            if (absl::Status loaded = LoadIntoRedis(winner->sale_id).status(); !loaded.ok())
                              return done(loaded);
                            absl::StatusOr<FlashAdmission::Result> again =
                                admission_.Admit(*winner, winner->request_id, winner->admit_time);
                            if (!again.ok()) return done(again.status());
                            done(RecordWin(*winner, *again));
                          });
                        });
}

absl::StatusOr<FlashPurchase> FlashSales::GetPurchase(const std::string& user_id, const std::string& sale_id,
                                                      const std::string& purchase_id) {
  ASSIGN_OR_RETURN(std::optional<FlashPurchase> recorded, store_.GetPurchase(purchase_id));
  if (recorded.has_value()) {
    if (recorded->user_id != user_id || recorded->sale_id != sale_id) return PurchaseNotFound();
    return *std::move(recorded);
  }
  // Admitted in Redis, not yet recorded from the stream.
  ASSIGN_OR_RETURN(std::optional<std::string> buyer, admission_.PurchaseBuyer(sale_id, purchase_id));
  if (!buyer.has_value() || *buyer != user_id) return PurchaseNotFound();
  FlashPurchase pending;
  pending.purchase_id = purchase_id;
  pending.sale_id = sale_id;
  pending.user_id = user_id;
  pending.order_id = FlashOrderId(purchase_id);
  pending.status = PurchaseStatus::kPending;
  return pending;
}

absl::StatusOr<bool> FlashSales::LoadIntoRedis(const std::string& sale_id) {
  ASSIGN_OR_RETURN(std::optional<FlashSale> sale, store_.Get(sale_id));
  if (!sale.has_value() || sale->status != FlashSaleStatus::kActive) return SaleNotFound();
  FlashAdmission::Snapshot snapshot;
  snapshot.sale = *std::move(sale);
  ASSIGN_OR_RETURN(snapshot.purchases, store_.ListPurchases(sale_id));
  ASSIGN_OR_RETURN(bool written, admission_.Load(snapshot));
  if (!written) return false;
  // A sale with purchases was in Redis before and is not now: Redis lost it, and perhaps with it winners' stream
  // entries no consumer had read. The winners without an order yet go on the stream again; the consumers apply each
  // entry once (by its purchase id), so one they had read changes nothing.
  int republished = 0;
  for (const FlashPurchase& purchase : snapshot.purchases) {
    if (purchase.status != PurchaseStatus::kPending) continue;
    RETURN_IF_ERROR(admission_.Republish(WinnerOf(snapshot.sale, purchase)));
    ++republished;
  }
  log::Info("flash sale loaded into Redis", {{"sale_id", sale_id},
                                             {"purchases", std::to_string(snapshot.purchases.size())},
                                             {"winners_republished", std::to_string(republished)}});
  return true;
}

absl::Status FlashSales::Settle(const FlashSale& sale) {
  ASSIGN_OR_RETURN(std::vector<FlashPurchase> purchases, store_.ListPurchases(sale.sale_id));
  int64_t sold = 0;
  for (const FlashPurchase& purchase : purchases) {
    if (purchase.status == PurchaseStatus::kPaid) ++sold;
  }
  RETURN_IF_ERROR(async::Await<absl::Status>(
      [&](async::StatusCallback done) { stock_.Settle(sale.sale_id, sold, std::move(done)); }));
  return store_.SetStatus(sale.sale_id, FlashSaleStatus::kSettled, sold, clock_.Now()).status();
}

int FlashSales::SweepOnce() {
  const absl::Time now = clock_.Now();
  int touched = 0;
  if (auto reserving = store_.ListReserving(now - settings_.stale_after, 100); reserving.ok()) {
    for (FlashSale& sale : *reserving) {
      absl::StatusOr<FlashSale> opened = async::Await<absl::StatusOr<FlashSale>>(
          [&](async::Callback<FlashSale> done) { ReserveAndOpen(sale, std::move(done)); });
      if (!opened.ok()) {
        log::Warn("flash sale reservation not finished",
                  {{"sale_id", sale.sale_id}, {"error", opened.status().ToString()}});
      }
      ++touched;
    }
  }
  // A sale Redis lost is rebuilt at its next purchase; the sweeper rebuilds it sooner, and also once it ended (no
  // purchase comes then), so that its winners without an order go back on the stream (LoadIntoRedis).
  std::vector<FlashSale> unsettled;
  if (auto current = store_.ListCurrent(now); current.ok()) unsettled = *std::move(current);
  if (auto ended = store_.ListEnded(now, 100); ended.ok()) {
    unsettled.insert(unsettled.end(), ended->begin(), ended->end());
  }
  for (const FlashSale& sale : unsettled) {
    absl::StatusOr<std::optional<int64_t>> remaining = admission_.Remaining(sale.sale_id);
    if (!remaining.ok() || remaining->has_value()) continue;
    absl::StatusOr<bool> loaded = LoadIntoRedis(sale.sale_id);
    if (!loaded.ok()) {
      log::Warn("flash sale not rebuilt in Redis", {{"sale_id", sale.sale_id}, {"error", loaded.status().ToString()}});
    } else if (*loaded) {
      ++touched;
    }
  }
  if (auto ended = store_.ListEnded(now - settings_.settle_after, 100); ended.ok()) {
    for (const FlashSale& sale : *ended) {
      if (absl::Status settled = Settle(sale); !settled.ok()) {
        log::Warn("flash sale not settled", {{"sale_id", sale.sale_id}, {"error", settled.ToString()}});
      }
      ++touched;
    }
  }
  return touched;
}

}  // namespace zhongtai::marketing
