#include "services/gateway/catalogue_reply_cache.h"

#include <utility>

namespace zhongtai::gateway {

CatalogueReplyCache::CatalogueReplyCache(std::set<std::string> methods, absl::Duration ttl, size_t max_entries,
                                         std::function<absl::Time()> now)
    : methods_(std::move(methods)), ttl_(ttl), max_entries_(max_entries), now_(std::move(now)) {}

std::optional<HttpResponse> CatalogueReplyCache::Get(const std::string& key) {
  if (!live()) return std::nullopt;
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
  std::lock_guard<std::mutex> lock(mu_);
  // Checked under the lock that Invalidate takes too: an answer is never stored after the clear of its generation.
  if (generation != generation_.load()) return;
  if (entries_.size() >= max_entries_ && entries_.count(key) == 0) entries_.clear();  // starts over
  entries_[key] = Entry{std::move(stored), generation, expires_at};
}

void CatalogueReplyCache::Invalidate() {
  std::lock_guard<std::mutex> lock(mu_);
  ++generation_;
  entries_.clear();
}

void CatalogueReplyCache::SetLive(bool live) {
  std::lock_guard<std::mutex> lock(mu_);
  ++generation_;
  entries_.clear();
  live_ = live;
}

}  // namespace zhongtai::gateway
