#include "services/order/domain/returns.h"

#include <map>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/log/log.h"
#include "common/status/status.h"

namespace zhongtai::order {
namespace {

absl::Status ReturnNotFound() { return NotFound("RETURN_NOT_FOUND", "no such return"); }

absl::Status CheckNote(const std::string& note) {
  if (note.size() > 500) return InvalidArgument("note", "REASON_TOO_LONG", "note must be at most 500 bytes");
  return absl::OkStatus();
}

}  // namespace

bool ValidTrackingNumber(const std::string& tracking_number) {
  if (tracking_number.size() < 6 || tracking_number.size() > 40) return false;
  for (char c : tracking_number) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-') return false;
  }
  return true;
}

Returns::Returns(ReturnStore& store, PaymentProvider& provider, PointsRefunds& points, ReturnedStock& stock,
                 Clock& clock, ReturnIds& ids, async::Executor& blocking, AfterSalesRules rules)
    : store_(store),
      provider_(provider),
      points_(points),
      stock_(stock),
      clock_(clock),
      ids_(ids),
      blocking_(blocking),
      rules_(rules) {}

namespace {

// An exchange may send another SKU of the same product at the same price, on sale now. FAILED_PRECONDITION
// REPLACEMENT_NOT_ALLOWED naming the line.
absl::Status CheckReplacements(ReplacementStock& replacement, const ReturnCommand& command) {
  std::vector<std::string> ids;
  for (const ReturnLineRequest& line : command.lines) {
    if (line.replacement_sku_id.empty() || line.replacement_sku_id == line.sku_id) continue;
    ids.push_back(line.sku_id);
    ids.push_back(line.replacement_sku_id);
  }
  if (ids.empty()) return absl::OkStatus();
  absl::StatusOr<std::vector<ReplacementSku>> described = async::Await<absl::StatusOr<std::vector<ReplacementSku>>>(
      [&](async::Callback<std::vector<ReplacementSku>> done) { replacement.Describe(ids, std::move(done)); });
  if (!described.ok()) return described.status();
  std::map<std::string, ReplacementSku> by_id;
  for (const ReplacementSku& sku : *described) by_id[sku.sku_id] = sku;
  for (size_t i = 0; i < command.lines.size(); ++i) {
    const ReturnLineRequest& line = command.lines[i];
    if (line.replacement_sku_id.empty() || line.replacement_sku_id == line.sku_id) continue;
    auto original = by_id.find(line.sku_id);
    auto wanted = by_id.find(line.replacement_sku_id);
    if (original == by_id.end() || wanted == by_id.end() || !wanted->second.on_shelf ||
        wanted->second.product_id != original->second.product_id ||
        wanted->second.unit_price != original->second.unit_price) {
      return Error(absl::StatusCode::kFailedPrecondition, "REPLACEMENT_NOT_ALLOWED",
                   "an exchange sends a SKU of the same product at the same price, on sale",
                   absl::StrCat("lines[", i, "].replacementSkuId"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

void CatalogReplacementStock::Describe(const std::vector<std::string>& sku_ids,
                                       async::Callback<std::vector<ReplacementSku>> done) {
  catalog_.GetSkus(sku_ids, "normal", [done = std::move(done)](absl::StatusOr<std::vector<SkuInfo>> skus) {
    if (!skus.ok()) return done(skus.status());
    std::vector<ReplacementSku> out;
    for (const SkuInfo& sku : *skus) out.push_back({sku.sku_id, sku.product_id, sku.list_price, sku.on_shelf});
    done(std::move(out));
  });
}

void CatalogReplacementStock::Hold(const std::string& key, const std::string& order_id,
                                   const std::vector<std::pair<std::string, int64_t>>& lines,
                                   async::Callback<std::vector<ReplacementHold>> done) {
  absl::StatusOr<Order> order = orders_.Get(order_id);
  if (!order.ok()) return done(order.status());
  std::vector<LineRequest> requests;
  for (const auto& [sku, quantity] : lines) requests.push_back({sku, quantity});
  // The hold never expires on its own: it is confirmed at once (a day covers a slow confirmation).
  catalog_.Reserve(key, requests, order->address, absl::Hours(24),
                   async::On<absl::StatusOr<std::vector<StockAllocation>>>(
                       blocking_, [this, key, done](absl::StatusOr<std::vector<StockAllocation>> allocations) {
                         if (!allocations.ok()) return done(allocations.status());
                         if (allocations->empty())
                           return done(Internal("REPLACEMENT_NOT_HELD", "no stock was allocated"));
                         std::vector<ReplacementHold> holds;
                         for (const StockAllocation& a : *allocations) {
                           holds.push_back({a.warehouse_id, a.sku_id, a.quantity});
                         }
                         catalog_.Confirm(key, [done, holds = std::move(holds)](absl::Status confirmed) {
                           if (!confirmed.ok()) return done(confirmed);
                           done(holds);
                         });
                       }));
}

absl::StatusOr<Return> Returns::RequestReturn(const ReturnCommand& command) {
  RETURN_IF_ERROR(ValidateReturnCommand(command, rules_));
  if (command.type == ReturnType::kExchange) {
    if (replacement_ != nullptr) {
      RETURN_IF_ERROR(CheckReplacements(*replacement_, command));
    } else {
      for (size_t i = 0; i < command.lines.size(); ++i) {
        if (!command.lines[i].replacement_sku_id.empty() &&
            command.lines[i].replacement_sku_id != command.lines[i].sku_id) {
          return Error(absl::StatusCode::kFailedPrecondition, "REPLACEMENT_NOT_ALLOWED",
                       "this service sends the same SKUs only", absl::StrCat("lines[", i, "].replacementSkuId"));
        }
      }
    }
  }
  const absl::Time now = clock_.Now();
  ASSIGN_OR_RETURN(
      ReturnStore::Created created,
      store_.Create(command.order_id, command.user_id, command.request_id, ids_.NewReturnId(),
                    [&](const ReturnableOrder& order, const std::vector<Return>& existing) -> absl::StatusOr<Return> {
                      if (order.order.user_id != command.user_id || !IsVisible(order.order.status)) {
                        return NotFound("ORDER_NOT_FOUND", "no such order");
                      }
                      return DraftReturn(order, existing, command, now, rules_);
                    }));
  if (created.replayed && created.r.order_id != command.order_id) {
    return Error(absl::StatusCode::kFailedPrecondition, "REQUEST_ID_REUSED",
                 "this request id was used for a return of another order", "requestId");
  }
  return created.r;
}

absl::StatusOr<Return> Returns::GetReturn(const std::string& user_id, const std::string& return_id) {
  absl::StatusOr<Return> r = store_.Get(return_id);
  if (absl::IsNotFound(r.status()) || (r.ok() && r->user_id != user_id)) return ReturnNotFound();
  return r;
}

absl::StatusOr<Return> Returns::MoveAndSave(const std::string& return_id, ReturnStatus to, const std::string& note,
                                            const std::function<absl::Status(Return&)>& change) {
  // Two admins (or an admin and the buyer) may act at once: the loser re-reads and finds the new state.
  for (int attempt = 0; attempt < 3; ++attempt) {
    ASSIGN_OR_RETURN(Return r, store_.Get(return_id));
    const ReturnStatus from = r.status;
    RETURN_IF_ERROR(Move(r, to, clock_.Now(), note));
    if (change) RETURN_IF_ERROR(change(r));
    ASSIGN_OR_RETURN(bool saved, store_.Update(r, from));
    if (saved) return r;
  }
  return Aborted("RETURN_STATE_CONFLICT", "the return changed meanwhile: read it and try again");
}

absl::StatusOr<Return> Returns::ShipBack(const std::string& user_id, const std::string& return_id,
                                         const std::string& carrier, const std::string& tracking_number) {
  if (carrier.empty() || carrier.size() > 40) {
    return InvalidArgument("carrier", "CARRIER_INVALID", "name the carrier (1 to 40 bytes)");
  }
  if (!ValidTrackingNumber(tracking_number)) {
    return InvalidArgument("trackingNumber", "TRACKING_NUMBER_INVALID",
                           "a tracking number has 6 to 40 letters, digits or '-'");
  }
  ASSIGN_OR_RETURN(Return current, GetReturn(user_id, return_id));
  if (current.status == ReturnStatus::kReturnShipped && current.return_tracking_number == tracking_number) {
    return current;
  }
  return MoveAndSave(return_id, ReturnStatus::kReturnShipped, "", [&](Return& r) {
    r.return_carrier = carrier;
    r.return_tracking_number = tracking_number;
    return absl::OkStatus();
  });
}

void Returns::Approve(const std::string& return_id, const std::string& note, async::Callback<Return> done) {
  if (absl::Status valid = CheckNote(note); !valid.ok()) return done(valid);
  absl::StatusOr<Return> current = store_.Get(return_id);
  if (!current.ok()) return done(current.status());
  if (current->status != ReturnStatus::kRequested) {
    // A repeat: finish what the first approval left owed, or answer the return as it is.
    if (current->status == ReturnStatus::kRejected) {
      return done(FailedPrecondition("RETURN_STATE_CONFLICT", "the return was rejected"));
    }
    return FinishEffects(*std::move(current), std::move(done));
  }
  absl::StatusOr<Return> approved = MoveAndSave(return_id, ReturnStatus::kApproved, note);
  if (!approved.ok()) return done(approved.status());
  FinishEffects(*std::move(approved), std::move(done));
}

absl::StatusOr<Return> Returns::Reject(const std::string& return_id, const std::string& note) {
  RETURN_IF_ERROR(CheckNote(note));
  ASSIGN_OR_RETURN(Return current, store_.Get(return_id));
  if (current.status == ReturnStatus::kRejected) return current;
  return MoveAndSave(return_id, ReturnStatus::kRejected, note);
}

void Returns::Receive(const std::string& return_id, ItemCondition condition, const std::string& note,
                      async::Callback<Return> done) {
  if (condition == ItemCondition::kUnknown) {
    return done(
        InvalidArgument("condition", "RETURN_CONDITION_MISSING", "say whether the goods are SELLABLE or DAMAGED"));
  }
  if (absl::Status valid = CheckNote(note); !valid.ok()) return done(valid);
  absl::StatusOr<Return> current = store_.Get(return_id);
  if (!current.ok()) return done(current.status());
  if (current->status == ReturnStatus::kReceived || current->status == ReturnStatus::kRefunded) {
    return FinishEffects(*std::move(current), std::move(done));
  }
  absl::StatusOr<Return> received = MoveAndSave(return_id, ReturnStatus::kReceived, note, [&](Return& r) {
    r.condition = condition;
    return absl::OkStatus();
  });
  if (!received.ok()) return done(received.status());
  FinishEffects(*std::move(received), std::move(done));
}

void Returns::FinishEffects(Return r, async::Callback<Return> done) {
  if (RestockDue(r)) {
    ReturnedGoods goods;
    goods.return_id = r.return_id;
    goods.warehouse_id = r.warehouse_id;
    goods.condition = r.condition == ItemCondition::kDamaged ? ItemCondition::kDamaged : ItemCondition::kSellable;
    for (const ReturnLine& line : r.lines) goods.lines.emplace_back(line.sku_id, line.quantity);
    stock_.Restock(goods, async::On<absl::Status>(blocking_, [this, r, done](absl::Status restocked) mutable {
                     if (!restocked.ok()) return done(restocked);
                     if (absl::Status marked = store_.MarkRestocked(r.return_id); !marked.ok()) return done(marked);
                     r.restocked = true;
                     FinishEffects(std::move(r), std::move(done));
                   }));
    return;
  }
  if (ReplacementDue(r) && replacement_ != nullptr) {
    std::vector<std::pair<std::string, int64_t>> lines;
    for (const ReturnLine& line : r.lines) lines.emplace_back(ReplacementSkuOf(line), line.quantity);
    // Keyed by the return: a retry or the sweeper holds the same units, never more.
    replacement_->Hold(absl::StrCat("exchange-", r.return_id), r.order_id, lines,
                       async::On<absl::StatusOr<std::vector<ReplacementHold>>>(
                           blocking_, [this, r, done](absl::StatusOr<std::vector<ReplacementHold>> holds) mutable {
                             if (!holds.ok()) {
                               log::Error("holding an exchange's replacement failed",
                                          {{"return_id", r.return_id}, {"error", holds.status().ToString()}});
                               return done(holds.status());
                             }
                             absl::Status marked = store_.MarkReplacementHeld(r.return_id, *holds);
                             if (!marked.ok()) return done(marked);
                             r.replacement_holds = *std::move(holds);
                             FinishEffects(std::move(r), std::move(done));
                           }));
    return;
  }
  if (RefundDue(r)) return Refund(std::move(r), std::move(done));
  done(std::move(r));
}

void Returns::Refund(Return r, async::Callback<Return> done) {
  if (r.refund_amount > 0) {
    // The order id is the provider's payment; the return id keys the refund, so a retry never pays out twice.
    if (absl::Status refunded = provider_.Refund(r.order_id, r.return_id, r.refund_amount); !refunded.ok()) {
      log::Error("refund failed", {{"return_id", r.return_id}, {"error", refunded.ToString()}});
      return done(refunded);
    }
  }
  if (r.points_refund <= 0) return CompleteRefund(std::move(r), std::move(done));
  points_.ReturnPoints(
      r.order_id, r.points_refund, r.return_id,
      async::On<absl::Status>(blocking_, [this, r, done](absl::Status returned) mutable {
        if (!returned.ok()) {
          log::Error("points refund failed", {{"return_id", r.return_id}, {"error", returned.ToString()}});
          return done(returned);
        }
        CompleteRefund(std::move(r), std::move(done));
      }));
}

void Returns::CompleteRefund(Return r, async::Callback<Return> done) {
  const ReturnStatus from = r.status;
  if (absl::Status moved = Move(r, ReturnStatus::kRefunded, clock_.Now(), ""); !moved.ok()) return done(moved);
  absl::StatusOr<bool> saved = store_.CompleteRefund(r, from, FullyRefunded);
  if (!saved.ok()) return done(saved.status());
  // Not saved: someone else completed it meanwhile; answer the return as stored either way. A refund before shipment
  // then gives the units it took out of the parcel back to the product center's stock (once: keyed by the return id).
  absl::StatusOr<Return> stored = store_.Get(r.return_id);
  if (stored.ok() && RestockDue(*stored)) return FinishEffects(*std::move(stored), std::move(done));
  done(std::move(stored));
}

int Returns::SweepOnce() {
  absl::StatusOr<std::vector<std::string>> due = store_.ListEffectsDue(50);
  if (!due.ok()) {
    log::Error("after-sales sweep failed", {{"error", due.status().ToString()}});
    return 0;
  }
  int finished = 0;
  for (const std::string& return_id : *due) {
    absl::StatusOr<Return> r = store_.Get(return_id);
    if (!r.ok()) continue;
    absl::StatusOr<Return> out =
        async::Await<absl::StatusOr<Return>>([&](async::Callback<Return> done) { FinishEffects(*r, std::move(done)); });
    if (out.ok()) ++finished;
  }
  return finished;
}

}  // namespace zhongtai::order
