#include "services/marketing/store/pg_coupon_store.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/events/outbox.h"
#include "common/pg/arrays.h"
#include "common/pg/prepared.h"
#include "common/pg/time.h"
#include "common/proto/convert.h"
#include "common/status/status.h"
#include "services/marketing/domain/coupon_rules.h"
#include "services/marketing/store/enum_text.h"
#include "zhongtai/marketing/v1/events.pb.h"

namespace zhongtai::marketing {

namespace coupon_sql {
const char kTakeOneFromTemplate[] =
    "UPDATE coupon_templates SET claimed_quantity = claimed_quantity + 1 "
    "WHERE template_id = $1 AND claimed_quantity < total_quantity RETURNING claimed_quantity";
const char kEffectiveStatus[] =
    "(CASE WHEN c.status = 'AVAILABLE' AND c.valid_until_at <= zt_ts($1) THEN 'EXPIRED' ELSE c.status END)";
}  // namespace coupon_sql

namespace {

using pg::Micros;
using pg::TimeFromMicros;

// coupon_templates.coupon_type and coupons.status (0003_coupons.sql) in enum order.
constexpr const char* kTypeTexts[] = {"threshold_reduction", "percent_off", "no_threshold"};
constexpr const char* kStatusTexts[] = {"AVAILABLE", "LOCKED", "USED", "EXPIRED"};

using pg::TextArray;

std::optional<int64_t> OptionalMicros(absl::Time t) {
  if (t == absl::InfinitePast()) return std::nullopt;
  return Micros(t);
}

absl::Time TimeOrInfinitePast(const pqxx::field& f) { return f.is_null() ? absl::InfinitePast() : TimeFromMicros(f); }

// Template columns as t.*: kTemplateColumnCount of them.
constexpr char kTemplateColumns[] =
    "t.template_id, t.request_id, t.name, t.coupon_type, t.currency, t.threshold_minor, t.reduction_minor, "
    "t.percent_off_bp, t.scope_all_products, t.scope_category_ids, t.scope_brand_ids, t.scope_sku_ids, "
    "t.excluded_category_ids, t.excluded_brand_ids, t.excluded_sku_ids, zt_micros(t.claim_start_at), "
    "zt_micros(t.claim_end_at), zt_micros(t.valid_from_at), zt_micros(t.valid_until_at), t.valid_days_after_claim, "
    "t.total_quantity, t.per_user_limit, t.claimed_quantity, zt_micros(t.created_at), t.budget_remaining_minor";
constexpr int kTemplateColumnCount = 25;

// Coupon columns as c.*, after the template's.
constexpr char kCouponColumns[] =
    "c.coupon_id, c.template_id, c.user_id, c.claim_request_id, c.status, c.order_id, zt_micros(c.valid_from_at), "
    "zt_micros(c.valid_until_at), zt_micros(c.claimed_at)";

constexpr char kInsertTemplate[] =
    "INSERT INTO coupon_templates AS t (template_id, request_id, name, coupon_type, currency, threshold_minor, "
    "reduction_minor, percent_off_bp, scope_all_products, scope_category_ids, scope_brand_ids, scope_sku_ids, "
    "excluded_category_ids, excluded_brand_ids, excluded_sku_ids, claim_start_at, claim_end_at, valid_from_at, "
    "valid_until_at, valid_days_after_claim, total_quantity, per_user_limit, created_at, budget_remaining_minor) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], "
    "$15::text[], zt_ts($16), zt_ts($17), zt_ts($18), zt_ts($19), $20, $21, $22, zt_ts($23), $24) "
    "ON CONFLICT (request_id) DO NOTHING RETURNING ";

// The claim path, in one transaction: lock the template row (concurrent claims of a template queue here, so the
// per-user count below sees every earlier claim), find a replay, count the user's claims, then kTakeOneFromTemplate
// and insert.
constexpr char kLockTemplate[] = "SELECT %s FROM coupon_templates t WHERE t.template_id = $1 FOR UPDATE";
constexpr char kClaimByRequest[] =
    "SELECT %s, %s FROM coupons c JOIN coupon_templates t USING (template_id) "
    "WHERE c.user_id = $1 AND c.claim_request_id = $2";
constexpr char kCountUserClaims[] = "SELECT count(*) FROM coupons WHERE template_id = $1 AND user_id = $2";
// The template's coupons claimed from one device, over all accounts (0013_claim_device.sql; coupon farming).
constexpr char kCountDeviceClaims[] = "SELECT count(*) FROM coupons WHERE template_id = $1 AND claim_device_id = $2";
constexpr char kInsertCoupon[] =
    "INSERT INTO coupons (coupon_id, template_id, user_id, claim_request_id, claim_seq, status, valid_from_at, "
    "valid_until_at, claimed_at, claim_device_id) "
    "VALUES ($1, $2, $3, $4, $5, 'AVAILABLE', zt_ts($6), zt_ts($7), zt_ts($8), $9)";

// One coupon, locked for a state change ($1 coupon_id), or the order's ($1 order_id).
constexpr char kLockCoupon[] =
    "SELECT %s, %s FROM coupons c JOIN coupon_templates t USING (template_id) WHERE c.coupon_id = $1 "
    "FOR UPDATE OF c";
// `order_id <> ''` repeats coupons_order's predicate: the generic plan can use that index (and no order id finds
// every unused coupon).
constexpr char kLockOrderCoupon[] =
    "SELECT %s, %s FROM coupons c JOIN coupon_templates t USING (template_id) WHERE c.order_id = $1 "
    "AND c.order_id <> '' FOR UPDATE OF c";
constexpr char kUpdateCouponState[] = "UPDATE coupons SET status = $2, order_id = $3 WHERE coupon_id = $1";

std::string Select(const char* format) {
  std::string out = format;
  for (const char* columns : {kTemplateColumns, kCouponColumns}) {
    size_t at = out.find("%s");
    if (at == std::string::npos) break;
    out.replace(at, 2, columns);
  }
  return out;
}

CouponTemplate ReadTemplate(const pqxx::row& row) {
  CouponTemplate t;
  t.template_id = row[0].as<std::string>();
  t.request_id = row[1].as<std::string>();
  t.name = row[2].as<std::string>();
  t.type = FromText(row[3].as<std::string>(), kTypeTexts, CouponType::kThresholdReduction);
  t.currency = row[4].as<std::string>();
  t.threshold = row[5].as<int64_t>();
  t.reduction = row[6].as<int64_t>();
  t.percent_off_bp = row[7].as<int32_t>();
  t.scope.all_products = row[8].as<bool>();
  t.scope.category_ids = TextArray(row[9]);
  t.scope.brand_ids = TextArray(row[10]);
  t.scope.sku_ids = TextArray(row[11]);
  t.scope.excluded_category_ids = TextArray(row[12]);
  t.scope.excluded_brand_ids = TextArray(row[13]);
  t.scope.excluded_sku_ids = TextArray(row[14]);
  t.claim_start = TimeFromMicros(row[15]);
  t.claim_end = TimeFromMicros(row[16]);
  t.valid_from = TimeOrInfinitePast(row[17]);
  t.valid_until = TimeOrInfinitePast(row[18]);
  t.valid_days_after_claim = row[19].as<int32_t>();
  t.total_quantity = row[20].as<int64_t>();
  t.per_user_limit = row[21].as<int64_t>();
  t.claimed_quantity = row[22].as<int64_t>();
  t.created_at = TimeFromMicros(row[23]);
  if (!row[24].is_null()) t.budget_remaining = row[24].as<int64_t>();
  return t;
}

WalletCoupon ReadWalletCoupon(const pqxx::row& row) {
  WalletCoupon w;
  w.coupon_template = ReadTemplate(row);
  const int at = kTemplateColumnCount;
  Coupon& c = w.coupon;
  c.coupon_id = row[at].as<std::string>();
  c.template_id = row[at + 1].as<std::string>();
  c.user_id = row[at + 2].as<std::string>();
  c.claim_request_id = row[at + 3].as<std::string>();
  c.status = FromText(row[at + 4].as<std::string>(), kStatusTexts, CouponStatus::kAvailable);
  c.order_id = row[at + 5].as<std::string>();
  c.valid_from = TimeFromMicros(row[at + 6]);
  c.valid_until = TimeFromMicros(row[at + 7]);
  c.claimed_at = TimeFromMicros(row[at + 8]);
  return w;
}

// The event of a coupon's state change, in the change's transaction. The time makes the id unique when an order
// locks a coupon again after releasing it.
template <typename Event>
absl::Status Publish(pqxx::work& tx, const Coupon& c, const std::string& order_id, Event event, absl::Time now) {
  event.set_coupon_id(c.coupon_id);
  event.set_template_id(c.template_id);
  event.set_user_id(c.user_id);
  *event.mutable_occur_time() = proto::ToTimestamp(now);
  events::Event out;
  out.type = event.GetDescriptor()->full_name();
  out.id = absl::StrCat(c.coupon_id, ":", event.GetDescriptor()->name(), ":", order_id, ":", Micros(now));
  out.key = c.coupon_id;
  out.payload = event.SerializeAsString();
  out.occurred_at = now;
  return events::AppendToOutbox(tx, kMarketingEventStream, out);
}

template <typename Event>
absl::Status PublishOrderStep(pqxx::work& tx, const Coupon& c, const std::string& order_id, Event event,
                              absl::Time now) {
  event.set_order_id(order_id);
  return Publish(tx, c, order_id, std::move(event), now);
}

absl::Status WriteState(pqxx::work& tx, const Coupon& c) {
  pg::Exec(tx, kUpdateCouponState, c.coupon_id, kStatusTexts[static_cast<int>(c.status)], c.order_id);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<CouponStore::CreateTemplateResult> PgCouponStore::CreateTemplate(const CouponTemplate& t) {
  CreateTemplateResult result;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) {
    pqxx::result inserted = tx.exec_params(
        absl::StrCat(kInsertTemplate, kTemplateColumns), t.template_id, t.request_id, t.name,
        kTypeTexts[static_cast<int>(t.type)], t.currency, t.threshold, t.reduction, t.percent_off_bp,
        t.scope.all_products, pg::TextArrayLiteral(t.scope.category_ids), pg::TextArrayLiteral(t.scope.brand_ids),
        pg::TextArrayLiteral(t.scope.sku_ids), pg::TextArrayLiteral(t.scope.excluded_category_ids),
        pg::TextArrayLiteral(t.scope.excluded_brand_ids), pg::TextArrayLiteral(t.scope.excluded_sku_ids),
        Micros(t.claim_start), Micros(t.claim_end), OptionalMicros(t.valid_from), OptionalMicros(t.valid_until),
        t.valid_days_after_claim, t.total_quantity, t.per_user_limit, Micros(t.created_at), t.budget_remaining);
    if (!inserted.empty()) {
      result = {ReadTemplate(inserted[0]), true};
      return absl::OkStatus();
    }
    pqxx::result existing = tx.exec_params(
        absl::StrCat("SELECT ", kTemplateColumns, " FROM coupon_templates t WHERE t.request_id = $1"), t.request_id);
    if (existing.empty()) return Aborted("COUPON_TEMPLATE_CONFLICT", "concurrent create, retry");
    result = {ReadTemplate(existing[0]), false};
    return absl::OkStatus();
  }));
  return result;
}

