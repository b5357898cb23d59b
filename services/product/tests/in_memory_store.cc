#include "services/product/tests/in_memory_store.h"

#include <algorithm>
#include <tuple>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/status/status.h"
#include "services/product/domain/rules.h"
#include "services/product/domain/settlement.h"
#include "services/product/domain/sourcing.h"

namespace zhongtai::product {

absl::StatusOr<Category> InMemoryProductStore::CreateCategory(const Category& category, const std::string& request_id) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!request_id.empty()) {
    auto it = category_requests_.find(request_id);
    if (it != category_requests_.end()) return categories_.at(it->second);
  }
  if (!category.parent_id.empty() && !categories_.count(category.parent_id)) {
    return NotFound("CATEGORY_NOT_FOUND", "parent category does not exist");
  }
  for (const auto& [id, existing] : categories_) {
    if (existing.parent_id == category.parent_id &&
        absl::AsciiStrToLower(existing.name) == absl::AsciiStrToLower(category.name)) {
      return AlreadyExists("CATEGORY_EXISTS", "a category with this name exists under the same parent");
    }
  }
  categories_[category.category_id] = category;
  if (!request_id.empty()) category_requests_[request_id] = category.category_id;
  return category;
}

absl::StatusOr<std::vector<Category>> InMemoryProductStore::ListCategories(const std::string& after_id, int limit) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<Category> out;
  for (auto it = categories_.upper_bound(after_id); it != categories_.end() && static_cast<int>(out.size()) < limit;
       ++it) {
    out.push_back(it->second);
  }
  return out;
}

absl::StatusOr<Product> InMemoryProductStore::CreateProduct(const Product& product,
                                                            const std::vector<InitialStock>& stock,
                                                            const std::string& request_id, absl::Time now) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!request_id.empty()) {
    auto it = product_requests_.find(request_id);
    if (it != product_requests_.end()) return FillLocked(products_.at(it->second));
  }
  if (!categories_.count(product.category_id)) return NotFound("CATEGORY_NOT_FOUND", "category does not exist");
  if (!product.brand_id.empty() && !brands_.count(product.brand_id)) {
    return NotFound("BRAND_NOT_FOUND", "brand does not exist");
  }
  for (const auto& sku : product.skus) {
    for (const auto& [id, p] : products_) {
      for (const auto& other : p.skus) {
        if (other.sku_code == sku.sku_code) return AlreadyExists("SKU_CODE_EXISTS", "sku code is taken");
      }
    }
  }
  Product stored = product;
  for (auto& sku : stored.skus) {
    sku.available = 0;
    sku_product_[sku.sku_id] = product.product_id;
  }
  products_[product.product_id] = stored;
  if (!request_id.empty()) product_requests_[request_id] = product.product_id;
  for (const auto& s : stock) {
    StockLevel& level = stock_[{s.sku_id, s.warehouse_id}];
    level.sku_id = s.sku_id;
    level.warehouse_id = s.warehouse_id;
    level.on_hand += s.quantity;
    if (s.quantity > 0) RecordLocked(s.sku_id, s.warehouse_id, "initial", "", s.quantity, 0, now, request_id, "", "");
  }
  return FillLocked(stored);
}

absl::StatusOr<Product> InMemoryProductStore::GetProduct(const std::string& product_id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = products_.find(product_id);
  if (it == products_.end()) return NotFound("PRODUCT_NOT_FOUND", "product does not exist");
  return FillLocked(it->second);
}

absl::StatusOr<std::vector<Product>> InMemoryProductStore::ListProducts(const ProductQuery& query) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<Product> out;
  for (auto it = products_.rbegin(); it != products_.rend() && static_cast<int>(out.size()) < query.page_size; ++it) {
    const Product& p = it->second;
    if (!query.after_product_id.empty() && p.product_id >= query.after_product_id) continue;
    if (query.published_only && p.status != ProductStatus::kPublished) continue;
    if (!query.category_id.empty()) {
      // The category or one of its ancestors must match.
      std::string c = p.category_id;
      bool match = false;
      while (!c.empty() && !match) {
        match = c == query.category_id;
        auto cat = categories_.find(c);
        c = cat == categories_.end() ? "" : cat->second.parent_id;
      }
      if (!match) continue;
    }
    bool all_words = true;
    for (const auto& w : query.title_words)
      all_words = all_words && absl::StrContains(absl::AsciiStrToLower(p.title), absl::AsciiStrToLower(w));
    if (!all_words) continue;
    out.push_back(FillLocked(p));
  }
  return out;
}

