// zhongtai.product.v1.ProductService: validates requests (INVALID_ARGUMENT with the lowerCamelCase
// field), maps proto <-> domain and runs the domain on the worker pool.
#pragma once

#include "common/server/worker_pool.h"
#include "services/product/domain/brands.h"
#include "services/product/domain/catalog.h"
#include "services/product/domain/category_tree.h"
#include "services/product/domain/inventory.h"
#include "services/product/domain/listing_compliance.h"
#include "services/product/domain/pricing.h"
#include "services/product/domain/product_editor.h"
#include "services/product/domain/product_roles.h"
#include "services/product/domain/product_search.h"
#include "services/product/domain/returned_goods.h"
#include "services/product/domain/stock_center.h"
#include "zhongtai/product/v1/product.grpc.pb.h"

namespace zhongtai::product {

// Longest ttl_seconds a ReserveStock call may ask for.
inline constexpr int kMaxReservationTtlSeconds = 7 * 24 * 3600;

// The domain behind the catalogue RPCs (api/catalog_api.cc).
struct CatalogueDomain {
  Brands& brands;
  CategoryTree& categories;
  ProductEditor& products;
  ListingCompliance& compliance;
  Pricing& pricing;
  ProductRoles& roles;  // the product matrix (api/matrix_api.cc)
};

// ListProducts is served raw (bytes in and out) so that a cached listing page goes out as the bytes it was encoded
// to once (api/search_api.cc); on the wire it is the same method and messages.
class ProductApi : public v1::ProductService::WithRawCallbackMethod_ListProducts<v1::ProductService::CallbackService> {
 public:
  // search: shoppers' search and listing (api/search_api.cc); without it (tests on the in-memory store) ListProducts
  // lists through Catalog::ListProducts, newest first.
  ProductApi(Catalog& catalog, Inventory& inventory, CatalogueDomain catalogue, StockCenter& stock,
             server::WorkerPool& workers, ProductSearch* search = nullptr,
             ReturnedGoodsIntake* returned_goods = nullptr)
      : catalog_(catalog),
        inventory_(inventory),
        catalogue_(catalogue),
        stock_(stock),
        workers_(workers),
        search_(search),
        returned_goods_(returned_goods) {}

