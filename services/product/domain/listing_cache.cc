#include "services/product/domain/listing_cache.h"

#include <utility>

namespace zhongtai::product {

ListingCache::ListingCache(Clock& clock, absl::Duration ttl, size_t max_entries)
    : clock_(clock), ttl_(ttl), max_entries_(max_entries) {}

ListingCache::Lookup ListingCache::Get(const std::string& key) {
  if (!enabled() || !live()) return {};
  absl::Time now = clock_.Now();
  uint64_t current = generation();
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(key);
  // Past the TTL by more than one TTL more (the stale window): a miss, as is any entry of an older generation.
  if (it == entries_.end() || it->second.generation != current || it->second.expires_at + ttl_ <= now) {
    ++misses_;
    return {};
  }
  Entry& entry = it->second;
  if (entry.expires_at > now) {
    ++hits_;
    return {entry.page, false};
  }
  ++stale_hits_;
  bool refresh = !entry.refreshing;
  entry.refreshing = true;
  return {entry.page, refresh};
}

void ListingCache::Put(const std::string& key, uint64_t generation, ListingPagePtr page) {
  if (!enabled() || !live()) return;
  absl::Time expires_at = clock_.Now() + ttl_;
  std::map<std::string, Entry> dropped;  // destroyed after the lock is released
  std::lock_guard<std::mutex> lock(mu_);
  // Checked under the lock that Invalidate takes too: an entry is never stored after the clear of its generation.
  if (generation != generation_.load()) return;
  if (entries_.size() >= max_entries_ && entries_.count(key) == 0) {
    dropped.swap(entries_);  // starts over rather than tracking recency
  }
  entries_[key] = Entry{std::move(page), generation, expires_at, false};
}

void ListingCache::RefreshAbandoned(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(key);
  if (it != entries_.end()) it->second.refreshing = false;
}

// Clearing swaps the entries out and frees them after the lock is released: freeing thousands of pages (each 20
// products and their bytes) took milliseconds that every lookup of every page waited for.
void ListingCache::Invalidate() {
  std::map<std::string, Entry> dropped;
  std::lock_guard<std::mutex> lock(mu_);
  ++generation_;
  dropped.swap(entries_);
}

void ListingCache::SetLive(bool live) {
  std::map<std::string, Entry> dropped;
  std::lock_guard<std::mutex> lock(mu_);
  ++generation_;
  dropped.swap(entries_);
  live_ = live;
}

}  // namespace zhongtai::product
