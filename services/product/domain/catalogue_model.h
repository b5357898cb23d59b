// The catalogue's data beyond categories and SKUs: brands, sales attributes, the product lifecycle.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace zhongtai::product {

struct Brand {
  std::string brand_id;
  std::string name;
  std::string logo_url;
  std::string description;
  absl::Time created_at;
  absl::Time updated_at;
};

// The fields of a brand to change; nullopt leaves one as it is.
struct BrandChange {
  std::optional<std::string> name;
  std::optional<std::string> logo_url;
  std::optional<std::string> description;
};

struct BrandPage {
  std::vector<Brand> brands;
  std::string next_page_token;
};

// A sales attribute (规格) an SPU declares, e.g. {"颜色", {"黑", "白"}}; its SKUs are combinations of values.
struct SalesAttribute {
  std::string name;
  std::vector<std::string> values;
  bool operator==(const SalesAttribute& o) const { return name == o.name && values == o.values; }
};

// draft -> published (on shelf) <-> unpublished (off shelf) -> archived. Only published products are shown to
// shoppers or sold.
enum class ProductStatus { kDraft, kPublished, kUnpublished, kArchived };
const char* ProductStatusName(ProductStatus status);  // "draft", "published", "unpublished", "archived"
bool ParseProductStatus(const std::string& name, ProductStatus* out);

// Member tiers as the user center defines them.
enum class MemberTier { kNormal, kSilver, kGold, kDiamond };
const char* MemberTierName(MemberTier tier);  // "normal", "silver", "gold", "diamond"

// A price a SKU sells at instead of its list price (same currency): for one tier (tier set) and/or during a window
// [valid_from, valid_to). A member price has a tier and no window; a scheduled price has a window.
struct PriceRule {
  std::string label;  // names the rule in quotes, e.g. "weekend"
  std::optional<MemberTier> tier;
  int64_t amount_minor = 0;
  absl::Time valid_from = absl::InfinitePast();
  absl::Time valid_to = absl::InfiniteFuture();
  std::string currency;  // the SKU's list price currency (the store refuses another)
  bool has_window() const { return valid_from != absl::InfinitePast() || valid_to != absl::InfiniteFuture(); }
};

struct ProductTransition {
  ProductStatus from = ProductStatus::kDraft;
  ProductStatus to = ProductStatus::kDraft;
  int64_t version = 0;  // the product's version after the change
  absl::Time at;
};

// What changed in one product edit, for the outbox (the store turns each into its protobuf event).
struct ProductEvent {
  enum class Type { kUpdated, kPriceChanged, kPublished, kUnpublished, kArchived, kPriceRulesChanged };
  Type type = Type::kUpdated;
  std::string product_id;
  int64_t version = 0;                      // the product's version after the change
  std::vector<std::string> changed_fields;  // kUpdated: e.g. "title", "skus"
  std::string sku_id;                       // kPriceChanged, kPriceRulesChanged
  std::string currency;                     // kPriceChanged
  int64_t old_amount_minor = 0;
  int64_t new_amount_minor = 0;
  absl::Time at;
};

}  // namespace zhongtai::product