absl::StatusOr<std::vector<Sku>> InMemoryProductStore::GetSkus(const std::vector<std::string>& sku_ids,
                                                               const ShippingRegion& region) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<Sku> out;
  for (const auto& id : sku_ids) {
    auto it = sku_product_.find(id);
    if (it == sku_product_.end()) continue;
    for (const auto& sku : products_.at(it->second).skus) {
      if (sku.sku_id != id) continue;
      out.push_back(FillLocked(sku));
      out.back().available = 0;
      for (const auto& [key, level] : stock_) {
        if (key.first == id && Serves(warehouses_.at(key.second), region)) out.back().available += level.available();
      }
    }
  }
  return out;
}

absl::StatusOr<Warehouse> InMemoryProductStore::CreateWarehouse(const Warehouse& warehouse) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!warehouses_.emplace(warehouse.warehouse_id, warehouse).second) {
    return AlreadyExists("WAREHOUSE_EXISTS", absl::StrCat("warehouse ", warehouse.warehouse_id, " already exists"));
  }
  return warehouse;
}

absl::StatusOr<std::vector<Warehouse>> InMemoryProductStore::ListWarehouses(const std::string& after_id, int limit) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<Warehouse> out;
  for (auto it = warehouses_.upper_bound(after_id); it != warehouses_.end() && static_cast<int>(out.size()) < limit;
       ++it) {
    out.push_back(it->second);
  }
  return out;
}

absl::StatusOr<Warehouse> InMemoryProductStore::UpdateWarehouse(const std::string& warehouse_id,
                                                                const WarehousePatch& patch, absl::Time now) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = warehouses_.find(warehouse_id);
  if (it == warehouses_.end()) return NotFound("WAREHOUSE_NOT_FOUND", "warehouse does not exist");
  ASSIGN_OR_RETURN(it->second, ApplyPatch(it->second, patch, now));
  return it->second;
}

absl::StatusOr<std::vector<StockLevel>> InMemoryProductStore::ApplyOperation(const StockOperation& op, absl::Time now) {
  std::lock_guard<std::mutex> lock(mu_);
  const std::string fingerprint = absl::StrCat(StockOperationName(op.kind), "|", op.sku_id, "|", op.warehouse_id, "|",
                                               op.to_warehouse_id, "|", op.quantity);
  if (!op.request_id.empty()) {
    auto it = requests_.find(op.request_id);
    if (it != requests_.end()) {
      if (it->second.first != fingerprint) return FailedPrecondition("REQUEST_ID_REUSED", "request id reused");
      return it->second.second;
    }
  }
  if (!sku_product_.count(op.sku_id)) return NotFound("SKU_NOT_FOUND", "sku does not exist");
  for (const std::string* w : {&op.warehouse_id, &op.to_warehouse_id}) {
    if (!w->empty() && !warehouses_.count(*w)) return NotFound("WAREHOUSE_NOT_FOUND", "warehouse does not exist");
  }
  StockLevel from = stock_[{op.sku_id, op.warehouse_id}];
  StockLevel to = op.to_warehouse_id.empty() ? StockLevel{} : stock_[{op.sku_id, op.to_warehouse_id}];
  ASSIGN_OR_RETURN(std::vector<StockMovement> movements, PlanOperation(op, from, to));
  std::vector<StockLevel> out;
  for (const StockMovement& m : movements) {
    StockLevel& level = stock_[{m.sku_id, m.warehouse_id}];
    level.sku_id = m.sku_id;
    level.warehouse_id = m.warehouse_id;
    level.on_hand += m.on_hand_delta;
    RecordLocked(m.sku_id, m.warehouse_id, m.kind, op.reference, m.on_hand_delta, 0, now, op.request_id, op.reason,
                 op.actor);
    out.push_back(level);
  }
  if (!op.request_id.empty()) requests_[op.request_id] = {fingerprint, out};
  return out;
}

