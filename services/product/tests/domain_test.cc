#include <catch2/catch.hpp>
#include <set>

#include "common/status/status.h"
#include "services/product/domain/catalog.h"
#include "services/product/domain/ids.h"
#include "services/product/domain/inventory.h"
#include "services/product/domain/product_editor.h"
#include "services/product/domain/rules.h"
#include "services/product/domain/settlement.h"
#include "services/product/tests/in_memory_store.h"

namespace zhongtai::product {
namespace {

class SequenceIds : public IdGenerator {
 public:
  std::string NewCategoryId() override { return Next("cat_"); }
  std::string NewProductId() override { return Next("prd_"); }
  std::string NewSkuId() override { return Next("sku_"); }
  std::string NewBrandId() override { return Next("brd_"); }

 private:
  std::string Next(const std::string& prefix) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%06d", ++n_);
    return prefix + buf;
  }
  int n_ = 0;
};

struct Fixture {
  InMemoryProductStore store;
  FakeClock clock;
  SequenceIds ids;
  CountingObserver observer;
  Catalog catalog{store, clock, ids};
  Inventory inventory{store, clock, observer};
  ListingCompliance compliance{store, clock};
  ProductEditor editor{store, compliance, clock, ids};
  std::string category_id;

  Fixture() { category_id = catalog.CreateCategory("Phones", "", "").value().category_id; }

