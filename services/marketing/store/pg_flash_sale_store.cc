#include "services/marketing/store/pg_flash_sale_store.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/pg/prepared.h"
#include "common/pg/time.h"
#include "common/status/status.h"

namespace zhongtai::marketing {
namespace {

using pg::Micros;
using pg::TimeFromMicros;

constexpr char kSaleColumns[] =
    "sale_id, request_id, name, sku_id, sale_price_minor, currency, quantity, per_user_limit, zt_micros(start_at), "
    "zt_micros(end_at), status, sold_quantity, zt_micros(created_at), version";
constexpr char kPurchaseColumns[] =
    "purchase_id, sale_id, user_id, request_id, order_id, status, zt_micros(admitted_at)";

constexpr char kInsertSale[] =
    "INSERT INTO flash_sales (sale_id, request_id, name, sku_id, sale_price_minor, currency, quantity, "
    "per_user_limit, start_at, end_at, status, created_at, updated_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, zt_ts($9), zt_ts($10), $11, zt_ts($12), zt_ts($12)) "
    "ON CONFLICT (request_id) DO NOTHING RETURNING sale_id";
constexpr char kSetStatus[] =
    "UPDATE flash_sales SET status = $2, sold_quantity = $3, updated_at = zt_ts($4) WHERE sale_id = $1 RETURNING ";
// An admin's change, on the version it was made on ($9): none returned when the sale moved on (or is no longer ACTIVE).
constexpr char kUpdateSale[] =
    "UPDATE flash_sales SET sale_price_minor = $2, quantity = $3, per_user_limit = $4, start_at = zt_ts($5), "
    "end_at = zt_ts($6), version = $7, updated_at = zt_ts($8) "
    "WHERE sale_id = $1 AND version = $9 AND status = 'ACTIVE' RETURNING ";
// Running or upcoming.
constexpr char kListCurrent[] =
    "FROM flash_sales WHERE status = 'ACTIVE' AND end_at > zt_ts($1) ORDER BY end_at, sale_id";
constexpr char kListEnded[] =
    "FROM flash_sales WHERE status = 'ACTIVE' AND end_at <= zt_ts($1) ORDER BY end_at, sale_id LIMIT $2";
constexpr char kListReserving[] =
    "FROM flash_sales WHERE status = 'RESERVING' AND created_at < zt_ts($1) ORDER BY created_at, sale_id LIMIT $2";

constexpr char kInsertPurchase[] =
    "INSERT INTO flash_purchases (purchase_id, sale_id, user_id, request_id, order_id, status, admitted_at, "
    "updated_at) VALUES ($1, $2, $3, $4, $5, $6, zt_ts($7), zt_ts($8)) ON CONFLICT (purchase_id) DO NOTHING";
constexpr char kSetPurchaseStatus[] =
    "UPDATE flash_purchases SET status = $2, updated_at = zt_ts($3) WHERE purchase_id = $1";

FlashSale SaleFromRow(const pqxx::row& row) {
  FlashSale sale;
  sale.sale_id = row[0].as<std::string>();
  sale.request_id = row[1].as<std::string>();
  sale.name = row[2].as<std::string>();
  sale.sku_id = row[3].as<std::string>();
  sale.sale_price = row[4].as<int64_t>();
  sale.currency = row[5].as<std::string>();
  sale.quantity = row[6].as<int64_t>();
  sale.per_user_limit = row[7].as<int64_t>();
  sale.start_time = TimeFromMicros(row[8]);
  sale.end_time = TimeFromMicros(row[9]);
  sale.status = FlashSaleStatusFromName(row[10].as<std::string>()).value_or(FlashSaleStatus::kFailed);
  sale.sold_quantity = row[11].as<int64_t>();
  sale.create_time = TimeFromMicros(row[12]);
  sale.version = row[13].as<int64_t>();
  return sale;
}

FlashPurchase PurchaseFromRow(const pqxx::row& row) {
  FlashPurchase purchase;
  purchase.purchase_id = row[0].as<std::string>();
  purchase.sale_id = row[1].as<std::string>();
  purchase.user_id = row[2].as<std::string>();
  purchase.request_id = row[3].as<std::string>();
  purchase.order_id = row[4].as<std::string>();
  purchase.status = PurchaseStatusFromName(row[5].as<std::string>()).value_or(PurchaseStatus::kPending);
  purchase.admit_time = TimeFromMicros(row[6]);
  return purchase;
}

std::vector<FlashSale> Sales(const pqxx::result& rows) {
  std::vector<FlashSale> sales;
  for (const auto& row : rows) sales.push_back(SaleFromRow(row));
  return sales;
}

}  // namespace

absl::StatusOr<FlashSaleStore::CreateResult> PgFlashSaleStore::Create(const FlashSale& s) {
  CreateResult result;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    pqxx::result inserted = tx.exec_params(kInsertSale, s.sale_id, s.request_id, s.name, s.sku_id, s.sale_price,
                                           s.currency, s.quantity, s.per_user_limit, Micros(s.start_time),
                                           Micros(s.end_time), FlashSaleStatusName(s.status), Micros(s.create_time));
    result.created = !inserted.empty();
    pqxx::result row = tx.exec_params(absl::StrCat("SELECT ", kSaleColumns, " FROM flash_sales WHERE ",
                                                   result.created ? "sale_id" : "request_id", " = $1"),
                                      result.created ? s.sale_id : s.request_id);
    if (row.empty()) return Aborted("REQUEST_RACE", "the flash sale's request id is being used; retry");
    result.sale = SaleFromRow(row[0]);
    return absl::OkStatus();
  }));
  return result;
}