absl::StatusOr<std::vector<CouponTemplate>> PgCouponStore::ListClaimable(absl::Time now) {
  std::vector<CouponTemplate> out;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) {
    pqxx::result rows = tx.exec_params(
        absl::StrCat("SELECT ", kTemplateColumns,
                     " FROM coupon_templates t WHERE t.claim_start_at <= zt_ts($1) AND t.claim_end_at > zt_ts($1) "
                     "AND t.claimed_quantity < t.total_quantity ORDER BY t.created_at, t.template_id LIMIT 200"),
        Micros(now));
    for (const auto& row : rows) out.push_back(ReadTemplate(row));
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<CouponStore::ClaimResult> PgCouponStore::Claim(const std::string& template_id,
                                                              const std::string& user_id, const std::string& request_id,
                                                              const std::string& coupon_id, absl::Time now,
                                                              const ClaimDevice& device) {
  ClaimResult result;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    pqxx::result locked = pg::Exec(tx, Select(kLockTemplate), template_id);
    if (locked.empty()) return NotFound("COUPON_TEMPLATE_NOT_FOUND", "no such coupon template");
    CouponTemplate t = ReadTemplate(locked[0]);
    pqxx::result replay = pg::Exec(tx, Select(kClaimByRequest), user_id, request_id);
    if (!replay.empty()) {
      result = {ReadWalletCoupon(replay[0]), false};
      if (result.coupon.coupon.template_id != template_id) {
        return FailedPrecondition("REQUEST_ID_REUSED", "this request id claimed another coupon");
      }
      return absl::OkStatus();
    }
    int64_t claimed_by_user = tx.exec_params1(kCountUserClaims, template_id, user_id)[0].as<int64_t>();
    RETURN_IF_ERROR(CheckClaim(t, claimed_by_user, now));
    // Under the template's row lock: concurrent claims from one device see each other.
    if (!device.device_id.empty() && device.limit > 0) {
      RETURN_IF_ERROR(CheckDeviceClaims(
          device, tx.exec_params1(kCountDeviceClaims, template_id, device.device_id)[0].as<int64_t>()));
    }
    pqxx::result taken = tx.exec_params(coupon_sql::kTakeOneFromTemplate, template_id);
    if (taken.empty()) return FailedPrecondition("COUPON_SOLD_OUT", "no coupons are left");
    t.claimed_quantity = taken[0][0].as<int64_t>();
    Coupon c = NewCoupon(t, now);
    c.coupon_id = coupon_id;
    c.user_id = user_id;
    c.claim_request_id = request_id;
    tx.exec_params(kInsertCoupon, c.coupon_id, template_id, user_id, request_id, claimed_by_user + 1,
                   Micros(c.valid_from), Micros(c.valid_until), Micros(c.claimed_at), device.device_id);
    v1::CouponClaimed claimed;
    *claimed.mutable_valid_until() = proto::ToTimestamp(c.valid_until);
    RETURN_IF_ERROR(Publish(tx, c, "", std::move(claimed), now));
    result = {WalletCoupon{std::move(c), std::move(t)}, true};
    return absl::OkStatus();
  }));
  return result;
}

