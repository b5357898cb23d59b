// CampaignService's budget RPCs, called by the order center when it places and cancels an order.
#include "absl/strings/str_cat.h"
#include "common/proto/convert.h"
#include "common/server/service_runner.h"
#include "common/status/status.h"
#include "services/marketing/api/campaign_api.h"

namespace zhongtai::marketing {
namespace {

absl::StatusOr<BudgetCharge> ChargeFromProto(const v1::BudgetCharge& in, int index) {
  BudgetCharge out;
  if (!in.promotion_id().empty() && !in.coupon_template_id().empty()) {
    return InvalidArgument(absl::StrCat("charges[", index, "].couponTemplateId"), "BUDGET_OWNER_MISSING",
                           "a charge names one promotion or one coupon template, not both");
  }
  out.key.owner = in.coupon_template_id().empty() ? BudgetOwner::kPromotion : BudgetOwner::kCouponTemplate;
  out.key.id = in.coupon_template_id().empty() ? in.promotion_id() : in.coupon_template_id();
  out.currency = in.amount().currency();
  out.amount = in.amount().amount_minor();
  return out;
}

void ChargeToProto(const BudgetCharge& in, v1::BudgetCharge* out) {
  if (in.key.owner == BudgetOwner::kPromotion) {
    out->set_promotion_id(in.key.id);
  } else {
    out->set_coupon_template_id(in.key.id);
  }
  proto::SetMoney(out->mutable_amount(), in.currency, in.amount);
}

}  // namespace

grpc::ServerUnaryReactor* CampaignApi::ChargeBudgets(grpc::CallbackServerContext* context,
                                                     const v1::ChargeBudgetsRequest* request,
                                                     v1::ChargeBudgetsResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    std::vector<BudgetCharge> charges;
    for (int i = 0; i < request->charges_size(); ++i) {
      ASSIGN_OR_RETURN(BudgetCharge charge, ChargeFromProto(request->charges(i), i));
      charges.push_back(std::move(charge));
    }
    ASSIGN_OR_RETURN(OrderBudget held, budgets_.Charge(request->order_id(), charges));
    for (const BudgetCharge& c : held.charges) ChargeToProto(c, response->add_charges());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* CampaignApi::ReleaseBudgets(grpc::CallbackServerContext* context,
                                                      const v1::ReleaseBudgetsRequest* request,
                                                      v1::ReleaseBudgetsResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    ASSIGN_OR_RETURN(std::vector<BudgetCharge> released, budgets_.Release(request->order_id()));
    for (const BudgetCharge& c : released) ChargeToProto(c, response->add_released());
    return absl::OkStatus();
  });
}

}  // namespace zhongtai::marketing
