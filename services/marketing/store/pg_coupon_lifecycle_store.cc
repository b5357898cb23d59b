#include "services/marketing/store/pg_coupon_lifecycle_store.h"

#include "absl/strings/str_cat.h"
#include "common/events/outbox.h"
#include "common/pg/time.h"
#include "common/proto/convert.h"
#include "common/status/status.h"
#include "services/marketing/store/pg_coupon_store.h"
#include "zhongtai/marketing/v1/events.pb.h"

namespace zhongtai::marketing {

namespace lifecycle_sql {
const char kDueForExpiryReminder[] =
    "c.status = 'AVAILABLE' AND c.expiry_reminded_at IS NULL AND c.valid_until_at > zt_ts($1) "
    "AND c.valid_until_at <= zt_ts($2)";
}  // namespace lifecycle_sql

namespace {

using pg::Micros;
using pg::TimeFromMicros;

constexpr char kCouponColumns[] =
    "c.coupon_id, c.template_id, c.user_id, c.status, c.order_id, zt_micros(c.valid_from_at), "
    "zt_micros(c.valid_until_at), c.expiry_reminded_at IS NOT NULL";
// SKIP LOCKED: two replicas sweeping at once remind different coupons.
constexpr char kLockDue[] =
    "SELECT %s FROM coupons c WHERE %s ORDER BY c.valid_until_at, c.coupon_id LIMIT $3 "
    "FOR UPDATE SKIP LOCKED";
constexpr char kMarkReminded[] = "UPDATE coupons SET expiry_reminded_at = zt_ts($2) WHERE coupon_id = $1";
constexpr char kLockUsedBy[] = "SELECT %s FROM coupons c WHERE c.order_id = $1 AND c.status = 'USED' FOR UPDATE";
constexpr char kMakeAvailable[] = "UPDATE coupons SET status = 'AVAILABLE', order_id = '' WHERE coupon_id = $1";

std::string Fill(const char* format, const char* second = "") {
  std::string out = format;
  out.replace(out.find("%s"), 2, kCouponColumns);
  size_t at = out.find("%s");
  if (at != std::string::npos) out.replace(at, 2, second);
  return out;
}

struct Row {
  Coupon coupon;
  bool reminded = false;
};

Row ReadRow(const pqxx::row& row) {
  Row out;
  Coupon& c = out.coupon;
  c.coupon_id = row[0].as<std::string>();
  c.template_id = row[1].as<std::string>();
  c.user_id = row[2].as<std::string>();
  const std::string status = row[3].as<std::string>();
  c.status = status == "USED"      ? CouponStatus::kUsed
             : status == "LOCKED"  ? CouponStatus::kLocked
             : status == "EXPIRED" ? CouponStatus::kExpired
                                   : CouponStatus::kAvailable;
  c.order_id = row[4].as<std::string>();
  c.valid_from = TimeFromMicros(row[5]);
  c.valid_until = TimeFromMicros(row[6]);
  out.reminded = row[7].as<bool>();
  return out;
}

// Once per coupon and kind (and order, for a return): the id a consumer's inbox dedupes on.
absl::Status AppendEvent(pqxx::work& tx, const google::protobuf::Message& event, const std::string& coupon_id,
                         const std::string& id_suffix, absl::Time now) {
  events::Event out;
  out.type = event.GetDescriptor()->full_name();
  out.id = absl::StrCat(coupon_id, ":", event.GetDescriptor()->name(), id_suffix);
  out.key = coupon_id;
  out.payload = event.SerializeAsString();
  out.occurred_at = now;
  return events::AppendToOutbox(tx, kMarketingEventStream, out);
}

}  // namespace

absl::StatusOr<int> PgCouponLifecycleStore::RemindExpiring(absl::Time now, absl::Duration lead, int limit) {
  int reminded = 0;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    reminded = 0;
    pqxx::result due =
        tx.exec_params(Fill(kLockDue, lifecycle_sql::kDueForExpiryReminder), Micros(now), Micros(now + lead), limit);
    for (const auto& r : due) {
      Row row = ReadRow(r);
      if (!DueForExpiryReminder(row.coupon, row.reminded, now, lead)) continue;
      tx.exec_params(kMarkReminded, row.coupon.coupon_id, Micros(now));
      v1::CouponExpiringSoon event;
      event.set_coupon_id(row.coupon.coupon_id);
      event.set_template_id(row.coupon.template_id);
      event.set_user_id(row.coupon.user_id);
      *event.mutable_valid_until() = proto::ToTimestamp(row.coupon.valid_until);
      *event.mutable_occur_time() = proto::ToTimestamp(now);
      RETURN_IF_ERROR(AppendEvent(tx, event, row.coupon.coupon_id, "", now));
      ++reminded;
    }
    return absl::OkStatus();
  }));
  return reminded;
}

absl::StatusOr<std::optional<WalletCoupon>> PgCouponLifecycleStore::ReturnRefunded(const std::string& order_id,
                                                                                   absl::Time now) {
  std::optional<WalletCoupon> result;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    result.reset();
    pqxx::result rows = tx.exec_params(Fill(kLockUsedBy), order_id);
    if (rows.empty()) return absl::OkStatus();
    Row row = ReadRow(rows[0]);
    std::optional<Coupon> back = ReturnedCoupon(row.coupon, order_id, now);
    if (!back) return absl::OkStatus();
    tx.exec_params(kMakeAvailable, back->coupon_id);
    v1::CouponReturned event;
    event.set_coupon_id(back->coupon_id);
    event.set_template_id(back->template_id);
    event.set_user_id(back->user_id);
    event.set_order_id(order_id);
    *event.mutable_occur_time() = proto::ToTimestamp(now);
    RETURN_IF_ERROR(AppendEvent(tx, event, back->coupon_id, ":" + order_id, now));
    WalletCoupon out;
    out.coupon = std::move(*back);
    result = std::move(out);
    return absl::OkStatus();
  }));
  return result;
}

}  // namespace zhongtai::marketing
