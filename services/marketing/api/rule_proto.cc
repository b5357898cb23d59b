#include "services/marketing/api/rule_proto.h"

#include "common/proto/convert.h"
#include "common/status/status.h"
#include "services/marketing/domain/pricing.h"

namespace zhongtai::marketing {
namespace {

using proto::SetMoney;

std::vector<std::string> Strings(const google::protobuf::RepeatedPtrField<std::string>& in) {
  return {in.begin(), in.end()};
}

void SetStrings(const std::vector<std::string>& in, google::protobuf::RepeatedPtrField<std::string>* out) {
  for (const std::string& s : in) *out->Add() = s;
}

// Reads amounts that must all be in the promotion's one currency: the first one named sets it.
class MoneyReader {
 public:
  explicit MoneyReader(std::string currency) : currency_(std::move(currency)) {}

  absl::Status Read(const type::v1::Money& money, const std::string& field, int64_t& out) {
    if (!money.currency().empty()) {
      if (currency_.empty()) currency_ = money.currency();
      if (money.currency() != currency_) {
        return InvalidArgument(field + ".currency", "CURRENCY_MISMATCH", "all amounts must use one currency");
      }
    }
    out = money.amount_minor();
    return absl::OkStatus();
  }

  std::string currency() const { return currency_.empty() ? kDefaultCurrency : currency_; }

