// The product center's data: plain structs shared by the domain, the stores and the API mapping.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "services/product/domain/catalogue_model.h"
#include "services/product/domain/warehouses.h"

namespace zhongtai::product {

inline constexpr char kDefaultWarehouse[] = "default";

struct Money {
  std::string currency;
  int64_t amount_minor = 0;
};

struct Category {
  std::string category_id;
  std::string name;
  std::string parent_id;  // empty for a top-level category
  absl::Time created_at;
};

struct Sku {
  std::string sku_id;
  std::string product_id;
  std::string sku_code;
  std::string spec;
  std::map<std::string, std::string> attributes;
  Money price;
  // On hand minus reserved: over all warehouses in product detail; in BatchGetSkus over those a reservation could
  // draw on (Inventory::BatchGetSkus).
  int64_t available = 0;
  std::string product_title;
  // Catalogue
  bool retired = false;  // kept for past orders; neither shown nor sold
  ProductStatus product_status = ProductStatus::kPublished;
  Money list_price;        // with a quote (Pricing::Quote): the list price, while price is what the buyer pays
  std::string price_rule;  // with a quote: "list", "member:gold", "scheduled:weekend"
  // Loaded by ProductStore::GetSkus only (BatchGetSkus): the product's brand (empty: none) and its category path,
  // ids from the root category to the product's own.
  std::string brand_id;
  std::vector<std::string> category_path;
  // Admin reads only (CatalogueStore::GetProductForAdmin and the edits' results); never loaded for shoppers.
  std::optional<Money> cost_price;  // what one unit costs the shop, in the price's currency; nullopt: unknown
  char abc_class = 0;               // 'A', 'B', 'C' from the last classification; 0 before the first
  // Shipping: grams per unit (0: not weighed) and careful handling; the order center's carrier rules read both.
  int64_t weight_grams = 0;
  bool fragile = false;
};

struct Product {
  std::string product_id;
  std::string title;
  std::string description;
  std::string category_id;
  std::vector<Sku> skus;
  absl::Time created_at;
  // Catalogue
  std::string subtitle;
  std::string brand_id;  // empty: no brand
  std::vector<std::string> images;
  std::vector<SalesAttribute> sales_attributes;
  ProductStatus status = ProductStatus::kDraft;
  int64_t version = 1;  // bumped by every change; an edit names the version it read
  absl::Time updated_at;
};

struct NewSku {
  std::string sku_code;
  std::string spec;
  std::map<std::string, std::string> attributes;
  Money price;
  int64_t initial_stock = 0;
  std::string warehouse_id;  // empty: kDefaultWarehouse
  std::optional<Money> cost_price;
  int64_t weight_grams = 0;
  bool fragile = false;
};

struct NewProduct {
  std::string title;
  std::string description;
  std::string category_id;
  std::vector<NewSku> skus;
  std::string request_id;  // empty: not idempotent
  // Catalogue
  std::string subtitle;
  std::string brand_id;
  std::vector<std::string> images;
  std::vector<SalesAttribute> sales_attributes;
  // With sales attributes and no SKUs, one SKU per combination is generated: code "<prefix>-<n>" (prefix
  // defaults to the product id), this price, no stock.
  std::string sku_code_prefix;
  Money default_price;
};

// Stock put in a warehouse when a product is created.
struct InitialStock {
  std::string sku_id;
  std::string warehouse_id;
  int64_t quantity = 0;
};

struct StockLevel {
  std::string sku_id;
  std::string warehouse_id;
  int64_t on_hand = 0;
  int64_t reserved = 0;
  int64_t available() const { return on_hand - reserved; }
};

enum class ReservationStatus { kHeld, kConfirmed, kReleased, kExpired };
const char* ReservationStatusName(ReservationStatus status);

struct ReservationLine {
  std::string sku_id;
  int64_t quantity = 0;
  bool operator==(const ReservationLine& o) const { return sku_id == o.sku_id && quantity == o.quantity; }
};

// Where a reserved quantity of one SKU sits.
struct Allocation {
  std::string sku_id;
  std::string warehouse_id;
  int64_t quantity = 0;
  bool operator==(const Allocation& o) const {
    return sku_id == o.sku_id && warehouse_id == o.warehouse_id && quantity == o.quantity;
  }
};

struct Reservation {
  std::string order_id;
  std::vector<ReservationLine> lines;  // one per SKU, sorted by sku id
  ReservationStatus status = ReservationStatus::kHeld;
  absl::Time created_at;
  absl::Time expires_at;
  // Warehouses and stock: where the order ships (sourcing) and where each line is held, sorted by
  // (sku id, warehouse id); filled by the store.
  ShippingRegion region;
  std::vector<Allocation> allocations;
};

struct ProductQuery {
  int page_size = 20;
  std::string after_product_id;          // keyset cursor: products with a smaller id (older) follow
  std::string category_id;               // with its sub-categories
  std::vector<std::string> title_words;  // all must occur in the title, case-insensitive
  bool published_only = false;           // shoppers' lists
};

struct ProductPage {
  std::vector<Product> products;
  std::string next_page_token;  // empty at the end
};

struct CategoryPage {
  std::vector<Category> categories;
  std::string next_page_token;
};

}  // namespace zhongtai::product
