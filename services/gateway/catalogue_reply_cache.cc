#include "services/gateway/catalogue_reply_cache.h"

#include <utility>

namespace zhongtai::gateway {

CatalogueReplyCache::CatalogueReplyCache(std::set<std::string> methods, absl::Duration ttl, size_t max_entries,
                                         std::function<absl::Time()> now)
    : methods_(std::move(methods)), ttl_(ttl), max_entries_(max_entries), now_(std::move(now)) {}

std::optional<HttpResponse> CatalogueReplyCache::Get(const std::string& key) {
  if (!live()) {
    ++misses_;
    return std::nullopt;
  }
  absl::Time now = now_();
  uint64_t current = generation();
  std::shared_ptr<const HttpResponse> found;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = entries_.find(key);
    if (it != entries_.end() && it->second.generation == current && it->second.expires_at > now) {
      found = it->second.response;
    }
  }
  if (found == nullptr) {
    ++misses_;
    return std::nullopt;
  }
  ++hits_;
  return *found;  // copied outside the lock
}

void CatalogueReplyCache::Put(const std::string& key, uint64_t generation, const HttpResponse& response) {
  if (!live() || response.status != 200) return;
  absl::Time expires_at = now_() + ttl_;
  auto stored = std::make_shared<const HttpResponse>(response);
  std::map<std::string, Entry> dropped;  // freed after the lock is released (declared first: destroyed last)
  std::lock_guard<std::mutex> lock(mu_);
  // Checked under the lock that Invalidate takes too: an answer is never stored after the clear of its generation.
  if (generation != generation_.load()) return;
  if (entries_.size() >= max_entries_ && entries_.count(key) == 0) dropped.swap(entries_);  // starts over
  entries_[key] = Entry{std::move(stored), generation, expires_at};
}

// Clearing swaps the answers out and frees them after the lock is released: up to 2,048 answers of tens of KB each,
// which every request of a cached route would otherwise wait for.
void CatalogueReplyCache::Invalidate() {
  std::map<std::string, Entry> dropped;
  std::lock_guard<std::mutex> lock(mu_);
  ++generation_;
  ++invalidations_;
  dropped.swap(entries_);
}

void CatalogueReplyCache::SetLive(bool live) {
  std::map<std::string, Entry> dropped;
  std::lock_guard<std::mutex> lock(mu_);
  ++generation_;
  ++subscription_resets_;
  dropped.swap(entries_);
  live_ = live;
}

size_t CatalogueReplyCache::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return entries_.size();
}

}  // namespace zhongtai::gateway
