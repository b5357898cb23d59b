#include "services/product/domain/listing_cache.h"

namespace zhongtai::product {

ListingCache::ListingCache(Clock& clock, absl::Duration ttl, size_t max_entries)
    : clock_(clock), ttl_(ttl), max_entries_(max_entries) {}

std::optional<SearchResult> ListingCache::Get(const std::string& key) {
  if (!enabled() || !live()) return std::nullopt;
  absl::Time now = clock_.Now();
  uint64_t current = generation();
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end() || it->second.generation != current || it->second.expires_at <= now) {
    ++misses_;
    return std::nullopt;
  }
  ++hits_;
  return it->second.result;
}

void ListingCache::Put(const std::string& key, uint64_t generation, const SearchResult& result) {
  if (!enabled() || !live()) return;
  absl::Time expires_at = clock_.Now() + ttl_;
  std::lock_guard<std::mutex> lock(mu_);
  // Checked under the lock that Invalidate takes too: an entry is never stored after the clear of its generation.
  if (generation != generation_.load()) return;
  if (entries_.size() >= max_entries_) entries_.clear();  // starts over rather than tracking recency
  entries_[key] = Entry{result, generation, expires_at};
}

void ListingCache::Invalidate() {
  std::lock_guard<std::mutex> lock(mu_);
  ++generation_;
  entries_.clear();
}

void ListingCache::SetLive(bool live) {
  std::lock_guard<std::mutex> lock(mu_);
  ++generation_;
  entries_.clear();
  live_ = live;
}

}  // namespace zhongtai::product
