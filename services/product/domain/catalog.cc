#include "services/product/domain/catalog.h"

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/status/status.h"
#include "services/product/domain/cost_price.h"
#include "services/product/domain/listing_fields.h"
#include "services/product/domain/product_lifecycle.h"
#include "services/product/domain/sales_attributes.h"

namespace zhongtai::product {
namespace {

int ClampPageSize(int requested, int fallback, int max) {
  if (requested <= 0) return fallback;
  return std::min(requested, max);
}

}  // namespace

std::string SpecFromAttributes(const std::map<std::string, std::string>& attributes) {
  std::vector<std::string> values;
  for (const auto& [key, value] : attributes) values.push_back(value);
  return absl::StrJoin(values, " / ");
}

Catalog::Catalog(ProductStore& store, Clock& clock, IdGenerator& ids, ProductCache* cache)
    : store_(store), clock_(clock), ids_(ids), cache_(cache) {}

absl::StatusOr<Category> Catalog::CreateCategory(const std::string& name, const std::string& parent_id,
                                                 const std::string& request_id) {
  Category category;
  category.category_id = ids_.NewCategoryId();
  category.name = name;
  category.parent_id = parent_id;
  category.created_at = clock_.Now();
  return store_.CreateCategory(category, request_id);
}

absl::StatusOr<CategoryPage> Catalog::ListCategories(int page_size, const std::string& page_token) {
  int size = ClampPageSize(page_size, kDefaultCategoryPageSize, kMaxCategoryPageSize);
  std::string after;
  if (!page_token.empty()) {
    ASSIGN_OR_RETURN(after, DecodePageToken("c", page_token));
  }
  ASSIGN_OR_RETURN(std::vector<Category> categories, store_.ListCategories(after, size + 1));
  CategoryPage page;
  if (static_cast<int>(categories.size()) > size) {
    categories.resize(size);
    page.next_page_token = EncodePageToken("c", categories.back().category_id);
  }
  page.categories = std::move(categories);
  return page;
}

absl::StatusOr<Product> Catalog::CreateProduct(const NewProduct& request) {
  // Catalogue: images, sales attributes and the SKUs' combinations; SKUs generated from the attributes when none
  // are given.
  RETURN_IF_ERROR(ValidateImages(request.images));
  RETURN_IF_ERROR(ValidateSalesAttributes(request.sales_attributes));
  std::vector<AttributeValues> given;
  for (const NewSku& in : request.skus) given.push_back(in.attributes);
  RETURN_IF_ERROR(CheckSkuCombinations(request.sales_attributes, given, "skus"));
  Product product;
  product.product_id = ids_.NewProductId();
  std::vector<NewSku> skus = request.skus;
  if (skus.empty()) {
    ASSIGN_OR_RETURN(std::vector<AttributeValues> combinations, AllCombinations(request.sales_attributes));
    if (combinations.empty()) {
      return InvalidArgument("skus", "FIELD_REQUIRED", "give skus, or sales attributes to generate them from");
    }
    std::string prefix = request.sku_code_prefix.empty() ? product.product_id : request.sku_code_prefix;
    for (size_t i = 0; i < combinations.size(); ++i) {
      NewSku sku;
      sku.sku_code = absl::StrCat(prefix, "-", i + 1);
      sku.attributes = std::move(combinations[i]);
      sku.price = request.default_price;
      skus.push_back(std::move(sku));
    }
  }
  product.title = request.title;
  product.description = request.description;
  product.category_id = request.category_id;
  product.subtitle = request.subtitle;
  product.brand_id = request.brand_id;
  product.images = request.images;
  product.sales_attributes = request.sales_attributes;
  product.status = ProductStatus::kDraft;
  product.version = 1;
  product.created_at = product.updated_at = clock_.Now();
  std::vector<InitialStock> stock;
  for (size_t i = 0; i < skus.size(); ++i) {
    const NewSku& in = skus[i];
    RETURN_IF_ERROR(ValidateCostPrice(in.cost_price, in.price, absl::StrCat("skus[", i, "].costPrice")));
    RETURN_IF_ERROR(ValidateSkuWeight(in.weight_grams, absl::StrCat("skus[", i, "].weightGrams")));
    Sku sku;
    sku.sku_id = ids_.NewSkuId();
    sku.product_id = product.product_id;
    sku.sku_code = in.sku_code;
    sku.spec = in.spec.empty() ? SpecFromAttributes(in.attributes) : in.spec;
    sku.attributes = in.attributes;
    sku.price = in.price;
    sku.cost_price = in.cost_price;
    sku.weight_grams = in.weight_grams;
    sku.fragile = in.fragile;
    sku.available = in.initial_stock;
    sku.product_title = product.title;
    sku.product_status = product.status;
    // A row even for zero stock, so that the SKU shows in its warehouse.
    stock.push_back({sku.sku_id, in.warehouse_id.empty() ? kDefaultWarehouse : in.warehouse_id, in.initial_stock});
    product.skus.push_back(std::move(sku));
  }
  return store_.CreateProduct(product, stock, request.request_id, product.created_at);
}

absl::StatusOr<Product> Catalog::GetProduct(const std::string& product_id) {
  if (std::optional<Product> cached = CachedProduct(product_id)) return std::move(*cached);
  ASSIGN_OR_RETURN(Product product, store_.GetProduct(product_id));
  if (cache_ != nullptr) cache_->Put(product);
  // Shoppers see published products only; any other answers as a missing one.
  std::optional<Product> shown = ShopperView(std::move(product));
  if (!shown) return NotFound("PRODUCT_NOT_FOUND", absl::StrCat("product ", product_id, " does not exist"));
  return std::move(*shown);
}

std::optional<Product> Catalog::CachedProduct(const std::string& product_id) {
  if (cache_ == nullptr) return std::nullopt;
  std::optional<Product> cached = cache_->Get(product_id);
  return cached ? ShopperView(std::move(*cached)) : std::nullopt;
}

absl::StatusOr<ProductPage> Catalog::ListProducts(int page_size, const std::string& page_token,
                                                  const std::string& category_id, const std::string& q) {
  ProductQuery query;
  int size = ClampPageSize(page_size, kDefaultProductPageSize, kMaxProductPageSize);
  query.page_size = size + 1;
  if (!page_token.empty()) {
    ASSIGN_OR_RETURN(query.after_product_id, DecodePageToken("p", page_token));
  }
  query.category_id = category_id;
  for (absl::string_view word : absl::StrSplit(q, absl::ByAnyChar(" \t\r\n"), absl::SkipEmpty())) {
    query.title_words.emplace_back(word);
  }
  query.published_only = true;
  ASSIGN_OR_RETURN(std::vector<Product> products, store_.ListProducts(query));
  ProductPage page;
  if (static_cast<int>(products.size()) > size) {
    products.resize(size);
    page.next_page_token = EncodePageToken("p", products.back().product_id);
  }
  for (Product& product : products) {
    if (std::optional<Product> shown = ShopperView(std::move(product))) page.products.push_back(std::move(*shown));
  }
  return page;
}

}  // namespace zhongtai::product
