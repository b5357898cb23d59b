// The catalogue's domain rules over the in-memory store: sales attributes, the lifecycle and what shoppers see,
// publishing under the Advertising Law, optimistic edits (with real threads), the category tree and brands.
#include <atomic>
#include <catch2/catch.hpp>
#include <thread>

#include "common/status/details.h"
#include "common/status/status.h"
#include "services/product/domain/brands.h"
#include "services/product/domain/catalog.h"
#include "services/product/domain/category_tree.h"
#include "services/product/domain/ids.h"
#include "services/product/domain/inventory.h"
#include "services/product/domain/product_editor.h"
#include "services/product/domain/sales_attributes.h"
#include "services/product/tests/in_memory_store.h"

namespace zhongtai::product {
namespace {

struct Catalogue {
  InMemoryProductStore store;
  FakeClock clock;
  RandomIdGenerator ids{clock};
  CountingObserver observer;
  ProductCache cache{clock, absl::Seconds(60)};
  Catalog catalog{store, clock, ids, &cache};
  Inventory inventory{store, clock, observer};
  ListingCompliance compliance{store, clock};
  ProductEditor editor{store, compliance, clock, ids, &cache};
  Brands brands{store, clock, ids};
  CategoryTree tree{store};
  std::string category_id;

  Catalogue() {
    category_id = catalog.CreateCategory("Phones", "", "").value().category_id;
    REQUIRE(compliance
                .ReplaceWords({{"最", "superlative", ComplianceSeverity::kWarn},
                               {"最佳", "superlative", ComplianceSeverity::kBlock},
                               {"第一", "ranking", ComplianceSeverity::kBlock}})
                .ok());
  }