  grpc::ServerUnaryReactor* CreateCategory(grpc::CallbackServerContext* context,
                                           const v1::CreateCategoryRequest* request,
                                           v1::CreateCategoryResponse* response) override;
  grpc::ServerUnaryReactor* ListCategories(grpc::CallbackServerContext* context,
                                           const v1::ListCategoriesRequest* request,
                                           v1::ListCategoriesResponse* response) override;
  grpc::ServerUnaryReactor* CreateProduct(grpc::CallbackServerContext* context, const v1::CreateProductRequest* request,
                                          v1::CreateProductResponse* response) override;
  grpc::ServerUnaryReactor* GetProduct(grpc::CallbackServerContext* context, const v1::GetProductRequest* request,
                                       v1::GetProductResponse* response) override;
  grpc::ServerUnaryReactor* ListProducts(grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
                                         grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* AdjustStock(grpc::CallbackServerContext* context, const v1::AdjustStockRequest* request,
                                        v1::AdjustStockResponse* response) override;
  grpc::ServerUnaryReactor* BatchGetSkus(grpc::CallbackServerContext* context, const v1::BatchGetSkusRequest* request,
                                         v1::BatchGetSkusResponse* response) override;
  grpc::ServerUnaryReactor* ReserveStock(grpc::CallbackServerContext* context, const v1::ReserveStockRequest* request,
                                         v1::ReserveStockResponse* response) override;
  grpc::ServerUnaryReactor* ConfirmReservation(grpc::CallbackServerContext* context,
                                               const v1::ConfirmReservationRequest* request,
                                               v1::ConfirmReservationResponse* response) override;
  grpc::ServerUnaryReactor* ResizeReservation(grpc::CallbackServerContext* context,
                                              const v1::ResizeReservationRequest* request,
                                              v1::ResizeReservationResponse* response) override;
  grpc::ServerUnaryReactor* SettleReservation(grpc::CallbackServerContext* context,
                                              const v1::SettleReservationRequest* request,
                                              v1::SettleReservationResponse* response) override;
  grpc::ServerUnaryReactor* ReleaseReservation(grpc::CallbackServerContext* context,
                                               const v1::ReleaseReservationRequest* request,
                                               v1::ReleaseReservationResponse* response) override;

  // Catalogue (catalog_api.cc)
  grpc::ServerUnaryReactor* CreateBrand(grpc::CallbackServerContext* context, const v1::CreateBrandRequest* request,
                                        v1::CreateBrandResponse* response) override;
  grpc::ServerUnaryReactor* UpdateBrand(grpc::CallbackServerContext* context, const v1::UpdateBrandRequest* request,
                                        v1::UpdateBrandResponse* response) override;
  grpc::ServerUnaryReactor* ListBrands(grpc::CallbackServerContext* context, const v1::ListBrandsRequest* request,
                                       v1::ListBrandsResponse* response) override;
  grpc::ServerUnaryReactor* UpdateCategory(grpc::CallbackServerContext* context,
                                           const v1::UpdateCategoryRequest* request,
                                           v1::UpdateCategoryResponse* response) override;
  grpc::ServerUnaryReactor* GetAdminProduct(grpc::CallbackServerContext* context,
                                            const v1::GetAdminProductRequest* request,
                                            v1::GetAdminProductResponse* response) override;
  grpc::ServerUnaryReactor* UpdateProduct(grpc::CallbackServerContext* context, const v1::UpdateProductRequest* request,
                                          v1::UpdateProductResponse* response) override;
  grpc::ServerUnaryReactor* PublishProduct(grpc::CallbackServerContext* context,
                                           const v1::PublishProductRequest* request,
                                           v1::PublishProductResponse* response) override;
  grpc::ServerUnaryReactor* UnpublishProduct(grpc::CallbackServerContext* context,
                                             const v1::UnpublishProductRequest* request,
                                             v1::UnpublishProductResponse* response) override;
  grpc::ServerUnaryReactor* ArchiveProduct(grpc::CallbackServerContext* context,
                                           const v1::ArchiveProductRequest* request,
                                           v1::ArchiveProductResponse* response) override;
  grpc::ServerUnaryReactor* CheckCompliance(grpc::CallbackServerContext* context,
                                            const v1::CheckComplianceRequest* request,
                                            v1::CheckComplianceResponse* response) override;
  grpc::ServerUnaryReactor* GetComplianceWords(grpc::CallbackServerContext* context,
                                               const v1::GetComplianceWordsRequest* request,
                                               v1::GetComplianceWordsResponse* response) override;
  grpc::ServerUnaryReactor* ReplaceComplianceWords(grpc::CallbackServerContext* context,
                                                   const v1::ReplaceComplianceWordsRequest* request,
                                                   v1::ReplaceComplianceWordsResponse* response) override;
  grpc::ServerUnaryReactor* ReplaceSkuPrices(grpc::CallbackServerContext* context,
                                             const v1::ReplaceSkuPricesRequest* request,
                                             v1::ReplaceSkuPricesResponse* response) override;
  // Product matrix (api/matrix_api.cc)
  grpc::ServerUnaryReactor* GetProductMatrix(grpc::CallbackServerContext* context,
                                             const v1::GetProductMatrixRequest* request,
                                             v1::GetProductMatrixResponse* response) override;
  grpc::ServerUnaryReactor* SetProductRole(grpc::CallbackServerContext* context,
                                           const v1::SetProductRoleRequest* request,
                                           v1::SetProductRoleResponse* response) override;
  // Warehouses and stock (api/inventory_api.cc)
  grpc::ServerUnaryReactor* CreateWarehouse(grpc::CallbackServerContext* context,
                                            const v1::CreateWarehouseRequest* request,
                                            v1::CreateWarehouseResponse* response) override;
  grpc::ServerUnaryReactor* ListWarehouses(grpc::CallbackServerContext* context,
                                           const v1::ListWarehousesRequest* request,
                                           v1::ListWarehousesResponse* response) override;
  grpc::ServerUnaryReactor* UpdateWarehouse(grpc::CallbackServerContext* context,
                                            const v1::UpdateWarehouseRequest* request,
                                            v1::UpdateWarehouseResponse* response) override;
  grpc::ServerUnaryReactor* CreateStockMovement(grpc::CallbackServerContext* context,
                                                const v1::CreateStockMovementRequest* request,
                                                v1::CreateStockMovementResponse* response) override;
  grpc::ServerUnaryReactor* TransferStock(grpc::CallbackServerContext* context, const v1::TransferStockRequest* request,
                                          v1::TransferStockResponse* response) override;
  grpc::ServerUnaryReactor* ListStockLedger(grpc::CallbackServerContext* context,
                                            const v1::ListStockLedgerRequest* request,
                                            v1::ListStockLedgerResponse* response) override;
  grpc::ServerUnaryReactor* SetSafetyStock(grpc::CallbackServerContext* context,
                                           const v1::SetSafetyStockRequest* request,
                                           v1::SetSafetyStockResponse* response) override;
  grpc::ServerUnaryReactor* ListStockAlerts(grpc::CallbackServerContext* context,
                                            const v1::ListStockAlertsRequest* request,
                                            v1::ListStockAlertsResponse* response) override;
  // End of warehouses and stock
  // After-sales: returned goods back into the warehouse (api/returned_goods_api.cc)
  grpc::ServerUnaryReactor* RestockReturn(grpc::CallbackServerContext* context, const v1::RestockReturnRequest* request,
                                          v1::RestockReturnResponse* response) override;

 private:
  Catalog& catalog_;
  Inventory& inventory_;
  CatalogueDomain catalogue_;
  StockCenter& stock_;
  server::WorkerPool& workers_;
  ProductSearch* search_;
  ReturnedGoodsIntake* returned_goods_;  // after-sales restocks (api/returned_goods_api.cc)
};

// Request validation, exposed for tests. OK or INVALID_ARGUMENT naming the field.
absl::Status Validate(const v1::CreateCategoryRequest& request);
absl::Status Validate(const v1::CreateProductRequest& request);
absl::Status Validate(const v1::ListProductsRequest& request);
absl::Status Validate(const v1::AdjustStockRequest& request);
absl::Status Validate(const v1::BatchGetSkusRequest& request);
absl::Status Validate(const v1::ReserveStockRequest& request);

void ToProto(const Sku& sku, v1::Sku* out);
// Search and listing (api/search_api.cc)
SearchRequest SearchRequestFromProto(const v1::ListProductsRequest& request);
void ToProto(const SearchResult& result, v1::ListProductsResponse* out);
// The ListProductsResponse of a page, serialized (ProductSearch's encoder).
std::string EncodeListing(const SearchResult& result);
void ToProto(const Product& product, v1::Product* out);
// What only admins see of each SKU (cost price, ABC class), for the admin routes' answers.
void AddSkuAdminFields(const Product& product, google::protobuf::RepeatedPtrField<v1::SkuAdminFields>* out);
void ToProto(const Reservation& reservation, v1::Reservation* out);

// Catalogue (catalog_api.cc)
absl::Status Validate(const v1::UpdateProductRequest& request);
absl::Status Validate(const v1::CheckComplianceRequest& request);
absl::Status Validate(const v1::ReplaceComplianceWordsRequest& request);
// The catalogue fields of a product and SKU (ToProto(Product) calls it).
void CatalogueToProto(const Product& product, v1::Product* out);
v1::ProductStatus ProductStatusToProto(ProductStatus status);
std::vector<SalesAttribute> SalesAttributesFromProto(
    const google::protobuf::RepeatedPtrField<v1::SalesAttribute>& attributes);
absl::Status ValidMoney(const zhongtai::type::v1::Money& money, const std::string& field);
// The buyer's tier and time of a BatchGetSkus, for Pricing::Quote.
MemberTier TierFromProto(v1::MemberTier tier);
std::optional<absl::Time> QuoteTimeOf(const v1::BatchGetSkusRequest& request);
// The cost price of a new SKU, when given (INVALID_ARGUMENT INVALID_CURRENCY / PRICE_NEGATIVE on field.costPrice).
absl::StatusOr<std::optional<Money>> CostPriceFromProto(const v1::NewSku& sku, const std::string& field);
// Product matrix (api/matrix_api.cc)
v1::ProductRole ProductRoleToProto(ProductRole role);
// Warehouses and stock (api/inventory_api.cc)
void ToProto(const Warehouse& warehouse, v1::Warehouse* out);
void ToProto(const StockLevel& level, v1::StockLevel* out);
ShippingRegion FromProto(const v1::ShippingRegion& region);
void ToProto(const ShippingRegion& region, v1::ShippingRegion* out);
// The reservation's allocations and region onto its message (called by ToProto(Reservation)).
void AddStockFields(const Reservation& reservation, v1::Reservation* out);

}  // namespace zhongtai::product
