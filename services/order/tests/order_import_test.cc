// Marketplace imports with in-memory fakes: one order per (channel, external id), stock taken through product, and the
// order waiting for shipment as a paid shop order does.
#include "services/order/domain/order_import.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/status/status.h"
#include "services/order/tests/fakes.h"

namespace zhongtai::order {
namespace {

// The claims as the primary key of order_imports keeps them: one holder per pair, under one lock.
class InMemoryImportStore : public OrderImportStore {
 public:
  absl::StatusOr<std::string> Claim(const std::string& channel, const std::string& external_order_id,
                                    const std::string& order_id, absl::Time) override {
    std::lock_guard<std::mutex> lock(mu_);
    return claims_.emplace(std::make_pair(channel, external_order_id), order_id).first->second;
  }
  absl::StatusOr<bool> Reclaim(const std::string& channel, const std::string& external_order_id,
                               const std::string& failed_order_id, const std::string& order_id) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = claims_.find({channel, external_order_id});
    if (it == claims_.end() || it->second != failed_order_id) return false;
    it->second = order_id;
    return true;
  }
  std::string Holder(const std::string& channel, const std::string& external_order_id) {
    std::lock_guard<std::mutex> lock(mu_);
    return claims_[{channel, external_order_id}];
  }

  testing::InMemoryOrderStore* store = nullptr;

 private:
  std::mutex mu_;
  std::map<std::pair<std::string, std::string>, std::string> claims_;
};

// Safe to call from several threads, unlike testing::SequentialIds.
class AtomicIds : public IdGenerator {
 public:
  std::string NewOrderId() override { return absl::StrCat("o", ++next_); }
  std::string NewPaymentId() override { return absl::StrCat("p", ++next_); }

 private:
  std::atomic<int> next_{0};
};

struct World {
  testing::InMemoryOrderStore orders;
  InMemoryImportStore imports;
  testing::FakeCatalog catalog;
  testing::FakeClock clock;
  AtomicIds ids;
  async::InlineExecutor blocking;
  OrderImports importer;

