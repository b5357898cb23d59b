// Fulfilment over a real PostgreSQL (Fulfilment with PgShipmentStore and PgOrderStore, the product service faked:
// weights, fragile flags, categories), and the same with after-sales, shared by the shipment and exchange store tests.
#pragma once

#include <atomic>
#include <catch2/catch.hpp>
#include <string>

#include "common/events/outbox.h"
#include "common/pg/migrate.h"
#include "common/testing/stores.h"
#include "migrations.h"
#include "services/order/domain/returns.h"
#include "services/order/store/pg_return_store.h"
#include "services/order/store/pg_shipment_store.h"
#include "services/order/tests/after_sales_fakes.h"
#include "services/order/tests/fakes.h"
#include "services/order/tests/payment_fakes.h"

namespace zhongtai::order {

inline const absl::Time kT0 = absl::FromUnixSeconds(1764547200);  // 2025-12-01 08:00 China time

inline const ShippingAddress kShenzhen{"addr-1", "Li Lei", "13800000000", "440000", "440300", "440305", "Keyuan Rd 1"};

class CountingShipmentIds : public ShipmentIds {
 public:
  std::string NewShipmentId() override { return "shp" + std::to_string(++next_); }

 private:
  std::atomic<int> next_{0};
};

struct ShipmentWorld {
  zhongtai::testing::TestDatabase database;
  std::unique_ptr<pg::Pool> pool;
  std::unique_ptr<PgOrderStore> orders;
  std::unique_ptr<PgShipmentStore> shipments;
  testing::FakeCatalog catalog;
  FakeClock clock{kT0 + absl::Hours(1)};
  CountingShipmentIds ids;
  async::InlineExecutor inline_executor;
  std::unique_ptr<Fulfilment> fulfilment;

  explicit ShipmentWorld(FulfilmentSettings settings = {}) {
    pool =
        zhongtai::testing::OpenMigrated(database, 8, "order-shipment-test", {events::SchemaMigrations(), Migrations()});
    orders = std::make_unique<PgOrderStore>(*pool);
    shipments = std::make_unique<PgShipmentStore>(*pool, *orders);
    fulfilment = std::make_unique<Fulfilment>(*orders, *shipments, catalog, clock, ids, inline_executor, settings);
    catalog.price = {{"sku-cheap", 9900}, {"sku-dear", 69900}, {"sku-vase", 5000}};
    catalog.weight_grams = {{"sku-cheap", 500}, {"sku-dear", 1200}, {"sku-vase", 2000}};
    catalog.fragile = {{"sku-vase", true}};
    catalog.category_of = {{"sku-cheap", "cat-books"}, {"sku-dear", "cat-phones"}, {"sku-vase", "cat-home"}};
  }

  // An order placed at `placed`, paid and its effects applied: AWAITING_SHIPMENT.
  void PaidOrder(const std::string& id, absl::Time placed, const std::string& sku, int64_t unit_price,
                 const ShippingAddress& address = kShenzhen, const std::string& user = "u1",
                 const std::string& warehouse = "wh-sh", bool apply_effects = true, int64_t gift_units = 0,
                 int64_t units = 1) {
    Order order;
    order.order_id = id;
    order.user_id = user;
    order.request_id = "k-" + id;
    order.request_fingerprint = "f";
    order.channel = "web";
    order.created_at = placed;
    REQUIRE_FALSE(orders->BeginPlacement(order)->has_value());
    const int64_t total = unit_price * units;
    order.lines = {{sku, units, unit_price, total, 0, total, unit_price, "list", 0}};
    if (gift_units > 0) {  // the same SKU again as a gift at price 0 (buy one, get more free)
      OrderLine gift;
      gift.sku_id = sku;
      gift.quantity = gift_units;
      gift.price_rule = "gift";
      gift.gift_promotion_id = "p-buy1get2";
      order.lines.push_back(gift);
    }
    order.subtotal = order.total = total;
    order.status = OrderStatus::kPendingPayment;
    order.pay_deadline = placed + absl::Minutes(15);
    order.address = address;
    order.warehouse_id = warehouse;
    order.history.push_back({OrderStatus::kPendingPayment, placed, "placed"});
    REQUIRE(orders->CompletePlacement(order).ok());
    REQUIRE(*orders->ClaimForPayment(id, placed + absl::Minutes(1)));
    REQUIRE(*orders->MarkPaid({"pay-" + id, id, total, "CNY", "test", placed + absl::Minutes(1)}));
    if (apply_effects) REQUIRE(orders->MarkPaidEffectsApplied(id, placed + absl::Minutes(2)).ok());
  }

