// The gRPC surface on an in-process server over the in-memory store: mapping, validation with
// fields, reasons in trailers, and the reservation metric.
#include <catch2/catch.hpp>
#include <condition_variable>
#include <mutex>

#include "absl/time/clock.h"
#include "common/status/details.h"
#include "common/status/grpc_status.h"
#include "common/status/status.h"
#include "common/testing/api_server.h"
#include "common/testing/callers.h"
#include "prometheus/registry.h"
#include "services/product/api/product_api.h"
#include "services/product/api/product_metrics.h"
#include "services/product/domain/ids.h"
#include "services/product/tests/in_memory_matrix_store.h"
#include "services/product/tests/in_memory_store.h"
#include "zhongtai/api/v1/annotations.pb.h"

namespace zhongtai::product {
namespace {

// Calls as the suite would: an RPC with an HTTP route through the gateway for an admin (who may make them all),
// an internal one as the order service.
template <typename Request, typename Response, typename Method>
absl::Status Call(v1::ProductService::Stub& stub, Method method, const Request& request, Response* response) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  const google::protobuf::ServiceDescriptor* service =
      google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(v1::ProductService::service_full_name());
  bool routed = false;
  for (int i = 0; i < service->method_count(); ++i) {
    if (service->method(i)->input_type() == Request::descriptor()) {
      routed = service->method(i)->options().HasExtension(api::v1::http);
    }
  }
  if (routed) {
    ::zhongtai::testing::CallAs(context, "gateway", "admin1", "admin");
  } else {
    ::zhongtai::testing::CallAs(context, "order");
  }
  return FromGrpcStatus((stub.*method)(&context, request, response), context);
}

double Counter(prometheus::Registry& registry, const std::string& name, const std::string& result) {
  for (const auto& family : registry.Collect()) {
    if (family.name != name) continue;
    for (const auto& metric : family.metric) {
      for (const auto& label : metric.label) {
        if (label.name == "result" && label.value == result) return metric.counter.value;
      }
    }
  }
  return -1;
}

TEST_CASE("product service over gRPC", "[api]") {
  InMemoryProductStore store;
  FakeClock clock;
  RandomIdGenerator ids(clock);
  zhongtai::testing::ApiServer server("product");
  PrometheusInventoryObserver observer(server.runner().registry());
  Catalog catalog(store, clock, ids);
  Inventory inventory(store, clock, observer);
  StockCenter stock(store, clock);
  ListingCompliance compliance(store, clock);
  ProductEditor editor(store, compliance, clock, ids);
  Brands brands(store, clock, ids);
  CategoryTree categories(store);
  Pricing pricing(store, clock);
  REQUIRE(compliance.ReplaceWords({{"最佳", "superlative", ComplianceSeverity::kBlock}}).ok());
  InMemoryMatrixStore matrix_store;
  ProductRoles roles(matrix_store, clock, MatrixSettings{});
  ProductApi api(catalog, inventory, {brands, categories, editor, compliance, pricing, roles}, stock, server.workers());
  auto stub = server.Start<v1::ProductService>(&api);
  using S = v1::ProductService::Stub;

  v1::CreateCategoryRequest category_request;
  category_request.set_name("  Phones ");
  category_request.set_request_id("req-cat");
  v1::CreateCategoryResponse category;
  REQUIRE(Call(*stub, &S::CreateCategory, category_request, &category).ok());
  CHECK(category.category().name() == "Phones");
  CHECK(category.category().category_id().rfind("cat_", 0) == 0);

  v1::CreateProductRequest product_request;
  product_request.set_title("Zhongtai Phone");
  product_request.set_category_id(category.category().category_id());
  product_request.set_request_id("req-prd");
  v1::NewSku* sku = product_request.add_skus();
  sku->set_sku_code("ZP-RED");
  sku->mutable_price()->set_currency("CNY");
  sku->mutable_price()->set_amount_minor(199900);
  sku->set_initial_stock(5);
  (*sku->mutable_attributes())["color"] = "red";
  v1::CreateProductResponse created;
  REQUIRE(Call(*stub, &S::CreateProduct, product_request, &created).ok());
  const v1::Sku& made = created.product().skus(0);
  CHECK(made.spec() == "red");
  CHECK(made.available() == 5);
  CHECK(made.price().amount_minor() == 199900);
  CHECK(made.attributes().at("color") == "red");
  CHECK(created.product().create_time().seconds() == absl::ToUnixSeconds(clock.Now()));
  std::string sku_id = made.sku_id();
  CHECK(created.product().status() == v1::PRODUCT_STATUS_DRAFT);
  v1::GetProductRequest get_draft;
  get_draft.set_product_id(created.product().product_id());
  v1::GetProductResponse draft_seen;
  CHECK(ReasonOf(Call(*stub, &S::GetProduct, get_draft, &draft_seen)) == "PRODUCT_NOT_FOUND");
  v1::PublishProductRequest publish;
  publish.set_product_id(created.product().product_id());
  v1::PublishProductResponse published;
  REQUIRE(Call(*stub, &S::PublishProduct, publish, &published).ok());
  CHECK(published.product().status() == v1::PRODUCT_STATUS_PUBLISHED);
  CHECK(published.product().version() == 2);

  SECTION("catalogue: a stale edit is ABORTED, a forbidden word blocks publishing with the hits in the trailers") {
    v1::UpdateProductRequest edit;
    edit.set_product_id(created.product().product_id());
    edit.set_version(1);
    edit.set_subtitle("年度最佳");
    v1::UpdateProductResponse updated;
    absl::Status stale = Call(*stub, &S::UpdateProduct, edit, &updated);
    CHECK(stale.code() == absl::StatusCode::kAborted);
    CHECK(ReasonOf(stale) == "VERSION_CONFLICT");

    edit.set_version(2);
    absl::Status blocked = Call(*stub, &S::UpdateProduct, edit, &updated);
    CHECK(blocked.code() == absl::StatusCode::kFailedPrecondition);
    CHECK(ReasonOf(blocked) == "LISTING_NOT_COMPLIANT");
    CHECK(DetailsOf(blocked).find(R"("field":"subtitle","word":"最佳")") != std::string::npos);

    edit.set_subtitle("年度好物");
    edit.mutable_images()->add_urls("https://img.example.com/a.jpg");
    REQUIRE(Call(*stub, &S::UpdateProduct, edit, &updated).ok());
    CHECK(updated.product().version() == 3);
    CHECK(updated.product().images(0) == "https://img.example.com/a.jpg");

    edit.set_version(0);
    CHECK(FieldOf(Call(*stub, &S::UpdateProduct, edit, &updated)) == "version");

    v1::CheckComplianceRequest check;
    check.set_title("最 佳 手机");
    (*check.mutable_attributes())["材质"] = "ok";
    v1::CheckComplianceResponse report;
    REQUIRE(Call(*stub, &S::CheckCompliance, check, &report).ok());
    CHECK(report.blocked());
    REQUIRE(report.hits_size() == 1);
    CHECK(report.hits(0).matched() == "最 佳");
    CHECK(report.hits(0).severity() == v1::COMPLIANCE_SEVERITY_BLOCK);

    v1::ReplaceComplianceWordsRequest replace;
    v1::ComplianceWord* word = replace.add_words();
    word->set_term("最佳");
    word->set_category("superlative");
    v1::ReplaceComplianceWordsResponse replaced;
    CHECK(FieldOf(Call(*stub, &S::ReplaceComplianceWords, replace, &replaced)) == "words[0].severity");
    word->set_severity(v1::COMPLIANCE_SEVERITY_WARN);
    REQUIRE(Call(*stub, &S::ReplaceComplianceWords, replace, &replaced).ok());
    CHECK(replaced.version() == 2);
    REQUIRE(Call(*stub, &S::CheckCompliance, check, &report).ok());
    CHECK_FALSE(report.blocked());

    v1::UnpublishProductRequest unpublish;
    unpublish.set_product_id(created.product().product_id());
    v1::UnpublishProductResponse unpublished;
    REQUIRE(Call(*stub, &S::UnpublishProduct, unpublish, &unpublished).ok());
    CHECK(ReasonOf(Call(*stub, &S::GetProduct, get_draft, &draft_seen)) == "PRODUCT_NOT_FOUND");
    v1::BatchGetSkusRequest batch;
    batch.add_sku_ids(sku_id);
    v1::BatchGetSkusResponse skus;
    CHECK(ReasonOf(Call(*stub, &S::BatchGetSkus, batch, &skus)) == "SKU_NOT_ON_SALE");
    v1::GetAdminProductRequest admin_get;
    admin_get.set_product_id(created.product().product_id());
    v1::GetAdminProductResponse admin;
    REQUIRE(Call(*stub, &S::GetAdminProduct, admin_get, &admin).ok());
    CHECK(admin.product().status() == v1::PRODUCT_STATUS_UNPUBLISHED);
    REQUIRE(admin.history_size() == 2);
    CHECK(admin.history(1).to_status() == v1::PRODUCT_STATUS_UNPUBLISHED);
  }

  SECTION("catalogue: BatchGetSkus quotes the buyer's member price and names the rule") {
    v1::ReplaceSkuPricesRequest prices;
    prices.set_sku_id(sku_id);
    v1::SkuPriceRule* gold = prices.add_rules();
    gold->set_label("gold");
    gold->set_tier(v1::MEMBER_TIER_GOLD);
    gold->mutable_price()->set_currency("CNY");
    gold->mutable_price()->set_amount_minor(179900);
    v1::ReplaceSkuPricesResponse stored;
    REQUIRE(Call(*stub, &S::ReplaceSkuPrices, prices, &stored).ok());
    CHECK(stored.rules_size() == 1);
    v1::BatchGetSkusRequest batch;
    batch.add_sku_ids(sku_id);
    batch.set_buyer_tier(v1::MEMBER_TIER_GOLD);
    v1::BatchGetSkusResponse skus;
    REQUIRE(Call(*stub, &S::BatchGetSkus, batch, &skus).ok());
    CHECK(skus.skus(0).price().amount_minor() == 179900);
    CHECK(skus.skus(0).list_price().amount_minor() == 199900);
    CHECK(skus.skus(0).price_rule() == "member:gold");
    batch.set_buyer_tier(v1::MEMBER_TIER_SILVER);
    REQUIRE(Call(*stub, &S::BatchGetSkus, batch, &skus).ok());
    CHECK(skus.skus(0).price().amount_minor() == 199900);
    CHECK(skus.skus(0).price_rule() == "list");
    gold->mutable_price()->set_currency("USD");
    CHECK(FieldOf(Call(*stub, &S::ReplaceSkuPrices, prices, &stored)) == "rules[0].price.currency");
  }

  SECTION("shipping: weight and fragile flag set by the admin edit, answered by BatchGetSkus, bad weight named") {
    v1::UpdateProductRequest edit;
    edit.set_product_id(created.product().product_id());
    edit.set_version(2);
    v1::SkuShippingChange* change = edit.add_shipping_changes();
    change->set_sku_id(sku_id);
    change->set_weight_grams(1500);
    change->set_fragile(true);
    v1::UpdateProductResponse updated;
    REQUIRE(Call(*stub, &S::UpdateProduct, edit, &updated).ok());
    CHECK(updated.product().skus(0).weight_grams() == 1500);
    v1::BatchGetSkusRequest batch;
    batch.add_sku_ids(sku_id);
    v1::BatchGetSkusResponse skus;
    REQUIRE(Call(*stub, &S::BatchGetSkus, batch, &skus).ok());
    CHECK(skus.skus(0).weight_grams() == 1500);
    CHECK(skus.skus(0).fragile());
    edit.set_version(updated.product().version());
    change->set_weight_grams(2000000);
    absl::Status refused = Call(*stub, &S::UpdateProduct, edit, &updated);
    CHECK(ReasonOf(refused) == "SKU_WEIGHT_INVALID");
    CHECK(FieldOf(refused) == "shippingChanges[0].weightGrams");
  }

  SECTION("cost prices and the product matrix: admin routes only, never in shoppers' or services' answers") {
    v1::CreateProductRequest with_cost;
    with_cost.set_title("Zhongtai Tablet");
    with_cost.set_category_id(category.category().category_id());
    v1::NewSku* tablet = with_cost.add_skus();
    tablet->set_sku_code("ZT-TAB");
    tablet->mutable_price()->set_currency("CNY");
    tablet->mutable_price()->set_amount_minor(300000);
    tablet->mutable_cost_price()->set_currency("USD");
    tablet->mutable_cost_price()->set_amount_minor(200000);
    v1::CreateProductResponse made_tablet;
    absl::Status mismatch = Call(*stub, &S::CreateProduct, with_cost, &made_tablet);
    CHECK(ReasonOf(mismatch) == "COST_CURRENCY_MISMATCH");
    CHECK(FieldOf(mismatch) == "skus[0].costPrice.currency");
    tablet->mutable_cost_price()->set_currency("CNY");
    REQUIRE(Call(*stub, &S::CreateProduct, with_cost, &made_tablet).ok());
    const std::string tablet_id = made_tablet.product().product_id();
    const std::string tablet_sku = made_tablet.product().skus(0).sku_id();
    REQUIRE(made_tablet.sku_admin_fields_size() == 1);
    CHECK(made_tablet.sku_admin_fields(0).sku_id() == tablet_sku);
    CHECK(made_tablet.sku_admin_fields(0).cost_price().amount_minor() == 200000);

    v1::UpdateProductRequest cost_edit;
    cost_edit.set_product_id(tablet_id);
    cost_edit.set_version(made_tablet.product().version());
    v1::SkuCostChange* change = cost_edit.add_cost_changes();
    change->set_sku_id(tablet_sku);
    v1::UpdateProductResponse cost_edited;
    CHECK(FieldOf(Call(*stub, &S::UpdateProduct, cost_edit, &cost_edited)) == "costChanges[0].costPrice");
    change->mutable_cost_price()->set_currency("CNY");
    change->mutable_cost_price()->set_amount_minor(210000);
    REQUIRE(Call(*stub, &S::UpdateProduct, cost_edit, &cost_edited).ok());
    CHECK(cost_edited.sku_admin_fields(0).cost_price().amount_minor() == 210000);
    v1::PublishProductRequest publish_tablet;
    publish_tablet.set_product_id(tablet_id);
    v1::PublishProductResponse tablet_published;
    REQUIRE(Call(*stub, &S::PublishProduct, publish_tablet, &tablet_published).ok());

    // What shoppers (product detail, the listing) and the order service (BatchGetSkus) get carries no cost: their
    // messages have no field for it, and no figure of it appears anywhere in the answers.
    v1::GetProductRequest detail;
    detail.set_product_id(tablet_id);
    v1::GetProductResponse shown;
    REQUIRE(Call(*stub, &S::GetProduct, detail, &shown).ok());
    CHECK(shown.product().skus(0).price().amount_minor() == 300000);
    CHECK(shown.DebugString().find("210000") == std::string::npos);
    v1::ListProductsRequest list;
    v1::ListProductsResponse listed;
    REQUIRE(Call(*stub, &S::ListProducts, list, &listed).ok());
    REQUIRE(listed.products_size() == 2);
    CHECK(listed.DebugString().find("210000") == std::string::npos);
    v1::BatchGetSkusRequest batch;
    batch.add_sku_ids(tablet_sku);
    v1::BatchGetSkusResponse skus;
    REQUIRE(Call(*stub, &S::BatchGetSkus, batch, &skus).ok());
    REQUIRE(skus.skus_size() == 1);
    CHECK(skus.DebugString().find("210000") == std::string::npos);

    // The operator's role, validated; the matrix shows it with the suggestion.
    ProductFigures figures;
    figures.product_id = tablet_id;
    figures.title = "Zhongtai Tablet";
    figures.listed_at = clock.Now();
    matrix_store.Put(figures);
    v1::SetProductRoleRequest role;
    role.set_product_id(tablet_id);
    v1::SetProductRoleResponse role_set;
    absl::Status no_role = Call(*stub, &S::SetProductRole, role, &role_set);
    CHECK(ReasonOf(no_role) == "INVALID_PRODUCT_ROLE");
    CHECK(FieldOf(no_role) == "role");
    role.set_role(v1::PRODUCT_ROLE_TRAFFIC);
    REQUIRE(Call(*stub, &S::SetProductRole, role, &role_set).ok());
    CHECK(role_set.role() == v1::PRODUCT_ROLE_TRAFFIC);
    v1::GetAdminProductRequest admin_get;
    admin_get.set_product_id(tablet_id);
    v1::GetAdminProductResponse admin;
    REQUIRE(Call(*stub, &S::GetAdminProduct, admin_get, &admin).ok());
    CHECK(admin.role() == v1::PRODUCT_ROLE_TRAFFIC);
    CHECK(admin.sku_admin_fields(0).cost_price().amount_minor() == 210000);
    v1::GetProductMatrixRequest matrix_request;
    v1::GetProductMatrixResponse matrix;
    REQUIRE(Call(*stub, &S::GetProductMatrix, matrix_request, &matrix).ok());
    CHECK(matrix.total_products() == 1);
    REQUIRE(matrix.cells_size() == 1);
    CHECK(matrix.cells(0).role() == v1::PRODUCT_ROLE_TRAFFIC);
    CHECK(matrix.cells(0).stage() == v1::LIFECYCLE_STAGE_NEW);
    REQUIRE(matrix.mismatches_size() == 1);  // alone, it ranks high in nothing: long tail
    CHECK(matrix.mismatches(0).suggested_role() == v1::PRODUCT_ROLE_LONG_TAIL);
    CHECK(matrix.mismatches(0).metrics().source() == v1::METRICS_SOURCE_LEDGER);
    matrix_request.set_page_size(-1);
    CHECK(FieldOf(Call(*stub, &S::GetProductMatrix, matrix_request, &matrix)) == "pageSize");

    // A customer may call neither admin route.
    grpc::ClientContext as_customer;
    ::zhongtai::testing::CallAs(as_customer, "gateway", "u1", "customer");
    matrix_request.set_page_size(0);
    CHECK(stub->GetProductMatrix(&as_customer, matrix_request, &matrix).error_code() ==
          grpc::StatusCode::PERMISSION_DENIED);
    grpc::ClientContext role_as_customer;
    ::zhongtai::testing::CallAs(role_as_customer, "gateway", "u1", "customer");
    CHECK(stub->SetProductRole(&role_as_customer, role, &role_set).error_code() == grpc::StatusCode::PERMISSION_DENIED);
    grpc::ClientContext as_order;
    ::zhongtai::testing::CallAs(as_order, "order");
    CHECK(stub->GetProductMatrix(&as_order, matrix_request, &matrix).error_code() ==
          grpc::StatusCode::PERMISSION_DENIED);
  }

  SECTION("catalogue: brands and category moves") {
    v1::CreateBrandRequest brand_request;
    brand_request.set_name("Huawei");
    brand_request.set_logo_url("not a url");
    v1::CreateBrandResponse brand;
    CHECK(FieldOf(Call(*stub, &S::CreateBrand, brand_request, &brand)) == "logoUrl");
    brand_request.clear_logo_url();
    REQUIRE(Call(*stub, &S::CreateBrand, brand_request, &brand).ok());
    v1::ListBrandsRequest list;
    v1::ListBrandsResponse listed;
    REQUIRE(Call(*stub, &S::ListBrands, list, &listed).ok());
    CHECK(listed.brands_size() == 1);

    v1::UpdateCategoryRequest move;
    move.set_category_id(category.category().category_id());
    move.set_parent_id(category.category().category_id());
    v1::UpdateCategoryResponse moved;
    absl::Status cycle = Call(*stub, &S::UpdateCategory, move, &moved);
    CHECK(cycle.code() == absl::StatusCode::kFailedPrecondition);
    CHECK(ReasonOf(cycle) == "CATEGORY_CYCLE");
    CHECK(FieldOf(cycle) == "parentId");
    move.clear_parent_id();
    move.set_name("Mobiles");
    REQUIRE(Call(*stub, &S::UpdateCategory, move, &moved).ok());
    CHECK(moved.category().name() == "Mobiles");
  }

  SECTION("validation names the field in proto JSON style") {
    v1::CreateProductRequest bad = product_request;
    bad.mutable_skus(0)->mutable_price()->set_amount_minor(-1);
    absl::Status status = Call(*stub, &S::CreateProduct, bad, &created);
    CHECK(status.code() == absl::StatusCode::kInvalidArgument);
    CHECK(FieldOf(status) == "skus[0].price.amountMinor");
    CHECK(ReasonOf(status) == "PRICE_NEGATIVE");

    v1::ReserveStockRequest reserve;
    reserve.set_order_id("o1");
    reserve.add_lines()->set_sku_id(sku_id);
    v1::ReserveStockResponse reserved;
    status = Call(*stub, &S::ReserveStock, reserve, &reserved);
    CHECK(FieldOf(status) == "lines[0].quantity");
    CHECK(ReasonOf(status) == "QUANTITY_NOT_POSITIVE");

    v1::AdjustStockRequest adjust;
    adjust.set_sku_id(sku_id);
    v1::AdjustStockResponse adjusted;
    CHECK(ReasonOf(Call(*stub, &S::AdjustStock, adjust, &adjusted)) == "DELTA_ZERO");

    v1::ListProductsRequest list;
    list.set_page_token("nonsense");
    v1::ListProductsResponse page;
    status = Call(*stub, &S::ListProducts, list, &page);
    CHECK(FieldOf(status) == "pageToken");
  }

  SECTION("a flash sale's reservation is resized by marketing only") {
    auto as = [&](const char* caller, const v1::ResizeReservationRequest& request,
                  v1::ResizeReservationResponse* response) {
      grpc::ClientContext context;
      ::zhongtai::testing::CallAs(context, caller);
      return FromGrpcStatus(stub->ResizeReservation(&context, request, response), context);
    };
    v1::ReserveStockRequest reserve;
    reserve.set_order_id("fs_api");
    v1::ReservationLine* line = reserve.add_lines();
    line->set_sku_id(sku_id);
    line->set_quantity(1);
    v1::ReserveStockResponse reserved;
    REQUIRE(Call(*stub, &S::ReserveStock, reserve, &reserved).ok());
    v1::ResizeReservationRequest resize;
    resize.set_order_id("fs_api");
    resize.set_quantity(2);
    resize.set_request_id("fs_api:v2");
    v1::ResizeReservationResponse resized;
    CHECK(as("order", resize, &resized).code() == absl::StatusCode::kPermissionDenied);
    REQUIRE(as("marketing", resize, &resized).ok());
    CHECK(resized.reservation().lines(0).quantity() == 2);
    resize.set_quantity(100000);
    resize.set_request_id("fs_api:v3");
    absl::Status status = as("marketing", resize, &resized);
    CHECK(status.code() == absl::StatusCode::kFailedPrecondition);
    CHECK(ReasonOf(status) == "INSUFFICIENT_STOCK");
    resize.set_request_id("");
    CHECK(FieldOf(as("marketing", resize, &resized)) == "requestId");
  }

  SECTION("reserve, confirm and release with reasons and metrics") {
    v1::ReserveStockRequest reserve;
    reserve.set_order_id("o1");
    v1::ReservationLine* line = reserve.add_lines();
    line->set_sku_id(sku_id);
    line->set_quantity(3);
    reserve.set_ttl_seconds(60);
    v1::ReserveStockResponse reserved;
    REQUIRE(Call(*stub, &S::ReserveStock, reserve, &reserved).ok());
    CHECK(reserved.reservation().status() == v1::RESERVATION_STATUS_HELD);
    CHECK(reserved.reservation().expire_time().seconds() == absl::ToUnixSeconds(clock.Now()) + 60);
    REQUIRE(Call(*stub, &S::ReserveStock, reserve, &reserved).ok());  // a retry

    v1::ReserveStockRequest greedy = reserve;
    greedy.set_order_id("o2");
    absl::Status status = Call(*stub, &S::ReserveStock, greedy, &reserved);
    CHECK(status.code() == absl::StatusCode::kFailedPrecondition);
    CHECK(ReasonOf(status) == "INSUFFICIENT_STOCK");
    CHECK(std::string(status.message()).find(sku_id) != std::string::npos);

    v1::BatchGetSkusRequest batch;
    batch.add_sku_ids(sku_id);
    v1::BatchGetSkusResponse skus;
    REQUIRE(Call(*stub, &S::BatchGetSkus, batch, &skus).ok());
    CHECK(skus.skus(0).available() == 2);
    CHECK(skus.skus(0).product_title() == "Zhongtai Phone");
    batch.add_sku_ids("sku_missing");
    status = Call(*stub, &S::BatchGetSkus, batch, &skus);
    CHECK(status.code() == absl::StatusCode::kNotFound);
    CHECK(ReasonOf(status) == "SKU_NOT_FOUND");

    v1::AdjustStockRequest adjust;
    adjust.set_sku_id(sku_id);
    adjust.set_delta(-3);
    adjust.set_request_id("adj-1");
    v1::AdjustStockResponse adjusted;
    CHECK(ReasonOf(Call(*stub, &S::AdjustStock, adjust, &adjusted)) == "STOCK_BELOW_RESERVED");

    v1::ConfirmReservationRequest confirm;
    confirm.set_order_id("o1");
    v1::ConfirmReservationResponse confirmed;
    REQUIRE(Call(*stub, &S::ConfirmReservation, confirm, &confirmed).ok());
    CHECK(confirmed.reservation().status() == v1::RESERVATION_STATUS_CONFIRMED);
    v1::ReleaseReservationRequest release;
    release.set_order_id("o1");
    v1::ReleaseReservationResponse released;
    status = Call(*stub, &S::ReleaseReservation, release, &released);
    CHECK(status.code() == absl::StatusCode::kFailedPrecondition);
    CHECK(ReasonOf(status) == "RESERVATION_CONFIRMED");

    v1::GetProductRequest get;
    get.set_product_id(created.product().product_id());
    v1::GetProductResponse got;
    REQUIRE(Call(*stub, &S::GetProduct, get, &got).ok());
    CHECK(got.product().skus(0).available() == 2);

    CHECK(Counter(server.runner().registry(), "zt_stock_reservations_total", "reserved") == 1);
    CHECK(Counter(server.runner().registry(), "zt_stock_reservations_total", "insufficient") == 1);
    CHECK(Counter(server.runner().registry(), "zt_stock_reservations_total", "confirmed") == 1);
    CHECK(Counter(server.runner().registry(), "zt_stock_reservations_total", "expired") == 0);
  }

  SECTION("warehouses and stock: fields named, allocations answered per warehouse") {
    v1::CreateWarehouseRequest warehouse;
    warehouse.mutable_warehouse()->set_warehouse_id("sz-front");
    warehouse.mutable_warehouse()->set_name("Shenzhen front");
    warehouse.mutable_warehouse()->set_type(v1::WAREHOUSE_TYPE_FRONT);
    warehouse.mutable_warehouse()->add_regions("44030");
    v1::CreateWarehouseResponse made_warehouse;
    absl::Status status = Call(*stub, &S::CreateWarehouse, warehouse, &made_warehouse);
    CHECK(ReasonOf(status) == "REGION_CODE_INVALID");
    CHECK(FieldOf(status) == "warehouse.regions[0]");
    warehouse.mutable_warehouse()->set_regions(0, "440300");
    REQUIRE(Call(*stub, &S::CreateWarehouse, warehouse, &made_warehouse).ok());
    CHECK(made_warehouse.warehouse().priority() == 100);
    CHECK(made_warehouse.warehouse().active());

    v1::CreateStockMovementRequest inbound;
    inbound.set_type(v1::STOCK_MOVEMENT_TYPE_INBOUND);
    inbound.set_sku_id(sku_id);
    inbound.set_warehouse_id("sz-front");
    inbound.set_quantity(2);
    v1::CreateStockMovementResponse moved;
    REQUIRE(Call(*stub, &S::CreateStockMovement, inbound, &moved).ok());
    CHECK(moved.stock().on_hand() == 2);
    inbound.set_type(v1::STOCK_MOVEMENT_TYPE_UNSPECIFIED);
    CHECK(FieldOf(Call(*stub, &S::CreateStockMovement, inbound, &moved)) == "type");

    v1::ReserveStockRequest reserve;
    reserve.set_order_id("o-sz");
    v1::ReservationLine* line = reserve.add_lines();
    line->set_sku_id(sku_id);
    line->set_quantity(4);
    reserve.mutable_shipping_region()->set_province_code("440000");
    reserve.mutable_shipping_region()->set_city_code("310100");
    v1::ReserveStockResponse reserved;
    status = Call(*stub, &S::ReserveStock, reserve, &reserved);
    CHECK(ReasonOf(status) == "REGION_CITY_OUTSIDE_PROVINCE");
    CHECK(FieldOf(status) == "shippingRegion.cityCode");
    // Shenzhen: the front warehouse has 2 of the 4, the default 5 covers all of it.
    reserve.mutable_shipping_region()->set_city_code("440300");
    REQUIRE(Call(*stub, &S::ReserveStock, reserve, &reserved).ok());
    REQUIRE(reserved.reservation().allocations_size() == 1);
    CHECK(reserved.reservation().allocations(0).warehouse_id() == "default");
    CHECK(reserved.reservation().allocations(0).quantity() == 4);
    CHECK(reserved.reservation().shipping_region().city_code() == "440300");
    line->set_quantity(2);
    reserve.set_order_id("o-sz-2");
    REQUIRE(Call(*stub, &S::ReserveStock, reserve, &reserved).ok());
    CHECK(reserved.reservation().allocations(0).warehouse_id() == "sz-front");
  }

  SECTION("categories and products list with page tokens") {
    v1::ListCategoriesRequest list_categories;
    v1::ListCategoriesResponse categories;
    REQUIRE(Call(*stub, &S::ListCategories, list_categories, &categories).ok());
    CHECK(categories.categories_size() == 1);
    CHECK(categories.next_page_token().empty());

    v1::ListProductsRequest list;
    list.set_category_id(category.category().category_id());
    list.set_q("phone");
    v1::ListProductsResponse page;
    REQUIRE(Call(*stub, &S::ListProducts, list, &page).ok());
    REQUIRE(page.products_size() == 1);
    CHECK(page.products(0).skus(0).sku_code() == "ZP-RED");
  }

  server.runner().RequestShutdown();
  CHECK(server.runner().Wait() == 0);
}

// Answers a fixed list of published products, counting the calls; `gate` (when set) holds every call until opened.
class CountingSearchStore : public ProductSearchStore {
 public:
  absl::StatusOr<SearchStoreResult> Search(const SearchQuery& query, int limit, const PriceBandRule&) override {
    std::unique_lock<std::mutex> lock(mu);
    ++calls;
    changed.notify_all();
    changed.wait(lock, [&] { return open; });
    SearchStoreResult out;
    for (const std::string& id : ids) {
      if (static_cast<int>(out.hits.size()) == limit) break;
      Product p;
      p.product_id = id;
      p.title = id;
      p.status = ProductStatus::kPublished;
      Sku sku;
      sku.sku_id = id + "-s";
      sku.product_id = id;
      sku.price = {"CNY", 100};
      sku.product_status = ProductStatus::kPublished;
      p.skus.push_back(sku);
      out.hits.push_back({id, 0});
      out.products.push_back(p);
    }
    out.total = static_cast<int64_t>(ids.size());
    out.estimated = estimated;
    return out;
  }
  std::mutex mu;
  std::condition_variable changed;
  std::vector<std::string> ids = {"p2", "p1"};
  bool open = true;
  bool estimated = false;
  int calls = 0;
};

TEST_CASE("listing over gRPC: a cached page is answered as stored, and past its TTL at once while one refresh runs",
          "[api][cache]") {
  InMemoryProductStore store;
  FakeClock clock;
  RandomIdGenerator ids(clock);
  zhongtai::testing::ApiServer server("product");
  PrometheusInventoryObserver observer(server.runner().registry());
  Catalog catalog(store, clock, ids);
  Inventory inventory(store, clock, observer);
  StockCenter stock(store, clock);
  ListingCompliance compliance(store, clock);
  ProductEditor editor(store, compliance, clock, ids);
  Brands brands(store, clock, ids);
  CategoryTree categories(store);
  Pricing pricing(store, clock);
  InMemoryMatrixStore matrix_store;
  ProductRoles roles(matrix_store, clock, MatrixSettings{});
  CountingSearchStore search_store;
  ListingCache cache(clock, absl::Seconds(10));
  cache.SetLive(true);
  ProductSearch search(search_store, &cache, EncodeListing);
  ProductApi api(catalog, inventory, {brands, categories, editor, compliance, pricing, roles}, stock, server.workers(),
                 &search);
  auto stub = server.Start<v1::ProductService>(&api);
  using S = v1::ProductService::Stub;
  auto list = [&] {
    v1::ListProductsResponse page;
    REQUIRE(Call(*stub, &S::ListProducts, v1::ListProductsRequest(), &page).ok());
    std::vector<std::string> shown;
    for (const v1::Product& p : page.products()) shown.push_back(p.product_id());
    CHECK(page.total_size() == static_cast<int64_t>(shown.size()));
    return shown;
  };

  CHECK(list() == std::vector<std::string>{"p2", "p1"});
  CHECK(list() == std::vector<std::string>{"p2", "p1"});
  CHECK(search_store.calls == 1);  // the second from memory

  // Past the TTL, with the store slow: answered at once from the stale page, and only one refresh asks the store.
  clock.Advance(absl::Seconds(11));
  {
    std::lock_guard<std::mutex> lock(search_store.mu);
    search_store.open = false;
    search_store.ids = {"p3", "p2", "p1"};
  }
  for (int i = 0; i < 5; ++i) CHECK(list() == std::vector<std::string>{"p2", "p1"});
  {
    std::unique_lock<std::mutex> lock(search_store.mu);
    search_store.changed.wait(lock, [&] { return search_store.calls == 2; });
    search_store.open = true;
    search_store.changed.notify_all();
  }
  for (int i = 0; i < 500 && list().size() != 3; ++i) absl::SleepFor(absl::Milliseconds(10));
  CHECK(list() == std::vector<std::string>{"p3", "p2", "p1"});
  CHECK(search_store.calls == 2);

  // A catalogue change: the next request asks the store, never the old page.
  cache.Invalidate();
  {
    std::lock_guard<std::mutex> lock(search_store.mu);
    search_store.ids = {"p1"};
  }
  CHECK(list() == std::vector<std::string>{"p1"});
  CHECK(search_store.calls == 3);

  // Counts the store estimated (more matches than its facet sample) are answered as estimated.
  {
    v1::ListProductsResponse page;
    REQUIRE(Call(*stub, &S::ListProducts, v1::ListProductsRequest(), &page).ok());
    CHECK_FALSE(page.counts_estimated());
  }
  cache.Invalidate();
  {
    std::lock_guard<std::mutex> lock(search_store.mu);
    search_store.estimated = true;
  }
  {
    v1::ListProductsResponse page;
    REQUIRE(Call(*stub, &S::ListProducts, v1::ListProductsRequest(), &page).ok());
    CHECK(page.counts_estimated());
  }
  server.runner().RequestShutdown();
  CHECK(server.runner().Wait() == 0);
}

}  // namespace
}  // namespace zhongtai::product