absl::StatusOr<std::optional<WalletCoupon>> PgCouponStore::Get(const std::string& coupon_id) {
  std::optional<WalletCoupon> result;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) {
    pqxx::result rows = pg::Exec(
        tx, Select("SELECT %s, %s FROM coupons c JOIN coupon_templates t USING (template_id) WHERE c.coupon_id = $1"),
        coupon_id);
    result.reset();
    if (!rows.empty()) result = ReadWalletCoupon(rows[0]);
    return absl::OkStatus();
  }));
  return result;
}

absl::StatusOr<std::vector<WalletCoupon>> PgCouponStore::ListWallet(const std::string& user_id,
                                                                    std::optional<CouponStatus> status,
                                                                    absl::Time now) {
  std::vector<WalletCoupon> out;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) {
    std::string sql = absl::StrCat(Select("SELECT %s, %s FROM coupons c JOIN coupon_templates t USING (template_id) "),
                                   "WHERE c.user_id = $2 AND ($3 = '' OR ", coupon_sql::kEffectiveStatus,
                                   " = $3) ORDER BY c.claimed_at DESC, c.coupon_id DESC LIMIT 500");
    pqxx::result rows = tx.exec_params(sql, Micros(now), user_id,
                                       status ? std::string(kStatusTexts[static_cast<int>(*status)]) : std::string());
    for (const auto& row : rows) {
      WalletCoupon w = ReadWalletCoupon(row);
      w.coupon.status = EffectiveStatus(w.coupon, now);
      out.push_back(std::move(w));
    }
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<WalletCoupon> PgCouponStore::Lock(const std::string& coupon_id, const std::string& order_id,
                                                 const std::string& user_id, absl::Time now) {
  WalletCoupon result;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    pqxx::result rows = pg::Exec(tx, Select(kLockCoupon), coupon_id);
    if (rows.empty()) return NotFound("COUPON_NOT_FOUND", "no such coupon in your wallet");
    result = ReadWalletCoupon(rows[0]);
    ASSIGN_OR_RETURN(std::optional<Coupon> locked, LockedCoupon(result.coupon, order_id, user_id, now));
    if (!locked) return absl::OkStatus();
    pqxx::result held = pg::Exec(tx, Select(kLockOrderCoupon), order_id);
    if (!held.empty()) return FailedPrecondition("ORDER_HAS_COUPON", "the order already holds another coupon");
    RETURN_IF_ERROR(WriteState(tx, *locked));
    RETURN_IF_ERROR(PublishOrderStep(tx, *locked, order_id, v1::CouponLocked(), now));
    result.coupon = std::move(*locked);
    return absl::OkStatus();
  }));
  return result;
}

