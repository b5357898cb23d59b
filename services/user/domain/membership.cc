#include "services/user/domain/membership.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/log/log.h"
#include "common/status/status.h"

namespace zhongtai::user {

std::string OrderPaidPointsReference(const std::string& order_id) { return absl::StrCat("order-paid:", order_id); }

Membership::Membership(MembershipStore& store, Points& points, Clock& clock, MembershipSettings settings)
    : store_(store), points_(points), clock_(clock), settings_(std::move(settings)) {}

absl::StatusOr<TierTable> Membership::GetTiers() { return store_.LoadTiers(); }

absl::StatusOr<TierTable> Membership::UpdateTiers(TierTable table) {
  RETURN_IF_ERROR(ValidateTierTable(table));
  table.updated_at = clock_.Now();
  RETURN_IF_ERROR(store_.SaveTiers(table));
  log::Info("membership tiers updated", {});
  return table;
}

absl::Status Membership::OnOrderPaid(const PaidOrder& order) {
  if (order.user_id.empty()) return InvalidArgument("userId", "USER_ID_MISSING", "user id is required");
  if (order.order_id.empty()) return InvalidArgument("orderId", "ORDER_ID_MISSING", "order id is required");
  if (order.amount_minor < 0) return InvalidArgument("total", "AMOUNT_NEGATIVE", "amount paid must not be negative");
  ASSIGN_OR_RETURN(TierTable tiers, store_.LoadTiers());
  OrderGrowth growth;
  growth.order_id = order.order_id;
  growth.user_id = order.user_id;
  growth.growth = GrowthForPaidAmount(order.amount_minor);
  growth.amount_minor = order.amount_minor;
  growth.paid_at = order.paid_at;
  ASSIGN_OR_RETURN(GrowthOutcome outcome,
                   store_.AddOrderGrowth(growth, WindowStart(clock_.Now()), [&](const Member& member, int64_t total) {
                     return TierAfterGrowth(member.tier, QualifiedTier(tiers, total));
                   }));
  if (outcome.change) {
    log::Info("member tier raised", {{"user_id", order.user_id}, {"tier", TierCode(outcome.change->to)}});
  }
  // Also on a redelivery: a first delivery that recorded the growth may have failed before the points.
  // The earn is once per reference, and the rate is the stored tier at payment, so the answer is the same.
  const int64_t earned = PointsForPaidAmount(outcome.order.amount_minor,
                                             RuleOf(tiers, outcome.order.tier_at_payment).points_multiplier_percent);
  if (earned > 0) {
    ASSIGN_OR_RETURN(EarnResult result, points_.Earn({outcome.order.user_id, earned, "order paid",
                                                      OrderPaidPointsReference(outcome.order.order_id)}));
    (void)result;
  }
  return absl::OkStatus();
}

absl::Status Membership::OnOrderReversed(const std::string& order_id, absl::Time at) {
  if (order_id.empty()) return InvalidArgument("orderId", "ORDER_ID_MISSING", "order id is required");
  const absl::Time now = clock_.Now();
  ASSIGN_OR_RETURN(GrowthOutcome outcome,
                   store_.ReverseOrderGrowth(order_id, at, WindowStart(now),
                                             [](const Member& member, int64_t) { return member.tier; }));
  if (outcome.order.order_id.empty()) return absl::OkStatus();  // never paid: nothing was earned
  ASSIGN_OR_RETURN(TierTable tiers, store_.LoadTiers());
  const int64_t earned = PointsForPaidAmount(outcome.order.amount_minor,
                                             RuleOf(tiers, outcome.order.tier_at_payment).points_multiplier_percent);
  // Partial refunds before took their share already.
  const int64_t rest = earned - RefundedShare(earned, outcome.order.amount_minor, outcome.order.refunded_minor, false);
  if (rest > 0) {
    ASSIGN_OR_RETURN(int64_t taken,
                     points_.Reverse(outcome.order.user_id, OrderPaidPointsReference(order_id), rest,
                                     absl::StrCat("order-reversed:", order_id), "order cancelled or refunded"));
    (void)taken;
  }
  return absl::OkStatus();
}

absl::Status Membership::OnOrderRefunded(const OrderRefund& refund) {
  if (refund.order_id.empty()) return InvalidArgument("orderId", "ORDER_ID_MISSING", "order id is required");
  if (refund.refund_id.empty()) return InvalidArgument("returnId", "REFUND_ID_MISSING", "refund id is required");
  if (refund.amount_minor < 0) {
    return InvalidArgument("amount", "AMOUNT_NEGATIVE", "amount refunded must not be negative");
  }
  const absl::Time now = clock_.Now();
  ASSIGN_OR_RETURN(RefundOutcome outcome,
                   store_.ApplyOrderRefund(refund, WindowStart(now), RefundedShare,
                                           [](const Member& member, int64_t) { return member.tier; }));
  if (outcome.order.order_id.empty()) return absl::OkStatus();  // never paid: nothing was earned
  ASSIGN_OR_RETURN(TierTable tiers, store_.LoadTiers());
  const int64_t earned = PointsForPaidAmount(outcome.order.amount_minor,
                                             RuleOf(tiers, outcome.order.tier_at_payment).points_multiplier_percent);
  // Computed from the running totals the refund recorded, so a redelivery asks for the same points under the same
  // reference (Points::Reverse is once per reference) even when the first delivery stopped before this step.
  const int64_t take = RefundedShare(earned, outcome.order.amount_minor, outcome.refunded_after, outcome.completes) -
                       RefundedShare(earned, outcome.order.amount_minor, outcome.refunded_before, false);
  if (take > 0) {
    ASSIGN_OR_RETURN(
        int64_t taken,
        points_.Reverse(outcome.order.user_id, OrderPaidPointsReference(refund.order_id), take,
                        absl::StrCat("order-refund:", refund.order_id, ":", refund.refund_id), "order refunded"));
    (void)taken;
  }
  return absl::OkStatus();
}

absl::StatusOr<int> Membership::EvaluateDue() {
  constexpr int kBatch = 200;
  ASSIGN_OR_RETURN(TierTable tiers, store_.LoadTiers());
  int changed = 0;
  for (int round = 0; round < 1000; ++round) {
    const absl::Time now = clock_.Now();
    ASSIGN_OR_RETURN(std::vector<std::string> due,
                     store_.MembersDueForEvaluation(now - settings_.evaluation_interval, kBatch));
    int failed = 0;
    for (const std::string& user_id : due) {
      absl::StatusOr<GrowthOutcome> outcome =
          store_.Reevaluate(user_id, now, WindowStart(now), [&](const Member& member, int64_t total) {
            return TierAfterEvaluation(member.tier, QualifiedTier(tiers, total));
          });
      if (!outcome.ok()) {
        ++failed;
        log::Error("member evaluation failed", {{"user_id", user_id}, {"error", outcome.status().ToString()}});
      } else if (outcome->change) {
        ++changed;
        log::Info(
            "member tier re-evaluated",
            {{"user_id", user_id}, {"from", TierCode(outcome->change->from)}, {"to", TierCode(outcome->change->to)}});
      }
    }
    if (static_cast<int>(due.size()) < kBatch || failed == static_cast<int>(due.size())) break;
  }
  return changed;
}

absl::StatusOr<MemberView> Membership::GetMember(const std::string& user_id) {
  if (user_id.empty()) return InvalidArgument("userId", "USER_ID_MISSING", "user id is required");
  ASSIGN_OR_RETURN(TierTable tiers, store_.LoadTiers());
  ASSIGN_OR_RETURN(auto standing, store_.Standing(user_id, WindowStart(clock_.Now())));
  MemberView view;
  view.user_id = user_id;
  view.tier = RuleOf(tiers, standing.first.tier);
  view.tier_since = standing.first.tier_since;
  view.growth = standing.second;
  if (standing.first.tier != Tier::kDiamond) {
    view.next_tier = RuleOf(tiers, static_cast<Tier>(static_cast<int>(standing.first.tier) + 1));
    view.growth_to_next_tier = std::max<int64_t>(0, view.next_tier->growth_threshold - view.growth);
  }
  ASSIGN_OR_RETURN(view.points_balance, points_.Balance(user_id));
  return view;
}

absl::StatusOr<std::vector<TierChange>> Membership::TierHistory(const std::string& user_id) {
  return store_.TierHistory(user_id, 50);
}

}  // namespace zhongtai::user