absl::StatusOr<std::vector<LedgerEntry>> InMemoryProductStore::ListLedger(const LedgerQuery& query) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<LedgerEntry> out;
  for (auto it = ledger_.rbegin(); it != ledger_.rend() && static_cast<int>(out.size()) < query.limit; ++it) {
    if (!query.sku_id.empty() && it->sku_id != query.sku_id) continue;
    if (!query.warehouse_id.empty() && it->warehouse_id != query.warehouse_id) continue;
    if (it->created_at < query.from || it->created_at >= query.to) continue;
    if (query.before_entry_id != 0 && it->entry_id >= query.before_entry_id) continue;
    out.push_back(*it);
  }
  return out;
}

absl::Status InMemoryProductStore::PutSafetyStock(const SafetyStockSetting& setting, absl::Time now) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!sku_product_.count(setting.sku_id)) return NotFound("SKU_NOT_FOUND", "sku does not exist");
  if (!warehouses_.count(setting.warehouse_id)) return NotFound("WAREHOUSE_NOT_FOUND", "warehouse does not exist");
  StockLevel& level = stock_[{setting.sku_id, setting.warehouse_id}];
  level.sku_id = setting.sku_id;
  level.warehouse_id = setting.warehouse_id;
  safety_[{setting.sku_id, setting.warehouse_id}] = setting;
  return absl::OkStatus();
}

absl::StatusOr<std::vector<StockPosition>> InMemoryProductStore::StockPositions(const std::string& warehouse_id,
                                                                                bool with_sales, absl::Time since) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<StockPosition> out;
  for (const auto& [key, level] : stock_) {
    if (!warehouse_id.empty() && key.second != warehouse_id) continue;
    StockPosition p;
    p.level = level;
    auto s = safety_.find(key);
    if (s != safety_.end()) p.safety = s->second;
    for (const LedgerEntry& e : ledger_) {
      if (e.sku_id == key.first && e.created_at >= since && (e.kind == "outbound" || e.kind == "confirm")) {
        p.sku_units_sold -= e.on_hand_delta;
        if (e.warehouse_id == key.second) p.units_sold -= e.on_hand_delta;
      }
    }
    auto abc = abc_.find(key.first);
    if (abc != abc_.end()) p.abc_class = abc->second;
    if (p.safety || (with_sales && p.units_sold > 0)) out.push_back(p);
  }
  return out;
}

absl::StatusOr<std::vector<SkuRevenue>> InMemoryProductStore::SkuRevenues(absl::Time since) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<SkuRevenue> out;
  for (const auto& [sku_id, product_id] : sku_product_) {
    int64_t units = 0;
    for (const LedgerEntry& e : ledger_) {
      if (e.sku_id == sku_id && e.kind == "confirm" && e.created_at >= since) units -= e.on_hand_delta;
    }
    int64_t price = 0;
    for (const Sku& sku : products_.at(product_id).skus) {
      if (sku.sku_id == sku_id) price = sku.price.amount_minor;
    }
    out.push_back({sku_id, units * price});
  }
  return out;
}

absl::Status InMemoryProductStore::SaveAbcClasses(const std::vector<SkuClass>& classes, absl::Time now) {
  std::lock_guard<std::mutex> lock(mu_);
  abc_.clear();
  for (const SkuClass& c : classes) abc_[c.sku_id] = c.abc_class;
  return absl::OkStatus();
}

void InMemoryProductStore::PutWarehouse(const Warehouse& warehouse) {
  std::lock_guard<std::mutex> lock(mu_);
  warehouses_[warehouse.warehouse_id] = warehouse;
}

absl::StatusOr<ReserveOutcome> InMemoryProductStore::Reserve(const Reservation& draft) {
  std::lock_guard<std::mutex> lock(mu_);
  auto existing = reservations_.find(draft.order_id);
  if (existing != reservations_.end()) return ReserveOutcome{existing->second.reservation, false};
  std::vector<Warehouse> all;
  for (const auto& [id, warehouse] : warehouses_) all.push_back(warehouse);
  const std::vector<Warehouse> eligible = SourcingOrder(all, draft.region);
  std::vector<Allocation> allocations;
  for (const auto& line : draft.lines) {
    if (!sku_product_.count(line.sku_id)) {
      return NotFound("SKU_NOT_FOUND", absl::StrCat("sku ", line.sku_id, " does not exist"));
    }
    std::vector<StockLevel> levels;
    for (const auto& [key, level] : stock_) {
      if (key.first == line.sku_id) levels.push_back(level);
    }
    ASSIGN_OR_RETURN(std::vector<Allocation> part, SourceLine(line.sku_id, line.quantity, levels, eligible));
    allocations.insert(allocations.end(), part.begin(), part.end());
  }
  std::sort(allocations.begin(), allocations.end(), [](const Allocation& a, const Allocation& b) {
    return std::tie(a.sku_id, a.warehouse_id) < std::tie(b.sku_id, b.warehouse_id);
  });
  for (const auto& a : allocations) {
    stock_[{a.sku_id, a.warehouse_id}].reserved += a.quantity;
    RecordLocked(a.sku_id, a.warehouse_id, "reserve", draft.order_id, 0, a.quantity, draft.created_at, "", "", "");
  }
  Reservation held = draft;
  held.allocations = allocations;
  reservations_[draft.order_id] = {held, allocations};
  return ReserveOutcome{held, true};
}

