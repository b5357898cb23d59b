#include "services/marketing/domain/promotions.h"

#include <algorithm>
#include <map>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "common/log/log.h"
#include "common/status/details.h"
#include "common/status/status.h"
#include "services/marketing/domain/best_price.h"
#include "services/marketing/domain/page_tokens.h"
#include "services/marketing/domain/pricing.h"

namespace zhongtai::marketing {

absl::StatusOr<Promotion> Promotions::CreatePromotion(Promotion promotion, const std::string& request_id) {
  if (request_id.empty()) {
    return InvalidArgument("requestId", "REQUEST_ID_MISSING", "request id (Idempotency-Key) is required");
  }
  if (request_id.size() > 200) return InvalidArgument("requestId", "REQUEST_ID_TOO_LONG", "request id is too long");
  RETURN_IF_ERROR(ValidatePromotion(promotion));
  promotion.promotion_id = ids_.NewPromotionId();
  promotion.request_id = request_id;
  promotion.created_at = clock_.Now();
  ASSIGN_OR_RETURN(PromotionStore::CreateResult result, store_.Create(promotion));
  if (result.created) {
    log::Info("promotion created", {{"promotion_id", result.promotion.promotion_id}});
  }
  return std::move(result.promotion);
}

absl::StatusOr<CreatedPromotion> Promotions::CreateChecked(Promotion promotion, const std::string& request_id,
                                                           bool allow_conflicts) {
  CreatedPromotion out;
  if (calendar_ == nullptr) {
    ASSIGN_OR_RETURN(out.promotion, CreatePromotion(std::move(promotion), request_id));
    return out;
  }
  RETURN_IF_ERROR(ValidatePromotion(promotion));
  Promotion candidate = promotion;
  candidate.request_id = request_id;
  ASSIGN_OR_RETURN(out.conflicts, calendar_->CheckAndChange(CalendarItemOf(candidate), allow_conflicts, [&] {
    absl::StatusOr<Promotion> created = CreatePromotion(promotion, request_id);
    if (created.ok()) out.promotion = *std::move(created);
    return created.status();
  }));
  if (!out.conflicts.empty()) {
    log::Info("promotion created over conflicts", {{"promotion_id", out.promotion.promotion_id}});
  }
  return out;
}

absl::StatusOr<CreatedPromotion> Promotions::UpdateChecked(
    const std::string& promotion_id, const std::function<absl::StatusOr<Promotion>(Promotion)>& change,
    bool allow_conflicts) {
  if (promotion_id.empty()) {
    return InvalidArgument("promotionId", "PROMOTION_ID_MISSING", "put the promotion id in the path");
  }
  CreatedPromotion out;
  // Read, change, check and write under the calendar's lock, so that a concurrent change is not lost and cannot
  // slip a conflict past the check.
  auto update = [&]() -> absl::Status {
    ASSIGN_OR_RETURN(Promotion current, store_.Get(promotion_id));
    ASSIGN_OR_RETURN(Promotion changed, change(current));
    if (changed.currency != current.currency) {
      return InvalidArgument("promotion.currency", "PROMOTION_FIELD_IMMUTABLE", "the currency cannot change");
    }
    changed.promotion_id = current.promotion_id;
    changed.request_id = current.request_id;
    changed.created_at = current.created_at;
    changed.budget_remaining = current.budget_remaining;
    RETURN_IF_ERROR(ValidatePromotion(changed));
    if (calendar_ != nullptr) {
      ASSIGN_OR_RETURN(out.conflicts, calendar_->ConflictsOf(changed));
      if (!out.conflicts.empty() && !allow_conflicts) {
        return WithDetails(AlreadyExists("CAMPAIGN_CONFLICT",
                                         "the change overlaps campaigns that cannot run with it on the same products "
                                         "(named in details); set allowConflicts to change it anyway"),
                           ConflictDetailsJson(out.conflicts));
      }
    }
    ASSIGN_OR_RETURN(out.promotion, store_.Update(changed));
    return absl::OkStatus();
  };
  RETURN_IF_ERROR(calendar_ == nullptr ? update() : calendar_->Guarded(update));
  log::Info("promotion updated", {{"promotion_id", promotion_id}, {"conflicts", std::to_string(out.conflicts.size())}});
  return out;
}

absl::StatusOr<PromotionPage> Promotions::ListPromotions(int page_size, const std::string& page_token) {
  if (page_size < 0) return InvalidArgument("pageSize", "PAGE_SIZE_NEGATIVE", "page size must not be negative");
  int limit = page_size == 0 ? kDefaultPageSize : std::min(page_size, kMaxPageSize);
  std::string before_id;
  if (!page_token.empty()) {
    ASSIGN_OR_RETURN(before_id, DecodeIdToken(kPromotionTokenPrefix, page_token));
  }
  // One more than asked tells whether another page exists.
  ASSIGN_OR_RETURN(std::vector<Promotion> found, store_.List(before_id, limit + 1));
  PromotionPage page;
  if (static_cast<int>(found.size()) > limit) {
    found.resize(limit);
    page.next_page_token = EncodeIdToken(kPromotionTokenPrefix, found.back().promotion_id);
  }
  page.promotions = std::move(found);
  return page;
}

absl::StatusOr<Quote> Promotions::QuotePrice(const std::string& user_id, const std::vector<QuoteLineInput>& lines,
                                             const Shopper& shopper, const CouponOffer& coupon) {
  RETURN_IF_ERROR(ValidateQuoteLines(lines));
  RETURN_IF_ERROR(ValidateShipTo(shopper.ship_to));
  const absl::Time now = clock_.Now();
  ASSIGN_OR_RETURN(std::vector<Promotion> applicable,
                   store_.ListOverlapping(now - kQuoteExplainHorizon, now + kQuoteExplainHorizon));
  std::vector<QuoteLineInput> priced = lines;
  std::vector<LinePriceOrigin> origins(lines.size());
  for (size_t i = 0; i < lines.size(); ++i) origins[i].catalog_unit_price = lines[i].unit_price;
  if (experiments_ != nullptr) {
    ASSIGN_OR_RETURN(ExperimentView view, experiments_->ForQuote(user_id));
    applicable.erase(
        std::remove_if(applicable.begin(), applicable.end(),
                       [&view](const Promotion& p) { return view.withheld_promotion_ids.count(p.promotion_id) > 0; }),
        applicable.end());
    origins = ApplyArmPrices(view, priced);
  }
  if (coupon.benefit) applicable.push_back(*coupon.benefit);
  Quote quote = QuoteBestPrice(priced, applicable, shopper, now);
  if (skus_ != nullptr) quote = WithGiftsInStock(std::move(quote), priced, applicable, shopper, now);
  for (size_t i = 0; i < origins.size() && i < quote.lines.size(); ++i) quote.lines[i].origin = origins[i];
  if (coupon.refusal) quote.not_applied.push_back(*coupon.refusal);
  return quote;
}

Quote Promotions::WithGiftsInStock(Quote quote, const std::vector<QuoteLineInput>& lines,
                                   std::vector<Promotion> applicable, const Shopper& shopper, absl::Time now) {
  std::map<std::string, int64_t> available;  // by gift SKU: what can be had (0 when not on sale or unknown)
  std::vector<NotApplied> out_of_stock;
  // Each round leaves out at least one gift promotion, so this ends; usually after one call and no second search.
  while (true) {
    std::vector<std::string> ask;
    for (const QuotedLine& line : quote.lines) {
      if (line.gift && available.count(line.sku_id) == 0 &&
          std::find(ask.begin(), ask.end(), line.sku_id) == ask.end()) {
        ask.push_back(line.sku_id);
      }
    }
    if (!ask.empty()) {
      absl::StatusOr<std::map<std::string, SkuFacts>> facts = skus_->Get(ask, shopper.ship_to);
      if (!facts.ok()) {
        log::Warn("gift stock not checked; the quote lists its gifts unchecked",
                  {{"error", facts.status().ToString()}});
        break;
      }
      for (const std::string& sku : ask) {
        auto it = facts->find(sku);
        available[sku] = it != facts->end() && it->second.found && it->second.on_sale ? it->second.available : 0;
      }
    }
    std::map<std::string, std::string> short_gifts;  // promotion id -> gift SKU
    for (const QuotedLine& line : quote.lines) {
      if (line.gift && available[line.sku_id] < line.quantity) short_gifts[line.gift_promotion_id] = line.sku_id;
    }
    if (short_gifts.empty()) break;
    const size_t before = applicable.size();
    for (auto it = applicable.begin(); it != applicable.end();) {
      auto gift = short_gifts.find(it->promotion_id);
      if (gift == short_gifts.end()) {
        ++it;
        continue;
      }
      NotApplied n;
      n.promotion_id = it->promotion_id;
      n.name = it->name;
      n.reason = NotAppliedReason::kGiftOutOfStock;
      n.missing_sku_ids = {gift->second};
      out_of_stock.push_back(std::move(n));
      it = applicable.erase(it);
    }
    if (applicable.size() == before) break;  // cannot happen: a gift line comes from an applicable promotion
    quote = QuoteBestPrice(lines, applicable, shopper, now);
  }
  for (NotApplied& n : out_of_stock) quote.not_applied.push_back(std::move(n));
  return quote;
}

}  // namespace zhongtai::marketing
