#include "services/marketing/api/marketing_api.h"

#include "common/proto/convert.h"
#include "common/server/identity.h"
#include "common/server/service_runner.h"
#include "common/status/status.h"
#include "services/marketing/api/campaign_api.h"
#include "services/marketing/api/rule_proto.h"
#include "services/marketing/domain/pricing.h"

namespace zhongtai::marketing {
namespace {

using proto::FromTimestamp;
using proto::IsValidTimestamp;
using proto::SetMoney;
using proto::ToTimestamp;

}  // namespace

absl::StatusOr<Promotion> FromProto(const v1::Promotion& in) {
  Promotion p;
  p.name = in.name();
  RETURN_IF_ERROR(RuleFromProto(in, p));
  if (!in.has_start_time())
    return InvalidArgument("promotion.startTime", "START_TIME_MISSING", "start time is required");
  if (!in.has_end_time()) return InvalidArgument("promotion.endTime", "END_TIME_MISSING", "end time is required");
  if (!IsValidTimestamp(in.start_time())) {
    return InvalidArgument("promotion.startTime", "TIME_INVALID", "start time is out of range");
  }
  if (!IsValidTimestamp(in.end_time())) {
    return InvalidArgument("promotion.endTime", "TIME_INVALID", "end time is out of range");
  }
  p.start_time = FromTimestamp(in.start_time());
  p.end_time = FromTimestamp(in.end_time());
  p.status = in.status() == v1::PROMOTION_STATUS_PAUSED ? PromotionStatus::kPaused : PromotionStatus::kActive;
  return p;
}

void ToProto(const Promotion& p, v1::Promotion* out) {
  out->set_promotion_id(p.promotion_id);
  out->set_name(p.name);
  *out->mutable_start_time() = ToTimestamp(p.start_time);
  *out->mutable_end_time() = ToTimestamp(p.end_time);
  RuleToProto(p, out);
  out->set_status(p.status == PromotionStatus::kPaused ? v1::PROMOTION_STATUS_PAUSED : v1::PROMOTION_STATUS_ACTIVE);
  *out->mutable_create_time() = ToTimestamp(p.created_at);
}

void ToProto(const Quote& quote, v1::QuotePriceResponse* out) {
  SetMoney(out->mutable_subtotal(), quote.currency, quote.subtotal);
  SetMoney(out->mutable_discount(), quote.currency, quote.discount);
  SetMoney(out->mutable_total(), quote.currency, quote.total);
  for (const QuotedLine& line : quote.lines) {
    if (line.gift) continue;
    v1::QuotedLine* l = out->add_lines();
    l->set_sku_id(line.sku_id);
    l->set_quantity(line.quantity);
    SetMoney(l->mutable_unit_price(), quote.currency, line.unit_price);
    SetMoney(l->mutable_subtotal(), quote.currency, line.subtotal);
    SetMoney(l->mutable_discount(), quote.currency, line.discount);
    SetMoney(l->mutable_total(), quote.currency, line.total);
  }
  for (const AppliedPromotion& applied : quote.applied) {
    v1::AppliedPromotion* a = out->add_applied_promotions();
    a->set_promotion_id(applied.promotion_id);
    a->set_name(applied.name);
    SetMoney(a->mutable_discount(), quote.currency, applied.discount);
    a->set_budget_limited(applied.budgeted);
  }
  ExplanationToProto(quote, out);
}

grpc::ServerUnaryReactor* MarketingApi::CreatePromotion(grpc::CallbackServerContext* context,
                                                        const v1::CreatePromotionRequest* request,
                                                        v1::CreatePromotionResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    if (!request->has_promotion()) {
      return InvalidArgument("promotion", "PROMOTION_MISSING", "promotion is required");
    }
    ASSIGN_OR_RETURN(Promotion promotion, FromProto(request->promotion()));
    ASSIGN_OR_RETURN(CreatedPromotion created, promotions_.CreateChecked(std::move(promotion), request->request_id(),
                                                                         request->allow_conflicts()));
    ToProto(created.promotion, response->mutable_promotion());
    for (const CampaignConflict& c : created.conflicts) ConflictToProto(c, response->add_conflicts());
    return absl::OkStatus();
  });
}

