#include "services/marketing/store/pg_experiment_store.h"

#include <map>

#include "absl/strings/str_cat.h"
#include "common/events/outbox.h"
#include "common/pg/arrays.h"
#include "common/pg/prepared.h"
#include "common/pg/time.h"
#include "common/proto/convert.h"
#include "common/status/status.h"
#include "services/marketing/store/pg_coupon_store.h"
#include "zhongtai/marketing/v1/events.pb.h"

namespace zhongtai::marketing {
namespace {

using pg::Micros;
using pg::TimeFromMicros;

constexpr char kColumns[] =
    "experiment_id, request_id, name, zt_micros(start_at), zt_micros(end_at), zt_micros(created_at)";
// Every quote runs this (the experiments live now).
const std::string kListActive = absl::StrCat("SELECT ", kColumns,
                                             " FROM experiments WHERE start_at <= zt_ts($1) AND end_at > zt_ts($1) "
                                             "ORDER BY experiment_id");
constexpr char kInsert[] =
    "INSERT INTO experiments (experiment_id, request_id, name, start_at, end_at, created_at) "
    "VALUES ($1, $2, $3, zt_ts($4), zt_ts($5), zt_ts($6)) ON CONFLICT (request_id) DO NOTHING RETURNING experiment_id";
constexpr char kInsertArm[] =
    "INSERT INTO experiment_arms (experiment_id, position, name, traffic_bp, promotion_ids) "
    "VALUES ($1, $2, $3, $4, $5::text[])";
// An arm's price for one SKU (0012_experiment_arm_prices.sql).
constexpr char kInsertArmPrice[] =
    "INSERT INTO experiment_arm_prices (experiment_id, position, sku_id, currency, price_minor) "
    "VALUES ($1, $2, $3, $4, $5)";
constexpr char kArmPricesOf[] =
    "SELECT experiment_id, position, sku_id, currency, price_minor FROM experiment_arm_prices "
    "WHERE experiment_id = ANY($1::text[]) ORDER BY experiment_id, position, sku_id";
constexpr char kArmsOf[] =
    "SELECT experiment_id, name, traffic_bp, promotion_ids FROM experiment_arms "
    "WHERE experiment_id = ANY($1::text[]) ORDER BY experiment_id, position";
constexpr char kRecordExposure[] =
    "INSERT INTO experiment_exposures (experiment_id, user_id, arm, exposed_at) VALUES ($1, $2, $3, zt_ts($4)) "
    "ON CONFLICT (experiment_id, user_id) DO NOTHING RETURNING experiment_id";

// The experiments of `rows` (kColumns), each with its arms.
std::vector<Experiment> WithArms(pqxx::work& tx, const pqxx::result& rows) {
  std::vector<Experiment> out;
  std::vector<std::string> ids;
  for (const auto& row : rows) {
    Experiment e;
    e.experiment_id = row[0].as<std::string>();
    e.request_id = row[1].as<std::string>();
    e.name = row[2].as<std::string>();
    e.start_time = TimeFromMicros(row[3]);
    e.end_time = TimeFromMicros(row[4]);
    e.created_at = TimeFromMicros(row[5]);
    ids.push_back(e.experiment_id);
    out.push_back(std::move(e));
  }
  if (ids.empty()) return out;
  std::map<std::string, std::vector<ExperimentArm>> arms;
  for (const auto& row : pg::Exec(tx, kArmsOf, pg::TextArrayLiteral(ids))) {
    ExperimentArm arm;
    arm.name = row[1].as<std::string>();
    arm.traffic_bp = row[2].as<int32_t>();
    arm.promotion_ids = pg::TextArray(row[3]);
    arms[row[0].as<std::string>()].push_back(std::move(arm));
  }
  for (Experiment& e : out) e.arms = std::move(arms[e.experiment_id]);
  std::map<std::string, Experiment*> by_id;
  for (Experiment& e : out) by_id[e.experiment_id] = &e;
  for (const auto& row : pg::Exec(tx, kArmPricesOf, pg::TextArrayLiteral(ids))) {
    Experiment& e = *by_id[row[0].as<std::string>()];
    size_t position = row[1].as<size_t>();
    if (position >= e.arms.size()) continue;
    e.arms[position].prices.push_back({row[2].as<std::string>(), row[3].as<std::string>(), row[4].as<int64_t>()});
  }
  return out;
}

}  // namespace

absl::StatusOr<ExperimentStore::CreateResult> PgExperimentStore::Create(const Experiment& e) {
  CreateResult result;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    bool created = !tx.exec_params(kInsert, e.experiment_id, e.request_id, e.name, Micros(e.start_time),
                                   Micros(e.end_time), Micros(e.created_at))
                        .empty();
    if (created) {
      for (size_t i = 0; i < e.arms.size(); ++i) {
        tx.exec_params(kInsertArm, e.experiment_id, static_cast<int>(i), e.arms[i].name, e.arms[i].traffic_bp,
                       pg::TextArrayLiteral(e.arms[i].promotion_ids));
        for (const ArmPrice& price : e.arms[i].prices) {
          tx.exec_params(kInsertArmPrice, e.experiment_id, static_cast<int>(i), price.sku_id, price.currency,
                         price.price);
        }
      }
    }
    std::vector<Experiment> found = WithArms(
        tx, tx.exec_params(absl::StrCat("SELECT ", kColumns, " FROM experiments WHERE request_id = $1"), e.request_id));
    if (found.empty()) return Aborted("EXPERIMENT_CONFLICT", "concurrent create, retry");
    result = {std::move(found.front()), created};
    return absl::OkStatus();
  }));
  return result;
}

absl::StatusOr<std::vector<Experiment>> PgExperimentStore::List(const std::string& before_id, int limit) {
  std::vector<Experiment> out;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) {
    out = WithArms(tx, tx.exec_params(absl::StrCat("SELECT ", kColumns,
                                                   " FROM experiments WHERE ($1 = '' OR experiment_id < $1) "
                                                   "ORDER BY experiment_id DESC LIMIT $2"),
                                      before_id, limit));
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<std::vector<Experiment>> PgExperimentStore::ListRunning(absl::Time now) {
  std::vector<Experiment> out;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) {
    out = WithArms(tx, pg::Exec(tx, kListActive, Micros(now)));
    return absl::OkStatus();
  }));
  return out;
}

absl::Status PgExperimentStore::RecordExposure(const Exposure& exposure, const std::string& user_id, absl::Time now) {
  return pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    if (tx.exec_params(kRecordExposure, exposure.experiment_id, user_id, exposure.arm, Micros(now)).empty()) {
      return absl::OkStatus();
    }
    v1::ExperimentExposure event;
    event.set_experiment_id(exposure.experiment_id);
    event.set_arm(exposure.arm);
    event.set_user_id(user_id);
    *event.mutable_occur_time() = proto::ToTimestamp(now);
    events::Event out;
    out.type = event.GetDescriptor()->full_name();
    out.id = absl::StrCat(exposure.experiment_id, ":ExperimentExposure:", user_id);
    out.key = exposure.experiment_id;
    out.payload = event.SerializeAsString();
    out.occurred_at = now;
    return events::AppendToOutbox(tx, kMarketingEventStream, out);
  });
}

}  // namespace zhongtai::marketing