  // A product with one SKU per (code, stock) pair; returns the SKU ids.
  std::vector<std::string> AddProduct(const std::string& title, std::vector<std::pair<std::string, int64_t>> skus) {
    NewProduct request;
    request.title = title;
    request.category_id = category_id;
    for (const auto& [code, stock] : skus) {
      NewSku sku;
      sku.sku_code = code;
      sku.price = {"CNY", 1999};
      sku.initial_stock = stock;
      request.skus.push_back(sku);
    }
    Product product = catalog.CreateProduct(request).value();
    REQUIRE(editor.ChangeStatus(product.product_id, LifecycleAction::kPublish, 0).ok());
    std::vector<std::string> out;
    for (const auto& sku : product.skus) out.push_back(sku.sku_id);
    return out;
  }
};

TEST_CASE("a reservation holds every line or none", "[reserve]") {
  Fixture f;
  auto skus = f.AddProduct("Phone", {{"A", 5}, {"B", 1}});

  auto short_one = f.inventory.Reserve("o1", {{skus[0], 2}, {skus[1], 2}}, absl::Minutes(5));
  REQUIRE(short_one.status().code() == absl::StatusCode::kFailedPrecondition);
  CHECK(ReasonOf(short_one.status()) == "INSUFFICIENT_STOCK");
  CHECK(std::string(short_one.status().message()).find(skus[1]) != std::string::npos);
  CHECK(f.store.Available(skus[0]) == 5);
  CHECK(f.store.Available(skus[1]) == 1);
  CHECK(f.observer.Count("insufficient") == 1);

  auto unknown = f.inventory.Reserve("o2", {{skus[0], 1}, {"sku_nope", 1}}, absl::Minutes(5));
  CHECK(unknown.status().code() == absl::StatusCode::kNotFound);
  CHECK(ReasonOf(unknown.status()) == "SKU_NOT_FOUND");
  CHECK(f.store.Available(skus[0]) == 5);

  auto ok = f.inventory.Reserve("o3", {{skus[0], 2}, {skus[1], 1}, {skus[0], 3}}, absl::Minutes(5));
  REQUIRE(ok.ok());
  CHECK(ok->status == ReservationStatus::kHeld);
  REQUIRE(ok->lines.size() == 2);  // repeated SKUs merged
  CHECK(ok->lines[0].quantity == 5);
  CHECK(f.store.Available(skus[0]) == 0);
  CHECK(f.store.Available(skus[1]) == 0);
  CHECK(f.store.Level(skus[0], kDefaultWarehouse).on_hand == 5);
  CHECK(f.observer.Count("reserved") == 1);
}

TEST_CASE("the same order id never reserves twice", "[reserve]") {
  Fixture f;
  auto skus = f.AddProduct("Phone", {{"A", 10}});
  auto first = f.inventory.Reserve("o1", {{skus[0], 3}}, absl::Minutes(5));
  REQUIRE(first.ok());
  f.clock.Advance(absl::Seconds(10));
  auto again = f.inventory.Reserve("o1", {{skus[0], 3}}, absl::Minutes(5));
  REQUIRE(again.ok());
  CHECK(again->expires_at == first->expires_at);
  CHECK(f.store.Available(skus[0]) == 7);
  CHECK(f.observer.Count("reserved") == 1);

  auto different = f.inventory.Reserve("o1", {{skus[0], 4}}, absl::Minutes(5));
  CHECK(ReasonOf(different.status()) == "RESERVATION_MISMATCH");
  CHECK(f.store.Available(skus[0]) == 7);

  // Even after release, a repeat returns the released reservation instead of holding again.
  REQUIRE(f.inventory.Release("o1").ok());
  auto after_release = f.inventory.Reserve("o1", {{skus[0], 3}}, absl::Minutes(5));
  REQUIRE(after_release.ok());
  CHECK(after_release->status == ReservationStatus::kReleased);
  CHECK(f.store.Available(skus[0]) == 10);
}

TEST_CASE("confirm sells the held stock, idempotently", "[confirm]") {
  Fixture f;
  auto skus = f.AddProduct("Phone", {{"A", 10}});
  REQUIRE(f.inventory.Reserve("o1", {{skus[0], 4}}, absl::Minutes(5)).ok());
  auto confirmed = f.inventory.Confirm("o1");
  REQUIRE(confirmed.ok());
  CHECK(confirmed->status == ReservationStatus::kConfirmed);
  StockLevel level = f.store.Level(skus[0], kDefaultWarehouse);
  CHECK(level.on_hand == 6);
  CHECK(level.reserved == 0);
  REQUIRE(f.inventory.Confirm("o1").ok());
  CHECK(f.store.Level(skus[0], kDefaultWarehouse).on_hand == 6);
  CHECK(f.observer.Count("confirmed") == 1);

  auto release = f.inventory.Release("o1");
  CHECK(release.status().code() == absl::StatusCode::kFailedPrecondition);
  CHECK(ReasonOf(release.status()) == "RESERVATION_CONFIRMED");
  // Even past the original expiry a confirmed reservation stays sold.
  f.clock.Advance(absl::Hours(1));
  CHECK(f.inventory.SweepExpired().value() == 0);
  CHECK(f.store.Level(skus[0], kDefaultWarehouse).on_hand == 6);
}

TEST_CASE("a sale's reservation settles by quantity: sold units leave, the rest returns, once", "[settle]") {
  Fixture f;
  auto skus = f.AddProduct("Phone", {{"A", 10}});
  REQUIRE(f.inventory.Reserve("fs_1", {{skus[0], 6}}, absl::Minutes(5)).ok());
  CHECK(FieldOf(f.inventory.Settle("fs_1", -1).status()) == "confirmQuantity");
  CHECK(ReasonOf(f.inventory.Settle("fs_1", 7).status()) == "QUANTITY_TOO_LARGE");
  auto settled = f.inventory.Settle("fs_1", 4);
  REQUIRE(settled.ok());
  CHECK(settled->status == ReservationStatus::kConfirmed);
  StockLevel level = f.store.Level(skus[0], kDefaultWarehouse);
  CHECK(level.on_hand == 6);
  CHECK(level.reserved == 0);
  CHECK(f.store.Available(skus[0]) == 6);
  REQUIRE(f.inventory.Settle("fs_1", 4).ok());
  CHECK(f.store.Level(skus[0], kDefaultWarehouse).on_hand == 6);
  CHECK(f.observer.Count("settled") == 1);

  REQUIRE(f.inventory.Reserve("fs_2", {{skus[0], 2}}, absl::Minutes(5)).ok());
  f.clock.Advance(absl::Minutes(6));
  CHECK(ReasonOf(f.inventory.Settle("fs_2", 1).status()) == "RESERVATION_EXPIRED");
}

TEST_CASE("settling splits the sold quantity over the allocations in order", "[settle]") {
  Reservation r;
  r.order_id = "fs_1";
  r.lines = {{"sku_1", 5}};
  r.allocations = {{"sku_1", "wh_a", 2}, {"sku_1", "wh_b", 3}};
  auto moves = SplitSettlement(r, 3);
  REQUIRE(moves.ok());
  REQUIRE(moves->size() == 2);
  CHECK((*moves)[0].confirmed == 2);
  CHECK((*moves)[0].released == 0);
  CHECK((*moves)[1].confirmed == 1);
  CHECK((*moves)[1].released == 2);
  r.lines.push_back({"sku_2", 1});
  CHECK(ReasonOf(SplitSettlement(r, 1).status()) == "RESERVATION_MISMATCH");
}

TEST_CASE("release gives the stock back, idempotently, and confirm then fails", "[release]") {
  Fixture f;
  auto skus = f.AddProduct("Phone", {{"A", 10}});
  REQUIRE(f.inventory.Reserve("o1", {{skus[0], 4}}, absl::Minutes(5)).ok());
  auto released = f.inventory.Release("o1");
  REQUIRE(released.ok());
  CHECK(released->status == ReservationStatus::kReleased);
  CHECK(f.store.Available(skus[0]) == 10);
  REQUIRE(f.inventory.Release("o1").ok());
  CHECK(f.store.Available(skus[0]) == 10);
  CHECK(f.observer.Count("released") == 1);

  auto confirm = f.inventory.Confirm("o1");
  CHECK(confirm.status().code() == absl::StatusCode::kFailedPrecondition);
  CHECK(ReasonOf(confirm.status()) == "RESERVATION_EXPIRED");

  auto missing = f.inventory.Release("nope");
  CHECK(missing.status().code() == absl::StatusCode::kNotFound);
  CHECK(ReasonOf(missing.status()) == "RESERVATION_NOT_FOUND");
}

TEST_CASE("reservations expire at their time limit without sleeping", "[expiry]") {
  Fixture f;
  auto skus = f.AddProduct("Phone", {{"A", 10}});
  REQUIRE(f.inventory.Reserve("o1", {{skus[0], 4}}, absl::Seconds(60)).ok());
  REQUIRE(f.inventory.Reserve("o2", {{skus[0], 1}}, absl::Seconds(600)).ok());

  f.clock.Advance(absl::Seconds(59));
  CHECK(f.inventory.SweepExpired().value() == 0);
  CHECK(f.store.Available(skus[0]) == 5);

  f.clock.Advance(absl::Seconds(1));
  CHECK(f.inventory.SweepExpired().value() == 1);
  CHECK(f.store.Available(skus[0]) == 9);
  CHECK(f.observer.Count("expired") == 1);

  auto confirm = f.inventory.Confirm("o1");
  CHECK(ReasonOf(confirm.status()) == "RESERVATION_EXPIRED");
  auto release = f.inventory.Release("o1");  // releasing an expired one is a no-op
  REQUIRE(release.ok());
  CHECK(release->status == ReservationStatus::kExpired);
  CHECK(f.store.Available(skus[0]) == 9);
}

TEST_CASE("confirm after the expiry but before the sweep expires it", "[expiry]") {
  Fixture f;
  auto skus = f.AddProduct("Phone", {{"A", 10}});
  REQUIRE(f.inventory.Reserve("o1", {{skus[0], 4}}, absl::Seconds(60)).ok());
  f.clock.Advance(absl::Seconds(61));
  auto confirm = f.inventory.Confirm("o1");
  CHECK(ReasonOf(confirm.status()) == "RESERVATION_EXPIRED");
  CHECK(f.store.Available(skus[0]) == 10);
  CHECK(f.store.Level(skus[0], kDefaultWarehouse).on_hand == 10);
  CHECK(f.inventory.SweepExpired().value() == 0);
}

TEST_CASE("ttl defaults when zero and is capped", "[reserve]") {
  Fixture f;
  auto skus = f.AddProduct("Phone", {{"A", 10}});
  auto a = f.inventory.Reserve("o1", {{skus[0], 1}}, absl::ZeroDuration());
  CHECK(a->expires_at - a->created_at == absl::Minutes(15));
  auto b = f.inventory.Reserve("o2", {{skus[0], 1}}, absl::Hours(100));
  CHECK(b->expires_at - b->created_at == absl::Hours(24));
}

TEST_CASE("products page newest first, each exactly once, with filters", "[catalog]") {
  Fixture f;
  std::string shoes = f.catalog.CreateCategory("Shoes", "", "").value().category_id;
  std::string boots = f.catalog.CreateCategory("Boots", shoes, "").value().category_id;
  for (int i = 0; i < 45; ++i) f.AddProduct("Phone " + std::to_string(i), {{"P" + std::to_string(i), 1}});
  NewProduct boot;
  boot.title = "Red Winter Boot";
  boot.category_id = boots;
  boot.skus.push_back({"B1", "", {{"color", "red"}, {"size", "42"}}, {"CNY", 50000}, 3, ""});
  Product made = f.catalog.CreateProduct(boot).value();
  CHECK(made.skus[0].spec == "red / 42");
  REQUIRE(f.editor.ChangeStatus(made.product_id, LifecycleAction::kPublish, 0).ok());

  std::set<std::string> seen;
  std::string token;
  int pages = 0;
  do {
    auto page = f.catalog.ListProducts(0, token, "", "");
    REQUIRE(page.ok());
    CHECK(page->products.size() <= 20);
    for (const auto& p : page->products) CHECK(seen.insert(p.product_id).second);
    token = page->next_page_token;
    ++pages;
  } while (!token.empty());
  CHECK(seen.size() == 46);
  CHECK(pages == 3);

  auto in_shoes = f.catalog.ListProducts(10, "", shoes, "winter red");
  REQUIRE(in_shoes.ok());
  REQUIRE(in_shoes->products.size() == 1);
  CHECK(in_shoes->products[0].product_id == made.product_id);
  CHECK(f.catalog.ListProducts(10, "", shoes, "blue")->products.empty());

  auto bad = f.catalog.ListProducts(10, "garbage!", "", "");
  CHECK(bad.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(ReasonOf(bad.status()) == "INVALID_PAGE_TOKEN");
}

TEST_CASE("create calls replay by request id", "[catalog]") {
  Fixture f;
  auto a = f.catalog.CreateCategory("Toys", "", "req-1");
  auto b = f.catalog.CreateCategory("Toys", "", "req-1");
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(a->category_id == b->category_id);
  CHECK(ReasonOf(f.catalog.CreateCategory("toys", "", "req-2").status()) == "CATEGORY_EXISTS");
  CHECK(ReasonOf(f.catalog.CreateCategory("Lego", "cat_nope", "").status()) == "CATEGORY_NOT_FOUND");

  NewProduct p;
  p.title = "Kite";
  p.category_id = a->category_id;
  p.request_id = "req-3";
  p.skus.push_back({"K1", "", {}, {"CNY", 100}, 7, ""});
  auto first = f.catalog.CreateProduct(p);
  auto second = f.catalog.CreateProduct(p);
  REQUIRE(first.ok());
  REQUIRE(second.ok());
  CHECK(first->product_id == second->product_id);
  CHECK(f.store.Available(first->skus[0].sku_id) == 7);
  CHECK(second->skus[0].available == 7);
}

TEST_CASE("batch get returns SKUs in request order and fails on an unknown one", "[catalog]") {
  Fixture f;
  auto skus = f.AddProduct("Phone", {{"A", 3}, {"B", 4}});
  auto got = f.inventory.BatchGetSkus({skus[1], skus[0], skus[1]});
  REQUIRE(got.ok());
  REQUIRE(got->size() == 2);
  CHECK((*got)[0].sku_id == skus[1]);
  CHECK((*got)[0].available == 4);
  CHECK((*got)[0].product_title == "Phone");
  CHECK((*got)[0].price.amount_minor == 1999);
  CHECK(ReasonOf(f.inventory.BatchGetSkus({skus[0], "sku_x"}).status()) == "SKU_NOT_FOUND");
}

TEST_CASE("generated ids sort by time", "[ids]") {
  FakeClock clock;
  RandomIdGenerator ids(clock);
  std::string a = ids.NewProductId();
  clock.Advance(absl::Milliseconds(1));
  std::string b = ids.NewProductId();
  CHECK(a.rfind("prd_", 0) == 0);
  CHECK(a.size() == 24);
  CHECK(a < b);
}

}  // namespace
}  // namespace zhongtai::product

