// An in-memory CouponStore for API tests: one mutex stands for the row locks, the rules are coupon_rules.h's.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "common/status/status.h"
#include "services/marketing/domain/coupon_rules.h"
#include "services/marketing/domain/ports.h"

namespace zhongtai::marketing::testing {

class InMemoryCouponStore : public CouponStore {
 public:
  absl::StatusOr<CreateTemplateResult> CreateTemplate(const CouponTemplate& t) override {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [id, existing] : templates_) {
      if (existing.request_id == t.request_id) return CreateTemplateResult{existing, false};
    }
    templates_[t.template_id] = t;
    return CreateTemplateResult{t, true};
  }
  absl::StatusOr<std::vector<CouponTemplate>> ListClaimable(absl::Time now) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<CouponTemplate> out;
    for (const auto& [id, t] : templates_) {
      if (t.claim_start <= now && now < t.claim_end && t.claimed_quantity < t.total_quantity) out.push_back(t);
    }
    return out;
  }
  absl::StatusOr<ClaimResult> Claim(const std::string& template_id, const std::string& user_id,
                                    const std::string& request_id, const std::string& coupon_id, absl::Time now,
                                    const ClaimDevice& device = {}) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto t = templates_.find(template_id);
    if (t == templates_.end()) return NotFound("COUPON_TEMPLATE_NOT_FOUND", "no such coupon template");
    int64_t claimed_by_user = 0;
    for (const auto& [id, c] : coupons_) {
      if (c.user_id == user_id && c.claim_request_id == request_id) return ClaimResult{Wallet(c), false};
      if (c.user_id == user_id && c.template_id == template_id) ++claimed_by_user;
    }
    RETURN_IF_ERROR(CheckClaim(t->second, claimed_by_user, now));
    RETURN_IF_ERROR(CheckDeviceClaims(device, device_claims_[{template_id, device.device_id}]));
    if (!device.device_id.empty()) ++device_claims_[{template_id, device.device_id}];
    ++t->second.claimed_quantity;
    Coupon c = NewCoupon(t->second, now);
    c.coupon_id = coupon_id;
    c.user_id = user_id;
    c.claim_request_id = request_id;
    coupons_[coupon_id] = c;
    return ClaimResult{Wallet(c), true};
  }
  absl::StatusOr<std::optional<WalletCoupon>> Get(const std::string& coupon_id) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto found = coupons_.find(coupon_id);
    if (found == coupons_.end()) return std::optional<WalletCoupon>();
    return std::optional<WalletCoupon>(Wallet(found->second));
  }
  absl::StatusOr<std::vector<WalletCoupon>> ListWallet(const std::string& user_id, std::optional<CouponStatus> status,
                                                       absl::Time now) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<WalletCoupon> out;
    for (auto it = coupons_.rbegin(); it != coupons_.rend(); ++it) {
      Coupon c = it->second;
      c.status = EffectiveStatus(c, now);
      if (c.user_id == user_id && (!status || c.status == *status)) out.push_back(Wallet(c));
    }
    return out;
  }
  absl::StatusOr<WalletCoupon> Lock(const std::string& coupon_id, const std::string& order_id,
                                    const std::string& user_id, absl::Time now) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto found = coupons_.find(coupon_id);
    if (found == coupons_.end()) return NotFound("COUPON_NOT_FOUND", "no such coupon in your wallet");
    ASSIGN_OR_RETURN(std::optional<Coupon> locked, LockedCoupon(found->second, order_id, user_id, now));
    if (!locked) return Wallet(found->second);
    if (OrderCoupon(order_id) != nullptr) {
      return FailedPrecondition("ORDER_HAS_COUPON", "the order already holds another coupon");
    }
    found->second = *locked;
    return Wallet(found->second);
  }
  absl::StatusOr<WalletCoupon> Redeem(const std::string& order_id, absl::Time) override {
    std::lock_guard<std::mutex> lock(mu_);
    Coupon* held = OrderCoupon(order_id);
    if (held == nullptr) return FailedPrecondition("COUPON_NOT_LOCKED", "the order holds no coupon");
    ASSIGN_OR_RETURN(std::optional<Coupon> used, RedeemedCoupon(*held, order_id));
    if (used) *held = *used;
    return Wallet(*held);
  }
  absl::StatusOr<std::optional<WalletCoupon>> Release(const std::string& order_id, absl::Time now) override {
    std::lock_guard<std::mutex> lock(mu_);
    Coupon* held = OrderCoupon(order_id);
    if (held == nullptr) return std::optional<WalletCoupon>();
    std::optional<Coupon> released = ReleasedCoupon(*held, order_id, now);
    if (!released) return std::optional<WalletCoupon>();
    *held = *released;
    return std::optional<WalletCoupon>(Wallet(*held));
  }

 private:
  WalletCoupon Wallet(const Coupon& c) { return WalletCoupon{c, templates_.at(c.template_id)}; }
  Coupon* OrderCoupon(const std::string& order_id) {
    for (auto& [id, c] : coupons_) {
      if (c.order_id == order_id) return &c;
    }
    return nullptr;
  }

  std::map<std::pair<std::string, std::string>, int64_t> device_claims_;  // (template, device) -> claims
  std::mutex mu_;
  std::map<std::string, CouponTemplate> templates_;
  std::map<std::string, Coupon> coupons_;
};

}  // namespace zhongtai::marketing::testing
