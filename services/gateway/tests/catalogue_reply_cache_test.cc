// The gateway's listing answers: kept for their TTL, never served after a change was heard or while changes may go
// unheard, and an answer asked before a change is not kept after it.
#include "services/gateway/catalogue_reply_cache.h"

#include <catch2/catch.hpp>

namespace zhongtai::gateway {
namespace {

constexpr char kList[] = "/zhongtai.product.v1.ProductService/ListProducts";

HttpResponse Answer(const std::string& body, int status = 200) {
  HttpResponse response;
  response.status = status;
  response.body = body;
  return response;
}

TEST_CASE("catalogue replies: kept for their TTL, dropped on a change, never kept from before a change") {
  absl::Time now = absl::FromUnixSeconds(1000);
  CatalogueReplyCache cache({kList}, absl::Seconds(2), 2048, [&] { return now; });
  CHECK(cache.Caches(kList));
  CHECK_FALSE(cache.Caches("/zhongtai.product.v1.ProductService/GetProduct"));

  // Not yet subscribed: nothing kept.
  cache.Put("a", cache.generation(), Answer("page a"));
  CHECK_FALSE(cache.Get("a").has_value());
  cache.SetLive(true);

  cache.Put("a", cache.generation(), Answer("page a"));
  REQUIRE(cache.Get("a").has_value());
  CHECK(cache.Get("a")->body == "page a");
  CHECK_FALSE(cache.Get("b").has_value());
  // Errors are never kept.
  cache.Put("b", cache.generation(), Answer("{}", 503));
  CHECK_FALSE(cache.Get("b").has_value());

  // Past the TTL: asked again.
  now += absl::Seconds(2);
  CHECK_FALSE(cache.Get("a").has_value());
  cache.Put("a", cache.generation(), Answer("page a2"));
  CHECK(cache.Get("a")->body == "page a2");

  // A change (a price, stock, a publish): gone at once.
  cache.Invalidate();
  CHECK_FALSE(cache.Get("a").has_value());

  // Asked before a change, answered after it: not kept (it may show the catalogue before the change).
  uint64_t asked = cache.generation();
  cache.Invalidate();
  cache.Put("a", asked, Answer("page a, stale"));
  CHECK_FALSE(cache.Get("a").has_value());

  // The subscription lost: nothing served, and what was kept is gone when it comes back.
  cache.Put("a", cache.generation(), Answer("page a3"));
  REQUIRE(cache.Get("a").has_value());
  cache.SetLive(false);
  CHECK_FALSE(cache.Get("a").has_value());
  cache.SetLive(true);
  CHECK_FALSE(cache.Get("a").has_value());
  CHECK(cache.hits() > 0);
}

TEST_CASE("catalogue replies: hits, misses, invalidations and subscription resets are counted for the metrics") {
  absl::Time now = absl::FromUnixSeconds(1000);
  CatalogueReplyCache cache({kList}, absl::Seconds(2), 2048, [&] { return now; });
  // Not live yet: every request goes upstream, a miss.
  CHECK_FALSE(cache.Get("a").has_value());
  CHECK(cache.misses() == 1);
  cache.SetLive(true);
  CHECK(cache.subscription_resets() == 1);
  CHECK_FALSE(cache.Get("a").has_value());
  cache.Put("a", cache.generation(), Answer("page a"));
  CHECK(cache.size() == 1);
  CHECK(cache.Get("a").has_value());
  CHECK(cache.Get("a").has_value());
  CHECK(cache.hits() == 2);
  CHECK(cache.misses() == 2);
  cache.Invalidate();
  CHECK(cache.invalidations() == 1);
  CHECK(cache.size() == 0);
  CHECK_FALSE(cache.Get("a").has_value());
  CHECK(cache.misses() == 3);
  cache.SetLive(false);
  CHECK(cache.subscription_resets() == 2);
  CHECK(cache.invalidations() == 1);
}

TEST_CASE("catalogue replies: a TTL of zero keeps nothing") {
  CatalogueReplyCache cache({kList}, absl::ZeroDuration());
  CHECK_FALSE(cache.Caches(kList));
}

}  // namespace
}  // namespace zhongtai::gateway
