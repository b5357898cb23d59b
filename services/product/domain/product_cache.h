// Products as recently read, so that browsing a hot product does not cost a database transaction
// per view. Entries live for a short TTL; this replica's own stock changes invalidate the SKUs'
// products at once, other replicas' changes show after at most the TTL. Only what buyers see is
// cached: reservations always check stock in the database, so a stale page can never oversell.
#pragma once

#include <atomic>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/clock/clock.h"
#include "services/product/domain/model.h"

namespace zhongtai::product {

class ProductCache {
 public:
  // ttl zero disables the cache.
  ProductCache(Clock& clock, absl::Duration ttl, size_t max_entries = 10000);

  std::optional<Product> Get(const std::string& product_id);
  void Put(const Product& product);
  void InvalidateSkus(const std::vector<std::string>& sku_ids);
  // After an edit or a lifecycle change on this replica.
  void InvalidateProduct(const std::string& product_id);
  void Clear();

  bool enabled() const { return ttl_ > absl::ZeroDuration(); }
  int64_t hits() const { return hits_.load(); }
  int64_t misses() const { return misses_.load(); }

 private:
  struct Entry {
    Product product;
    absl::Time expires_at;
  };
  void EraseLocked(const std::string& product_id);

  Clock& clock_;
  const absl::Duration ttl_;
  const size_t max_entries_;
  std::mutex mu_;
  std::map<std::string, Entry> entries_;
  std::map<std::string, std::string> product_of_sku_;
  std::atomic<int64_t> hits_{0};
  std::atomic<int64_t> misses_{0};
};

}  // namespace zhongtai::product
