#include "services/marketing/ingest/birthday_coupons.h"

#include "absl/strings/str_cat.h"
#include "common/log/log.h"
#include "services/marketing/domain/coupon_rules.h"
#include "services/marketing/store/pg_coupon_issue_store.h"
#include "zhongtai/user/v1/events.pb.h"

namespace zhongtai::marketing {

std::string BirthdayClaimKey(const std::string& template_id, int year) {
  return absl::StrCat("birthday:", template_id, ":", year);
}

events::Handler MakeBirthdayCouponHandler(Clock& clock, IdGenerator& ids) {
  return [&clock, &ids](pqxx::work& tx, const events::Event& event) -> absl::Status {
    if (event.type != user::v1::BirthdayCouponDue::descriptor()->full_name()) return absl::OkStatus();
    user::v1::BirthdayCouponDue due;
    if (!due.ParseFromString(event.payload) || due.user_id().empty() || due.template_id().empty() || due.year() <= 0) {
      log::Error("skipping birthday coupon event", {{"event_id", event.id}, {"why", "payload does not parse"}});
      return absl::OkStatus();
    }
    absl::StatusOr<IssueOutcome> issued =
        IssueCouponInTx(tx, due.template_id(), due.user_id(), BirthdayClaimKey(due.template_id(), due.year()),
                        ids.NewCouponId(), clock.Now(), UserLimitScope::kClaimKey);
    if (!issued.ok()) {
      if (issued.status().code() == absl::StatusCode::kNotFound) {
        log::Error("birthday coupon template not found; skipped",
                   {{"event_id", event.id}, {"template_id", due.template_id()}, {"user_id", due.user_id()}});
        return absl::OkStatus();
      }
      return issued.status();
    }
    if (*issued == IssueOutcome::kLimitReached || *issued == IssueOutcome::kSoldOut) {
      log::Error("birthday coupon not issued",
                 {{"event_id", event.id},
                  {"template_id", due.template_id()},
                  {"user_id", due.user_id()},
                  {"why", *issued == IssueOutcome::kSoldOut ? "sold out" : "per-user limit reached"}});
    }
    return absl::OkStatus();
  };
}

std::set<std::string> BirthdayCouponHandlerTypes() { return {user::v1::BirthdayCouponDue::descriptor()->full_name()}; }

}  // namespace zhongtai::marketing