absl::StatusOr<std::optional<FlashSale>> PgFlashSaleStore::Get(const std::string& sale_id) {
  std::optional<FlashSale> sale;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) {
    pqxx::result rows =
        tx.exec_params(absl::StrCat("SELECT ", kSaleColumns, " FROM flash_sales WHERE sale_id = $1"), sale_id);
    if (!rows.empty()) sale = SaleFromRow(rows[0]);
    return absl::OkStatus();
  }));
  return sale;
}

absl::StatusOr<FlashSale> PgFlashSaleStore::Update(const FlashSale& s, int64_t expected_version, absl::Time now) {
  FlashSale sale;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    pqxx::result rows =
        tx.exec_params(absl::StrCat(kUpdateSale, kSaleColumns), s.sale_id, s.sale_price, s.quantity, s.per_user_limit,
                       Micros(s.start_time), Micros(s.end_time), s.version, Micros(now), expected_version);
    if (rows.empty()) {
      return Aborted("VERSION_CONFLICT", "the flash sale changed meanwhile: read it again");
    }
    sale = SaleFromRow(rows[0]);
    return absl::OkStatus();
  }));
  return sale;
}

absl::StatusOr<FlashSale> PgFlashSaleStore::SetStatus(const std::string& sale_id, FlashSaleStatus status,
                                                      int64_t sold_quantity, absl::Time now) {
  FlashSale sale;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    pqxx::result rows = tx.exec_params(absl::StrCat(kSetStatus, kSaleColumns), sale_id, FlashSaleStatusName(status),
                                       sold_quantity, Micros(now));
    if (rows.empty()) return NotFound("FLASH_SALE_NOT_FOUND", "no such flash sale");
    sale = SaleFromRow(rows[0]);
    return absl::OkStatus();
  }));
  return sale;
}

absl::StatusOr<std::vector<FlashSale>> PgFlashSaleStore::ListCurrent(absl::Time now) {
  std::vector<FlashSale> sales;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) {
    sales = Sales(tx.exec_params(absl::StrCat("SELECT ", kSaleColumns, " ", kListCurrent), Micros(now)));
    return absl::OkStatus();
  }));
  return sales;
}

absl::StatusOr<std::vector<FlashSale>> PgFlashSaleStore::ListEnded(absl::Time ended_before, int limit) {
  std::vector<FlashSale> sales;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) {
    sales = Sales(tx.exec_params(absl::StrCat("SELECT ", kSaleColumns, " ", kListEnded), Micros(ended_before), limit));
    return absl::OkStatus();
  }));
  return sales;
}

absl::StatusOr<std::vector<FlashSale>> PgFlashSaleStore::ListReserving(absl::Time before, int limit) {
  std::vector<FlashSale> sales;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) {
    sales = Sales(tx.exec_params(absl::StrCat("SELECT ", kSaleColumns, " ", kListReserving), Micros(before), limit));
    return absl::OkStatus();
  }));
  return sales;
}

absl::StatusOr<std::vector<FlashPurchase>> PgFlashSaleStore::ListPurchases(const std::string& sale_id) {
  std::vector<FlashPurchase> purchases;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) {
    pqxx::result rows = tx.exec_params(
        absl::StrCat("SELECT ", kPurchaseColumns, " FROM flash_purchases WHERE sale_id = $1 ORDER BY purchase_id"),
        sale_id);
    for (const auto& row : rows) purchases.push_back(PurchaseFromRow(row));
    return absl::OkStatus();
  }));
  return purchases;
}

absl::Status PgFlashSaleStore::RecordPurchase(const FlashPurchase& p, absl::Time now) {
  // One idempotent statement: no transaction needed around it.
  return pool_.Autocommit([&](pqxx::nontransaction& tx) {
    pg::Exec(tx, kInsertPurchase, p.purchase_id, p.sale_id, p.user_id, p.request_id, p.order_id,
             PurchaseStatusName(p.status), Micros(p.admit_time), Micros(now));
    return absl::OkStatus();
  });
}

absl::StatusOr<std::optional<FlashPurchase>> PgFlashSaleStore::GetPurchase(const std::string& purchase_id) {
  std::optional<FlashPurchase> purchase;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) {
    pqxx::result rows = tx.exec_params(
        absl::StrCat("SELECT ", kPurchaseColumns, " FROM flash_purchases WHERE purchase_id = $1"), purchase_id);
    if (!rows.empty()) purchase = PurchaseFromRow(rows[0]);
    return absl::OkStatus();
  }));
  return purchase;
}

void RecordFlashPurchase(pqxx::work& tx, const FlashPurchase& p, absl::Time now) {
  tx.exec_params(kInsertPurchase, p.purchase_id, p.sale_id, p.user_id, p.request_id, p.order_id,
                 PurchaseStatusName(p.status), Micros(p.admit_time), Micros(now));
}

std::optional<FlashPurchase> LockFlashPurchaseByOrder(pqxx::work& tx, const std::string& order_id) {
  pqxx::result rows = tx.exec_params(
      absl::StrCat("SELECT ", kPurchaseColumns, " FROM flash_purchases WHERE order_id = $1 FOR UPDATE"), order_id);
  if (rows.empty()) return std::nullopt;
  return PurchaseFromRow(rows[0]);
}

void SetFlashPurchaseStatus(pqxx::work& tx, const std::string& purchase_id, PurchaseStatus status, absl::Time now) {
  tx.exec_params(kSetPurchaseStatus, purchase_id, PurchaseStatusName(status), Micros(now));
}

}  // namespace zhongtai::marketing
