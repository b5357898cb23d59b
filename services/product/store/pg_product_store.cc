#include "services/product/store/pg_product_store.h"

#include <algorithm>
#include <map>
#include <optional>
#include <tuple>
#include <unordered_map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/status/status.h"
#include "services/product/domain/rules.h"

namespace zhongtai::product {
namespace {

int64_t Micros(absl::Time t) { return absl::ToUnixMicros(t); }
absl::Time FromMicros(const pqxx::field& f) { return absl::FromUnixMicros(f.as<int64_t>()); }

std::string StatusText(ReservationStatus status) { return ReservationStatusName(status); }

ReservationStatus ParseStatus(const std::string& text) {
  if (text == "CONFIRMED") return ReservationStatus::kConfirmed;
  if (text == "RELEASED") return ReservationStatus::kReleased;
  if (text == "EXPIRED") return ReservationStatus::kExpired;
  return ReservationStatus::kHeld;
}

std::string LikePattern(const std::string& word) {
  std::string out = "%";
  for (char c : word) {
    if (c == '%' || c == '_' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('%');
  return out;
}

bool IsUniqueViolation(const absl::Status& status) {
  return status.code() == absl::StatusCode::kAlreadyExists && ReasonOf(status) == "DB_UNIQUE_VIOLATION";
}

constexpr char kCategoryColumns[] = "category_id, name, COALESCE(parent_id, ''), zt_micros(created_at)";

Category ReadCategory(const pqxx::row& row) {
  Category c;
  c.category_id = row[0].as<std::string>();
  c.name = row[1].as<std::string>();
  c.parent_id = row[2].as<std::string>();
  c.created_at = FromMicros(row[3]);
  return c;
}

// SKUs with availability (over all warehouses), product title and attributes, by a WHERE clause
// on skus s with $1 a text[].
std::vector<Sku> LoadSkus(pqxx::work& tx, const std::string& where, const std::string& ids) {
  pqxx::result rows = tx.exec_params(
      absl::StrCat("SELECT s.sku_id, s.product_id, s.sku_code, s.spec, s.price_currency, s.price_minor, "
                   "COALESCE((SELECT SUM(on_hand - reserved) FROM stock st WHERE st.sku_id = s.sku_id), 0), "
                   "p.title FROM skus s JOIN products p ON p.product_id = s.product_id WHERE ",
                   where, " ORDER BY s.product_id, s.position"),
      ids);
  std::vector<Sku> skus;
  std::unordered_map<std::string, size_t> index;
  for (const auto& row : rows) {
    Sku sku;
    sku.sku_id = row[0].as<std::string>();
    sku.product_id = row[1].as<std::string>();
    sku.sku_code = row[2].as<std::string>();
    sku.spec = row[3].as<std::string>();
    sku.price.currency = row[4].as<std::string>();
    sku.price.amount_minor = row[5].as<int64_t>();
    sku.available = row[6].as<int64_t>();
    sku.product_title = row[7].as<std::string>();
    index[sku.sku_id] = skus.size();
    skus.push_back(std::move(sku));
  }
  if (skus.empty()) return skus;
  std::vector<std::string> sku_ids;
  for (const auto& sku : skus) sku_ids.push_back(sku.sku_id);
  pqxx::result attrs = tx.exec_params(
      "SELECT sku_id, name, value FROM sku_attributes WHERE sku_id = ANY($1::text[])", TextArrayLiteral(sku_ids));
  for (const auto& row : attrs) {
    skus[index.at(row[0].as<std::string>())].attributes[row[1].as<std::string>()] = row[2].as<std::string>();
  }
  return skus;
}

// Products by id, in the order of `ids`; missing ones are left out.
std::vector<Product> LoadProducts(pqxx::work& tx, const std::vector<std::string>& ids) {
  std::string literal = TextArrayLiteral(ids);
  pqxx::result rows = tx.exec_params(
      "SELECT product_id, title, description, category_id, zt_micros(created_at) FROM products "
      "WHERE product_id = ANY($1::text[])",
      literal);
  std::map<std::string, Product> by_id;
  for (const auto& row : rows) {
    Product p;
    p.product_id = row[0].as<std::string>();
    p.title = row[1].as<std::string>();
    p.description = row[2].as<std::string>();
    p.category_id = row[3].as<std::string>();
    p.created_at = FromMicros(row[4]);
    by_id[p.product_id] = std::move(p);
  }
  for (auto& sku : LoadSkus(tx, "s.product_id = ANY($1::text[])", literal)) {
    by_id[sku.product_id].skus.push_back(std::move(sku));
  }
  std::vector<Product> out;
  for (const auto& id : ids) {
    auto it = by_id.find(id);
    if (it != by_id.end()) out.push_back(std::move(it->second));
  }
  return out;
}

std::optional<Reservation> LoadReservation(pqxx::work& tx, const std::string& order_id, bool lock) {
  pqxx::result rows = tx.exec_params(
      absl::StrCat("SELECT status, zt_micros(created_at), zt_micros(expires_at) FROM reservations "
                   "WHERE order_id = $1",
                   lock ? " FOR UPDATE" : ""),
      order_id);
  if (rows.empty()) return std::nullopt;
  Reservation r;
  r.order_id = order_id;
  r.status = ParseStatus(rows[0][0].as<std::string>());
  r.created_at = FromMicros(rows[0][1]);
  r.expires_at = FromMicros(rows[0][2]);
  for (const auto& row :
       tx.exec_params("SELECT sku_id, quantity FROM reservation_lines WHERE order_id = $1 ORDER BY sku_id COLLATE \"C\"",
                     order_id)) {
    r.lines.push_back({row[0].as<std::string>(), row[1].as<int64_t>()});
  }
  return r;
}

// Moves stock of one allocation and writes its ledger row. The row is locked by the UPDATE.
absl::Status MoveStock(pqxx::work& tx, const Allocation& a, ReservationStatus to, const std::string& order_id,
                       absl::Time now) {
  StockDelta d = DeltaFor(to, a.quantity);
  pqxx::result rows = tx.exec_params(
      "UPDATE stock SET on_hand = on_hand + $3, reserved = reserved + $4, updated_at = zt_ts($5) "
      "WHERE sku_id = $1 AND warehouse_id = $2 AND (on_hand + $3) - (reserved + $4) >= 0 AND reserved + $4 >= 0 "
      "RETURNING on_hand, reserved",
      a.sku_id, a.warehouse_id, d.on_hand, d.reserved, Micros(now));
  if (rows.empty()) {
    return FailedPrecondition("INSUFFICIENT_STOCK", absl::StrCat("not enough stock for sku ", a.sku_id));
  }
  tx.exec_params(
      "INSERT INTO stock_ledger (sku_id, warehouse_id, kind, on_hand_delta, reserved_delta, on_hand_after, "
      "reserved_after, order_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, zt_ts($9))",
      a.sku_id, a.warehouse_id, std::string(LedgerKindFor(to)), d.on_hand, d.reserved, rows[0][0].as<int64_t>(),
      rows[0][1].as<int64_t>(), order_id, Micros(now));
  return absl::OkStatus();
}

std::vector<Allocation> LoadAllocations(pqxx::work& tx, const std::string& order_id) {
  std::vector<Allocation> out;
  for (const auto& row : tx.exec_params(
           "SELECT sku_id, warehouse_id, quantity FROM reservation_allocations WHERE order_id = $1 "
           "ORDER BY sku_id COLLATE \"C\", warehouse_id COLLATE \"C\"",
           order_id)) {
    out.push_back({row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<int64_t>()});
  }
  return out;
}

void SetStatus(pqxx::work& tx, const std::string& order_id, ReservationStatus to, absl::Time now) {
  tx.exec_params("UPDATE reservations SET status = $2, updated_at = zt_ts($3) WHERE order_id = $1", order_id,
                 StatusText(to), Micros(now));
}

}  // namespace

std::string TextArrayLiteral(const std::vector<std::string>& values) {
  std::string out = "{";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out.push_back(',');
    out.push_back('"');
    for (char c : values[i]) {
      if (c == '"' || c == '\\') out.push_back('\\');
      out.push_back(c);
    }
    out.push_back('"');
  }
  out.push_back('}');
  return out;
}

absl::StatusOr<Category> PgProductStore::CreateCategory(const Category& category, const std::string& request_id) {
  auto find_by_request = [&](pqxx::work& tx) -> std::optional<Category> {
    if (request_id.empty()) return std::nullopt;
    pqxx::result rows = tx.exec_params(
        absl::StrCat("SELECT ", kCategoryColumns, " FROM categories WHERE request_id = $1"), request_id);
    if (rows.empty()) return std::nullopt;
    return ReadCategory(rows[0]);
  };
  Category result;
  absl::Status status = pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    if (auto existing = find_by_request(tx)) {
      result = *existing;
      return absl::OkStatus();
    }
    if (!category.parent_id.empty() &&
        tx.exec_params("SELECT 1 FROM categories WHERE category_id = $1", category.parent_id).empty()) {
      return NotFound("CATEGORY_NOT_FOUND", "parent category does not exist");
    }
    if (!tx.exec_params("SELECT 1 FROM categories WHERE COALESCE(parent_id, '') = $1 AND lower(name) = lower($2)",
                        category.parent_id, category.name)
             .empty()) {
      return AlreadyExists("CATEGORY_EXISTS", "a category with this name exists under the same parent");
    }
    tx.exec_params(
        "INSERT INTO categories (category_id, name, parent_id, request_id, created_at) "
        "VALUES ($1, $2, NULLIF($3, ''), NULLIF($4, ''), zt_ts($5))",
        category.category_id, category.name, category.parent_id, request_id, Micros(category.created_at));
    result = category;
    return absl::OkStatus();
  });
  if (IsUniqueViolation(status)) {
    // A concurrent call with the same request id or name won the race.
    std::optional<Category> existing;
    RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) {
      existing = find_by_request(tx);
      return absl::OkStatus();
    }));
    if (existing) return *existing;
    return AlreadyExists("CATEGORY_EXISTS", "a category with this name exists under the same parent");
  }
  RETURN_IF_ERROR(status);
  return result;
}

