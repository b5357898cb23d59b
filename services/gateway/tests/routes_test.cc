#include "services/gateway/routes.h"

#include <catch2/catch.hpp>
#include <map>
#include <set>
#include <string>

#include "zhongtai/product/v1/product.pb.h"

namespace zhongtai::gateway {
namespace {

const RouteTable& Table() {
  static const RouteTable table = [] {
    auto built = RouteTable::Build(RouteTable::SuiteServices());
    REQUIRE(built.ok());
    return *built;
  }();
  return table;
}

// Every route of docs/api.md with who may call it.
const std::map<std::string, Access>& ApiMdRoutes() {
  static const std::map<std::string, Access> routes = {
      {"POST /v1/users", Access::kPublic},
      {"POST /v1/sessions", Access::kPublic},
      {"POST /v1/sessions:refresh", Access::kPublic},
      {"GET /v1/users/me", Access::kCustomer},
      {"PATCH /v1/users/me", Access::kCustomer},
      {"GET /v1/users/me/addresses", Access::kCustomer},
      {"POST /v1/users/me/addresses", Access::kCustomer},
      {"DELETE /v1/users/me/addresses/{addressId}", Access::kCustomer},
      {"PATCH /v1/users/me/addresses/{addressId}", Access::kCustomer},
      {"POST /v1/users/me:changePassword", Access::kCustomer},
      {"DELETE /v1/sessions/current", Access::kCustomer},
      {"POST /v1/users/me/addresses/{addressId}:setDefault", Access::kCustomer},
      {"GET /v1/users/me/points", Access::kCustomer},
      {"GET /v1/users/me/coupons", Access::kCustomer},
      {"POST /v1/users/me:export", Access::kCustomer},
      {"DELETE /v1/users/me", Access::kCustomer},
      {"GET /v1/users/me/exports/{exportId}", Access::kCustomer},
      {"GET /v1/categories", Access::kPublic},
      {"GET /v1/products", Access::kPublic},
      {"GET /v1/products/{productId}", Access::kPublic},
      {"GET /v1/cart", Access::kCustomer},
      {"POST /v1/cart/items", Access::kCustomer},
      {"PATCH /v1/cart/items/{skuId}", Access::kCustomer},
      {"DELETE /v1/cart/items/{skuId}", Access::kCustomer},
      {"POST /v1/checkout:quote", Access::kCustomer},
      {"POST /v1/orders", Access::kCustomer},
      {"GET /v1/orders", Access::kCustomer},
      {"GET /v1/orders/{orderId}", Access::kCustomer},
      {"POST /v1/orders/{orderId}:pay", Access::kCustomer},
      {"POST /v1/orders/{orderId}:cancel", Access::kCustomer},
      {"POST /v1/payments/notify/{provider}", Access::kPartner},
      {"POST /v1/orders/{orderId}:confirmReceipt", Access::kCustomer},
      {"POST /v1/orders/{orderId}/returns", Access::kCustomer},
      {"GET /v1/returns/{returnId}", Access::kCustomer},
      {"POST /v1/returns/{returnId}:ship", Access::kCustomer},
      {"GET /v1/coupons", Access::kCustomer},
      {"POST /v1/coupons/{couponId}:claim", Access::kCustomer},
      {"GET /v1/flash-sales", Access::kCustomer},
      {"POST /v1/flash-sales/{saleId}:purchase", Access::kCustomer},
      {"GET /v1/flash-sales/{saleId}/purchases/{purchaseId}", Access::kCustomer},
      {"POST /v1/events", Access::kPublic},
      {"POST /v1/admin/categories", Access::kAdmin},
      {"POST /v1/admin/brands", Access::kAdmin},
      {"POST /v1/admin/products", Access::kAdmin},
      {"PATCH /v1/admin/products/{productId}", Access::kAdmin},
      {"POST /v1/admin/products/{productId}:publish", Access::kAdmin},
      {"POST /v1/admin/products/{productId}:unpublish", Access::kAdmin},
      {"POST /v1/admin/warehouses", Access::kAdmin},
      {"POST /v1/admin/stock:adjust", Access::kAdmin},
      {"GET /v1/admin/stock/alerts", Access::kAdmin},
      // Warehouses and stock
      {"GET /v1/admin/warehouses", Access::kAdmin},
      {"PATCH /v1/admin/warehouses/{warehouseId}", Access::kAdmin},
      {"POST /v1/admin/stock/movements", Access::kAdmin},
      {"POST /v1/admin/stock:transfer", Access::kAdmin},
      {"GET /v1/admin/stock/ledger", Access::kAdmin},
      {"PUT /v1/admin/stock/safety", Access::kAdmin},
      // End of warehouses and stock
      {"POST /v1/admin/promotions", Access::kAdmin},
      {"GET /v1/admin/promotions", Access::kAdmin},
      {"PATCH /v1/admin/promotions/{promotionId}", Access::kAdmin},
      {"POST /v1/admin/coupon-templates", Access::kAdmin},
      {"POST /v1/admin/flash-sales", Access::kAdmin},
      {"PATCH /v1/admin/flash-sales/{saleId}", Access::kAdmin},
      {"GET /v1/admin/campaign-calendar", Access::kAdmin},
      {"POST /v1/admin/coupon-templates/{templateId}:issue", Access::kAdmin},
      {"POST /v1/admin/experiments", Access::kAdmin},
      {"GET /v1/admin/experiments", Access::kAdmin},
      {"GET /v1/admin/orders", Access::kAdmin},
      {"POST /v1/admin/orders/{orderId}:ship", Access::kAdmin},
      {"GET /v1/admin/orders.csv", Access::kAdmin},
      {"POST /v1/admin/orders:import", Access::kAdmin},
      {"POST /v1/admin/returns/{returnId}:approve", Access::kAdmin},
      {"POST /v1/admin/returns/{returnId}:reject", Access::kAdmin},
      {"POST /v1/admin/returns/{returnId}:receive", Access::kAdmin},
      {"GET /v1/admin/users", Access::kAdmin},
      {"POST /v1/admin/users/{userId}/tags", Access::kAdmin},
      {"DELETE /v1/admin/users/{userId}/tags/{tag}", Access::kAdmin},
      {"GET /v1/admin/users/recall.csv", Access::kAdmin},
      {"POST /v1/admin/users/{userId}:setRole", Access::kAdmin},
      {"POST /v1/users/me:signIn", Access::kCustomer},
      {"GET /v1/admin/membership/tiers", Access::kAdmin},
      {"PUT /v1/admin/membership/tiers", Access::kAdmin},
      {"GET /v1/admin/analytics/dashboard", Access::kAdmin},
      {"GET /v1/admin/analytics/funnel", Access::kAdmin},
      {"GET /v1/admin/analytics/cohorts", Access::kAdmin},
      {"GET /v1/admin/analytics/rfm", Access::kAdmin},
      {"GET /v1/admin/analytics/products", Access::kAdmin},
      {"GET /v1/admin/analytics/products/{productId}", Access::kAdmin},
      {"GET /v1/admin/analytics/experiments/{experimentId}", Access::kAdmin},
      {"GET /v1/admin/analytics/ltv", Access::kAdmin},
      {"POST /v1/admin/analytics/rfm:recompute", Access::kAdmin},
      {"GET /v1/admin/analytics/reports", Access::kAdmin},
      {"GET /v1/admin/analytics/reports/{date}", Access::kAdmin},
      {"GET /v1/admin/analytics/reports/{date}:html", Access::kAdmin},
      {"POST /v1/admin/webhooks", Access::kAdmin},
      {"GET /v1/admin/webhooks", Access::kAdmin},
      {"GET /v1/admin/webhooks/{webhookId}", Access::kAdmin},
      {"PATCH /v1/admin/webhooks/{webhookId}", Access::kAdmin},
      {"DELETE /v1/admin/webhooks/{webhookId}", Access::kAdmin},
      {"GET /v1/admin/webhooks/{webhookId}/deliveries", Access::kAdmin},
      {"POST /v1/admin/webhooks/{webhookId}:replay", Access::kAdmin},
      // Catalogue
      {"GET /v1/brands", Access::kPublic},
      {"PATCH /v1/admin/brands/{brandId}", Access::kAdmin},
      {"PATCH /v1/admin/categories/{categoryId}", Access::kAdmin},
      {"GET /v1/admin/products/{productId}", Access::kAdmin},
      {"POST /v1/admin/products/{productId}:archive", Access::kAdmin},
      {"POST /v1/admin/products:checkCompliance", Access::kAdmin},
      {"GET /v1/admin/compliance/words", Access::kAdmin},
      {"PUT /v1/admin/compliance/words", Access::kAdmin},
      {"PUT /v1/admin/skus/{skuId}/prices", Access::kAdmin},
      // Product matrix
      {"GET /v1/admin/products/matrix", Access::kAdmin},
      {"PUT /v1/admin/products/{productId}/role", Access::kAdmin},
      // Fulfilment
      {"GET /v1/admin/carrier-rules", Access::kAdmin},
      {"POST /v1/admin/carrier-rules", Access::kAdmin},
      {"POST /v1/callbacks/wms/shipments", Access::kPartner},
      {"POST /v1/callbacks/logistics/tracking", Access::kPartner},
      {"GET /v1/orders/{orderId}/shipments", Access::kCustomer},
  };
  return routes;
}

std::map<std::string, const Route*> Declared() {
  std::map<std::string, const Route*> out;
  for (const Route& route : Table().routes()) out[route.http_method + " " + route.DisplayTemplate()] = &route;
  return out;
}

TEST_CASE("every route the protos declare is a docs/api.md route with the access it lists") {
  auto declared = Declared();
  REQUIRE_FALSE(declared.empty());
  for (const auto& [key, route] : declared) {
    INFO(key);
    auto it = ApiMdRoutes().find(key);
    REQUIRE(it != ApiMdRoutes().end());
    CHECK(route->access == it->second);
  }
}

TEST_CASE("the routes the services implement today are in the table, bound to their RPCs") {
  auto declared = Declared();
  const std::map<std::string, std::string> expected = {
      {"POST /v1/users", "/zhongtai.user.v1.UserService/Register"},
      {"POST /v1/sessions", "/zhongtai.user.v1.UserService/Login"},
      {"POST /v1/sessions:refresh", "/zhongtai.user.v1.UserService/RefreshSession"},
      {"GET /v1/users/me", "/zhongtai.user.v1.UserService/GetMe"},
      {"POST /v1/users/me:export", "/zhongtai.user.v1.PrivacyService/CreateDataExport"},
      {"GET /v1/users/me/exports/{exportId}", "/zhongtai.user.v1.PrivacyService/GetDataExport"},
      {"DELETE /v1/users/me", "/zhongtai.user.v1.PrivacyService/DeleteMe"},
      {"GET /v1/categories", "/zhongtai.product.v1.ProductService/ListCategories"},
      {"GET /v1/products", "/zhongtai.product.v1.ProductService/ListProducts"},
      {"GET /v1/products/{productId}", "/zhongtai.product.v1.ProductService/GetProduct"},
      {"POST /v1/admin/categories", "/zhongtai.product.v1.ProductService/CreateCategory"},
      {"POST /v1/admin/products", "/zhongtai.product.v1.ProductService/CreateProduct"},
      {"POST /v1/admin/stock:adjust", "/zhongtai.product.v1.ProductService/AdjustStock"},
      {"POST /v1/admin/stock:transfer", "/zhongtai.product.v1.ProductService/TransferStock"},
      {"PATCH /v1/admin/warehouses/{warehouseId}", "/zhongtai.product.v1.ProductService/UpdateWarehouse"},
      {"POST /v1/checkout:quote", "/zhongtai.order.v1.OrderService/QuoteCheckout"},
      {"POST /v1/orders", "/zhongtai.order.v1.OrderService/PlaceOrder"},
      {"GET /v1/orders", "/zhongtai.order.v1.OrderService/ListOrders"},
      {"GET /v1/orders/{orderId}", "/zhongtai.order.v1.OrderService/GetOrder"},
      {"POST /v1/orders/{orderId}:pay", "/zhongtai.order.v1.OrderService/PayOrder"},
      {"POST /v1/orders/{orderId}:cancel", "/zhongtai.order.v1.OrderService/CancelOrder"},
      {"GET /v1/cart", "/zhongtai.order.v1.CartService/GetCart"},
      {"POST /v1/cart/items", "/zhongtai.order.v1.CartService/AddCartItem"},
      {"PATCH /v1/cart/items/{skuId}", "/zhongtai.order.v1.CartService/UpdateCartItem"},
      {"DELETE /v1/cart/items/{skuId}", "/zhongtai.order.v1.CartService/RemoveCartItem"},
      {"GET /v1/admin/orders", "/zhongtai.order.v1.AdminOrderService/ListAdminOrders"},
      {"GET /v1/admin/orders.csv", "/zhongtai.order.v1.AdminOrderService/ExportOrdersCsv"},
      {"POST /v1/admin/orders:import", "/zhongtai.order.v1.AdminOrderService/ImportOrder"},
      {"POST /v1/orders/{orderId}/returns", "/zhongtai.order.v1.AfterSalesService/RequestReturn"},
      {"GET /v1/returns/{returnId}", "/zhongtai.order.v1.AfterSalesService/GetReturn"},
      {"POST /v1/returns/{returnId}:ship", "/zhongtai.order.v1.AfterSalesService/ShipReturn"},
      {"POST /v1/admin/returns/{returnId}:approve", "/zhongtai.order.v1.AfterSalesService/ApproveReturn"},
      {"POST /v1/admin/returns/{returnId}:reject", "/zhongtai.order.v1.AfterSalesService/RejectReturn"},
      {"POST /v1/admin/returns/{returnId}:receive", "/zhongtai.order.v1.AfterSalesService/ReceiveReturn"},
      {"POST /v1/admin/promotions", "/zhongtai.marketing.v1.MarketingService/CreatePromotion"},
      {"GET /v1/admin/promotions", "/zhongtai.marketing.v1.MarketingService/ListPromotions"},
      {"PATCH /v1/admin/promotions/{promotionId}", "/zhongtai.marketing.v1.MarketingService/UpdatePromotion"},
      {"GET /v1/admin/campaign-calendar", "/zhongtai.marketing.v1.CampaignService/GetCampaignCalendar"},
      {"POST /v1/admin/coupon-templates/{templateId}:issue", "/zhongtai.marketing.v1.CampaignService/IssueCoupons"},
      {"POST /v1/admin/experiments", "/zhongtai.marketing.v1.CampaignService/CreateExperiment"},
      {"GET /v1/admin/experiments", "/zhongtai.marketing.v1.CampaignService/ListExperiments"},
      {"GET /v1/admin/analytics/dashboard", "/zhongtai.datahub.v1.DatahubService/GetDashboard"},
      {"GET /v1/admin/analytics/cohorts", "/zhongtai.datahub.v1.CustomerAnalyticsService/GetCohorts"},
      {"GET /v1/admin/analytics/rfm", "/zhongtai.datahub.v1.CustomerAnalyticsService/GetRfm"},
      {"POST /v1/admin/analytics/rfm:recompute", "/zhongtai.datahub.v1.CustomerAnalyticsService/RecomputeSegments"},
      {"GET /v1/admin/analytics/ltv", "/zhongtai.datahub.v1.CustomerAnalyticsService/GetLtv"},
      {"GET /v1/admin/analytics/experiments/{experimentId}",
       "/zhongtai.datahub.v1.CustomerAnalyticsService/GetExperimentResults"},
      {"GET /v1/admin/analytics/funnel", "/zhongtai.datahub.v1.FunnelService/GetFunnel"},
      {"POST /v1/admin/webhooks", "/zhongtai.datahub.v1.WebhookService/CreateWebhook"},
      {"GET /v1/admin/webhooks/{webhookId}/deliveries", "/zhongtai.datahub.v1.WebhookService/ListWebhookDeliveries"},
      {"POST /v1/admin/webhooks/{webhookId}:replay", "/zhongtai.datahub.v1.WebhookService/ReplayWebhookDeliveries"},
      {"GET /v1/admin/analytics/products/{productId}",
       "/zhongtai.datahub.v1.ProductAnalyticsService/GetProductMetrics"},
      {"GET /v1/admin/analytics/products", "/zhongtai.datahub.v1.ProductAnalyticsService/ListProductMetrics"},
      {"GET /v1/admin/analytics/reports", "/zhongtai.datahub.v1.ProductAnalyticsService/ListDailyReports"},
      {"GET /v1/admin/analytics/reports/{date}", "/zhongtai.datahub.v1.ProductAnalyticsService/GetDailyReport"},
      {"GET /v1/admin/analytics/reports/{date}:html",
       "/zhongtai.datahub.v1.ProductAnalyticsService/GetDailyReportPage"},
      {"POST /v1/events", "/zhongtai.datahub.v1.BehaviourEventService/IngestEvents"},
      {"GET /v1/admin/users", "/zhongtai.user.v1.MemberAdminService/ListMembers"},
      {"POST /v1/admin/users/{userId}/tags", "/zhongtai.user.v1.MemberAdminService/AddMemberTags"},
      {"DELETE /v1/admin/users/{userId}/tags/{tag}", "/zhongtai.user.v1.MemberAdminService/RemoveMemberTag"},
      {"GET /v1/admin/users/recall.csv", "/zhongtai.user.v1.MemberAdminService/ExportRecallList"},
      {"POST /v1/admin/users/{userId}:setRole", "/zhongtai.user.v1.UserService/SetUserRole"},
      {"POST /v1/users/me:signIn", "/zhongtai.user.v1.MembershipService/SignIn"},
      {"GET /v1/admin/products/matrix", "/zhongtai.product.v1.ProductService/GetProductMatrix"},
      {"PUT /v1/admin/products/{productId}/role", "/zhongtai.product.v1.ProductService/SetProductRole"},
      {"GET /v1/admin/carrier-rules", "/zhongtai.order.v1.FulfilmentService/GetCarrierRules"},
      {"POST /v1/admin/carrier-rules", "/zhongtai.order.v1.FulfilmentService/ReplaceCarrierRules"},
      {"POST /v1/admin/orders/{orderId}:ship", "/zhongtai.order.v1.FulfilmentService/ShipOrder"},
      {"POST /v1/callbacks/wms/shipments", "/zhongtai.order.v1.FulfilmentService/NotifyWarehouseShipment"},
      {"POST /v1/callbacks/logistics/tracking", "/zhongtai.order.v1.FulfilmentService/NotifyTracking"},
      {"GET /v1/orders/{orderId}/shipments", "/zhongtai.order.v1.FulfilmentService/ListOrderShipments"},
      {"POST /v1/orders/{orderId}:confirmReceipt", "/zhongtai.order.v1.FulfilmentService/ConfirmReceipt"},
  };
  for (const auto& [key, grpc_method] : expected) {
    INFO(key);
    REQUIRE(declared.count(key) == 1);
    CHECK(declared[key]->grpc_method == grpc_method);
  }
  CHECK(declared["POST /v1/orders"]->upstream == "order");
  CHECK(declared["POST /v1/orders/{orderId}/returns"]->upstream == "order");
  CHECK(declared["POST /v1/orders/{orderId}/returns"]->request_id_field->name() == "request_id");
  CHECK(declared["POST /v1/orders"]->request_id_field->name() == "request_id");
  CHECK(declared["POST /v1/orders"]->body);
  CHECK_FALSE(declared["GET /v1/orders"]->body);
  CHECK(declared["GET /v1/admin/analytics/dashboard"]->upstream == "datahub");
  CHECK(declared["POST /v1/events"]->upstream == "datahub");
  CHECK(declared["POST /v1/events"]->access == Access::kPublic);
  CHECK(declared["POST /v1/events"]->request_id_field == nullptr);  // deduplicated by event id instead
  CHECK(declared["GET /v1/admin/users/recall.csv"]->raw_content_type == "text/csv");
  CHECK(declared["GET /v1/admin/users"]->raw_content_type.empty());
  // Internal RPCs have no route.
  for (const auto& [key, route] : declared) CHECK(route->method->name() != "ReserveStock");
}

TEST_CASE("matching binds path fields, custom verbs and literals") {
  RouteMatch m = Table().Match("GET", "/v1/products/p-123");
  REQUIRE(m.kind == RouteMatch::Kind::kFound);
  CHECK(m.route->method->name() == "GetProduct");
  REQUIRE(m.bindings.size() == 1);
  CHECK(m.bindings[0].field.back()->name() == "product_id");
  CHECK(m.bindings[0].value == "p-123");

  m = Table().Match("POST", "/v1/orders/o1:pay");
  REQUIRE(m.kind == RouteMatch::Kind::kFound);
  CHECK(m.route->method->name() == "PayOrder");
  CHECK(m.bindings[0].value == "o1");
  CHECK(Table().Match("POST", "/v1/orders/o1:cancel").route->method->name() == "CancelOrder");

  CHECK(Table().Match("POST", "/v1/sessions").route->method->name() == "Login");
  CHECK(Table().Match("POST", "/v1/sessions:refresh").route->method->name() == "RefreshSession");
  CHECK(Table().Match("POST", "/v1/admin/stock:adjust").route->method->name() == "AdjustStock");
  CHECK(Table().Match("GET", "/v1/products").route->method->name() == "ListProducts");
  CHECK(Table().Match("GET", "/v1/users/me").route->method->name() == "GetMe");
  // A day's report as JSON, or as its HTML page (the verb, not a date "2026-12-03:html").
  CHECK(Table().Match("GET", "/v1/admin/analytics/reports/2026-12-03").route->method->name() == "GetDailyReport");
  CHECK(Table().Match("GET", "/v1/admin/analytics/reports/2026-12-03:html").route->method->name() ==
        "GetDailyReportPage");
  // The literal "matrix" wins over the product id it could also be.
  CHECK(Table().Match("GET", "/v1/admin/products/matrix").route->method->name() == "GetProductMatrix");
  CHECK(Table().Match("GET", "/v1/admin/products/prd_1").route->method->name() == "GetAdminProduct");

  SECTION("values are percent-decoded") {
    m = Table().Match("GET", "/v1/products/a%20b%3Ac");
    REQUIRE(m.kind == RouteMatch::Kind::kFound);
    CHECK(m.bindings[0].value == "a b:c");
  }
}

TEST_CASE("a known path with the wrong verb is 405 with the allowed verbs, an unknown one 404") {
  RouteMatch m = Table().Match("DELETE", "/v1/products");
  REQUIRE(m.kind == RouteMatch::Kind::kMethodNotAllowed);
  CHECK(m.allowed == std::vector<std::string>{"GET"});

  m = Table().Match("GET", "/v1/orders/o1:pay");
  REQUIRE(m.kind == RouteMatch::Kind::kMethodNotAllowed);
  CHECK(m.allowed == std::vector<std::string>{"POST"});

  m = Table().Match("PUT", "/v1/orders");
  REQUIRE(m.kind == RouteMatch::Kind::kMethodNotAllowed);
  CHECK(m.allowed == std::vector<std::string>{"GET", "POST"});

  for (const char* path : {"/v1/nothing", "/v1/products/", "/v1/products/p1/extra", "/v1/orders/o1:refund",
                           "/v1/orders/:pay", "/v1/sessions:", "", "v1/products", "/v1/products/%zz"}) {
    INFO(path);
    CHECK(Table().Match("GET", path).kind == RouteMatch::Kind::kNotFound);
    CHECK(Table().Match("POST", path).kind == RouteMatch::Kind::kNotFound);
  }
}

TEST_CASE("templates are checked against the request message") {
  const auto* request = zhongtai::product::v1::GetProductRequest::descriptor();
  auto route = ParseTemplate("/v1/products/{product_id}:publish", request);
  REQUIRE(route.ok());
  CHECK(route->verb == "publish");
  CHECK(route->DisplayTemplate() == "/v1/products/{productId}:publish");
  CHECK(ParseTemplate("/v1/products/{productId}", request).ok());  // JSON names work too
  CHECK_FALSE(ParseTemplate("/v1/products/{nope}", request).ok());
  CHECK_FALSE(ParseTemplate("v1/products", request).ok());
  CHECK_FALSE(ParseTemplate("/v1//products", request).ok());
  CHECK_FALSE(ParseTemplate("/v1/products/{product_id", request).ok());
  CHECK_FALSE(ParseTemplate("/v1/products:", request).ok());
  const auto* create = zhongtai::product::v1::CreateProductRequest::descriptor();
  CHECK_FALSE(ParseTemplate("/v1/x/{skus}", create).ok());  // repeated
}

}  // namespace
}  // namespace zhongtai::gateway