absl::StatusOr<Promotion> PatchedPromotion(const Promotion& current, const v1::Promotion& patch) {
  if (patch.has_budget_remaining()) {
    return InvalidArgument("promotion.budgetRemaining", "PROMOTION_FIELD_IMMUTABLE",
                           "the budget cannot change once the promotion is created");
  }
  if (!patch.currency().empty() && patch.currency() != current.currency) {
    return InvalidArgument("promotion.currency", "PROMOTION_FIELD_IMMUTABLE", "the currency cannot change");
  }
  v1::Promotion merged;
  ToProto(current, &merged);
  if (!patch.name().empty()) merged.set_name(patch.name());
  if (patch.has_start_time()) *merged.mutable_start_time() = patch.start_time();
  if (patch.has_end_time()) *merged.mutable_end_time() = patch.end_time();
  if (patch.status() != v1::PROMOTION_STATUS_UNSPECIFIED) merged.set_status(patch.status());
  if (patch.has_scope()) *merged.mutable_scope() = patch.scope();
  if (patch.has_eligibility()) *merged.mutable_eligibility() = patch.eligibility();
  if (patch.layer() != v1::PROMOTION_LAYER_UNSPECIFIED) merged.set_layer(patch.layer());
  if (patch.exclusivity() != v1::EXCLUSIVITY_UNSPECIFIED) merged.set_exclusivity(patch.exclusivity());
  if (patch.priority() != 0) merged.set_priority(patch.priority());
  if (patch.has_combines_with_member_price()) merged.set_combines_with_member_price(patch.combines_with_member_price());
  if (patch.rule_case() != v1::Promotion::RULE_NOT_SET) {
    // The new rule replaces the old one whole, whatever its kind.
    const google::protobuf::Reflection* reflection = patch.GetReflection();
    const google::protobuf::FieldDescriptor* rule =
        reflection->GetOneofFieldDescriptor(patch, v1::Promotion::descriptor()->FindOneofByName("rule"));
    merged.clear_rule();
    merged.GetReflection()->MutableMessage(&merged, rule)->CopyFrom(reflection->GetMessage(patch, rule));
  }
  return FromProto(merged);
}

grpc::ServerUnaryReactor* MarketingApi::UpdatePromotion(grpc::CallbackServerContext* context,
                                                        const v1::UpdatePromotionRequest* request,
                                                        v1::UpdatePromotionResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    if (!request->has_promotion()) {
      return InvalidArgument("promotion", "PROMOTION_MISSING", "promotion is required");
    }
    ASSIGN_OR_RETURN(CreatedPromotion updated, promotions_.UpdateChecked(
                                                   request->promotion_id(),
                                                   [request](const Promotion& current) {
                                                     return PatchedPromotion(current, request->promotion());
                                                   },
                                                   request->allow_conflicts()));
    ToProto(updated.promotion, response->mutable_promotion());
    for (const CampaignConflict& c : updated.conflicts) ConflictToProto(c, response->add_conflicts());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* MarketingApi::ListPromotions(grpc::CallbackServerContext* context,
                                                       const v1::ListPromotionsRequest* request,
                                                       v1::ListPromotionsResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    ASSIGN_OR_RETURN(PromotionPage page, promotions_.ListPromotions(request->page_size(), request->page_token()));
    for (const Promotion& p : page.promotions) ToProto(p, response->add_promotions());
    response->set_next_page_token(page.next_page_token);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* MarketingApi::QuotePrice(grpc::CallbackServerContext* context,
                                                   const v1::QuotePriceRequest* request,
                                                   v1::QuotePriceResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    std::vector<QuoteLineInput> lines;
    lines.reserve(request->lines_size());
    for (const v1::QuoteLine& line : request->lines()) {
      QuoteLineInput in;
      in.sku_id = line.sku_id();
      in.currency = line.unit_price().currency();
      in.unit_price = line.unit_price().amount_minor();
      in.quantity = line.quantity();
      in.category_path.assign(line.category_path().begin(), line.category_path().end());
      in.brand_id = line.brand_id();
      in.member_price = line.member_price();
      lines.push_back(std::move(in));
    }
    Shopper shopper;
    shopper.member_tier = request->member_tier();
    shopper.tags.assign(request->user_tags().begin(), request->user_tags().end());
    shopper.new_customer = request->new_customer();
    shopper.channel = request->channel();
    shopper.ship_to = {request->ship_province_code(), request->ship_city_code()};
    const std::string& user_id = server::CurrentCaller().user_id;
    CouponOffer coupon;
    if (!request->coupon_id().empty()) {
      ASSIGN_OR_RETURN(coupon, coupons_.OfferForQuote(user_id, request->coupon_id()));
    }
    ASSIGN_OR_RETURN(Quote quote, promotions_.QuotePrice(user_id, lines, shopper, coupon));
    ToProto(quote, response);
    return absl::OkStatus();
  });
}

}  // namespace zhongtai::marketing