absl::StatusOr<std::vector<Category>> PgProductStore::ListCategories(const std::string& after_id, int limit) {
  std::vector<Category> out;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) {
    out.clear();
    for (const auto& row : tx.exec_params(absl::StrCat("SELECT ", kCategoryColumns,
                                                       " FROM categories WHERE category_id > $1 "
                                                       "ORDER BY category_id LIMIT $2"),
                                          after_id, limit)) {
      out.push_back(ReadCategory(row));
    }
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<Product> PgProductStore::CreateProduct(const Product& product, const std::vector<InitialStock>& stock,
                                                      const std::string& request_id, absl::Time now) {
  auto find_by_request = [&](pqxx::work& tx) -> std::optional<Product> {
    if (request_id.empty()) return std::nullopt;
    pqxx::result rows = tx.exec_params("SELECT product_id FROM products WHERE request_id = $1", request_id);
    if (rows.empty()) return std::nullopt;
    std::vector<Product> found = LoadProducts(tx, {rows[0][0].as<std::string>()});
    if (found.empty()) return std::nullopt;
    return found[0];
  };
  Product result;
  absl::Status status = pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    if (auto existing = find_by_request(tx)) {
      result = *existing;
      return absl::OkStatus();
    }
    if (tx.exec_params("SELECT 1 FROM categories WHERE category_id = $1", product.category_id).empty()) {
      return NotFound("CATEGORY_NOT_FOUND", "category does not exist");
    }
    for (const auto& sku : product.skus) {
      if (!tx.exec_params("SELECT 1 FROM skus WHERE sku_code = $1", sku.sku_code).empty()) {
        return AlreadyExists("SKU_CODE_EXISTS", absl::StrCat("sku code ", sku.sku_code, " is taken"));
      }
    }
    tx.exec_params(
        "INSERT INTO products (product_id, title, description, category_id, request_id, created_at) "
        "VALUES ($1, $2, $3, $4, NULLIF($5, ''), zt_ts($6))",
        product.product_id, product.title, product.description, product.category_id, request_id,
        Micros(product.created_at));
    int position = 0;
    for (const auto& sku : product.skus) {
      tx.exec_params(
          "INSERT INTO skus (sku_id, product_id, sku_code, spec, price_currency, price_minor, position) "
          "VALUES ($1, $2, $3, $4, $5, $6, $7)",
          sku.sku_id, product.product_id, sku.sku_code, sku.spec, sku.price.currency, sku.price.amount_minor,
          position++);
      for (const auto& [name, value] : sku.attributes) {
        tx.exec_params("INSERT INTO sku_attributes (sku_id, name, value) VALUES ($1, $2, $3)", sku.sku_id, name,
                       value);
      }
    }
    for (const auto& s : stock) {
      tx.exec_params(
          "INSERT INTO stock (sku_id, warehouse_id, on_hand, reserved, updated_at) VALUES ($1, $2, $3, 0, zt_ts($4))",
          s.sku_id, s.warehouse_id, s.quantity, Micros(now));
      if (s.quantity > 0) {
        tx.exec_params(
            "INSERT INTO stock_ledger (sku_id, warehouse_id, kind, on_hand_delta, reserved_delta, on_hand_after, "
            "reserved_after, request_id, reason, created_at) "
            "VALUES ($1, $2, 'initial', $3, 0, $3, 0, NULLIF($4, ''), 'initial stock', zt_ts($5))",
            s.sku_id, s.warehouse_id, s.quantity, request_id, Micros(now));
      }
    }
    result = LoadProducts(tx, {product.product_id}).at(0);
    return absl::OkStatus();
  });
  if (IsUniqueViolation(status)) {
    std::optional<Product> existing;
    RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) {
      existing = find_by_request(tx);
      return absl::OkStatus();
    }));
    if (existing) return *existing;
    return AlreadyExists("SKU_CODE_EXISTS", "a sku code is taken");
  }
  RETURN_IF_ERROR(status);
  return result;
}

