// The answers of public catalogue reads (GET /v1/products: listing and search) kept by the gateway itself, keyed by the
// upstream method and the exact request, so that a hot listing page costs no upstream call at all. Correctness does
// not rest on the TTL: every change the product service hears (a product published or unpublished, a price, a product
// going in or out of stock: PostgreSQL's zt_catalogue_changed notifications, migration 0004) it publishes on the
// Redis channel redis::kCatalogueChangedChannel, the gateway's CatalogueChangeSubscriber hears it and calls Invalidate,
// after which no older answer is served. An answer is stored under the generation read before the upstream was called,
// so one computed before a change the gateway already heard is never kept. While the subscription is down (start-up, a
// lost Redis connection) nothing is served or stored. The TTL bounds what notifications do not cover: the stock
// counts shown in a page (as the product service's own listing cache does) and, with several product replicas, a
// replica that answered before it heard a change the gateway heard from another.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "services/gateway/http_response.h"

namespace zhongtai::gateway {

class CatalogueReplyCache {
 public:
  // `methods`: the full gRPC method names ("/pkg.Service/Method") whose answers are kept; ttl zero disables.
  CatalogueReplyCache(
      std::set<std::string> methods, absl::Duration ttl, size_t max_entries = 2048,
      std::function<absl::Time()> now = [] { return absl::Now(); });

  bool Caches(const std::string& method) const { return ttl_ > absl::ZeroDuration() && methods_.count(method) > 0; }
  // To read before calling the upstream; its answer is then stored under it.
  uint64_t generation() const { return generation_.load(); }
  std::optional<HttpResponse> Get(const std::string& key);
  // Dropped unless the answer is a 200 and the generation is still `generation`.
  void Put(const std::string& key, uint64_t generation, const HttpResponse& response);
  // The catalogue changed: every answer is stale.
  void Invalidate();
  // false: changes may go unheard, so nothing is served or stored; true again starts from an empty cache.
  void SetLive(bool live);

  bool live() const { return live_.load(); }
  // Since start, for the metrics (zt_gateway_listing_cache_*): answers served from memory; cacheable requests that
  // went upstream (nothing kept for them, expired, or the subscription down); catalogue changes heard (each dropped
  // everything kept); and the subscription going down or coming back (each dropped everything kept too).
  int64_t hits() const { return hits_.load(); }
  int64_t misses() const { return misses_.load(); }
  int64_t invalidations() const { return invalidations_.load(); }
  int64_t subscription_resets() const { return subscription_resets_.load(); }
  size_t size() const;

 private:
  struct Entry {
    std::shared_ptr<const HttpResponse> response;
    uint64_t generation = 0;
    absl::Time expires_at;
  };

  const std::set<std::string> methods_;
  const absl::Duration ttl_;
  const size_t max_entries_;
  const std::function<absl::Time()> now_;
  std::atomic<uint64_t> generation_{1};
  std::atomic<bool> live_{false};
  mutable std::mutex mu_;
  std::map<std::string, Entry> entries_;
  std::atomic<int64_t> hits_{0};
  std::atomic<int64_t> misses_{0};
  std::atomic<int64_t> invalidations_{0};
  std::atomic<int64_t> subscription_resets_{0};
};

}  // namespace zhongtai::gateway