absl::StatusOr<WalletCoupon> PgCouponStore::Redeem(const std::string& order_id, absl::Time now) {
  WalletCoupon result;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    pqxx::result rows = pg::Exec(tx, Select(kLockOrderCoupon), order_id);
    if (rows.empty()) return FailedPrecondition("COUPON_NOT_LOCKED", "the order holds no coupon");
    result = ReadWalletCoupon(rows[0]);
    ASSIGN_OR_RETURN(std::optional<Coupon> used, RedeemedCoupon(result.coupon, order_id));
    if (!used) return absl::OkStatus();
    RETURN_IF_ERROR(WriteState(tx, *used));
    RETURN_IF_ERROR(PublishOrderStep(tx, *used, order_id, v1::CouponRedeemed(), now));
    result.coupon = std::move(*used);
    return absl::OkStatus();
  }));
  return result;
}

absl::StatusOr<std::optional<WalletCoupon>> PgCouponStore::Release(const std::string& order_id, absl::Time now) {
  std::optional<WalletCoupon> result;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    result.reset();
    pqxx::result rows = pg::Exec(tx, Select(kLockOrderCoupon), order_id);
    if (rows.empty()) return absl::OkStatus();
    WalletCoupon held = ReadWalletCoupon(rows[0]);
    std::optional<Coupon> released = ReleasedCoupon(held.coupon, order_id, now);
    if (!released) return absl::OkStatus();
    RETURN_IF_ERROR(WriteState(tx, *released));
    v1::CouponReleased event;
    event.set_expired(released->status == CouponStatus::kExpired);
    RETURN_IF_ERROR(PublishOrderStep(tx, *released, order_id, std::move(event), now));
    held.coupon = std::move(*released);
    result = std::move(held);
    return absl::OkStatus();
  }));
  return result;
}

}  // namespace zhongtai::marketing