  // Paid and awaiting shipment: `books` of sku-cheap (99 yuan) from Beijing and one sku-vase (50 yuan) from Shanghai,
  // one child order each (`id`-1, `id`-2); `provider` holds its payment, for refunds.
  void PaidSplitOrder(const std::string& id, int64_t books, testing::FakePaymentProvider& provider) {
    Order order;
    order.order_id = id;
    order.user_id = "u1";
    order.request_id = "k";
    order.request_fingerprint = "f";
    order.channel = "web";
    order.created_at = kT0;
    REQUIRE_FALSE(orders->BeginPlacement(order)->has_value());
    const int64_t book_total = 9900 * books;
    order.lines = {{"sku-cheap", books, 9900, book_total, 0, book_total, 9900, "list", 0},
                   {"sku-vase", 1, 5000, 5000, 0, 5000, 5000, "list", 0}};
    order.subtotal = order.total = book_total + 5000;
    order.status = OrderStatus::kPendingPayment;
    order.pay_deadline = kT0 + absl::Minutes(15);
    order.address = kShenzhen;
    order.children = {{id + "-1", "wh-bj", {order.lines[0]}, book_total, 0, 0, 0, book_total},
                      {id + "-2", "wh-sh", {order.lines[1]}, 5000, 0, 0, 0, 5000}};
    REQUIRE(orders->CompletePlacement(order).ok());
    REQUIRE(*orders->ClaimForPayment(id, kT0 + absl::Minutes(1)));
    REQUIRE(*orders->MarkPaid({"pay", id, order.total, "CNY", "test", kT0 + absl::Minutes(1)}));
    REQUIRE(orders->MarkPaidEffectsApplied(id, kT0 + absl::Minutes(2)).ok());
    ProviderPayment paid;
    paid.order_id = id;
    paid.amount = order.total;
    paid.currency = "CNY";
    paid.status = ProviderStatus::kSucceeded;
    provider.by_order[id] = paid;
  }

  absl::StatusOr<Shipment> Ship(const std::string& order_id, const std::string& tracking,
                                const std::string& warehouse = "", const std::string& carrier = "") {
    ShipCommand command;
    command.order_id = order_id;
    command.tracking_number = tracking;
    command.warehouse_id = warehouse;
    command.carrier = carrier;
    command.source = "admin";
    return Ship(command);
  }
  absl::StatusOr<Shipment> Ship(const ShipCommand& command) {
    return async::Await<absl::StatusOr<Shipment>>([&](Callback<Shipment> done) { fulfilment->Ship(command, done); });
  }

  absl::StatusOr<TrackingOutcome> Track(const std::string& carrier, const std::string& tracking,
                                        const std::string& event_id, const std::string& status, absl::Time at) {
    return fulfilment->Track({carrier, tracking, {event_id, status, "", at}});
  }

  OrderStatus StatusOf(const std::string& id) { return orders->Get(id)->status; }

  int64_t Count(const std::string& sql) { return zhongtai::testing::Count(*pool, sql); }
};

// The ShipmentWorld with after-sales on its database: returns, refunds through a fake provider, and exchanges whose
// replacement the fake catalog holds.
struct AfterSalesWorld : ShipmentWorld {
  AfterSalesWorld() { returns.SetReplacementStock(&replacement); }

  // A buyer's exchange of `quantity` units of sku-dear for `replacement_sku`.
  absl::StatusOr<Return> RequestExchange(const std::string& order_id, const std::string& request_id, int64_t quantity,
                                         const std::string& replacement_sku) {
    ReturnCommand command;
    command.user_id = "u1";
    command.order_id = order_id;
    command.request_id = request_id;
    command.type = ReturnType::kExchange;
    command.reason = "wrong colour";
    command.lines = {{"sku-dear", quantity, replacement_sku}};
    return returns.RequestReturn(command);
  }
  // The same phone in blue, another SKU of the bought black one's product at its price, `available` units of it: one
  // in Beijing and the rest in Shanghai (the product center would split a hold of two).
  void BlueSplitOverTwoWarehouses(int64_t available) {
    catalog.price["sku-dear-blue"] = 69900;
    catalog.product_of = {{"sku-dear", "p-phone"}, {"sku-dear-blue", "p-phone"}};
    catalog.available["sku-dear-blue"] = available;
    catalog.warehouse_of["sku-dear-blue"] = "wh-bj";
    catalog.split_of["sku-dear-blue"] = {1, "wh-sh"};
  }
  absl::StatusOr<Return> Approve(const std::string& return_id) {
    return async::Await<absl::StatusOr<Return>>(
        [&](async::Callback<Return> done) { returns.Approve(return_id, "ok", std::move(done)); });
  }
  // The goods came back, sellable.
  absl::StatusOr<Return> Receive(const std::string& return_id) {
    return async::Await<absl::StatusOr<Return>>([&](async::Callback<Return> done) {
      returns.Receive(return_id, ItemCondition::kSellable, "", std::move(done));
    });
  }
  // The warehouse system ships an exchange's replacement (the part in `warehouse`, when named).
  absl::StatusOr<Shipment> ShipReplacement(const std::string& order_id, const std::string& return_id,
                                           const std::string& tracking, const std::string& warehouse = "") {
    ShipCommand command;
    command.order_id = order_id;
    command.return_id = return_id;
    command.warehouse_id = warehouse;
    command.tracking_number = tracking;
    command.source = "wms";
    return Ship(command);
  }

  PgReturnStore return_store{*pool, *orders};
  testing::FakePaymentProvider provider;
  testing::FakePointsRefunds points;
  testing::FakeReturnedStock stock;
  testing::SequentialReturnIds return_ids;
  Returns returns{return_store, provider, points, stock, clock, return_ids, inline_executor};
  CatalogReplacementStock replacement{catalog, *orders, inline_executor};
};

}  // namespace zhongtai::order