absl::StatusOr<Product> PgProductStore::GetProduct(const std::string& product_id) {
  std::vector<Product> found;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) {
    found = LoadProducts(tx, {product_id});
    return absl::OkStatus();
  }));
  if (found.empty()) return NotFound("PRODUCT_NOT_FOUND", absl::StrCat("product ", product_id, " does not exist"));
  return std::move(found[0]);
}

absl::StatusOr<std::vector<Product>> PgProductStore::ListProducts(const ProductQuery& query) {
  std::vector<std::string> patterns;
  for (const auto& word : query.title_words) patterns.push_back(LikePattern(word));
  std::vector<Product> out;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) {
    std::vector<std::string> ids;
    for (const auto& row : tx.exec_params(
             "WITH RECURSIVE cats AS ("
             "  SELECT category_id FROM categories WHERE category_id = $2"
             "  UNION SELECT c.category_id FROM categories c JOIN cats ON c.parent_id = cats.category_id) "
             "SELECT product_id FROM products "
             "WHERE ($1 = '' OR product_id < $1) "
             "  AND ($2 = '' OR category_id IN (SELECT category_id FROM cats)) "
             "  AND title ILIKE ALL ($3::text[]) "
             "ORDER BY product_id DESC LIMIT $4",
             query.after_product_id, query.category_id, TextArrayLiteral(patterns), query.page_size)) {
      ids.push_back(row[0].as<std::string>());
    }
    out = LoadProducts(tx, ids);
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<std::vector<Sku>> PgProductStore::GetSkus(const std::vector<std::string>& sku_ids) {
  std::vector<Sku> out;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) {
    out = LoadSkus(tx, "s.sku_id = ANY($1::text[])", TextArrayLiteral(sku_ids));
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<StockLevel> PgProductStore::AdjustStock(const StockAdjustment& adjustment, absl::Time now) {
  auto find_by_request = [&](pqxx::work& tx) -> absl::StatusOr<std::optional<StockLevel>> {
    if (adjustment.request_id.empty()) return std::nullopt;
    pqxx::result rows = tx.exec_params(
        "SELECT sku_id, warehouse_id, on_hand_delta, on_hand_after, reserved_after FROM stock_ledger "
        "WHERE kind = 'adjust' AND request_id = $1",
        adjustment.request_id);
    if (rows.empty()) return std::nullopt;
    StockLevel level{rows[0][0].as<std::string>(), rows[0][1].as<std::string>(), rows[0][3].as<int64_t>(),
                     rows[0][4].as<int64_t>()};
    if (level.sku_id != adjustment.sku_id || level.warehouse_id != adjustment.warehouse_id ||
        rows[0][2].as<int64_t>() != adjustment.delta) {
      return FailedPrecondition("REQUEST_ID_REUSED", "request id was used for a different adjustment");
    }
    return level;
  };
  StockLevel result;
  absl::Status status = pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    ASSIGN_OR_RETURN(std::optional<StockLevel> existing, find_by_request(tx));
    if (existing) {
      result = *existing;
      return absl::OkStatus();
    }
    if (tx.exec_params("SELECT 1 FROM skus WHERE sku_id = $1", adjustment.sku_id).empty()) {
      return NotFound("SKU_NOT_FOUND", absl::StrCat("sku ", adjustment.sku_id, " does not exist"));
    }
    tx.exec_params(
        "INSERT INTO stock (sku_id, warehouse_id, on_hand, reserved, updated_at) VALUES ($1, $2, 0, 0, zt_ts($3)) "
        "ON CONFLICT (sku_id, warehouse_id) DO NOTHING",
        adjustment.sku_id, adjustment.warehouse_id, Micros(now));
    pqxx::result rows = tx.exec_params(
        "UPDATE stock SET on_hand = on_hand + $3, updated_at = zt_ts($4) "
        "WHERE sku_id = $1 AND warehouse_id = $2 AND on_hand + $3 >= reserved RETURNING on_hand, reserved",
        adjustment.sku_id, adjustment.warehouse_id, adjustment.delta, Micros(now));
    if (rows.empty()) {
      return FailedPrecondition("STOCK_BELOW_RESERVED",
                                absl::StrCat("on hand of sku ", adjustment.sku_id, " in warehouse ",
                                             adjustment.warehouse_id, " would drop below what is reserved"));
    }
    result = {adjustment.sku_id, adjustment.warehouse_id, rows[0][0].as<int64_t>(), rows[0][1].as<int64_t>()};
    tx.exec_params(
        "INSERT INTO stock_ledger (sku_id, warehouse_id, kind, on_hand_delta, reserved_delta, on_hand_after, "
        "reserved_after, request_id, reason, created_at) "
        "VALUES ($1, $2, 'adjust', $3, 0, $4, $5, NULLIF($6, ''), $7, zt_ts($8))",
        adjustment.sku_id, adjustment.warehouse_id, adjustment.delta, result.on_hand, result.reserved,
        adjustment.request_id, adjustment.reason, Micros(now));
    return absl::OkStatus();
  });
  if (IsUniqueViolation(status)) {
    // The same request id committed concurrently: answer with its result.
    std::optional<StockLevel> existing;
    RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) -> absl::Status {
      ASSIGN_OR_RETURN(existing, find_by_request(tx));
      return absl::OkStatus();
    }));
    if (existing) return *existing;
  }
  RETURN_IF_ERROR(status);
  return result;
}