namespace zhongtai::product {
namespace {

int64_t AvailableOf(const Product& product, const std::string& sku_id) {
  for (const auto& sku : product.skus) {
    if (sku.sku_id == sku_id) return sku.available;
  }
  return -1;
}

// The fixture's services, reading through a cache.
struct CachedFixture : Fixture {
  ProductCache cache{clock, absl::Seconds(1)};
  Catalog cached_catalog{store, clock, ids, &cache};
  Inventory cached_inventory{store, clock, observer, {}, &cache};
};

TEST_CASE("the product cache serves repeat reads and forgets a product when its stock moves", "[cache]") {
  CachedFixture f;
  auto skus = f.AddProduct("Kettle", {{"K1", 5}});
  std::string product_id = f.inventory.BatchGetSkus({skus[0]}).value()[0].product_id;

  REQUIRE(AvailableOf(f.cached_catalog.GetProduct(product_id).value(), skus[0]) == 5);
  CHECK(f.cache.misses() == 1);
  CHECK(AvailableOf(f.cached_catalog.GetProduct(product_id).value(), skus[0]) == 5);
  CHECK(f.cache.hits() == 1);
  CHECK(f.cache.misses() == 1);

  // This replica's own reservation invalidates at once: the next read shows the new stock.
  REQUIRE(f.cached_inventory.Reserve("o1", {{skus[0], 2}}, absl::Minutes(5)).ok());
  CHECK_FALSE(f.cached_catalog.CachedProduct(product_id).has_value());
  CHECK(AvailableOf(f.cached_catalog.GetProduct(product_id).value(), skus[0]) == 3);
  REQUIRE(f.cached_inventory.Release("o1").ok());
  CHECK(AvailableOf(f.cached_catalog.GetProduct(product_id).value(), skus[0]) == 5);

  // Changes made elsewhere (another replica) show once the entry's TTL has passed.
  REQUIRE(f.inventory.Reserve("o2", {{skus[0], 1}}, absl::Minutes(5)).ok());
  CHECK(AvailableOf(f.cached_catalog.GetProduct(product_id).value(), skus[0]) == 5);
  f.clock.Advance(absl::Seconds(2));
  CHECK(AvailableOf(f.cached_catalog.GetProduct(product_id).value(), skus[0]) == 4);
}

TEST_CASE("a product cache with zero TTL caches nothing", "[cache]") {
  FakeClock clock;
  ProductCache cache(clock, absl::ZeroDuration());
  Product product;
  product.product_id = "p1";
  cache.Put(product);
  CHECK_FALSE(cache.Get("p1").has_value());
}

}  // namespace
}  // namespace zhongtai::product
