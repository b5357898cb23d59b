// What the marketing domain needs from the outside world.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/clock/clock.h"
#include "services/marketing/domain/coupon_model.h"
#include "services/marketing/domain/model.h"

namespace zhongtai::marketing {

class PromotionStore {
 public:
  virtual ~PromotionStore() = default;

  struct CreateResult {
    Promotion promotion;
    bool created = false;  // false: a promotion with this request_id already existed and is returned
  };
  // Idempotent on promotion.request_id: a replay returns the first promotion unchanged.
  virtual absl::StatusOr<CreateResult> Create(const Promotion& promotion) = 0;
  // Newest first (ids are time-ordered): up to `limit` promotions with id < `before_id` (all when empty).
  virtual absl::StatusOr<std::vector<Promotion>> List(const std::string& before_id, int limit) = 0;
  // Every promotion, active or paused, whose window [start_time, end_time) overlaps [from, to), oldest first.
  virtual absl::StatusOr<std::vector<Promotion>> ListOverlapping(absl::Time from, absl::Time to) = 0;
  // NOT_FOUND PROMOTION_NOT_FOUND when there is none.
  virtual absl::StatusOr<Promotion> Get(const std::string& promotion_id) = 0;
  // Replaces what an update may change (everything but the id, request id, currency, creation time and the budget,
  // which only budget charges move); returns the stored promotion. NOT_FOUND PROMOTION_NOT_FOUND.
  virtual absl::StatusOr<Promotion> Update(const Promotion& promotion) = 0;
};

// Coupon templates and wallets. Each state change also records its event (CouponClaimed, CouponLocked,
// CouponRedeemed, CouponReleased) in the same transaction. The state changes are atomic per coupon and per template:
// each runs the rule of coupon_rules.h on the row it has locked, so concurrent claims and orders see each other's
// effect.
class CouponStore {
 public:
  virtual ~CouponStore() = default;

  struct CreateTemplateResult {
    CouponTemplate coupon_template;
    bool created = false;  // false: a template with this request_id already existed and is returned
  };
  virtual absl::StatusOr<CreateTemplateResult> CreateTemplate(const CouponTemplate& coupon_template) = 0;
  // claim_start <= now < claim_end and claimed_quantity < total_quantity; oldest first.
  virtual absl::StatusOr<std::vector<CouponTemplate>> ListClaimable(absl::Time now) = 0;

  struct ClaimResult {
    WalletCoupon coupon;
    bool created = false;  // false: the user's claim with this request_id is returned
  };
  // One coupon of the template into the user's wallet as `coupon_id`, if CheckClaim and CheckDeviceClaims (the
  // template's coupons claimed from `device`, under the same lock) allow it. NOT_FOUND COUPON_TEMPLATE_NOT_FOUND for
  // an unknown template.
  virtual absl::StatusOr<ClaimResult> Claim(const std::string& template_id, const std::string& user_id,
                                            const std::string& request_id, const std::string& coupon_id, absl::Time now,
                                            const ClaimDevice& device = {}) = 0;
  // The coupon with its template; nullopt when there is none.
  virtual absl::StatusOr<std::optional<WalletCoupon>> Get(const std::string& coupon_id) = 0;
  // The user's coupons whose EffectiveStatus is `status` (all when empty), newest claim first.
  virtual absl::StatusOr<std::vector<WalletCoupon>> ListWallet(const std::string& user_id,
                                                               std::optional<CouponStatus> status, absl::Time now) = 0;
  // LockedCoupon under a row lock; FAILED_PRECONDITION ORDER_HAS_COUPON when the order holds another coupon.
  virtual absl::StatusOr<WalletCoupon> Lock(const std::string& coupon_id, const std::string& order_id,
                                            const std::string& user_id, absl::Time now) = 0;
  // RedeemedCoupon on the order's coupon.
  virtual absl::StatusOr<WalletCoupon> Redeem(const std::string& order_id, absl::Time now) = 0;
  // ReleasedCoupon on the order's coupon; nullopt when the order holds none.
  virtual absl::StatusOr<std::optional<WalletCoupon>> Release(const std::string& order_id, absl::Time now) = 0;
};

// What marketing learns about SKUs from the product center (BatchGetSkus): the list price an experiment's arm price
// may not exceed, and the stock a quote's gifts need.
struct SkuFacts {
  bool found = false;    // false: the product center does not know the SKU
  bool on_sale = false;  // not retired and its product published; only then are price and stock known
  std::string currency;
  int64_t list_price = 0;
  int64_t available = 0;  // on hand minus reserved, in the warehouses that ship to the region asked (all: none asked)
};

class ProductSkus {
 public:
  virtual ~ProductSkus() = default;
  // One entry per distinct id asked. Blocking (a call with its own deadline): call it from a worker thread.
  // With a region (ship_to.province_code set), availability counts only the warehouses that ship there.
  virtual absl::StatusOr<std::map<std::string, SkuFacts>> Get(const std::vector<std::string>& sku_ids,
                                                              const ShipTo& ship_to) = 0;
};

class IdGenerator {
 public:
  virtual ~IdGenerator() = default;
  virtual std::string NewPromotionId() = 0;
  virtual std::string NewCouponTemplateId() = 0;
  virtual std::string NewCouponId() = 0;
  virtual std::string NewCouponIssueId() = 0;
  virtual std::string NewExperimentId() = 0;
};

}  // namespace zhongtai::marketing
