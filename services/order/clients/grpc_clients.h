// The order domain's ports over gRPC: ProductCatalog (product), PriceQuoter, CouponWallet and PromotionBudgets
// (marketing), UserDirectory (user). Calls are asynchronous (server::CallAsync): they carry the incoming call's
// deadline, request id, trace context and the user's token, and hold no thread while they wait.
#pragma once

#include <memory>

#include "services/order/domain/ports.h"
#include "zhongtai/marketing/v1/campaigns.grpc.pb.h"
#include "zhongtai/marketing/v1/marketing.grpc.pb.h"
#include "zhongtai/product/v1/product.grpc.pb.h"
#include "zhongtai/user/v1/membership.grpc.pb.h"
#include "zhongtai/user/v1/user.grpc.pb.h"

namespace zhongtai::order {

class GrpcProductCatalog : public ProductCatalog {
 public:
  explicit GrpcProductCatalog(std::shared_ptr<grpc::Channel> channel);
  void GetSkus(const std::vector<std::string>& sku_ids, const std::string& buyer_tier,
               Callback<std::vector<SkuInfo>> done) override;
  void Reserve(const std::string& order_id, const std::vector<LineRequest>& lines, const ShippingAddress& ship_to,
               absl::Duration ttl, Callback<std::vector<StockAllocation>> done) override;
  void Confirm(const std::string& order_id, StatusCallback done) override;
  void Release(const std::string& order_id, StatusCallback done) override;

 private:
  std::unique_ptr<product::v1::ProductService::Stub> stub_;
};

class GrpcPriceQuoter : public PriceQuoter {
 public:
  explicit GrpcPriceQuoter(std::shared_ptr<grpc::Channel> channel);
  void QuotePrice(const QuoteRequest& request, Callback<Quote> done) override;

 private:
  std::unique_ptr<marketing::v1::MarketingService::Stub> stub_;
};

class GrpcCouponWallet : public CouponWallet {
 public:
  explicit GrpcCouponWallet(std::shared_ptr<grpc::Channel> channel);
  void Lock(const std::string& order_id, const std::string& coupon_id, Callback<LockedCoupon> done) override;
  void Redeem(const std::string& order_id, StatusCallback done) override;
  void Release(const std::string& order_id, StatusCallback done) override;

 private:
  std::unique_ptr<marketing::v1::MarketingService::Stub> stub_;
};

class GrpcPromotionBudgets : public PromotionBudgets {
 public:
  explicit GrpcPromotionBudgets(std::shared_ptr<grpc::Channel> channel);
  void Charge(const std::string& order_id, const std::vector<BudgetCharge>& charges, StatusCallback done) override;
  void Release(const std::string& order_id, StatusCallback done) override;

 private:
  std::unique_ptr<marketing::v1::CampaignService::Stub> stub_;
};

// A channel for each of the user service's two services (MakeChannel configures one service's methods).
class GrpcUserDirectory : public UserDirectory {
 public:
  GrpcUserDirectory(std::shared_ptr<grpc::Channel> users, std::shared_ptr<grpc::Channel> membership);
  void GetMember(const std::string& user_id, Callback<Member> done) override;
  void GetAddress(const std::string& address_id, Callback<ShippingAddress> done) override;
  void HoldPoints(const std::string& order_id, int64_t points, int64_t order_amount, const std::string& currency,
                  StatusCallback done) override;
  void CommitPoints(const std::string& order_id, StatusCallback done) override;
  void ReleasePoints(const std::string& order_id, StatusCallback done) override;

 private:
  std::unique_ptr<user::v1::UserService::Stub> users_;
  std::unique_ptr<user::v1::MembershipService::Stub> membership_;
};

// The user center's tier as the order domain names it ("normal", "silver", "gold", "diamond"), and back as the
// product center's tier for member prices.
std::string TierName(user::v1::MemberTier tier);
product::v1::MemberTier ProductTier(const std::string& tier_name);

}  // namespace zhongtai::order
