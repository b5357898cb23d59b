#include "services/order/clients/grpc_clients.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/proto/convert.h"
#include "common/server/async_call.h"

namespace zhongtai::order {
namespace {

// Long enough to wait out a backend's restart (a second or two, plus the channel's reconnect backoff) within the
// gateway's 5 s; the incoming call's deadline caps it anyway.
constexpr absl::Duration kCallTimeout = absl::Seconds(4);

using ProductStub = product::v1::ProductService::Stub;
using MarketingStub = marketing::v1::MarketingService::Stub;
using CampaignStub = marketing::v1::CampaignService::Stub;
using UserStub = user::v1::UserService::Stub;
using MembershipStub = user::v1::MembershipService::Stub;

// A write's outcome without its (empty) response.
template <typename Response>
std::function<void(absl::StatusOr<Response>)> StatusOnly(StatusCallback done) {
  return [done = std::move(done)](absl::StatusOr<Response> response) { done(response.status()); };
}

// A release of something never held (NOT_FOUND) counts as released.
template <typename Response>
std::function<void(absl::StatusOr<Response>)> Released(StatusCallback done) {
  return [done = std::move(done)](absl::StatusOr<Response> response) {
    if (response.status().code() == absl::StatusCode::kNotFound) return done(absl::OkStatus());
    done(response.status());
  };
}

std::string WithoutPrefix(const std::string& name, const std::string& prefix) {
  return absl::StartsWith(name, prefix) ? name.substr(prefix.size()) : name;
}

}  // namespace

std::string TierName(user::v1::MemberTier tier) {
  switch (tier) {
    case user::v1::MEMBER_TIER_SILVER: return "silver";
    case user::v1::MEMBER_TIER_GOLD: return "gold";
    case user::v1::MEMBER_TIER_DIAMOND: return "diamond";
    default: return "normal";
  }
}

product::v1::MemberTier ProductTier(const std::string& tier_name) {
  if (tier_name == "silver") return product::v1::MEMBER_TIER_SILVER;
  if (tier_name == "gold") return product::v1::MEMBER_TIER_GOLD;
  if (tier_name == "diamond") return product::v1::MEMBER_TIER_DIAMOND;
  return product::v1::MEMBER_TIER_NORMAL;
}

GrpcProductCatalog::GrpcProductCatalog(std::shared_ptr<grpc::Channel> channel)
    : stub_(product::v1::ProductService::NewStub(std::move(channel))) {}

void GrpcProductCatalog::GetSkus(const std::vector<std::string>& sku_ids, const std::string& buyer_tier,
                                 Callback<std::vector<SkuInfo>> done) {
  product::v1::BatchGetSkusRequest request;
  for (const auto& id : sku_ids) request.add_sku_ids(id);
  request.set_buyer_tier(ProductTier(buyer_tier));
  server::CallAsync(
      stub_->async(), &ProductStub::async::BatchGetSkus, std::move(request), kCallTimeout,
      [done = std::move(done)](absl::StatusOr<product::v1::BatchGetSkusResponse> response) {
        if (!response.ok()) return done(response.status());
        std::vector<SkuInfo> skus;
        for (const auto& sku : response->skus()) {
          SkuInfo info;
          info.sku_id = sku.sku_id();
          info.product_id = sku.product_id();
          info.unit_price = sku.price().amount_minor();
          info.currency = sku.price().currency();
          info.list_price = sku.has_list_price() ? sku.list_price().amount_minor() : sku.price().amount_minor();
          info.price_rule = sku.price_rule().empty() ? "list" : sku.price_rule();
          info.on_shelf = !sku.retired() && (sku.product_status() == product::v1::PRODUCT_STATUS_PUBLISHED ||
                                             sku.product_status() == product::v1::PRODUCT_STATUS_UNSPECIFIED);
          info.available = sku.available();
          info.product_title = sku.product_title();
          info.spec = sku.spec();
          info.brand_id = sku.brand_id();
          info.category_path.assign(sku.category_path_ids().begin(), sku.category_path_ids().end());
          if (!info.category_path.empty()) info.category_id = info.category_path.back();
          // The carrier rules weigh the parcel and look for fragile goods (fulfilment and the checkout quote).
          info.weight_grams = sku.weight_grams();
          info.fragile = sku.fragile();
          skus.push_back(std::move(info));
        }
        done(std::move(skus));
      });
}

void GrpcProductCatalog::Reserve(const std::string& order_id, const std::vector<LineRequest>& lines,
                                 const ShippingAddress& ship_to, absl::Duration ttl,
                                 Callback<std::vector<StockAllocation>> done) {
  product::v1::ReserveStockRequest request;
  request.set_order_id(order_id);
  request.set_ttl_seconds(static_cast<int32_t>(absl::ToInt64Seconds(ttl)));
  for (const auto& line : lines) {
    auto* out = request.add_lines();
    out->set_sku_id(line.sku_id);
    out->set_quantity(line.quantity);
  }
  if (!ship_to.province_code.empty()) {
    request.mutable_shipping_region()->set_province_code(ship_to.province_code);
    request.mutable_shipping_region()->set_city_code(ship_to.city_code);
  }
  server::CallAsync(stub_->async(), &ProductStub::async::ReserveStock, std::move(request), kCallTimeout,
                    [done = std::move(done)](absl::StatusOr<product::v1::ReserveStockResponse> response) {
                      if (!response.ok()) return done(response.status());
                      std::vector<StockAllocation> allocations;
                      for (const auto& a : response->reservation().allocations()) {
                        allocations.push_back({a.sku_id(), a.warehouse_id(), a.quantity()});
                      }
                      done(std::move(allocations));
                    });
}

void GrpcProductCatalog::Confirm(const std::string& order_id, StatusCallback done) {
  product::v1::ConfirmReservationRequest request;
  request.set_order_id(order_id);
  server::CallAsync(stub_->async(), &ProductStub::async::ConfirmReservation, std::move(request), kCallTimeout,
                    StatusOnly<product::v1::ConfirmReservationResponse>(std::move(done)));
}

void GrpcProductCatalog::Release(const std::string& order_id, StatusCallback done) {
  product::v1::ReleaseReservationRequest request;
  request.set_order_id(order_id);
  server::CallAsync(stub_->async(), &ProductStub::async::ReleaseReservation, std::move(request), kCallTimeout,
                    Released<product::v1::ReleaseReservationResponse>(std::move(done)));
}

GrpcPriceQuoter::GrpcPriceQuoter(std::shared_ptr<grpc::Channel> channel)
    : stub_(marketing::v1::MarketingService::NewStub(std::move(channel))) {}

void GrpcPriceQuoter::QuotePrice(const QuoteRequest& quote_request, Callback<Quote> done) {
  marketing::v1::QuotePriceRequest request;
  // The buyer travels as the call's signed identity (server::CallAsync passes it on), not as a field.
  for (const auto& line : quote_request.lines) {
    auto* out = request.add_lines();
    out->set_sku_id(line.sku_id);
    out->set_quantity(line.quantity);
    proto::SetMoney(out->mutable_unit_price(), line.currency, line.unit_price);
    out->set_brand_id(line.brand_id);
    for (const std::string& category : line.category_path) out->add_category_path(category);
    out->set_member_price(line.member_price);
  }
  request.set_member_tier(quote_request.member_tier);
  for (const auto& tag : quote_request.user_tags) request.add_user_tags(tag);
  request.set_channel(quote_request.channel);
  request.set_coupon_id(quote_request.coupon_id);
  request.set_new_customer(quote_request.new_customer);
  request.set_ship_province_code(quote_request.ship_province_code);
  request.set_ship_city_code(quote_request.ship_city_code);
  server::CallAsync(
      stub_->async(), &MarketingStub::async::QuotePrice, std::move(request), kCallTimeout,
      [done = std::move(done)](absl::StatusOr<marketing::v1::QuotePriceResponse> response) {
        if (!response.ok()) return done(response.status());
        Quote quote;
        quote.subtotal = response->subtotal().amount_minor();
        quote.discount = response->discount().amount_minor();
        quote.total = response->total().amount_minor();
        for (const auto& line : response->lines()) {
          OrderLine out;
          out.sku_id = line.sku_id();
          out.quantity = line.quantity();
          out.unit_price = line.unit_price().amount_minor();
          out.subtotal = line.subtotal().amount_minor();
          out.discount = line.discount().amount_minor();
          out.total = line.total().amount_minor();
          // Marketing priced the line: an experiment's arm price (else the catalogue's rule stays).
          if (line.price_origin().source() == marketing::v1::PRICE_SOURCE_EXPERIMENT) {
            out.price_rule =
                absl::StrCat("experiment:", line.price_origin().experiment_id(), ":", line.price_origin().arm());
          }
          quote.lines.push_back(std::move(out));
          std::vector<LineShare> shares;
          for (const auto& share : line.shares())
            shares.push_back({share.promotion_id(), share.amount().amount_minor()});
          quote.shares.push_back(std::move(shares));
        }
        for (const auto& applied : response->applied_promotions()) {
          quote.applied.push_back(
              {applied.promotion_id(), applied.name(), applied.discount().amount_minor(), applied.budget_limited()});
        }
        for (const auto& gift : response->gift_lines()) {
          quote.gifts.push_back({gift.sku_id(), gift.quantity(), gift.promotion_id()});
        }
        for (const auto& missed : response->not_applied()) {
          PromotionNotApplied out;
          out.promotion_id = missed.promotion_id();
          out.name = missed.name();
          out.reason = WithoutPrefix(marketing::v1::NotAppliedReason_Name(missed.reason()), "NOT_APPLIED_REASON_");
          out.amount_missing = missed.amount_missing().amount_minor();
          out.quantity_missing = missed.quantity_missing();
          out.coupon_reason = missed.coupon_reason();
          out.by_promotion_id = missed.by_promotion_id();
          out.missing_sku_ids.assign(missed.missing_sku_ids().begin(), missed.missing_sku_ids().end());
          quote.not_applied.push_back(std::move(out));
        }
        done(std::move(quote));
      });
}

GrpcCouponWallet::GrpcCouponWallet(std::shared_ptr<grpc::Channel> channel)
    : stub_(marketing::v1::MarketingService::NewStub(std::move(channel))) {}

void GrpcCouponWallet::Lock(const std::string& order_id, const std::string& coupon_id, Callback<LockedCoupon> done) {
  marketing::v1::LockCouponRequest request;
  request.set_order_id(order_id);
  request.set_coupon_id(coupon_id);
  server::CallAsync(stub_->async(), &MarketingStub::async::LockCoupon, std::move(request), kCallTimeout,
                    [done = std::move(done)](absl::StatusOr<marketing::v1::LockCouponResponse> response) {
                      if (!response.ok()) return done(response.status());
                      done(LockedCoupon{response->coupon().coupon_template().template_id()});
                    });
}

void GrpcCouponWallet::Redeem(const std::string& order_id, StatusCallback done) {
  marketing::v1::RedeemCouponRequest request;
  request.set_order_id(order_id);
  server::CallAsync(stub_->async(), &MarketingStub::async::RedeemCoupon, std::move(request), kCallTimeout,
                    StatusOnly<marketing::v1::RedeemCouponResponse>(std::move(done)));
}

void GrpcCouponWallet::Release(const std::string& order_id, StatusCallback done) {
  marketing::v1::ReleaseCouponRequest request;
  request.set_order_id(order_id);
  server::CallAsync(stub_->async(), &MarketingStub::async::ReleaseCoupon, std::move(request), kCallTimeout,
                    Released<marketing::v1::ReleaseCouponResponse>(std::move(done)));
}

GrpcPromotionBudgets::GrpcPromotionBudgets(std::shared_ptr<grpc::Channel> channel)
    : stub_(marketing::v1::CampaignService::NewStub(std::move(channel))) {}

void GrpcPromotionBudgets::Charge(const std::string& order_id, const std::vector<BudgetCharge>& charges,
                                  StatusCallback done) {
  marketing::v1::ChargeBudgetsRequest request;
  request.set_order_id(order_id);
  for (const BudgetCharge& charge : charges) {
    marketing::v1::BudgetCharge* out = request.add_charges();
    out->set_promotion_id(charge.promotion_id);
    out->set_coupon_template_id(charge.coupon_template_id);
    proto::SetMoney(out->mutable_amount(), charge.currency, charge.amount);
  }
  server::CallAsync(stub_->async(), &CampaignStub::async::ChargeBudgets, std::move(request), kCallTimeout,
                    StatusOnly<marketing::v1::ChargeBudgetsResponse>(std::move(done)));
}

void GrpcPromotionBudgets::Release(const std::string& order_id, StatusCallback done) {
  marketing::v1::ReleaseBudgetsRequest request;
  request.set_order_id(order_id);
  server::CallAsync(stub_->async(), &CampaignStub::async::ReleaseBudgets, std::move(request), kCallTimeout,
                    Released<marketing::v1::ReleaseBudgetsResponse>(std::move(done)));
}

GrpcUserDirectory::GrpcUserDirectory(std::shared_ptr<grpc::Channel> users, std::shared_ptr<grpc::Channel> membership)
    : users_(user::v1::UserService::NewStub(std::move(users))),
      membership_(user::v1::MembershipService::NewStub(std::move(membership))) {}

void GrpcUserDirectory::GetMember(const std::string& user_id, Callback<Member> done) {
  user::v1::GetMemberRequest request;
  request.set_user_id(user_id);
  server::CallAsync(membership_->async(), &MembershipStub::async::GetMember, std::move(request), kCallTimeout,
                    [done = std::move(done)](absl::StatusOr<user::v1::GetMemberResponse> response) {
                      if (!response.ok()) return done(response.status());
                      const user::v1::Member& in = response->member();
                      Member member;
                      member.tier = TierName(in.tier().tier());
                      member.points_balance = in.points_balance();
                      member.tags.assign(in.tags().begin(), in.tags().end());
                      if (in.tier().has_free_shipping_threshold()) {
                        member.free_shipping_threshold = in.tier().free_shipping_threshold().amount_minor();
                      }
                      done(std::move(member));
                    });
}

void GrpcUserDirectory::GetAddress(const std::string& address_id, Callback<ShippingAddress> done) {
  user::v1::GetAddressRequest request;
  request.set_address_id(address_id);
  server::CallAsync(users_->async(), &UserStub::async::GetAddress, std::move(request), kCallTimeout,
                    [done = std::move(done)](absl::StatusOr<user::v1::GetAddressResponse> response) {
                      if (!response.ok()) return done(response.status());
                      const user::v1::Address& in = response->address();
                      ShippingAddress address;
                      address.address_id = in.address_id();
                      address.recipient_name = in.recipient_name();
                      address.recipient_phone = in.recipient_phone();
                      address.province_code = in.province_code();
                      address.city_code = in.city_code();
                      address.district_code = in.district_code();
                      address.detail = in.detail();
                      done(std::move(address));
                    });
}

void GrpcUserDirectory::HoldPoints(const std::string& order_id, int64_t points, int64_t order_amount,
                                   const std::string& currency, StatusCallback done) {
  user::v1::HoldPointsRequest request;
  request.set_order_id(order_id);
  request.set_points(points);
  proto::SetMoney(request.mutable_order_amount(), currency, order_amount);
  server::CallAsync(membership_->async(), &MembershipStub::async::HoldPoints, std::move(request), kCallTimeout,
                    StatusOnly<user::v1::HoldPointsResponse>(std::move(done)));
}

void GrpcUserDirectory::CommitPoints(const std::string& order_id, StatusCallback done) {
  user::v1::CommitPointsRequest request;
  request.set_order_id(order_id);
  server::CallAsync(membership_->async(), &MembershipStub::async::CommitPoints, std::move(request), kCallTimeout,
                    StatusOnly<user::v1::CommitPointsResponse>(std::move(done)));
}

void GrpcUserDirectory::ReleasePoints(const std::string& order_id, StatusCallback done) {
  user::v1::ReleasePointsRequest request;
  request.set_order_id(order_id);
  server::CallAsync(membership_->async(), &MembershipStub::async::ReleasePoints, std::move(request), kCallTimeout,
                    Released<user::v1::ReleasePointsResponse>(std::move(done)));
}

}  // namespace zhongtai::order
