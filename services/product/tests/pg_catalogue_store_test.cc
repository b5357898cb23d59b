// The catalogue over a real PostgreSQL: the seeded word list and its versions, brands, category moves under the
// table lock, the lifecycle with history and outbox events, and optimistic edits from concurrent threads.
#include <atomic>
#include <catch2/catch.hpp>
#include <thread>

#include "common/status/details.h"
#include "services/product/domain/brands.h"
#include "services/product/domain/catalog.h"
#include "services/product/domain/category_tree.h"
#include "services/product/domain/cost_price.h"
#include "services/product/domain/ids.h"
#include "services/product/domain/inventory.h"
#include "services/product/domain/pricing.h"
#include "services/product/tests/in_memory_store.h"
#include "services/product/tests/pg_fixture.h"

namespace zhongtai::product {
namespace {

NewProduct Phone(const std::string& category_id, const std::string& code) {
  NewProduct request;
  request.title = "华为 Mate 手机 " + code;
  request.category_id = category_id;
  request.sales_attributes = {{"颜色", {"黑", "白"}}, {"容量", {"256G"}}};
  request.default_price = {"CNY", 599900};
  request.sku_code_prefix = code;
  request.images = {"https://img.example.com/" + code + ".jpg"};
  return request;
}

std::vector<std::string> OutboxTypes(PgFixture& f, const std::string& product_id) {
  std::vector<std::string> out;
  REQUIRE(f.pool
              ->Transact([&](pqxx::work& tx) {
                out.clear();
                for (const auto& row :
                     tx.exec_params("SELECT type FROM outbox WHERE key = $1 ORDER BY seq", product_id)) {
                  out.push_back(row[0].as<std::string>());
                }
                return absl::OkStatus();
              })
              .ok());
  return out;
}

TEST_CASE("the migration seeds the Advertising Law list, and a replacement is the next version, in force at once",
          "[pg][catalogue]") {
  PgFixture f;
  ComplianceWordList seeded = f.compliance->Words().value();
  CHECK(seeded.version == 1);
  CHECK(seeded.words.size() > 40);
  ComplianceReport report = f.compliance->Check({{"title", "全网最低价 国家级 品质"}}).value();
  REQUIRE(report.hits.size() == 2);
  CHECK(report.hits[0].word == "全网最低");
  CHECK(report.hits[1].word == "国家级");
  CHECK(report.blocked());

  ComplianceWordList replaced = f.compliance
                                    ->ReplaceWords({{"爆款", "hype", ComplianceSeverity::kWarn},
                                                    {"国家级", "authority", ComplianceSeverity::kBlock}})
                                    .value();
  CHECK(replaced.version == 2);
  ComplianceWordList read = f.compliance->Words().value();
  CHECK(read.version == 2);
  REQUIRE(read.words.size() == 2);
  CHECK(read.words[0].term == "爆款");
  CHECK(read.words[0].severity == ComplianceSeverity::kWarn);
  CHECK(f.compliance->Check({{"title", "全网最低价"}})->hits.empty());
  CHECK(f.compliance->Check({{"title", "今日爆款"}})->hits.size() == 1);
}

TEST_CASE("a product goes draft, published, unpublished, archived in PostgreSQL, visible to shoppers only on the shelf",
          "[pg][catalogue][lifecycle]") {
  PgFixture f;
  Product draft = f.catalog->CreateProduct(Phone(f.category_id, "M1")).value();
  REQUIRE(draft.skus.size() == 2);
  CHECK(draft.status == ProductStatus::kDraft);
  CHECK(draft.sales_attributes.size() == 2);
  CHECK(draft.images.size() == 1);
  std::string sku = draft.skus[0].sku_id;
  CHECK(ReasonOf(f.catalog->GetProduct(draft.product_id).status()) == "PRODUCT_NOT_FOUND");
  CHECK(f.catalog->ListProducts(100, "", "", "Mate")->products.empty());
  CHECK(ReasonOf(f.inventory->BatchGetSkus({sku}).status()) == "SKU_NOT_ON_SALE");

  LifecycleResult published = f.editor->ChangeStatus(draft.product_id, LifecycleAction::kPublish, 1).value();
  CHECK(published.product.version == 2);
  CHECK(f.catalog->GetProduct(draft.product_id).ok());
  CHECK(f.catalog->ListProducts(100, "", "", "Mate")->products.size() == 1);
  CHECK(f.inventory->BatchGetSkus({sku}).ok());

  REQUIRE(f.editor->ChangeStatus(draft.product_id, LifecycleAction::kUnpublish, 0).ok());
  CHECK_FALSE(f.catalog->GetProduct(draft.product_id).ok());
  CHECK(f.catalog->ListProducts(100, "", "", "Mate")->products.empty());
  CHECK(ReasonOf(f.inventory->BatchGetSkus({sku}).status()) == "SKU_NOT_ON_SALE");
  REQUIRE(f.editor->ChangeStatus(draft.product_id, LifecycleAction::kArchive, 0).ok());

  AdminProduct admin = f.editor->Get(draft.product_id).value();
  CHECK(admin.product.status == ProductStatus::kArchived);
  REQUIRE(admin.history.size() == 3);
  CHECK(admin.history[1].from == ProductStatus::kPublished);
  CHECK(admin.history[1].to == ProductStatus::kUnpublished);
  CHECK(admin.history[2].version == 4);
  CHECK(OutboxTypes(f, draft.product_id) == std::vector<std::string>{"zhongtai.product.v1.ProductPublished",
                                                                     "zhongtai.product.v1.ProductUnpublished",
                                                                     "zhongtai.product.v1.ProductArchived"});
}

TEST_CASE("publishing a listing with a seeded forbidden word is refused and leaves the draft", "[pg][catalogue]") {
  PgFixture f;
  NewProduct request = Phone(f.category_id, "M2");
  request.description = "本店销量第一，品质１００％保证";
  Product draft = f.catalog->CreateProduct(request).value();
  absl::Status refused = f.editor->ChangeStatus(draft.product_id, LifecycleAction::kPublish, 0).status();
  CHECK(ReasonOf(refused) == "LISTING_NOT_COMPLIANT");
  CHECK(DetailsOf(refused).find(R"("word":"第一")") != std::string::npos);
  CHECK(DetailsOf(refused).find(R"("matched":"１００％")") != std::string::npos);
  CHECK(f.editor->Get(draft.product_id)->product.status == ProductStatus::kDraft);
  CHECK(OutboxTypes(f, draft.product_id).empty());
}

TEST_CASE("edits in PostgreSQL: stale versions refused, SKUs added and retired, prices changed with events",
          "[pg][catalogue][edit]") {
  PgFixture f;
  Product draft = f.catalog->CreateProduct(Phone(f.category_id, "M3")).value();
  ProductEdit edit;
  edit.product_id = draft.product_id;
  edit.expected_version = 1;
  edit.subtitle = "新品";
  edit.sales_attributes = std::vector<SalesAttribute>{{"颜色", {"黑", "白", "金"}}, {"容量", {"256G"}}};
  edit.add_skus = {{"M3-gold", "", {{"颜色", "金"}, {"容量", "256G"}}, {"CNY", 699900}, 0, ""}};
  edit.retire_sku_ids = {draft.skus[1].sku_id};
  edit.price_changes = {{draft.skus[0].sku_id, {"CNY", 549900}}};
  Product saved = f.editor->Update(edit).value();
  CHECK(saved.version == 2);
  CHECK(saved.subtitle == "新品");
  REQUIRE(saved.skus.size() == 3);
  CHECK(saved.skus[0].price.amount_minor == 549900);
  CHECK(saved.skus[1].retired);
  CHECK(saved.skus[2].sku_code == "M3-gold");
  CHECK(saved.skus[2].spec == "256G / 金");
  CHECK(saved.sales_attributes[0].values.size() == 3);
  CHECK(f.Levels(saved.skus[2].sku_id).size() == 1);
  CHECK(OutboxTypes(f, draft.product_id) ==
        std::vector<std::string>{"zhongtai.product.v1.ProductUpdated", "zhongtai.product.v1.PriceChanged"});

  absl::Status stale = f.editor->Update(edit).status();
  CHECK(stale.code() == absl::StatusCode::kAborted);
  CHECK(ReasonOf(stale) == "VERSION_CONFLICT");
  CHECK(f.editor->Get(draft.product_id)->product.version == 2);
}

TEST_CASE("concurrent edits of one product in PostgreSQL never lose a write", "[pg][catalogue][edit][concurrency]") {
  PgFixture f;
  Product draft = f.catalog->CreateProduct(Phone(f.category_id, "M4")).value();
  constexpr int kThreads = 6;
  std::atomic<int> conflicts{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int attempt = 0; attempt < 100; ++attempt) {
        absl::StatusOr<AdminProduct> current = f.editor->Get(draft.product_id);
        if (!current.ok()) continue;
        ProductEdit edit;
        edit.product_id = draft.product_id;
        edit.expected_version = current->product.version;
        std::vector<std::string> images = current->product.images;
        images.push_back("https://img.example.com/t" + std::to_string(t) + ".jpg");
        edit.images = images;
        absl::Status status = f.editor->Update(edit).status();
        if (status.ok()) return;
        if (ReasonOf(status) == "VERSION_CONFLICT") ++conflicts;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  AdminProduct final_state = f.editor->Get(draft.product_id).value();
  CHECK(final_state.product.images.size() == 1 + kThreads);
  CHECK(final_state.product.version == 1 + kThreads);
  CHECK(OutboxTypes(f, draft.product_id).size() == static_cast<size_t>(kThreads));
  UNSCOPED_INFO("conflicts retried: " << conflicts.load());
}

TEST_CASE("categories move and rename in PostgreSQL, never into their own subtree", "[pg][catalogue][category]") {
  PgFixture f;
  CategoryTree tree(*f.store);
  std::string root = f.catalog->CreateCategory("Electronics", "", "").value().category_id;
  std::string child = f.catalog->CreateCategory("Smartphones", f.category_id, "").value().category_id;
  Category moved = tree.Update(f.category_id, std::string("Mobile"), root).value();
  CHECK(moved.parent_id == root);
  CHECK(moved.name == "Mobile");
  CHECK(ReasonOf(tree.Update(root, std::nullopt, child).status()) == "CATEGORY_CYCLE");
  CHECK(ReasonOf(tree.Update(child, std::string("mobile"), root).status()) == "CATEGORY_EXISTS");
  // Products in the moved subtree follow it: listing the new root finds the child's products.
  Product in_child = f.AddProduct("Pixel", {{"PX1", 1}}, child);
  auto listed = f.catalog->ListProducts(10, "", root, "");
  REQUIRE(listed.ok());
  REQUIRE(listed->products.size() == 1);
  CHECK(listed->products[0].product_id == in_child.product_id);
}

TEST_CASE("brands in PostgreSQL: unique names, replays, partial updates", "[pg][catalogue][brand]") {
  PgFixture f;
  Brands brands(*f.store, f.clock, f.ids);
  Brand mi = brands.Create("Xiaomi", "", "", "r1").value();
  CHECK(brands.Create("Xiaomi", "", "", "r1").value().brand_id == mi.brand_id);
  CHECK(ReasonOf(brands.Create("XIAOMI", "", "", "").status()) == "BRAND_EXISTS");
  Brand other = brands.Create("Oppo", "", "", "").value();
  BrandChange rename;
  rename.name = "xiaomi";
  CHECK(ReasonOf(brands.Update(other.brand_id, rename).status()) == "BRAND_EXISTS");
  BrandChange logo;
  logo.logo_url = "https://img.example.com/mi.png";
  Brand updated = brands.Update(mi.brand_id, logo).value();
  CHECK(updated.name == "Xiaomi");
  CHECK(updated.logo_url == "https://img.example.com/mi.png");
  CHECK(brands.List(0, "")->brands.size() == 2);

  NewProduct request = Phone(f.category_id, "M5");
  request.brand_id = mi.brand_id;
  CHECK(f.catalog->CreateProduct(request).value().brand_id == mi.brand_id);
  request.brand_id = "brd_nope";
  request.sku_code_prefix = "M6";
  CHECK(ReasonOf(f.catalog->CreateProduct(request).status()) == "BRAND_NOT_FOUND");
}

TEST_CASE("BatchGetSkus gives each SKU its brand and its category path from the root, in PostgreSQL",
          "[pg][catalogue][brand][category]") {
  PgFixture f;
  Brands brands(*f.store, f.clock, f.ids);
  const std::string mi = brands.Create("Xiaomi", "", "", "").value().brand_id;
  const std::string root = f.catalog->CreateCategory("Electronics", "", "").value().category_id;
  const std::string mid = f.catalog->CreateCategory("Mobile", root, "").value().category_id;
  const std::string leaf = f.catalog->CreateCategory("Smartphones", mid, "").value().category_id;
  Product branded = f.AddProduct("Mi 14", {{"MI14-A", 3}, {"MI14-B", 3}}, leaf);
  REQUIRE(f.pool
              ->Transact([&](pqxx::work& tx) {
                tx.exec_params("UPDATE products SET brand_id = $2 WHERE product_id = $1", branded.product_id, mi);
                return absl::OkStatus();
              })
              .ok());
  Product plain = f.AddProduct("Tea cup", {{"CUP-1", 3}}, root);

  std::vector<Sku> skus =
      f.inventory->BatchGetSkus({branded.skus[1].sku_id, plain.skus[0].sku_id, branded.skus[0].sku_id}).value();
  REQUIRE(skus.size() == 3);
  for (const Sku& sku : skus) {
    INFO(sku.sku_code);
    if (sku.product_id == branded.product_id) {
      CHECK(sku.brand_id == mi);
      CHECK(sku.category_path == std::vector<std::string>{root, mid, leaf});
    } else {
      CHECK(sku.brand_id.empty());
      CHECK(sku.category_path == std::vector<std::string>{root});
    }
  }

  // The path follows a move of the category: it is read from the tree, not copied onto the product.
  CategoryTree tree(*f.store);
  REQUIRE(tree.Update(leaf, std::nullopt, root).ok());
  skus = f.inventory->BatchGetSkus({branded.skus[0].sku_id}).value();
  REQUIRE(skus.size() == 1);
  CHECK(skus[0].category_path == std::vector<std::string>{root, leaf});
}

TEST_CASE("price rules in PostgreSQL: open and closed windows survive the round trip, BatchGetSkus quotes them",
          "[pg][catalogue][pricing]") {
  PgFixture f;
  Product product = f.AddProduct("Longjing", {{"LJ-PG", 5}});
  std::string sku = product.skus[0].sku_id;
  absl::Time saturday = absl::FromUnixSeconds(1772841600);  // 2026-03-07 00:00 UTC
  f.clock.Set(saturday + absl::Hours(3));
  Pricing pricing(*f.store, f.clock);
  PriceRule member{"diamond", MemberTier::kDiamond, 1500, absl::InfinitePast(), absl::InfiniteFuture(), "CNY"};
  PriceRule weekend{"weekend", std::nullopt, 1800, saturday, saturday + absl::Hours(48), "CNY"};
  REQUIRE(pricing.ReplaceRules(sku, {member, weekend}).ok());
  // The product's initial stock is its first stock movement.
  CHECK(OutboxTypes(f, product.product_id) ==
        std::vector<std::string>{"zhongtai.product.v1.StockChanged", "zhongtai.product.v1.SkuPriceRulesChanged"});
  auto stored = f.store->GetPriceRules({sku, "sku_none"}).value();
  REQUIRE(stored.size() == 1);
  REQUIRE(stored[sku].size() == 2);
  CHECK(stored[sku][0].tier == MemberTier::kDiamond);
  CHECK_FALSE(stored[sku][0].has_window());
  CHECK(stored[sku][1].valid_from == saturday);
  CHECK(stored[sku][1].valid_to == saturday + absl::Hours(48));
  CHECK_FALSE(stored[sku][1].tier.has_value());

  std::vector<Sku> skus = f.inventory->BatchGetSkus({sku}).value();
  REQUIRE(pricing.Quote(skus, MemberTier::kNormal, std::nullopt).ok());
  CHECK(skus[0].price.amount_minor == 1800);
  CHECK(skus[0].price_rule == "scheduled:weekend");
  skus = f.inventory->BatchGetSkus({sku}).value();
  REQUIRE(pricing.Quote(skus, MemberTier::kDiamond, saturday + absl::Hours(49)).ok());
  CHECK(skus[0].price.amount_minor == 1500);
  CHECK(skus[0].price_rule == "member:diamond");

  weekend.currency = "USD";
  CHECK(ReasonOf(pricing.ReplaceRules(sku, {weekend}).status()) == "CURRENCY_MISMATCH");
  REQUIRE(pricing.ReplaceRules(sku, {}).ok());
  CHECK(f.store->GetPriceRules({sku})->empty());
}

TEST_CASE("SKU weight and fragile flag in PostgreSQL: set at creation and by edits, read by BatchGetSkus, bounded",
          "[pg][catalogue][shipping]") {
  PgFixture f;
  NewProduct vase;
  vase.title = "青花瓷花瓶";
  vase.category_id = f.category_id;
  NewSku big{"VASE-L", "large", {}, {"CNY", 89900}, 5, ""};
  big.weight_grams = 3200;
  big.fragile = true;
  NewSku mat{"MAT-1", "mat", {}, {"CNY", 1900}, 5, ""};  // not weighed: 0, not fragile
  vase.skus = {big, mat};
  Product created = f.catalog->CreateProduct(vase).value();
  REQUIRE(created.skus.size() == 2);
  CHECK(created.skus[0].weight_grams == 3200);
  CHECK(created.skus[0].fragile);
  // On the shelf: BatchGetSkus answers only SKUs on sale.
  created = f.editor->ChangeStatus(created.product_id, LifecycleAction::kPublish, 0).value().product;

  std::vector<Sku> skus = f.inventory->BatchGetSkus({created.skus[0].sku_id, created.skus[1].sku_id}).value();
  REQUIRE(skus.size() == 2);
  CHECK(skus[0].weight_grams == 3200);
  CHECK(skus[0].fragile);
  CHECK(skus[1].weight_grams == 0);
  CHECK_FALSE(skus[1].fragile);

  // An edit weighs the mat and clears the vase's flag; the product as read again has both.
  ProductEdit edit;
  edit.product_id = created.product_id;
  edit.expected_version = created.version;
  edit.shipping_changes = {{created.skus[1].sku_id, 450, std::nullopt}, {created.skus[0].sku_id, std::nullopt, false}};
  NewSku small{"VASE-S", "small", {}, {"CNY", 39900}, 0, ""};
  small.weight_grams = 900;
  small.fragile = true;
  edit.add_skus = {small};
  Product saved = f.editor->Update(edit).value();
  REQUIRE(saved.skus.size() == 3);
  CHECK(saved.skus[0].weight_grams == 3200);
  CHECK_FALSE(saved.skus[0].fragile);
  CHECK(saved.skus[1].weight_grams == 450);
  CHECK(saved.skus[2].weight_grams == 900);
  CHECK(saved.skus[2].fragile);
  skus = f.inventory->BatchGetSkus({saved.skus[2].sku_id, saved.skus[1].sku_id}).value();
  REQUIRE(skus.size() == 2);
  for (const Sku& sku : skus) {
    if (sku.sku_id == saved.skus[2].sku_id) {
      CHECK(sku.weight_grams == 900);
      CHECK(sku.fragile);
    } else {
      CHECK(sku.weight_grams == 450);
    }
  }
  // Shoppers may see it: the product detail carries it too.
  CHECK(f.catalog->GetProduct(created.product_id).value().skus[1].weight_grams == 450);

  // Out of bounds, with the field named; nothing saved.
  ProductEdit heavy;
  heavy.product_id = created.product_id;
  heavy.expected_version = saved.version;
  heavy.shipping_changes = {{saved.skus[1].sku_id, std::nullopt, std::nullopt},
                            {saved.skus[0].sku_id, kMaxSkuWeightGrams + 1, std::nullopt}};
  absl::Status refused = f.editor->Update(heavy).status();
  CHECK(refused.code() == absl::StatusCode::kInvalidArgument);
  CHECK(ReasonOf(refused) == "SKU_WEIGHT_INVALID");
  CHECK(FieldOf(refused) == "shippingChanges[1].weightGrams");
  heavy.shipping_changes = {{saved.skus[0].sku_id, -1, std::nullopt}};
  CHECK(FieldOf(f.editor->Update(heavy).status()) == "shippingChanges[0].weightGrams");
  NewProduct negative = vase;
  negative.skus = {mat};
  negative.skus[0].sku_code = "MAT-2";
  negative.skus[0].weight_grams = -5;
  absl::Status bad = f.catalog->CreateProduct(negative).status();
  CHECK(ReasonOf(bad) == "SKU_WEIGHT_INVALID");
  CHECK(FieldOf(bad) == "skus[0].weightGrams");
  CHECK(f.editor->Get(created.product_id)->product.version == saved.version);
}

}  // namespace
}  // namespace zhongtai::product