absl::StatusOr<TransitionOutcome> InMemoryProductStore::Transition(const std::string& order_id,
                                                                   ReservationAction action, absl::Time now) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = reservations_.find(order_id);
  if (it == reservations_.end()) {
    return NotFound("RESERVATION_NOT_FOUND", absl::StrCat("no reservation for order ", order_id));
  }
  StoredReservation& stored = it->second;
  ASSIGN_OR_RETURN(std::optional<ReservationStatus> to, DecideTransition(stored.reservation, action, now));
  if (!to) return TransitionOutcome{stored.reservation, false};
  for (const auto& a : stored.allocations) {
    StockDelta d = DeltaFor(*to, a.quantity);
    StockLevel& level = stock_[{a.sku_id, a.warehouse_id}];
    level.on_hand += d.on_hand;
    level.reserved += d.reserved;
    RecordLocked(a.sku_id, a.warehouse_id, LedgerKindFor(*to), order_id, d.on_hand, d.reserved, now, "", "", "");
  }
  stored.reservation.status = *to;
  return TransitionOutcome{stored.reservation, true};
}

absl::StatusOr<TransitionOutcome> InMemoryProductStore::Settle(const std::string& order_id, int64_t confirm_quantity,
                                                               absl::Time now) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = reservations_.find(order_id);
  if (it == reservations_.end()) {
    return NotFound("RESERVATION_NOT_FOUND", absl::StrCat("no reservation for order ", order_id));
  }
  StoredReservation& stored = it->second;
  ASSIGN_OR_RETURN(std::optional<ReservationStatus> to,
                   DecideTransition(stored.reservation, ReservationAction::kConfirm, now));
  if (!to) return TransitionOutcome{stored.reservation, false};
  if (*to != ReservationStatus::kConfirmed) {
    return FailedPrecondition("RESERVATION_EXPIRED", absl::StrCat("reservation of ", order_id, " has expired"));
  }
  Reservation with_allocations = stored.reservation;
  with_allocations.allocations = stored.allocations;
  ASSIGN_OR_RETURN(std::vector<SettlementMove> moves, SplitSettlement(with_allocations, confirm_quantity));
  for (const SettlementMove& m : moves) {
    StockLevel& level = stock_[{m.allocation.sku_id, m.allocation.warehouse_id}];
    level.on_hand -= m.confirmed;
    level.reserved -= m.confirmed + m.released;
    if (m.confirmed > 0) {
      RecordLocked(m.allocation.sku_id, m.allocation.warehouse_id, "confirm", order_id, -m.confirmed, -m.confirmed, now,
                   "", "", "");
    }
    if (m.released > 0) {
      RecordLocked(m.allocation.sku_id, m.allocation.warehouse_id, "release", order_id, 0, -m.released, now, "", "",
                   "");
    }
  }
  stored.reservation.status = ReservationStatus::kConfirmed;
  return TransitionOutcome{stored.reservation, true};
}

