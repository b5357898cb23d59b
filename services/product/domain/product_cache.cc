#include "services/product/domain/product_cache.h"

namespace zhongtai::product {

ProductCache::ProductCache(Clock& clock, absl::Duration ttl, size_t max_entries)
    : clock_(clock), ttl_(ttl), max_entries_(max_entries) {}

std::optional<Product> ProductCache::Get(const std::string& product_id) {
  if (!enabled()) return std::nullopt;
  absl::Time now = clock_.Now();
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(product_id);
  if (it == entries_.end() || it->second.expires_at <= now) {
    ++misses_;
    return std::nullopt;
  }
  ++hits_;
  return it->second.product;
}

void ProductCache::Put(const Product& product) {
  if (!enabled()) return;
  absl::Time expires_at = clock_.Now() + ttl_;
  std::lock_guard<std::mutex> lock(mu_);
  EraseLocked(product.product_id);
  // A full cache starts over rather than tracking recency: entries live only a TTL anyway.
  if (entries_.size() >= max_entries_) {
    entries_.clear();
    product_of_sku_.clear();
  }
  for (const Sku& sku : product.skus) product_of_sku_[sku.sku_id] = product.product_id;
  entries_[product.product_id] = Entry{product, expires_at};
}

void ProductCache::InvalidateSkus(const std::vector<std::string>& sku_ids) {
  if (!enabled()) return;
  std::lock_guard<std::mutex> lock(mu_);
  for (const std::string& sku_id : sku_ids) {
    auto it = product_of_sku_.find(sku_id);
    if (it != product_of_sku_.end()) EraseLocked(std::string(it->second));
  }
}

void ProductCache::InvalidateProduct(const std::string& product_id) {
  if (!enabled()) return;
  std::lock_guard<std::mutex> lock(mu_);
  EraseLocked(product_id);
}

void ProductCache::Clear() {
  std::lock_guard<std::mutex> lock(mu_);
  entries_.clear();
  product_of_sku_.clear();
}

void ProductCache::EraseLocked(const std::string& product_id) {
  auto it = entries_.find(product_id);
  if (it == entries_.end()) return;
  for (const Sku& sku : it->second.product.skus) product_of_sku_.erase(sku.sku_id);
  entries_.erase(it);
}

}  // namespace zhongtai::product