 private:
  std::string currency_;
};

PromotionLayer DefaultLayer(PromotionKind kind) {
  switch (kind) {
    case PromotionKind::kItemDiscount:
    case PromotionKind::kQuantityPrice:
    case PromotionKind::kNthItemDiscount:
    case PromotionKind::kBundle: return PromotionLayer::kItem;
    default: return PromotionLayer::kOrder;
  }
}

absl::Status ReadRule(const v1::Promotion& in, MoneyReader& money, Promotion& p) {
  switch (in.rule_case()) {
    case v1::Promotion::kThresholdReduction: {
      p.kind = PromotionKind::kThresholdReduction;
      const auto& r = in.threshold_reduction();
      RETURN_IF_ERROR(money.Read(r.threshold(), "promotion.thresholdReduction.threshold", p.threshold));
      return money.Read(r.reduction(), "promotion.thresholdReduction.reduction", p.reduction);
    }
    case v1::Promotion::kTieredReduction: {
      p.kind = PromotionKind::kThresholdReduction;
      const auto& r = in.tiered_reduction();
      for (int i = 0; i < r.tiers_size(); ++i) {
        const std::string at = "promotion.tieredReduction.tiers[" + std::to_string(i) + "]";
        ReductionTier tier;
        RETURN_IF_ERROR(money.Read(r.tiers(i).threshold(), at + ".threshold", tier.threshold));
        RETURN_IF_ERROR(money.Read(r.tiers(i).reduction(), at + ".reduction", tier.reduction));
        p.tiers.push_back(tier);
      }
      RETURN_IF_ERROR(money.Read(r.every_amount(), "promotion.tieredReduction.everyAmount", p.every_amount));
      RETURN_IF_ERROR(money.Read(r.every_reduction(), "promotion.tieredReduction.everyReduction", p.every_reduction));
      return money.Read(r.every_cap(), "promotion.tieredReduction.everyCap", p.every_cap);
    }
    case v1::Promotion::kThresholdPercentOff:
      p.kind = PromotionKind::kThresholdPercent;
      p.percent_off_bp = in.threshold_percent_off().percent_off_bp();
      return money.Read(in.threshold_percent_off().threshold(), "promotion.thresholdPercentOff.threshold", p.threshold);
    case v1::Promotion::kItemDiscount:
      p.kind = PromotionKind::kItemDiscount;
      p.percent_off_bp = in.item_discount().percent_off_bp();
      return money.Read(in.item_discount().fixed_off_per_unit(), "promotion.itemDiscount.fixedOffPerUnit",
                        p.fixed_off_per_unit);
    case v1::Promotion::kQuantityPrice:
      p.kind = PromotionKind::kQuantityPrice;
      p.group_quantity = in.quantity_price().quantity();
      return money.Read(in.quantity_price().price(), "promotion.quantityPrice.price", p.group_price);
    case v1::Promotion::kNthItemDiscount:
      p.kind = PromotionKind::kNthItemDiscount;
      p.nth = in.nth_item_discount().nth();
      p.percent_off_bp = in.nth_item_discount().percent_off_bp();
      return absl::OkStatus();
    case v1::Promotion::kBundle:
      p.kind = PromotionKind::kBundle;
      p.bundle_sku_ids = Strings(in.bundle().sku_ids());
      return money.Read(in.bundle().price(), "promotion.bundle.price", p.bundle_price);
    case v1::Promotion::kGift:
      p.kind = PromotionKind::kGift;
      p.gift_sku_id = in.gift().sku_id();
      p.gift_quantity = in.gift().quantity();
      p.min_quantity = in.gift().min_quantity();
      return money.Read(in.gift().threshold(), "promotion.gift.threshold", p.threshold);
    case v1::Promotion::RULE_NOT_SET: break;
  }
  return InvalidArgument("promotion.thresholdReduction", "RULE_MISSING", "a promotion rule is required");
}

v1::NotAppliedReason ReasonToProto(NotAppliedReason reason) {
  switch (reason) {
    case NotAppliedReason::kThresholdNotMet: return v1::NOT_APPLIED_REASON_THRESHOLD_NOT_MET;
    case NotAppliedReason::kNotWithMemberPrice: return v1::NOT_APPLIED_REASON_NOT_WITH_MEMBER_PRICE;
    case NotAppliedReason::kQuantityNotMet: return v1::NOT_APPLIED_REASON_QUANTITY_NOT_MET;
    case NotAppliedReason::kBundleIncomplete: return v1::NOT_APPLIED_REASON_BUNDLE_INCOMPLETE;
    case NotAppliedReason::kNoItemsInScope: return v1::NOT_APPLIED_REASON_NO_ITEMS_IN_SCOPE;
    case NotAppliedReason::kExcluded: return v1::NOT_APPLIED_REASON_EXCLUDED;
    case NotAppliedReason::kLessFavorable: return v1::NOT_APPLIED_REASON_LESS_FAVORABLE;
    case NotAppliedReason::kBudgetSpent: return v1::NOT_APPLIED_REASON_BUDGET_SPENT;
    case NotAppliedReason::kNotStarted: return v1::NOT_APPLIED_REASON_NOT_STARTED;
    case NotAppliedReason::kEnded: return v1::NOT_APPLIED_REASON_ENDED;
    case NotAppliedReason::kPaused: return v1::NOT_APPLIED_REASON_PAUSED;
    case NotAppliedReason::kNotEligible: return v1::NOT_APPLIED_REASON_NOT_ELIGIBLE;
    case NotAppliedReason::kCurrencyMismatch: return v1::NOT_APPLIED_REASON_CURRENCY_MISMATCH;
    case NotAppliedReason::kCouponUnusable: return v1::NOT_APPLIED_REASON_COUPON_UNUSABLE;
    case NotAppliedReason::kGiftOutOfStock: return v1::NOT_APPLIED_REASON_GIFT_OUT_OF_STOCK;
  }
  return v1::NOT_APPLIED_REASON_UNSPECIFIED;
}

}  // namespace

absl::Status RuleFromProto(const v1::Promotion& in, Promotion& p) {
  MoneyReader money(in.currency());
  RETURN_IF_ERROR(ReadRule(in, money, p));
  if (in.has_budget_remaining()) {
    int64_t budget = 0;
    RETURN_IF_ERROR(money.Read(in.budget_remaining(), "promotion.budgetRemaining", budget));
    p.budget_remaining = budget;
  }
  p.currency = money.currency();
  switch (in.layer()) {
    case v1::PROMOTION_LAYER_ITEM: p.layer = PromotionLayer::kItem; break;
    case v1::PROMOTION_LAYER_ORDER: p.layer = PromotionLayer::kOrder; break;
    case v1::PROMOTION_LAYER_COUPON: p.layer = PromotionLayer::kCoupon; break;
    default: p.layer = DefaultLayer(p.kind);
  }
  switch (in.exclusivity()) {
    case v1::EXCLUSIVITY_NONE: p.exclusivity = Exclusivity::kNone; break;
    case v1::EXCLUSIVITY_ALL: p.exclusivity = Exclusivity::kAll; break;
    default: p.exclusivity = Exclusivity::kWithinLayer;
  }
  p.priority = in.priority();
  p.combines_with_member_price = !in.has_combines_with_member_price() || in.combines_with_member_price();
  if (in.has_scope()) {
    const v1::PromotionScope& s = in.scope();
    p.scope.all_products = s.all_products();
    p.scope.category_ids = Strings(s.category_ids());
    p.scope.brand_ids = Strings(s.brand_ids());
    p.scope.sku_ids = Strings(s.sku_ids());
    p.scope.excluded_category_ids = Strings(s.excluded_category_ids());
    p.scope.excluded_brand_ids = Strings(s.excluded_brand_ids());
    p.scope.excluded_sku_ids = Strings(s.excluded_sku_ids());
  }
  const v1::Eligibility& e = in.eligibility();
  p.eligibility.member_tiers = Strings(e.member_tiers());
  p.eligibility.user_tags = Strings(e.user_tags());
  p.eligibility.new_customers_only = e.new_customers_only();
  p.eligibility.channels = Strings(e.channels());
  return absl::OkStatus();
}

void RuleToProto(const Promotion& p, v1::Promotion* out) {
  const std::string& c = p.currency;
  switch (p.kind) {
    case PromotionKind::kThresholdReduction:
      if (p.tiers.empty() && p.every_amount == 0) {
        SetMoney(out->mutable_threshold_reduction()->mutable_threshold(), c, p.threshold);
        SetMoney(out->mutable_threshold_reduction()->mutable_reduction(), c, p.reduction);
      } else {
        v1::TieredReduction* r = out->mutable_tiered_reduction();
        for (const ReductionTier& tier : p.tiers) {
          v1::ReductionTier* t = r->add_tiers();
          SetMoney(t->mutable_threshold(), c, tier.threshold);
          SetMoney(t->mutable_reduction(), c, tier.reduction);
        }
        SetMoney(r->mutable_every_amount(), c, p.every_amount);
        SetMoney(r->mutable_every_reduction(), c, p.every_reduction);
        SetMoney(r->mutable_every_cap(), c, p.every_cap);
      }
      break;
    case PromotionKind::kThresholdPercent:
      SetMoney(out->mutable_threshold_percent_off()->mutable_threshold(), c, p.threshold);
      out->mutable_threshold_percent_off()->set_percent_off_bp(p.percent_off_bp);
      break;
    case PromotionKind::kItemDiscount:
      out->mutable_item_discount()->set_percent_off_bp(p.percent_off_bp);
      SetMoney(out->mutable_item_discount()->mutable_fixed_off_per_unit(), c, p.fixed_off_per_unit);
      break;
    case PromotionKind::kQuantityPrice:
      out->mutable_quantity_price()->set_quantity(p.group_quantity);
      SetMoney(out->mutable_quantity_price()->mutable_price(), c, p.group_price);
      break;
    case PromotionKind::kNthItemDiscount:
      out->mutable_nth_item_discount()->set_nth(p.nth);
      out->mutable_nth_item_discount()->set_percent_off_bp(p.percent_off_bp);
      break;
    case PromotionKind::kBundle:
      SetStrings(p.bundle_sku_ids, out->mutable_bundle()->mutable_sku_ids());
      SetMoney(out->mutable_bundle()->mutable_price(), c, p.bundle_price);
      break;
    case PromotionKind::kGift:
      out->mutable_gift()->set_sku_id(p.gift_sku_id);
      out->mutable_gift()->set_quantity(p.gift_quantity);
      out->mutable_gift()->set_min_quantity(p.min_quantity);
      SetMoney(out->mutable_gift()->mutable_threshold(), c, p.threshold);
      break;
  }
  out->set_currency(c);
  const v1::PromotionLayer layers[] = {v1::PROMOTION_LAYER_ITEM, v1::PROMOTION_LAYER_ORDER, v1::PROMOTION_LAYER_COUPON};
  out->set_layer(layers[static_cast<int>(p.layer)]);
  out->set_exclusivity(p.exclusivity == Exclusivity::kNone  ? v1::EXCLUSIVITY_NONE
                       : p.exclusivity == Exclusivity::kAll ? v1::EXCLUSIVITY_ALL
                                                            : v1::EXCLUSIVITY_WITHIN_LAYER);
  out->set_priority(p.priority);
  out->set_combines_with_member_price(p.combines_with_member_price);
  if (p.budget_remaining.has_value()) SetMoney(out->mutable_budget_remaining(), c, *p.budget_remaining);
  v1::PromotionScope* s = out->mutable_scope();
  s->set_all_products(p.scope.all_products);
  SetStrings(p.scope.category_ids, s->mutable_category_ids());
  SetStrings(p.scope.brand_ids, s->mutable_brand_ids());
  SetStrings(p.scope.sku_ids, s->mutable_sku_ids());
  SetStrings(p.scope.excluded_category_ids, s->mutable_excluded_category_ids());
  SetStrings(p.scope.excluded_brand_ids, s->mutable_excluded_brand_ids());
  SetStrings(p.scope.excluded_sku_ids, s->mutable_excluded_sku_ids());
  v1::Eligibility* e = out->mutable_eligibility();
  SetStrings(p.eligibility.member_tiers, e->mutable_member_tiers());
  SetStrings(p.eligibility.user_tags, e->mutable_user_tags());
  e->set_new_customers_only(p.eligibility.new_customers_only);
  SetStrings(p.eligibility.channels, e->mutable_channels());
}

void ExplanationToProto(const Quote& quote, v1::QuotePriceResponse* out) {
  int line_index = 0;
  for (const QuotedLine& line : quote.lines) {
    if (line.gift) {
      v1::GiftLine* g = out->add_gift_lines();
      g->set_sku_id(line.sku_id);
      g->set_quantity(line.quantity);
      g->set_promotion_id(line.gift_promotion_id);
      continue;
    }
    v1::QuotedLine* l = out->mutable_lines(line_index++);
    v1::PriceOrigin* origin = l->mutable_price_origin();
    origin->set_source(line.origin.experiment ? v1::PRICE_SOURCE_EXPERIMENT : v1::PRICE_SOURCE_CATALOG);
    origin->set_experiment_id(line.origin.experiment_id);
    origin->set_arm(line.origin.arm);
    SetMoney(origin->mutable_catalog_unit_price(), quote.currency, line.origin.catalog_unit_price);
    for (const LineShare& share : line.shares) {
      v1::LineShare* s = l->add_shares();
      s->set_promotion_id(share.promotion_id);
      SetMoney(s->mutable_amount(), quote.currency, share.amount);
    }
  }
  for (const NotApplied& n : quote.not_applied) {
    v1::NotAppliedPromotion* o = out->add_not_applied();
    o->set_promotion_id(n.promotion_id);
    o->set_name(n.name);
    o->set_reason(ReasonToProto(n.reason));
    if (n.reason == NotAppliedReason::kThresholdNotMet) {
      SetMoney(o->mutable_amount_missing(), quote.currency, n.amount_missing);
    }
    o->set_quantity_missing(n.quantity_missing);
    SetStrings(n.missing_sku_ids, o->mutable_missing_sku_ids());
    o->set_by_promotion_id(n.by_promotion_id);
    o->set_coupon_reason(n.coupon_reason);
  }
}

}  // namespace zhongtai::marketing