absl::StatusOr<ReserveOutcome> PgProductStore::Reserve(const Reservation& draft) {
  std::vector<ReservationLine> lines = NormalizeLines(draft.lines);
  ReserveOutcome outcome;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    // The order id's row first: a concurrent call with the same order id waits here until this
    // transaction ends, and then finds the reservation instead of holding stock again.
    pqxx::result inserted = tx.exec_params(
        "INSERT INTO reservations (order_id, status, created_at, expires_at, updated_at) "
        "VALUES ($1, 'HELD', zt_ts($2), zt_ts($3), zt_ts($2)) ON CONFLICT (order_id) DO NOTHING",
        draft.order_id, Micros(draft.created_at), Micros(draft.expires_at));
    if (inserted.affected_rows() == 0) {
      std::optional<Reservation> existing = LoadReservation(tx, draft.order_id, false);
      if (!existing) return Aborted("RESERVATION_RACE", "reservation vanished; retry");
      outcome = {*existing, false};
      return absl::OkStatus();
    }
    for (const auto& line : lines) {
      std::vector<StockLevel> levels;
      for (const auto& row : tx.exec_params(
               "SELECT warehouse_id, on_hand, reserved FROM stock WHERE sku_id = $1 "
               "ORDER BY warehouse_id COLLATE \"C\" FOR UPDATE",
               line.sku_id)) {
        levels.push_back({line.sku_id, row[0].as<std::string>(), row[1].as<int64_t>(), row[2].as<int64_t>()});
      }
      if (levels.empty() && tx.exec_params("SELECT 1 FROM skus WHERE sku_id = $1", line.sku_id).empty()) {
        return NotFound("SKU_NOT_FOUND", absl::StrCat("sku ", line.sku_id, " does not exist"));
      }
      ASSIGN_OR_RETURN(std::vector<Allocation> allocations, AllocateStock(line.sku_id, line.quantity, levels));
      tx.exec_params("INSERT INTO reservation_lines (order_id, sku_id, quantity) VALUES ($1, $2, $3)",
                     draft.order_id, line.sku_id, line.quantity);
      for (const auto& a : allocations) {
        RETURN_IF_ERROR(MoveStock(tx, a, ReservationStatus::kHeld, draft.order_id, draft.created_at));
        tx.exec_params(
            "INSERT INTO reservation_allocations (order_id, sku_id, warehouse_id, quantity) VALUES ($1, $2, $3, $4)",
            draft.order_id, a.sku_id, a.warehouse_id, a.quantity);
      }
    }
    outcome.reservation = draft;
    outcome.reservation.lines = lines;
    outcome.reservation.status = ReservationStatus::kHeld;
    outcome.created = true;
    return absl::OkStatus();
  }));
  return outcome;
}

