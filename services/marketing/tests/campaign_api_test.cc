// The CampaignService, and CreatePromotion's conflict check, over a real in-process gRPC server on in-memory fakes.
#include "services/marketing/api/campaign_api.h"

#include <catch2/catch.hpp>

#include "common/status/details.h"
#include "common/status/grpc_status.h"
#include "common/status/status.h"
#include "common/testing/api_server.h"
#include "common/testing/callers.h"
#include "services/marketing/api/marketing_api.h"
#include "services/marketing/tests/campaign_fakes.h"
#include "services/marketing/tests/coupon_fakes.h"

namespace zhongtai::marketing {
namespace {

using ::zhongtai::testing::CallAs;

void SetMoney(type::v1::Money* money, int64_t amount) {
  money->set_currency("CNY");
  money->set_amount_minor(amount);
}

struct Fixture {
  Fixture() {
    budget_store.SetBudget(Budget{{BudgetOwner::kPromotion, "pr_1"}, "CNY", 1000});
    // Both services on one server: register the first, start with the second.
    server.runner().AddService(&api);
    marketing_stub = server.Start<v1::MarketingService>(&marketing_api);
    stub =
        v1::CampaignService::NewStub(server::MakeChannel(server.address(), v1::CampaignService::service_full_name()));
  }
  testing::InMemoryPromotionStore promotion_store;
  testing::FakeClock clock;
  testing::SequentialIds ids;
  testing::InMemoryPromotionCalendar promotion_calendar{promotion_store};
  CampaignCalendar calendar{{&promotion_calendar}};
  Promotions promotions{promotion_store, clock, ids, &calendar};
  testing::InMemoryCouponStore coupon_store;
  Coupons coupons{coupon_store, clock, ids};
  testing::InMemoryBudgetStore budget_store;
  Budgets budgets{budget_store, clock};
  testing::InMemoryCouponIssueStore issue_store;
  testing::FakeSegmentDirectory directory;
  CouponIssuer issuer{issue_store, directory, clock, ids};
  testing::InMemoryExperimentStore experiment_store;
  Experiments experiments{experiment_store, clock, ids};
  zhongtai::testing::ApiServer server{"marketing-campaign-test"};
  CampaignApi api{budgets, calendar, issuer, experiments, server.workers()};
  MarketingApi marketing_api{promotions, coupons, server.workers()};
  std::unique_ptr<v1::CampaignService::Stub> stub;
  std::unique_ptr<v1::MarketingService::Stub> marketing_stub;
};

v1::CreatePromotionRequest ExclusiveOnShoes(const std::string& request_id, absl::Time start, absl::Time end) {
  v1::CreatePromotionRequest create;
  create.set_request_id(request_id);
  v1::Promotion* p = create.mutable_promotion();
  p->set_name("满300减40 " + request_id);
  p->mutable_start_time()->set_seconds(absl::ToUnixSeconds(start));
  p->mutable_end_time()->set_seconds(absl::ToUnixSeconds(end));
  SetMoney(p->mutable_threshold_reduction()->mutable_threshold(), 30000);
  SetMoney(p->mutable_threshold_reduction()->mutable_reduction(), 4000);
  p->mutable_scope()->add_category_ids("cat-shoes");
  p->set_exclusivity(v1::EXCLUSIVITY_WITHIN_LAYER);
  return create;
}

}  // namespace

TEST_CASE("the order center charges and releases budgets over gRPC, once per order", "[campaign]") {
  Fixture f;
  v1::ChargeBudgetsRequest charge;
  charge.set_order_id("o1");
  v1::BudgetCharge* c = charge.add_charges();
  c->set_promotion_id("pr_1");
  SetMoney(c->mutable_amount(), 600);
  {
    grpc::ClientContext context;
    CallAs(context, "order", "u1");
    v1::ChargeBudgetsResponse out;
    REQUIRE(FromGrpcStatus(f.stub->ChargeBudgets(&context, charge, &out), context).ok());
    REQUIRE(out.charges_size() == 1);
    CHECK(out.charges(0).amount().amount_minor() == 600);
  }
  CHECK(f.budget_store.Remaining({BudgetOwner::kPromotion, "pr_1"}) == 400);
  {
    grpc::ClientContext context;
    CallAs(context, "order", "u2");
    charge.set_order_id("o2");
    v1::ChargeBudgetsResponse out;
    absl::Status status = FromGrpcStatus(f.stub->ChargeBudgets(&context, charge, &out), context);
    CHECK(status.code() == absl::StatusCode::kFailedPrecondition);
    CHECK(ReasonOf(status) == "BUDGET_SPENT");
  }
  {
    grpc::ClientContext context;
    CallAs(context, "gateway", "u1", "admin");
    v1::ChargeBudgetsResponse out;
    absl::Status status = FromGrpcStatus(f.stub->ChargeBudgets(&context, charge, &out), context);
    CHECK(status.code() == absl::StatusCode::kPermissionDenied);
  }
  for (int i = 0; i < 2; ++i) {
    grpc::ClientContext context;
    CallAs(context, "order");
    v1::ReleaseBudgetsRequest release;
    release.set_order_id("o1");
    v1::ReleaseBudgetsResponse out;
    REQUIRE(FromGrpcStatus(f.stub->ReleaseBudgets(&context, release, &out), context).ok());
    CHECK(out.released_size() == (i == 0 ? 1 : 0));
  }
  CHECK(f.budget_store.Remaining({BudgetOwner::kPromotion, "pr_1"}) == 1000);
}

TEST_CASE(
    "a conflicting promotion is refused with 409 CAMPAIGN_CONFLICT naming the conflict, or accepted when the "
    "operator says so",
    "[campaign]") {
  Fixture f;
  const absl::Time now = f.clock.Now();
  std::string first_id;
  {
    grpc::ClientContext context;
    CallAs(context, "gateway", "admin1", "admin");
    v1::CreatePromotionResponse out;
    auto create = ExclusiveOnShoes("first", now, now + absl::Hours(48));
    REQUIRE(FromGrpcStatus(f.marketing_stub->CreatePromotion(&context, create, &out), context).ok());
    first_id = out.promotion().promotion_id();
    CHECK(out.conflicts_size() == 0);
  }
  {
    // The first create's replay is no conflict with itself.
    grpc::ClientContext context;
    CallAs(context, "gateway", "admin1", "admin");
    v1::CreatePromotionResponse out;
    auto create = ExclusiveOnShoes("first", now, now + absl::Hours(48));
    REQUIRE(FromGrpcStatus(f.marketing_stub->CreatePromotion(&context, create, &out), context).ok());
    CHECK(out.promotion().promotion_id() == first_id);
  }
  auto second = ExclusiveOnShoes("second", now + absl::Hours(24), now + absl::Hours(72));
  {
    grpc::ClientContext context;
    CallAs(context, "gateway", "admin1", "admin");
    v1::CreatePromotionResponse out;
    absl::Status status = FromGrpcStatus(f.marketing_stub->CreatePromotion(&context, second, &out), context);
    CHECK(status.code() == absl::StatusCode::kAlreadyExists);
    CHECK(ReasonOf(status) == "CAMPAIGN_CONFLICT");
    CHECK(DetailsOf(status).find("\"id\":\"" + first_id + "\"") != std::string::npos);
    CHECK(f.promotion_store.size() == 1);
  }
  {
    grpc::ClientContext context;
    CallAs(context, "gateway", "admin1", "admin");
    second.set_allow_conflicts(true);
    v1::CreatePromotionResponse out;
    REQUIRE(FromGrpcStatus(f.marketing_stub->CreatePromotion(&context, second, &out), context).ok());
    REQUIRE(out.conflicts_size() == 1);
    CHECK(out.conflicts(0).id() == first_id);
    CHECK(out.conflicts(0).overlap_start_time().seconds() == absl::ToUnixSeconds(now + absl::Hours(24)));
    CHECK(f.promotion_store.size() == 2);
  }
  {
    grpc::ClientContext context;
    CallAs(context, "gateway", "admin1", "admin");
    v1::GetCampaignCalendarRequest request;
    request.mutable_from()->set_seconds(absl::ToUnixSeconds(now));
    request.mutable_to()->set_seconds(absl::ToUnixSeconds(now + absl::Hours(30)));
    v1::GetCampaignCalendarResponse out;
    REQUIRE(FromGrpcStatus(f.stub->GetCampaignCalendar(&context, request, &out), context).ok());
    REQUIRE(out.items_size() == 2);
    CHECK(out.items(0).id() == first_id);
    CHECK(out.items(0).kind() == v1::CALENDAR_ITEM_KIND_PROMOTION);
    CHECK(out.items(0).exclusivity() == "WITHIN_LAYER");
    CHECK(out.items(0).scope().category_ids(0) == "cat-shoes");
  }
  {
    grpc::ClientContext context;
    CallAs(context, "gateway", "admin1", "admin");
    v1::GetCampaignCalendarRequest request;
    request.mutable_from()->set_seconds(absl::ToUnixSeconds(now));
    v1::GetCampaignCalendarResponse out;
    absl::Status status = FromGrpcStatus(f.stub->GetCampaignCalendar(&context, request, &out), context);
    CHECK(status.code() == absl::StatusCode::kInvalidArgument);
    CHECK(FieldOf(status) == "to");
  }
}

TEST_CASE("a promotion changed into a conflict is refused naming it, or changed with a warning when allowed",
          "[campaign]") {
  Fixture f;
  const absl::Time now = f.clock.Now();
  auto create = [&](v1::CreatePromotionRequest request) {
    grpc::ClientContext context;
    CallAs(context, "gateway", "admin1", "admin");
    v1::CreatePromotionResponse out;
    REQUIRE(FromGrpcStatus(f.marketing_stub->CreatePromotion(&context, request, &out), context).ok());
    return out.promotion().promotion_id();
  };
  auto update = [&](const v1::UpdatePromotionRequest& request, v1::UpdatePromotionResponse* out) {
    grpc::ClientContext context;
    CallAs(context, "gateway", "admin1", "admin");
    return FromGrpcStatus(f.marketing_stub->UpdatePromotion(&context, request, out), context);
  };
  const std::string first_id = create(ExclusiveOnShoes("first", now, now + absl::Hours(48)));
  const std::string later_id = create(ExclusiveOnShoes("later", now + absl::Hours(100), now + absl::Hours(148)));

  v1::UpdatePromotionRequest earlier;
  earlier.set_promotion_id(later_id);
  earlier.mutable_promotion()->mutable_start_time()->set_seconds(absl::ToUnixSeconds(now + absl::Hours(24)));
  {
    v1::UpdatePromotionResponse out;
    absl::Status status = update(earlier, &out);
    CHECK(status.code() == absl::StatusCode::kAlreadyExists);
    CHECK(ReasonOf(status) == "CAMPAIGN_CONFLICT");
    CHECK(DetailsOf(status).find("\"id\":\"" + first_id + "\"") != std::string::npos);
    CHECK(f.promotion_store.Get(later_id)->start_time == now + absl::Hours(100));  // unchanged
  }
  {
    earlier.set_allow_conflicts(true);
    v1::UpdatePromotionResponse out;
    REQUIRE(update(earlier, &out).ok());
    REQUIRE(out.conflicts_size() == 1);
    CHECK(out.conflicts(0).id() == first_id);
    CHECK(out.promotion().start_time().seconds() == absl::ToUnixSeconds(now + absl::Hours(24)));
    // What the patch left out kept its value.
    CHECK(out.promotion().end_time().seconds() == absl::ToUnixSeconds(now + absl::Hours(148)));
    CHECK(out.promotion().scope().category_ids(0) == "cat-shoes");
    CHECK(out.promotion().threshold_reduction().reduction().amount_minor() == 4000);
  }
  {
    // Making it stackable ends the conflict; the rule can change whole.
    v1::UpdatePromotionRequest stackable;
    stackable.set_promotion_id(later_id);
    stackable.mutable_promotion()->set_exclusivity(v1::EXCLUSIVITY_NONE);
    SetMoney(stackable.mutable_promotion()->mutable_threshold_reduction()->mutable_threshold(), 20000);
    SetMoney(stackable.mutable_promotion()->mutable_threshold_reduction()->mutable_reduction(), 2000);
    v1::UpdatePromotionResponse out;
    REQUIRE(update(stackable, &out).ok());
    CHECK(out.conflicts_size() == 0);
    CHECK(out.promotion().exclusivity() == v1::EXCLUSIVITY_NONE);
    CHECK(out.promotion().threshold_reduction().reduction().amount_minor() == 2000);
  }
  {
    v1::UpdatePromotionRequest budget;
    budget.set_promotion_id(later_id);
    SetMoney(budget.mutable_promotion()->mutable_budget_remaining(), 100);
    v1::UpdatePromotionResponse out;
    absl::Status status = update(budget, &out);
    CHECK(ReasonOf(status) == "PROMOTION_FIELD_IMMUTABLE");
    CHECK(FieldOf(status) == "promotion.budgetRemaining");
  }
  {
    v1::UpdatePromotionRequest missing;
    missing.set_promotion_id("pr_nope");
    missing.mutable_promotion()->set_name("x");
    v1::UpdatePromotionResponse out;
    absl::Status status = update(missing, &out);
    CHECK(status.code() == absl::StatusCode::kNotFound);
    CHECK(ReasonOf(status) == "PROMOTION_NOT_FOUND");
  }
}

TEST_CASE("experiments are created with shares summing to 100% and listed over gRPC", "[campaign]") {
  Fixture f;
  v1::CreateExperimentRequest create;
  create.set_request_id("exp-1");
  v1::Experiment* e = create.mutable_experiment();
  e->set_name("满减 vs 折扣");
  e->mutable_start_time()->set_seconds(absl::ToUnixSeconds(f.clock.Now()));
  e->mutable_end_time()->set_seconds(absl::ToUnixSeconds(f.clock.Now() + absl::Hours(24)));
  v1::ExperimentArm* control = e->add_arms();
  control->set_name("control");
  control->set_traffic_bp(5000);
  v1::ExperimentArm* treatment = e->add_arms();
  treatment->set_name("treatment");
  treatment->set_traffic_bp(4000);
  treatment->add_promotion_ids("pr_x");
  {
    grpc::ClientContext context;
    CallAs(context, "gateway", "admin1", "admin");
    v1::CreateExperimentResponse out;
    absl::Status status = FromGrpcStatus(f.stub->CreateExperiment(&context, create, &out), context);
    CHECK(status.code() == absl::StatusCode::kInvalidArgument);
    CHECK(ReasonOf(status) == "EXPERIMENT_TRAFFIC_INVALID");
  }
  treatment->set_traffic_bp(5000);
  std::string id;
  {
    grpc::ClientContext context;
    CallAs(context, "gateway", "admin1", "admin");
    v1::CreateExperimentResponse out;
    REQUIRE(FromGrpcStatus(f.stub->CreateExperiment(&context, create, &out), context).ok());
    id = out.experiment().experiment_id();
    CHECK_FALSE(id.empty());
    CHECK(out.experiment().arms(1).promotion_ids(0) == "pr_x");
  }
  {
    grpc::ClientContext context;
    CallAs(context, "gateway", "admin1", "admin");
    v1::ListExperimentsResponse out;
    REQUIRE(FromGrpcStatus(f.stub->ListExperiments(&context, v1::ListExperimentsRequest(), &out), context).ok());
    REQUIRE(out.experiments_size() == 1);
    CHECK(out.experiments(0).experiment_id() == id);
    CHECK(out.experiments(0).arms_size() == 2);
  }
}

TEST_CASE("an issue to a segment starts over gRPC and names its segment", "[campaign]") {
  Fixture f;
  CouponTemplate t;
  t.template_id = "ct_1";
  t.total_quantity = 10;
  t.per_user_limit = 1;
  t.valid_until = f.clock.Now() + absl::Hours(24);
  f.issue_store.AddTemplate(t);
  v1::IssueCouponsRequest request;
  request.set_template_id("ct_1");
  request.set_tier(user::v1::MEMBER_TIER_GOLD);
  request.set_request_id("issue-1");
  {
    grpc::ClientContext context;
    CallAs(context, "gateway", "admin1", "admin");
    v1::IssueCouponsResponse out;
    REQUIRE(FromGrpcStatus(f.stub->IssueCoupons(&context, request, &out), context).ok());
    CHECK(out.coupon_issue().state() == v1::COUPON_ISSUE_STATE_RUNNING);
    CHECK(out.coupon_issue().tier() == user::v1::MEMBER_TIER_GOLD);
    CHECK(out.coupon_issue().template_id() == "ct_1");
  }
  {
    grpc::ClientContext context;
    CallAs(context, "gateway", "admin1", "admin");
    request.set_tag("vip");
    request.set_request_id("issue-2");
    v1::IssueCouponsResponse out;
    absl::Status status = FromGrpcStatus(f.stub->IssueCoupons(&context, request, &out), context);
    CHECK(ReasonOf(status) == "SEGMENT_INVALID");
  }
}

}  // namespace zhongtai::marketing
