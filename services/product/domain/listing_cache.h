// Search and listing pages as recently answered, in memory, so that a hot listing costs no database query.
// Correctness does not rest on a TTL: every commit that changes what a listing shows (a product's text, status,
// category or brand, a SKU's price, a product going in or out of stock) makes PostgreSQL notify every replica
// (migration 0004, store/pg_catalogue_change_listener), and a notification moves the generation on, after which no
// older entry is served. A page is stored under the generation read before the store was asked, so a page computed
// from a snapshot older than a change that was already notified is never stored as current. While the listener is
// not connected (start-up, a lost connection) nothing is served or stored. The TTL only bounds what the
// notifications do not cover: the stock counts of SKUs shown in a page (like the product page cache) and sales
// counts behind the sales order.
//
// Stale while revalidate: an entry past its TTL but still of the current generation is served for one more TTL
// while a single caller refreshes it (Lookup::refresh), so a hot page never sends its callers to the database when
// it expires; the stock counts it shows are then at most two TTLs old. An entry of an older generation is never
// served, stale or not.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "common/clock/clock.h"
#include "services/product/domain/search_model.h"

namespace zhongtai::product {

// A page as it is served: the result and, when the API gave an encoder, its bytes as sent (encoded once, when the
// page is stored, so a hit costs no encoding). Shared, never changed once stored.
struct ListingPage {
  SearchResult result;
  std::string encoded;
};
using ListingPagePtr = std::shared_ptr<const ListingPage>;

class ListingCache {
 public:
  struct Lookup {
    ListingPagePtr page;   // null: a miss
    bool refresh = false;  // the page is past its TTL and this caller is the one to refresh it (others get it stale)
  };

  // ttl zero disables the cache. Starts not live: SetLive(true) once changes are being heard.
  ListingCache(Clock& clock, absl::Duration ttl, size_t max_entries = 5000);

  // To read before asking the store; the answer is then stored under it.
  uint64_t generation() const { return generation_.load(); }
  Lookup Get(const std::string& key);
  // Dropped when the generation moved on since `generation` was read.
  void Put(const std::string& key, uint64_t generation, ListingPagePtr page);
  // The refresh a Lookup asked for did not happen (the store failed, or no worker took it): the next caller of a
  // stale entry is asked again.
  void RefreshAbandoned(const std::string& key);
  // The catalogue changed: every entry is stale.
  void Invalidate();
  // false: changes may go unheard, so nothing is served or stored; true again starts from an empty cache.
  void SetLive(bool live);

  bool enabled() const { return ttl_ > absl::ZeroDuration(); }
  bool live() const { return live_.load(); }
  int64_t hits() const { return hits_.load(); }
  int64_t stale_hits() const { return stale_hits_.load(); }
  int64_t misses() const { return misses_.load(); }

 private:
  struct Entry {
    ListingPagePtr page;
    uint64_t generation = 0;
    absl::Time expires_at;
    bool refreshing = false;
  };

  Clock& clock_;
  const absl::Duration ttl_;
  const size_t max_entries_;
  std::atomic<uint64_t> generation_{1};
  std::atomic<bool> live_{false};
  std::mutex mu_;
  std::map<std::string, Entry> entries_;
  std::atomic<int64_t> hits_{0};
  std::atomic<int64_t> stale_hits_{0};
  std::atomic<int64_t> misses_{0};
};

}  // namespace zhongtai::product
