#include "services/user/store/pg_birthday_store.h"

#include "absl/strings/str_cat.h"
#include "common/events/outbox.h"
#include "common/pg/arrays.h"
#include "common/pg/time.h"
#include "common/proto/convert.h"
#include "common/status/status.h"
#include "services/user/store/pg_membership_store.h"  // kUserEventStream
#include "zhongtai/user/v1/events.pb.h"

namespace zhongtai::user {
namespace {

// Customers born on month $1 and day $2 (month * 100 + day, the index users_birthday_month_day), or also on 29
// February when $3, at one of the tiers $4 (no members row: normal), with no birthday_coupons row for year $5.
constexpr char kDueBirthdaysSql[] =
    "SELECT u.user_id, COALESCE(m.tier, 'normal') FROM users u LEFT JOIN members m ON m.user_id = u.user_id "
    "WHERE u.birthday IS NOT NULL AND u.role = 'customer' AND u.erased_at IS NULL "
    "  AND (EXTRACT(MONTH FROM u.birthday) * 100 + EXTRACT(DAY FROM u.birthday)) = ANY($1::int[]) "
    "  AND COALESCE(m.tier, 'normal') = ANY($2::text[]) "
    "  AND NOT EXISTS (SELECT 1 FROM birthday_coupons b WHERE b.user_id = u.user_id AND b.year = $3) "
    "ORDER BY u.user_id LIMIT $4";

// Once per customer per year: a row comes back only for the first.
constexpr char kRecordSql[] =
    "INSERT INTO birthday_coupons (user_id, year, tier, template_id, sent_at) VALUES ($1, $2, $3, $4, zt_ts($5)) "
    "ON CONFLICT (user_id, year) DO NOTHING RETURNING user_id";

}  // namespace

absl::StatusOr<std::vector<BirthdayDue>> PgBirthdayStore::DueBirthdays(const BirthdayDay& day,
                                                                       const std::vector<Tier>& tiers, int limit) {
  std::vector<int64_t> days = {day.month * 100 + day.day};
  if (day.with_leap_day) days.push_back(229);
  std::vector<std::string> tier_codes;
  for (Tier tier : tiers) tier_codes.push_back(TierCode(tier));
  std::vector<BirthdayDue> due;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) {
    due.clear();
    for (const auto& row : tx.exec_params(kDueBirthdaysSql, pg::BigintArrayLiteral(days),
                                          pg::TextArrayLiteral(tier_codes), day.year, limit)) {
      BirthdayDue member;
      member.user_id = row[0].as<std::string>();
      ParseTier(row[1].as<std::string>(), &member.tier);
      due.push_back(member);
    }
    return absl::OkStatus();
  }));
  return due;
}

absl::StatusOr<bool> PgBirthdayStore::RecordBirthdayCoupon(const std::string& user_id, int year, Tier tier,
                                                           const std::string& template_id, absl::Time now) {
  bool recorded = false;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    recorded = false;
    if (tx.exec_params(kRecordSql, user_id, year, TierCode(tier), template_id, pg::Micros(now)).empty()) {
      return absl::OkStatus();
    }
    v1::BirthdayCouponDue message;
    message.set_user_id(user_id);
    message.set_template_id(template_id);
    message.set_year(year);
    message.set_tier(TierCode(tier));
    *message.mutable_occur_time() = proto::ToTimestamp(now);
    events::Event event;
    event.id = absl::StrCat("birthday-coupon-due:", user_id, ":", year);
    event.type = message.GetDescriptor()->full_name();
    event.key = user_id;
    event.payload = message.SerializeAsString();
    event.occurred_at = now;
    RETURN_IF_ERROR(events::AppendToOutbox(tx, kUserEventStream, event));
    recorded = true;
    return absl::OkStatus();
  }));
  return recorded;
}

}  // namespace zhongtai::user
