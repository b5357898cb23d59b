// Search and listing pages as recently answered, in memory, so that a hot listing costs no database query.
// Correctness does not rest on a TTL: every commit that changes what a listing shows (a product's text, status,
// category or brand, a SKU's price, a product going in or out of stock) makes PostgreSQL notify every replica
// (migration 0004, store/pg_catalogue_change_listener), and a notification moves the generation on, after which no
// older entry is served. A page is stored under the generation read before the store was asked, so a page computed
// from a snapshot older than a change that was already notified is never stored as current. While the listener is
// not connected (start-up, a lost connection) nothing is served or stored. The TTL only bounds what the
// notifications do not cover: the stock counts of SKUs shown in a page (like the product page cache) and sales
// counts behind the sales order.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "common/clock/clock.h"
#include "services/product/domain/search_model.h"

namespace zhongtai::product {

class ListingCache {
 public:
  // ttl zero disables the cache. Starts not live: SetLive(true) once changes are being heard.
  ListingCache(Clock& clock, absl::Duration ttl, size_t max_entries = 5000);

  // To read before asking the store; the answer is then stored under it.
  uint64_t generation() const { return generation_.load(); }
  std::optional<SearchResult> Get(const std::string& key);
  // Dropped when the generation moved on since `generation` was read.
  void Put(const std::string& key, uint64_t generation, const SearchResult& result);
  // The catalogue changed: every entry is stale.
  void Invalidate();
  // false: changes may go unheard, so nothing is served or stored; true again starts from an empty cache.
  void SetLive(bool live);

  bool enabled() const { return ttl_ > absl::ZeroDuration(); }
  bool live() const { return live_.load(); }
  int64_t hits() const { return hits_.load(); }
  int64_t misses() const { return misses_.load(); }

 private:
  struct Entry {
    SearchResult result;
    uint64_t generation = 0;
    absl::Time expires_at;
  };

  Clock& clock_;
  const absl::Duration ttl_;
  const size_t max_entries_;
  std::atomic<uint64_t> generation_{1};
  std::atomic<bool> live_{false};
  std::mutex mu_;
  std::map<std::string, Entry> entries_;
  std::atomic<int64_t> hits_{0};
  std::atomic<int64_t> misses_{0};
};

}  // namespace zhongtai::product