absl::StatusOr<TransitionOutcome> PgProductStore::Transition(const std::string& order_id, ReservationAction action,
                                                             absl::Time now) {
  TransitionOutcome outcome;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    std::optional<Reservation> current = LoadReservation(tx, order_id, true);
    if (!current) return NotFound("RESERVATION_NOT_FOUND", absl::StrCat("no reservation for order ", order_id));
    ASSIGN_OR_RETURN(std::optional<ReservationStatus> to, DecideTransition(*current, action, now));
    outcome = {*current, false};
    if (!to) return absl::OkStatus();
    for (const auto& a : LoadAllocations(tx, order_id)) RETURN_IF_ERROR(MoveStock(tx, a, *to, order_id, now));
    SetStatus(tx, order_id, *to, now);
    outcome.reservation.status = *to;
    outcome.changed = true;
    return absl::OkStatus();
  }));
  return outcome;
}

absl::StatusOr<int> PgProductStore::ExpireDue(absl::Time now, int limit) {
  int expired = 0;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    expired = 0;
    // SKIP LOCKED: another replica's sweep, or a confirm in flight, keeps its rows.
    std::vector<std::string> due;
    for (const auto& row : tx.exec_params(
             "SELECT order_id FROM reservations WHERE status = 'HELD' AND expires_at <= zt_ts($1) "
             "ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED",
             Micros(now), limit)) {
      due.push_back(row[0].as<std::string>());
    }
    if (due.empty()) return absl::OkStatus();
    // Stock rows of the whole batch in one global order, as every other transaction locks them.
    std::vector<std::pair<std::string, Allocation>> moves;
    for (const auto& row : tx.exec_params(
             "SELECT order_id, sku_id, warehouse_id, quantity FROM reservation_allocations "
             "WHERE order_id = ANY($1::text[]) ORDER BY sku_id COLLATE \"C\", warehouse_id COLLATE \"C\", order_id",
             TextArrayLiteral(due))) {
      moves.push_back({row[0].as<std::string>(),
                       {row[1].as<std::string>(), row[2].as<std::string>(), row[3].as<int64_t>()}});
    }
    for (const auto& [order_id, a] : moves) {
      RETURN_IF_ERROR(MoveStock(tx, a, ReservationStatus::kExpired, order_id, now));
    }
    for (const auto& order_id : due) SetStatus(tx, order_id, ReservationStatus::kExpired, now);
    expired = static_cast<int>(due.size());
    return absl::OkStatus();
  }));
  return expired;
}

}  // namespace zhongtai::product