absl::StatusOr<TransitionOutcome> InMemoryProductStore::Resize(const std::string& order_id, int64_t new_quantity,
                                                               const std::string& request_id, absl::Time now,
                                                               absl::Time hold_until) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = reservations_.find(order_id);
  if (it == reservations_.end()) {
    return NotFound("RESERVATION_NOT_FOUND", absl::StrCat("no reservation for order ", order_id));
  }
  StoredReservation& stored = it->second;
  Reservation with_allocations = stored.reservation;
  with_allocations.allocations = stored.allocations;
  if (resizes_.count(request_id)) return TransitionOutcome{with_allocations, false};
  if (stored.reservation.status != ReservationStatus::kHeld || now >= stored.reservation.expires_at) {
    return FailedPrecondition("RESERVATION_NOT_HELD", "no longer held");
  }
  std::vector<ResizeSource> sources;
  if (!with_allocations.lines.empty()) {
    for (const auto& [key, level] : stock_) {
      if (key.first == with_allocations.lines[0].sku_id)
        sources.push_back({key.second, level.on_hand - level.reserved});
    }
  }
  ASSIGN_OR_RETURN(std::vector<ResizeMove> moves, PlanResize(with_allocations, new_quantity, sources));
  for (const ResizeMove& m : moves) {
    stock_[{m.sku_id, m.warehouse_id}].reserved += m.delta;
    RecordLocked(m.sku_id, m.warehouse_id, m.delta > 0 ? "reserve" : "release", order_id, 0, m.delta, now, "", "", "");
    bool found = false;
    for (auto a = stored.allocations.begin(); a != stored.allocations.end(); ++a) {
      if (a->warehouse_id != m.warehouse_id) continue;
      found = true;
      a->quantity += m.delta;
      if (a->quantity == 0) stored.allocations.erase(a);
      break;
    }
    if (!found) stored.allocations.push_back({m.sku_id, m.warehouse_id, m.delta});
  }
  stored.reservation.lines[0].quantity = new_quantity;
  stored.reservation.expires_at = std::max(stored.reservation.expires_at, hold_until);
  resizes_[request_id] = order_id;
  with_allocations = stored.reservation;
  with_allocations.allocations = stored.allocations;
  return TransitionOutcome{with_allocations, !moves.empty()};
}

absl::StatusOr<int> InMemoryProductStore::ExpireDue(absl::Time now, int limit) {
  std::vector<std::string> due;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [id, stored] : reservations_) {
      if (static_cast<int>(due.size()) >= limit) break;
      if (stored.reservation.status == ReservationStatus::kHeld && stored.reservation.expires_at <= now) {
        due.push_back(id);
      }
    }
  }
  int expired = 0;
  for (const auto& id : due) {
    ASSIGN_OR_RETURN(TransitionOutcome outcome, Transition(id, ReservationAction::kExpire, now));
    if (outcome.changed) ++expired;
  }
  return expired;
}

StockLevel InMemoryProductStore::Level(const std::string& sku_id, const std::string& warehouse_id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = stock_.find({sku_id, warehouse_id});
  return it == stock_.end() ? StockLevel{sku_id, warehouse_id, 0, 0} : it->second;
}

int64_t InMemoryProductStore::Available(const std::string& sku_id) {
  std::lock_guard<std::mutex> lock(mu_);
  return AvailableLocked(sku_id);
}

std::vector<LedgerEntry> InMemoryProductStore::Ledger() {
  std::lock_guard<std::mutex> lock(mu_);
  return ledger_;
}

void InMemoryProductStore::RecordLocked(const std::string& sku_id, const std::string& warehouse_id,
                                        const std::string& kind, const std::string& reference, int64_t on_hand_delta,
                                        int64_t reserved_delta, absl::Time now, const std::string& request_id,
                                        const std::string& reason, const std::string& actor) {
  const StockLevel& level = stock_[{sku_id, warehouse_id}];
  LedgerEntry e;
  e.entry_id = static_cast<int64_t>(ledger_.size()) + 1;
  e.sku_id = sku_id;
  e.warehouse_id = warehouse_id;
  e.kind = kind;
  e.on_hand_delta = on_hand_delta;
  e.reserved_delta = reserved_delta;
  e.on_hand_after = level.on_hand;
  e.reserved_after = level.reserved;
  e.reference = reference;
  e.request_id = request_id;
  e.reason = reason;
  e.actor = actor;
  e.created_at = now;
  ledger_.push_back(std::move(e));
}

int64_t InMemoryProductStore::AvailableLocked(const std::string& sku_id) const {
  int64_t total = 0;
  for (const auto& [key, level] : stock_) {
    if (key.first == sku_id) total += level.available();
  }
  return total;
}

Sku InMemoryProductStore::FillLocked(Sku sku) const {
  sku.available = AvailableLocked(sku.sku_id);
  sku.product_title = products_.at(sku.product_id).title;
  sku.product_status = products_.at(sku.product_id).status;
  return sku;
}

Product InMemoryProductStore::FillLocked(Product product) const {
  for (auto& sku : product.skus) sku = FillLocked(sku);
  return product;
}

}  // namespace zhongtai::product
