// The marketing center's use cases: create and list promotions, quote prices.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/marketing/domain/campaign_calendar.h"
#include "services/marketing/domain/coupon_model.h"
#include "services/marketing/domain/experiment.h"
#include "services/marketing/domain/model.h"
#include "services/marketing/domain/ports.h"

namespace zhongtai::marketing {

inline constexpr int kDefaultPageSize = 20;
inline constexpr int kMaxPageSize = 100;
// How far around now a quote looks for promotions that are not live, to explain them (paused, not started yet,
// ended): a promotion starting tonight or ended yesterday is a hint a shopper can use; one of last year is noise.
inline constexpr absl::Duration kQuoteExplainHorizon = absl::Hours(24 * 7);

struct CreatedPromotion {
  Promotion promotion;
  std::vector<CampaignConflict> conflicts;  // accepted with allow_conflicts
};

class Promotions {
 public:
  // With a calendar, creating a promotion checks it for conflicts (CreateChecked); with experiments, a quote
  // applies only the promotions of the buyer's arms and their prices (and records the exposures); with the product
  // center (`skus`), a quote checks its gifts' stock.
  Promotions(PromotionStore& store, Clock& clock, IdGenerator& ids, CampaignCalendar* calendar = nullptr,
             Experiments* experiments = nullptr, ProductSkus* skus = nullptr)
      : store_(store), clock_(clock), ids_(ids), calendar_(calendar), experiments_(experiments), skus_(skus) {}

  // `promotion` without id and created_at. Idempotent on request_id (required): a replay returns the
  // first promotion. INVALID_ARGUMENT with the field for bad input.
  absl::StatusOr<Promotion> CreatePromotion(Promotion promotion, const std::string& request_id);
  // CreatePromotion after the calendar's conflict check: ALREADY_EXISTS CAMPAIGN_CONFLICT, with the conflicting
  // items as the status's details ([{"kind":"PROMOTION","id":...,"name":...}]), unless allow_conflicts, which
  // creates it and returns the conflicts.
  absl::StatusOr<CreatedPromotion> CreateChecked(Promotion promotion, const std::string& request_id,
                                                 bool allow_conflicts);
  // Changes a promotion: `change` gets the stored one and returns it changed. The id, request id, creation time and
  // budget stay as stored; a changed currency is INVALID_ARGUMENT PROMOTION_FIELD_IMMUTABLE. The result is validated
  // and, with a calendar, checked for conflicts like a create (same lock, same refusal, same allow_conflicts).
  // NOT_FOUND PROMOTION_NOT_FOUND.
  absl::StatusOr<CreatedPromotion> UpdateChecked(const std::string& promotion_id,
                                                 const std::function<absl::StatusOr<Promotion>(Promotion)>& change,
                                                 bool allow_conflicts);
  // Newest first. page_size 0 means the default; the token is opaque.
  absl::StatusOr<PromotionPage> ListPromotions(int page_size, const std::string& page_token);
  // Prices the lines with the best combination of the promotions that apply now (QuoteBestPrice), with the
  // coupon's benefit among them when it has one, or its refusal among the promotions not applied. Promotions
  // paused, starting or ended within kQuoteExplainHorizon of now are explained (PAUSED, NOT_STARTED, ENDED) when
  // they reach a line of the quote. The user id
  // picks the experiments' arms: their promotions, and their prices where lower than the lines' (each line's
  // `origin` says which price it got). With the product center, the gifts the best combination gives are checked
  // in one batched call: a gift promotion whose SKU has less available than the gift's quantity (or is not on sale)
  // is left out with GIFT_OUT_OF_STOCK and the best price found again without it (a further call only for gift SKUs
  // not yet asked). When the product center does not answer, the gifts are listed unchecked (placement decides).
  absl::StatusOr<Quote> QuotePrice(const std::string& user_id, const std::vector<QuoteLineInput>& lines,
                                   const Shopper& shopper = Shopper{}, const CouponOffer& coupon = CouponOffer{});

 private:
  // The quote with its gift promotions' stock checked (see QuotePrice).
  Quote WithGiftsInStock(Quote quote, const std::vector<QuoteLineInput>& lines, std::vector<Promotion> applicable,
                         const Shopper& shopper, absl::Time now);

  PromotionStore& store_;
  Clock& clock_;
  IdGenerator& ids_;
  CampaignCalendar* calendar_;
  Experiments* experiments_;
  ProductSkus* skus_;
};

}  // namespace zhongtai::marketing
