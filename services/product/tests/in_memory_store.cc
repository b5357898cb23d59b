#include "services/product/tests/in_memory_store.h"

#include <algorithm>
#include <tuple>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/status/status.h"
#include "services/product/domain/rules.h"
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
    if (s.quantity > 0) ledger_.push_back({s.sku_id, s.warehouse_id, "adjust", request_id, s.quantity, 0});
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

absl::StatusOr<std::vector<Sku>> InMemoryProductStore::GetSkus(const std::vector<std::string>& sku_ids) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<Sku> out;
  for (const auto& id : sku_ids) {
    auto it = sku_product_.find(id);
    if (it == sku_product_.end()) continue;
    for (const auto& sku : products_.at(it->second).skus) {
      if (sku.sku_id == id) out.push_back(FillLocked(sku));
    }
  }
  return out;
}

absl::StatusOr<StockLevel> InMemoryProductStore::AdjustStock(const StockAdjustment& adjustment, absl::Time now) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!adjustment.request_id.empty()) {
    auto it = adjust_requests_.find(adjustment.request_id);
    if (it != adjust_requests_.end()) return it->second;
  }
  if (!sku_product_.count(adjustment.sku_id)) return NotFound("SKU_NOT_FOUND", "sku does not exist");
  if (!warehouses_.count(adjustment.warehouse_id)) return NotFound("WAREHOUSE_NOT_FOUND", "warehouse does not exist");
  auto key = std::make_pair(adjustment.sku_id, adjustment.warehouse_id);
  auto it = stock_.find(key);
  StockLevel level = it == stock_.end() ? StockLevel{adjustment.sku_id, adjustment.warehouse_id, 0, 0} : it->second;
  level.on_hand += adjustment.delta;
  if (level.on_hand < level.reserved || level.on_hand < 0) {
    return FailedPrecondition("STOCK_BELOW_RESERVED", "on hand would drop below what is reserved");
  }
  stock_[key] = level;
  ledger_.push_back({level.sku_id, level.warehouse_id, "adjust", adjustment.request_id, adjustment.delta, 0});
  if (!adjustment.request_id.empty()) adjust_requests_[adjustment.request_id] = level;
  return level;
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
    ledger_.push_back({a.sku_id, a.warehouse_id, "reserve", draft.order_id, 0, a.quantity});
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
    ledger_.push_back({a.sku_id, a.warehouse_id, LedgerKindFor(*to), order_id, d.on_hand, d.reserved});
  }
  stored.reservation.status = *to;
  return TransitionOutcome{stored.reservation, true};
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

std::vector<InMemoryProductStore::LedgerRow> InMemoryProductStore::Ledger() {
  std::lock_guard<std::mutex> lock(mu_);
  return ledger_;
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
  return sku;
}

Product InMemoryProductStore::FillLocked(Product product) const {
  for (auto& sku : product.skus) sku = FillLocked(sku);
  return product;
}

}  // namespace zhongtai::product
