// Who may call what, decided from the real protos' declarations.
#include "common/server/identity.h"

#include <algorithm>
#include <catch2/catch.hpp>

#include "common/status/status.h"
#include "google/protobuf/descriptor.h"
#include "zhongtai/api/v1/annotations.pb.h"
#include "zhongtai/datahub/v1/datahub.grpc.pb.h"
#include "zhongtai/marketing/v1/campaigns.grpc.pb.h"
#include "zhongtai/marketing/v1/marketing.grpc.pb.h"
#include "zhongtai/order/v1/order.grpc.pb.h"
#include "zhongtai/product/v1/product.grpc.pb.h"
#include "zhongtai/user/v1/membership.grpc.pb.h"
#include "zhongtai/user/v1/segments.grpc.pb.h"
#include "zhongtai/user/v1/user.grpc.pb.h"

namespace zhongtai::server {
namespace {

// The generated descriptors register themselves only when their object file is linked in.
void LinkProtos() {
  product::v1::ReserveStockRequest::descriptor();
  order::v1::PlaceOrderRequest::descriptor();
  marketing::v1::QuotePriceRequest::descriptor();
  marketing::v1::GetCampaignCalendarRequest::descriptor();
  user::v1::GetMeRequest::descriptor();
  user::v1::GetMyPointsRequest::descriptor();
  user::v1::ListSegmentMembersRequest::descriptor();
  datahub::v1::GetDashboardRequest::descriptor();
}

// "zhongtai.product.v1.ProductService/ReserveStock" -> OK, or the reason of the refusal.
std::string Decide(const std::string& method, const Caller& caller) {
  LinkProtos();
  std::string name = method;
  std::replace(name.begin(), name.end(), '/', '.');
  const google::protobuf::MethodDescriptor* descriptor =
      google::protobuf::DescriptorPool::generated_pool()->FindMethodByName(name);
  REQUIRE(descriptor != nullptr);
  absl::Status status = Authorize("/" + method, descriptor, caller);
  return status.ok() ? "OK" : ReasonOf(status);
}

Caller Gateway(const std::string& user_id = "", const std::string& role = "customer") {
  return Caller{"gateway", user_id, user_id.empty() ? "" : role, ""};
}
Caller Service(const std::string& name) { return Caller{name, "", "", ""}; }

constexpr char kReserve[] = "zhongtai.product.v1.ProductService/ReserveStock";
constexpr char kAdjust[] = "zhongtai.product.v1.ProductService/AdjustStock";
constexpr char kCreatePromotion[] = "zhongtai.marketing.v1.MarketingService/CreatePromotion";
constexpr char kDashboard[] = "zhongtai.datahub.v1.DatahubService/GetDashboard";
constexpr char kPlaceOrder[] = "zhongtai.order.v1.OrderService/PlaceOrder";
constexpr char kListProducts[] = "zhongtai.product.v1.ProductService/ListProducts";
constexpr char kQuote[] = "zhongtai.marketing.v1.MarketingService/QuotePrice";

TEST_CASE("a peer without a service identity is refused everything but health checks") {
  Caller anonymous_admin{"", "a1", "admin", ""};
  for (const char* method : {kReserve, kAdjust, kCreatePromotion, kDashboard, kListProducts}) {
    INFO(method);
    CHECK(Decide(method, anonymous_admin) == "PEER_UNAUTHENTICATED");
  }
  CHECK(Authorize("/grpc.health.v1.Health/Check", nullptr, Caller{}).ok());
  CHECK(ReasonOf(Authorize("/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", nullptr, Caller{})) ==
        "PEER_UNAUTHENTICATED");
}

TEST_CASE("admin routes need an admin user through the gateway") {
  for (const char* method : {kAdjust, kCreatePromotion, kDashboard}) {
    INFO(method);
    CHECK(Decide(method, Gateway("a1", "admin")) == "OK");
    CHECK(Decide(method, Gateway("u1", "customer")) == "ADMIN_REQUIRED");
    CHECK(Decide(method, Gateway()) == "USER_REQUIRED");
    CHECK(Decide(method, Service("order")) == "CALLER_NOT_ALLOWED");
    CHECK(Decide(method, Service("datahub")) == "CALLER_NOT_ALLOWED");
  }
}

TEST_CASE("customer routes need a user, public routes need none") {
  CHECK(Decide(kPlaceOrder, Gateway("u1")) == "OK");
  CHECK(Decide(kPlaceOrder, Gateway()) == "USER_REQUIRED");
  CHECK(Decide(kPlaceOrder, Service("marketing")) == "CALLER_NOT_ALLOWED");
  CHECK(Decide(kListProducts, Gateway()) == "OK");
  CHECK(Decide(kListProducts, Gateway("u1")) == "OK");
}

TEST_CASE("internal RPCs admit only the services they name") {
  CHECK(Decide(kReserve, Service("order")) == "OK");
  CHECK(Decide(kQuote, Service("order")) == "OK");
  for (const Caller& caller : {Service("datahub"), Service("user"), Gateway("a1", "admin"), Gateway("u1")}) {
    INFO(caller.service << " " << caller.role);
    CHECK(Decide(kReserve, caller) == "CALLER_NOT_ALLOWED");
    CHECK(Decide(kQuote, caller) == "CALLER_NOT_ALLOWED");
  }
}

TEST_CASE("every RPC of the suite declares who may call it") {
  LinkProtos();
  for (const char* name : {"zhongtai.product.v1.ProductService", "zhongtai.order.v1.OrderService",
                           "zhongtai.marketing.v1.MarketingService", "zhongtai.marketing.v1.CampaignService",
                           "zhongtai.user.v1.UserService", "zhongtai.user.v1.MembershipService",
                           "zhongtai.user.v1.UserSegments", "zhongtai.datahub.v1.DatahubService"}) {
    const auto* service = google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(name);
    REQUIRE(service != nullptr);
    for (int i = 0; i < service->method_count(); ++i) {
      const google::protobuf::MethodDescriptor* method = service->method(i);
      INFO(method->full_name());
      bool routed = method->options().HasExtension(api::v1::http);
      bool named = method->options().GetExtension(api::v1::callers).services_size() > 0;
      CHECK((routed || named));
    }
  }
}

}  // namespace
}  // namespace zhongtai::server