  NewProduct Draft(const std::string& title) {
    NewProduct request;
    request.title = title;
    request.category_id = category_id;
    request.sales_attributes = {{"颜色", {"黑", "白"}}, {"容量", {"128G", "256G"}}};
    request.default_price = {"CNY", 399900};
    request.sku_code_prefix = title;
    return request;
  }
};

TEST_CASE("SKUs are generated from the sales attributes when none are given", "[catalogue]") {
  Catalogue c;
  Product product = c.catalog.CreateProduct(c.Draft("P1")).value();
  REQUIRE(product.skus.size() == 4);
  CHECK(product.skus[0].attributes == AttributeValues{{"颜色", "黑"}, {"容量", "128G"}});
  CHECK(product.skus[3].attributes == AttributeValues{{"颜色", "白"}, {"容量", "256G"}});
  CHECK(product.skus[0].sku_code == "P1-1");
  CHECK(product.skus[0].price.amount_minor == 399900);
  CHECK(product.status == ProductStatus::kDraft);
  CHECK(product.version == 1);
}

TEST_CASE("a SKU with an undeclared value, a missing attribute or a repeated combination is refused by field",
          "[catalogue]") {
  Catalogue c;
  NewProduct request = c.Draft("P2");
  request.skus = {{"A", "", {{"颜色", "黑"}, {"容量", "128G"}}, {"CNY", 1}, 0, ""},
                  {"B", "", {{"颜色", "红"}, {"容量", "128G"}}, {"CNY", 1}, 0, ""}};
  absl::Status undeclared = c.catalog.CreateProduct(request).status();
  CHECK(ReasonOf(undeclared) == "UNDECLARED_ATTRIBUTE_VALUE");
  CHECK(FieldOf(undeclared) == "skus[1].attributes[颜色]");

  request.skus[1].attributes = {{"颜色", "黑"}};
  CHECK(FieldOf(c.catalog.CreateProduct(request).status()) == "skus[1].attributes[容量]");

  request.skus[1].attributes = {{"颜色", "黑"}, {"容量", "128G"}};
  absl::Status duplicate = c.catalog.CreateProduct(request).status();
  CHECK(ReasonOf(duplicate) == "DUPLICATE_SKU_COMBINATION");
  CHECK(FieldOf(duplicate) == "skus[1].attributes");

  request.skus[1].attributes = {{"颜色", "白"}, {"容量", "128G"}, {"尺码", "L"}};
  CHECK(ReasonOf(c.catalog.CreateProduct(request).status()) == "UNDECLARED_ATTRIBUTE");

  request.skus.clear();
  request.images = {"ftp://x/y.png"};
  CHECK(FieldOf(c.catalog.CreateProduct(request).status()) == "images[0]");
}

TEST_CASE("a shopper never sees or orders a product that is not published", "[catalogue][lifecycle]") {
  Catalogue c;
  Product product = c.catalog.CreateProduct(c.Draft("P3")).value();
  std::string sku = product.skus[0].sku_id;
  auto shopper_sees = [&] {
    bool detail = c.catalog.GetProduct(product.product_id).ok();
    auto page = c.catalog.ListProducts(100, "", "", "");
    bool listed = page.ok() && !page->products.empty();
    bool orderable = c.inventory.BatchGetSkus({sku}).ok();
    CHECK(detail == listed);
    CHECK(listed == orderable);
    return detail;
  };
  CHECK_FALSE(shopper_sees());
  CHECK(ReasonOf(c.catalog.GetProduct(product.product_id).status()) == "PRODUCT_NOT_FOUND");
  CHECK(ReasonOf(c.inventory.BatchGetSkus({sku}).status()) == "SKU_NOT_ON_SALE");

  REQUIRE(c.editor.ChangeStatus(product.product_id, LifecycleAction::kPublish, 1).ok());
  CHECK(shopper_sees());  // and now the cache holds it
  REQUIRE(c.editor.ChangeStatus(product.product_id, LifecycleAction::kUnpublish, 0).ok());
  CHECK_FALSE(shopper_sees());  // the cache forgot it
  REQUIRE(c.editor.ChangeStatus(product.product_id, LifecycleAction::kArchive, 0).ok());
  CHECK_FALSE(shopper_sees());
  CHECK(ReasonOf(c.editor.ChangeStatus(product.product_id, LifecycleAction::kPublish, 0).status()) ==
        "INVALID_PRODUCT_TRANSITION");

  AdminProduct admin = c.editor.Get(product.product_id).value();
  CHECK(admin.product.status == ProductStatus::kArchived);
  CHECK(admin.product.version == 4);
  REQUIRE(admin.history.size() == 3);
  CHECK(admin.history[0].from == ProductStatus::kDraft);
  CHECK(admin.history[0].to == ProductStatus::kPublished);
  CHECK(admin.history[2].to == ProductStatus::kArchived);
  std::vector<ProductEvent> events = c.store.Outbox();
  REQUIRE(events.size() == 3);
  CHECK(events[0].type == ProductEvent::Type::kPublished);
  CHECK(events[1].type == ProductEvent::Type::kUnpublished);
}

TEST_CASE("a retired SKU is neither shown nor sold", "[catalogue][lifecycle]") {
  Catalogue c;
  Product product = c.catalog.CreateProduct(c.Draft("P4")).value();
  REQUIRE(c.editor.ChangeStatus(product.product_id, LifecycleAction::kPublish, 0).ok());
  ProductEdit edit;
  edit.product_id = product.product_id;
  edit.expected_version = 2;
  edit.retire_sku_ids = {product.skus[0].sku_id};
  REQUIRE(c.editor.Update(edit).ok());
  CHECK(c.catalog.GetProduct(product.product_id)->skus.size() == 3);
  CHECK(ReasonOf(c.inventory.BatchGetSkus({product.skus[0].sku_id}).status()) == "SKU_NOT_ON_SALE");
  CHECK(c.inventory.BatchGetSkus({product.skus[1].sku_id}).ok());
}

TEST_CASE("publishing a listing with a forbidden word is refused with every hit, and a warning does not block",
          "[catalogue][compliance]") {
  Catalogue c;
  NewProduct request = c.Draft("P5");
  request.subtitle = "年度最 佳手机";
  request.description = "最近上新";
  Product product = c.catalog.CreateProduct(request).value();
  absl::Status refused = c.editor.ChangeStatus(product.product_id, LifecycleAction::kPublish, 0).status();
  CHECK(refused.code() == absl::StatusCode::kFailedPrecondition);
  CHECK(ReasonOf(refused) == "LISTING_NOT_COMPLIANT");
  CHECK(DetailsOf(refused).find(R"("field":"subtitle","word":"最佳","matched":"最 佳","position":2)") !=
        std::string::npos);
  CHECK(c.editor.Get(product.product_id)->product.status == ProductStatus::kDraft);

  ProductEdit edit;
  edit.product_id = product.product_id;
  edit.expected_version = 1;
  edit.subtitle = "年度好手机";
  REQUIRE(c.editor.Update(edit).ok());
  auto published = c.editor.ChangeStatus(product.product_id, LifecycleAction::kPublish, 0);
  REQUIRE(published.ok());
  REQUIRE(published->compliance.hits.size() == 1);  // 最近: the lone 最 warns
  CHECK(published->compliance.hits[0].field == "description");
  CHECK(published->compliance.hits[0].severity == ComplianceSeverity::kWarn);

  // On the shelf, an edit that brings in a forbidden word is refused too.
  edit.expected_version = 3;
  edit.subtitle = "销量第一";
  CHECK(ReasonOf(c.editor.Update(edit).status()) == "LISTING_NOT_COMPLIANT");
  CHECK(c.catalog.GetProduct(product.product_id)->subtitle == "年度好手机");
}

TEST_CASE("an edit from a stale version is refused and changes nothing", "[catalogue][edit]") {
  Catalogue c;
  Product product = c.catalog.CreateProduct(c.Draft("P6")).value();
  ProductEdit first;
  first.product_id = product.product_id;
  first.expected_version = 1;
  first.title = "new title";
  first.price_changes = {{product.skus[0].sku_id, {"CNY", 299900}}};
  Product saved = c.editor.Update(first).value();
  CHECK(saved.version == 2);
  CHECK(saved.skus[0].price.amount_minor == 299900);

  ProductEdit stale = first;
  stale.title = "lost";
  absl::Status conflict = c.editor.Update(stale).status();
  CHECK(conflict.code() == absl::StatusCode::kAborted);
  CHECK(ReasonOf(conflict) == "VERSION_CONFLICT");
  CHECK(c.editor.Get(product.product_id)->product.title == "new title");

  std::vector<ProductEvent> events = c.store.Outbox();
  REQUIRE(events.size() == 2);
  CHECK(events[0].type == ProductEvent::Type::kUpdated);
  CHECK(events[0].changed_fields == std::vector<std::string>{"title"});
  CHECK(events[1].type == ProductEvent::Type::kPriceChanged);
  CHECK(events[1].old_amount_minor == 399900);
  CHECK(events[1].new_amount_minor == 299900);
  CHECK(events[1].version == 2);
}

TEST_CASE("adding a SKU checks its combination against the declaration and the SKUs on sale", "[catalogue][edit]") {
  Catalogue c;
  NewProduct request = c.Draft("P7");
  request.skus = {{"P7-a", "", {{"颜色", "黑"}, {"容量", "128G"}}, {"CNY", 1}, 0, ""}};
  Product product = c.catalog.CreateProduct(request).value();
  ProductEdit edit;
  edit.product_id = product.product_id;
  edit.expected_version = 1;
  edit.add_skus = {{"P7-b", "", {{"颜色", "黑"}, {"容量", "128G"}}, {"CNY", 1}, 0, ""}};
  absl::Status duplicate = c.editor.Update(edit).status();
  CHECK(ReasonOf(duplicate) == "DUPLICATE_SKU_COMBINATION");
  CHECK(FieldOf(duplicate) == "addSkus[0].attributes");
  edit.add_skus[0].attributes = {{"颜色", "金"}, {"容量", "128G"}};
  CHECK(FieldOf(c.editor.Update(edit).status()) == "addSkus[0].attributes[颜色]");
  edit.add_skus[0].attributes = {{"颜色", "白"}, {"容量", "128G"}};
  Product saved = c.editor.Update(edit).value();
  CHECK(saved.skus.size() == 2);
  CHECK(saved.skus[1].spec == "128G / 白");
}

TEST_CASE("concurrent edits of one product never lose a write", "[catalogue][edit][concurrency]") {
  Catalogue c;
  Product product = c.catalog.CreateProduct(c.Draft("P8")).value();
  constexpr int kThreads = 8;
  std::atomic<int> conflicts{0};
  std::vector<std::thread> threads;
  // Each thread adds its own image, reading the product and retrying on a conflict: every image must be there at
  // the end, which only holds if no edit overwrote another.
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (;;) {
        AdminProduct current = c.editor.Get(product.product_id).value();
        ProductEdit edit;
        edit.product_id = product.product_id;
        edit.expected_version = current.product.version;
        std::vector<std::string> images = current.product.images;
        images.push_back("https://img.example.com/" + std::to_string(t) + ".jpg");
        edit.images = images;
        absl::Status status = c.editor.Update(edit).status();
        if (status.ok()) return;
        REQUIRE(ReasonOf(status) == "VERSION_CONFLICT");
        ++conflicts;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  AdminProduct final_state = c.editor.Get(product.product_id).value();
  CHECK(final_state.product.images.size() == kThreads);
  CHECK(final_state.product.version == 1 + kThreads);
  CHECK(c.store.Outbox().size() == static_cast<size_t>(kThreads));
}

TEST_CASE("a category moves and is renamed, but never under itself or its own subtree", "[catalogue][category]") {
  Catalogue c;
  std::string electronics = c.catalog.CreateCategory("Electronics", "", "").value().category_id;
  std::string phones = c.category_id;
  std::string smart = c.catalog.CreateCategory("Smartphones", phones, "").value().category_id;
  Category moved = c.tree.Update(phones, std::string("Mobile phones"), electronics).value();
  CHECK(moved.parent_id == electronics);
  CHECK(moved.name == "Mobile phones");

  absl::Status cycle = c.tree.Update(electronics, std::nullopt, smart).status();
  CHECK(ReasonOf(cycle) == "CATEGORY_CYCLE");
  CHECK(FieldOf(cycle) == "parentId");
  CHECK(ReasonOf(c.tree.Update(phones, std::nullopt, phones).status()) == "CATEGORY_CYCLE");
  CHECK(ReasonOf(c.tree.Update(phones, std::nullopt, std::string("cat_missing")).status()) == "CATEGORY_NOT_FOUND");
  CHECK(c.tree.Update(smart, std::nullopt, std::string("")).value().parent_id.empty());
}

TEST_CASE("brands: unique names, partial updates, pages, and products name existing ones only", "[catalogue][brand]") {
  Catalogue c;
  Brand huawei = c.brands.Create("Huawei", "https://img.example.com/hw.png", "", "req-1").value();
  CHECK(c.brands.Create("Huawei", "", "", "req-1").value().brand_id == huawei.brand_id);  // replay
  CHECK(ReasonOf(c.brands.Create("HUAWEI", "", "", "").status()) == "BRAND_EXISTS");
  CHECK(FieldOf(c.brands.Create("Mi", "javascript:alert(1)", "", "").status()) == "logoUrl");
  BrandChange change;
  change.description = "华为";
  Brand updated = c.brands.Update(huawei.brand_id, change).value();
  CHECK(updated.name == "Huawei");
  CHECK(updated.description == "华为");
  for (int i = 0; i < 4; ++i) REQUIRE(c.brands.Create("B" + std::to_string(i), "", "", "").ok());
  BrandPage first = c.brands.List(3, "").value();
  CHECK(first.brands.size() == 3);
  BrandPage second = c.brands.List(3, first.next_page_token).value();
  CHECK(second.brands.size() == 2);
  CHECK(second.next_page_token.empty());

  NewProduct request = c.Draft("P9");
  request.brand_id = "brd_missing";
  CHECK(ReasonOf(c.catalog.CreateProduct(request).status()) == "BRAND_NOT_FOUND");
  request.brand_id = huawei.brand_id;
  CHECK(c.catalog.CreateProduct(request).value().brand_id == huawei.brand_id);
}

}  // namespace
}  // namespace zhongtai::product
