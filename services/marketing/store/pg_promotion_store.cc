#include "services/marketing/store/pg_promotion_store.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/pg/time.h"
#include "common/status/status.h"

namespace zhongtai::marketing {
namespace {

using pg::Micros;
using pg::TimeFromMicros;

const char* StatusText(PromotionStatus status) { return status == PromotionStatus::kPaused ? "PAUSED" : "ACTIVE"; }

constexpr char kColumns[] =
    "promotion_id, request_id, name, currency, threshold_minor, reduction_minor, zt_micros(start_at), "
    "zt_micros(end_at), status, zt_micros(created_at)";

Promotion ReadPromotion(const pqxx::row& row) {
  Promotion p;
  p.promotion_id = row[0].as<std::string>();
  p.request_id = row[1].as<std::string>();
  p.name = row[2].as<std::string>();
  p.currency = row[3].as<std::string>();
  p.threshold = row[4].as<int64_t>();
  p.reduction = row[5].as<int64_t>();
  p.start_time = TimeFromMicros(row[6]);
  p.end_time = TimeFromMicros(row[7]);
  p.status = row[8].as<std::string>() == "PAUSED" ? PromotionStatus::kPaused : PromotionStatus::kActive;
  p.created_at = TimeFromMicros(row[9]);
  return p;
}

std::vector<Promotion> ReadAll(const pqxx::result& rows) {
  std::vector<Promotion> out;
  out.reserve(rows.size());
  for (const auto& row : rows) out.push_back(ReadPromotion(row));
  return out;
}

}  // namespace

absl::StatusOr<PromotionStore::CreateResult> PgPromotionStore::Create(const Promotion& p) {
  CreateResult result;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) {
    // ON CONFLICT DO NOTHING keeps concurrent replays from failing: the loser reads the winner's row.
    pqxx::result inserted = tx.exec_params(
        absl::StrCat("INSERT INTO promotions (promotion_id, request_id, name, currency, threshold_minor, "
                     "reduction_minor, start_at, end_at, status, created_at) "
                     "VALUES ($1, $2, $3, $4, $5, $6, zt_ts($7), zt_ts($8), $9, zt_ts($10)) "
                     "ON CONFLICT (request_id) DO NOTHING RETURNING ",
                     kColumns),
        p.promotion_id, p.request_id, p.name, p.currency, p.threshold, p.reduction, Micros(p.start_time),
        Micros(p.end_time), StatusText(p.status), Micros(p.created_at));
    if (!inserted.empty()) {
      result = {ReadPromotion(inserted[0]), true};
      return absl::OkStatus();
    }
    pqxx::result existing =
        tx.exec_params(absl::StrCat("SELECT ", kColumns, " FROM promotions WHERE request_id = $1"), p.request_id);
    if (existing.empty()) return Aborted("PROMOTION_CONFLICT", "concurrent create, retry");
    result = {ReadPromotion(existing[0]), false};
    return absl::OkStatus();
  }));
  return result;
}

absl::StatusOr<std::vector<Promotion>> PgPromotionStore::List(const std::string& before_id, int limit) {
  std::vector<Promotion> out;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) {
    pqxx::result rows =
        before_id.empty()
            ? tx.exec_params(absl::StrCat("SELECT ", kColumns, " FROM promotions ORDER BY promotion_id DESC LIMIT $1"),
                             limit)
            : tx.exec_params(absl::StrCat("SELECT ", kColumns,
                                          " FROM promotions WHERE promotion_id < $1 ORDER BY promotion_id DESC "
                                          "LIMIT $2"),
                             before_id, limit);
    out = ReadAll(rows);
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<std::vector<Promotion>> PgPromotionStore::ListApplicable(absl::Time now) {
  std::vector<Promotion> out;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) {
    pqxx::result rows = tx.exec_params(
        absl::StrCat("SELECT ", kColumns,
                     " FROM promotions WHERE status = 'ACTIVE' AND start_at <= zt_ts($1) AND end_at > zt_ts($1) "
                     "ORDER BY created_at, promotion_id"),
        Micros(now));
    out = ReadAll(rows);
    return absl::OkStatus();
  }));
  return out;
}

}  // namespace zhongtai::marketing