  World() : importer(orders, imports, catalog, clock, ids, blocking) {
    imports.store = &orders;
    catalog.available = {{"sku-a", 10}, {"sku-b", 3}};
    catalog.price = {{"sku-a", 1999}, {"sku-b", 500}};
  }
  ImportOrderCommand Command(const std::string& external_id) {
    ImportOrderCommand command;
    command.channel = "tmall";
    command.external_order_id = external_id;
    command.buyer_id = "tb-buyer-9";
    command.lines = {{"sku-a", 2, 1800}, {"sku-b", 1, 400}};
    command.discount = 200;
    command.shipping_fee = 600;
    command.paid_amount = 2 * 1800 + 400 - 200 + 600;
    command.paid_at = clock.Now() - absl::Hours(1);
    command.address = {"", "Han Meimei", "13900000000", "310000", "310100", "310104", "Caoxi Rd 8"};
    return command;
  }
  absl::StatusOr<ImportResult> Import(const ImportOrderCommand& command) {
    return async::Await<absl::StatusOr<ImportResult>>(
        [&](Callback<ImportResult> done) { importer.Import(command, std::move(done)); });
  }
};

TEST_CASE("an imported marketplace order takes its stock and waits for shipment, priced as the marketplace sold it") {
  World w;
  auto imported = w.Import(w.Command("TM-1001"));
  REQUIRE(imported.ok());
  CHECK_FALSE(imported->duplicate);
  const Order& order = imported->order;
  CHECK(order.status == OrderStatus::kAwaitingShipment);
  CHECK(order.channel == "tmall");
  CHECK(order.user_id == "tmall:tb-buyer-9");
  CHECK(order.subtotal == 4000);
  CHECK(order.discount == 200);
  CHECK(order.shipping_fee == 600);
  CHECK(order.total == 4400);
  REQUIRE(order.lines.size() == 2);
  // The discount is spread by subtotal: 3600 and 400 of 4000.
  CHECK(order.lines[0].discount == 180);
  CHECK(order.lines[1].discount == 20);
  CHECK(order.lines[0].price_rule == "marketplace:tmall");
  CHECK(order.address.recipient_name == "Han Meimei");
  // Reserved, then confirmed: the stock is gone for good, nothing is left held.
  CHECK(w.catalog.calls == std::vector<std::string>{"Reserve", "Confirm"});
  CHECK(w.catalog.available["sku-a"] == 8);
  CHECK(w.catalog.confirmed.count(order.order_id) == 1);
  CHECK(w.catalog.held.empty());
  // Paid by the marketplace, at the time it says.
  REQUIRE(w.orders.payments.count(order.order_id) == 1);
  CHECK(w.orders.payments[order.order_id].provider == "tmall");
  CHECK(w.orders.payments[order.order_id].amount == 4400);
  CHECK(w.orders.payments[order.order_id].paid_at == w.clock.Now() - absl::Hours(1));
  CHECK(w.orders.paid_effects_applied[order.order_id]);
}

TEST_CASE("importing a marketplace order again answers the first import's order and takes no more stock") {
  World w;
  auto first = w.Import(w.Command("TM-1001"));
  REQUIRE(first.ok());
  auto again = w.Import(w.Command("TM-1001"));
  REQUIRE(again.ok());
  CHECK(again->duplicate);
  CHECK(again->order.order_id == first->order.order_id);
  CHECK(again->order.status == OrderStatus::kAwaitingShipment);
  CHECK(w.catalog.available["sku-a"] == 8);
  // The same external id from another marketplace is another order.
  ImportOrderCommand jd = w.Command("TM-1001");
  jd.channel = "jd";
  auto other = w.Import(jd);
  REQUIRE(other.ok());
  CHECK_FALSE(other->duplicate);
  CHECK(other->order.order_id != first->order.order_id);
}

TEST_CASE("concurrent imports of one marketplace order make exactly one order") {
  World w;
  constexpr int kThreads = 8;
  std::vector<std::string> order_ids(kThreads);
  std::atomic<int> firsts{0}, failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto imported = w.Import(w.Command("TM-2002"));
      if (!imported.ok()) {
        ++failures;
        return;
      }
      order_ids[t] = imported->order.order_id;
      if (!imported->duplicate) ++firsts;
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(failures == 0);
  CHECK(firsts == 1);
  CHECK(std::set<std::string>(order_ids.begin(), order_ids.end()).size() == 1);
  CHECK(w.catalog.available["sku-a"] == 8);
  CHECK(w.catalog.confirmed.size() == 1);
}

TEST_CASE("an import refuses what is not a paid marketplace order, naming the field") {
  World w;
  ImportOrderCommand web = w.Command("X-1");
  web.channel = "web";
  auto refused = w.Import(web);
  CHECK(ReasonOf(refused.status()) == "CHANNEL_NOT_MARKETPLACE");
  CHECK(FieldOf(refused.status()) == "channel");

  ImportOrderCommand wrong_total = w.Command("X-2");
  wrong_total.paid_amount += 1;
  CHECK(ReasonOf(w.Import(wrong_total).status()) == "PAID_AMOUNT_MISMATCH");

  ImportOrderCommand no_id = w.Command("");
  CHECK(FieldOf(w.Import(no_id).status()) == "externalOrderId");

  ImportOrderCommand repeated = w.Command("X-3");
  repeated.lines.push_back({"sku-a", 1, 1800});
  repeated.paid_amount += 1800;
  CHECK(ReasonOf(w.Import(repeated).status()) == "SKU_REPEATED");

  ImportOrderCommand nowhere = w.Command("X-4");
  nowhere.address = {};
  CHECK(ReasonOf(w.Import(nowhere).status()) == "SHIPPING_ADDRESS_MISSING");
  CHECK(w.catalog.calls.empty());
}

TEST_CASE("an import short of stock fails holding nothing, and importing it again once stocked succeeds") {
  World w;
  ImportOrderCommand command = w.Command("TM-3003");
  command.lines = {{"sku-b", 5, 400}};
  command.discount = 0;
  command.paid_amount = 2000 + 600;
  auto short_of_stock = w.Import(command);
  CHECK(ReasonOf(short_of_stock.status()) == "INSUFFICIENT_STOCK");
  std::string failed_id = w.imports.Holder("tmall", "TM-3003");
  CHECK(w.orders.Get(failed_id)->status == OrderStatus::kFailed);
  CHECK(w.catalog.held.empty());

  w.catalog.available["sku-b"] = 5;
  auto retried = w.Import(command);
  REQUIRE(retried.ok());
  CHECK_FALSE(retried->duplicate);
  CHECK(retried->order.order_id != failed_id);
  CHECK(retried->order.status == OrderStatus::kAwaitingShipment);
  CHECK(w.imports.Holder("tmall", "TM-3003") == retried->order.order_id);
  CHECK(w.catalog.available["sku-b"] == 0);
}

TEST_CASE("an import whose stock confirmation failed is finished by importing it again") {
  World w;
  w.catalog.fail_confirm = Unavailable("PRODUCT_DOWN", "down");
  auto first = w.Import(w.Command("TM-4004"));
  CHECK(first.status().code() == absl::StatusCode::kUnavailable);
  std::string order_id = w.imports.Holder("tmall", "TM-4004");
  CHECK(w.orders.Get(order_id)->status == OrderStatus::kPaid);

  w.catalog.fail_confirm = absl::OkStatus();
  auto again = w.Import(w.Command("TM-4004"));
  REQUIRE(again.ok());
  CHECK(again->duplicate);
  CHECK(again->order.order_id == order_id);
  CHECK(again->order.status == OrderStatus::kAwaitingShipment);
  CHECK(w.catalog.confirmed.count(order_id) == 1);
}

}  // namespace
}  // namespace zhongtai::order
