// The cart's rules and use cases with in-memory fakes: what a buyer sees in the cart and what checkout from it does.
#include "services/order/domain/cart.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/status/status.h"
#include "services/order/tests/cart_fakes.h"
#include "services/order/tests/fakes.h"

namespace zhongtai::order {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1700000000);

// 5.00 off from 30.00 of selected goods; below that marketing explains how much is missing.
class ThresholdQuoter : public PriceQuoter {
 public:
  absl::Status fail;
  QuoteRequest last_request;
  int calls = 0;

  void QuotePrice(const QuoteRequest& request, Callback<Quote> done) override {
    ++calls;
    last_request = request;
    if (!fail.ok()) return done(fail);
    Quote quote;
    std::vector<int64_t> subtotals;
    for (const PricedLine& line : request.lines) {
      OrderLine out;
      out.sku_id = line.sku_id;
      out.quantity = line.quantity;
      out.unit_price = line.unit_price;
      out.subtotal = line.unit_price * line.quantity;
      quote.subtotal += out.subtotal;
      subtotals.push_back(out.subtotal);
      quote.lines.push_back(out);
    }
    quote.shares.resize(quote.lines.size());
    if (quote.subtotal >= 3000) {
      std::vector<int64_t> parts = money::Apportion(500, subtotals);
      for (size_t i = 0; i < parts.size(); ++i) quote.lines[i].discount = parts[i];
      quote.discount = 500;
      quote.applied.push_back({"p-30-5", "5 off 30", 500});
    } else {
      quote.not_applied.push_back({"p-30-5", "5 off 30", "THRESHOLD_NOT_MET", 3000 - quote.subtotal, 0, ""});
    }
    for (auto& line : quote.lines) line.total = line.subtotal - line.discount;
    quote.total = quote.subtotal - quote.discount;
    done(quote);
  }
};

struct World {
  testing::InMemoryOrderStore order_store;
  testing::InMemoryCartStore cart_store;
  testing::FakeCatalog catalog;
  testing::FakeQuoter order_quoter;
  ThresholdQuoter cart_quoter;
  testing::FakeCouponWallet coupons;
  testing::FakeBudgets budgets;
  testing::FakeUsers users;
  testing::FakeClock clock{kNow};
  testing::SequentialIds ids;
  OrderObserver observer;
  async::InlineExecutor blocking;
  Orders orders;
  Carts carts;

  explicit World(CartRules rules = {})
      : orders(order_store, catalog, order_quoter, coupons, budgets, users, clock, ids, observer, blocking),
        carts(cart_store, catalog, cart_quoter, users, orders, clock, blocking, rules) {
    catalog.available = {{"sku-a", 10}, {"sku-b", 5}, {"sku-c", 0}, {"sku-d", 1}};
    catalog.price = {{"sku-a", 1999}, {"sku-b", 500}, {"sku-c", 800}, {"sku-d", 300}};
    users.addresses["addr-1"] = {"", "Li Lei", "13800000000", "440000", "440300", "440305", "Keyuan Rd 1"};
  }

  absl::StatusOr<CartView> View(const std::string& user_id = "u1") {
    return async::Await<absl::StatusOr<CartView>>(
        [&](Callback<CartView> done) { carts.View(user_id, "app", std::move(done)); });
  }
  PlaceOrderCommand FromCart(const std::string& key) {
    PlaceOrderCommand command;
    command.user_id = "u1";
    command.request_id = key;
    command.address_id = "addr-1";
    return command;
  }
  absl::StatusOr<Order> PlaceFromCart(const PlaceOrderCommand& command) {
    return async::Await<absl::StatusOr<Order>>(
        [&](Callback<Order> done) { carts.PlaceOrder(command, std::move(done)); });
  }
  Cart CartOf(const std::string& user_id = "u1") { return *cart_store.Load(user_id); }
  int64_t QuantityOf(const std::string& sku_id) {
    Cart cart = CartOf();
    const CartItem* item = FindItem(cart, sku_id);
    return item ? item->quantity : 0;
  }
};

TEST_CASE("adding a SKU already in the cart adds to its line, and a new SKU comes first") {
  Cart cart;
  REQUIRE(AddToCart(cart, "sku-a", 2, kNow, {}).ok());
  REQUIRE(AddToCart(cart, "sku-b", 1, kNow + absl::Seconds(1), {}).ok());
  REQUIRE(AddToCart(cart, "sku-a", 3, kNow + absl::Seconds(2), {}).ok());
  REQUIRE(cart.items.size() == 2);
  CHECK(cart.items[0].sku_id == "sku-b");
  CHECK(cart.items[1].sku_id == "sku-a");
  CHECK(cart.items[1].quantity == 5);
  CHECK(cart.items[1].added_at == kNow);
  CHECK(cart.items[1].updated_at == kNow + absl::Seconds(2));
}

TEST_CASE("a retried add with the same request id adds nothing more, another request adds again") {
  World w;
  REQUIRE(w.carts.Add("u1", "sku-a", 2, "key-1").ok());
  auto retried = w.carts.Add("u1", "sku-a", 2, "key-1");
  REQUIRE(retried.ok());
  CHECK(retried->first.quantity == 2);
  REQUIRE(w.carts.Add("u1", "sku-a", 2, "key-2").ok());
  CHECK(w.QuantityOf("sku-a") == 4);
  CHECK(ReasonOf(w.carts.Add("u1", "sku-a", 1, std::string(129, 'k')).status()) == "REQUEST_ID_TOO_LONG");
}

TEST_CASE("a cart holds at most its line limit, and a full cart still takes more of a SKU it has") {
  CartRules rules;
  rules.max_lines = 3;
  Cart cart;
  for (int i = 0; i < 3; ++i) REQUIRE(AddToCart(cart, absl::StrCat("sku-", i), 1, kNow, rules).ok());
  absl::Status full = AddToCart(cart, "sku-new", 1, kNow, rules);
  CHECK(full.code() == absl::StatusCode::kFailedPrecondition);
  CHECK(ReasonOf(full) == "CART_FULL");
  CHECK(FieldOf(full) == "skuId");
  CHECK(cart.items.size() == 3);
  CHECK(AddToCart(cart, "sku-1", 4, kNow, rules).ok());
  CHECK(FindItem(cart, "sku-1")->quantity == 5);
}

TEST_CASE("the default cart takes 200 lines and refuses the 201st") {
  World w;
  for (int i = 0; i < 200; ++i) REQUIRE(w.carts.Add("u1", absl::StrCat("sku-", i), 1).ok());
  auto refused = w.carts.Add("u1", "sku-200", 1);
  CHECK(ReasonOf(refused.status()) == "CART_FULL");
  CHECK(w.CartOf().items.size() == 200);
}

TEST_CASE("cart quantities are 1 to 9999 per line, added quantities included") {
  Cart cart;
  CHECK(ReasonOf(AddToCart(cart, "sku-a", 0, kNow, {})) == "QUANTITY_NOT_POSITIVE");
  CHECK(ReasonOf(AddToCart(cart, "", 1, kNow, {})) == "SKU_ID_MISSING");
  REQUIRE(AddToCart(cart, "sku-a", 9000, kNow, {}).ok());
  absl::Status too_many = AddToCart(cart, "sku-a", 1000, kNow, {});
  CHECK(ReasonOf(too_many) == "QUANTITY_TOO_LARGE");
  CHECK(FieldOf(too_many) == "quantity");
  CHECK(cart.items[0].quantity == 9000);
  CHECK(ReasonOf(ChangeCartItem(cart, "sku-a", 10000, std::nullopt, kNow, {})) == "QUANTITY_TOO_LARGE");
}

TEST_CASE("changing a line sets its quantity or selection, and a SKU not in the cart is not found") {
  World w;
  REQUIRE(w.carts.Add("u1", "sku-a", 2).ok());
  auto changed = w.carts.Change("u1", "sku-a", std::nullopt, false);
  REQUIRE(changed.ok());
  CHECK_FALSE(changed->selected);
  CHECK(changed->quantity == 2);
  changed = w.carts.Change("u1", "sku-a", 7, std::nullopt);
  REQUIRE(changed.ok());
  CHECK(w.QuantityOf("sku-a") == 7);
  CHECK_FALSE(w.CartOf().items[0].selected);
  auto missing = w.carts.Change("u1", "sku-zzz", 1, std::nullopt);
  CHECK(missing.status().code() == absl::StatusCode::kNotFound);
  CHECK(ReasonOf(missing.status()) == "CART_ITEM_NOT_FOUND");
}

TEST_CASE("removing a line is idempotent and never touches another buyer's cart") {
  World w;
  REQUIRE(w.carts.Add("u1", "sku-a", 1).ok());
  REQUIRE(w.carts.Add("u2", "sku-a", 1).ok());
  CHECK(*w.carts.Remove("u1", "sku-a"));
  CHECK_FALSE(*w.carts.Remove("u1", "sku-a"));
  CHECK(w.CartOf("u1").items.empty());
  CHECK(w.CartOf("u2").items.size() == 1);
}

TEST_CASE("an order takes what it bought out of the cart and leaves what the buyer added meanwhile") {
  Cart cart;
  REQUIRE(AddToCart(cart, "sku-a", 2, kNow, {}).ok());
  REQUIRE(AddToCart(cart, "sku-b", 5, kNow, {}).ok());
  REQUIRE(AddToCart(cart, "sku-c", 1, kNow, {}).ok());
  TakeOrdered(cart, {{"sku-a", 2}, {"sku-b", 3}, {"sku-x", 1}});
  CHECK(FindItem(cart, "sku-a") == nullptr);
  REQUIRE(FindItem(cart, "sku-b") != nullptr);
  CHECK(FindItem(cart, "sku-b")->quantity == 2);
  CHECK(FindItem(cart, "sku-c")->quantity == 1);
}

TEST_CASE("a line is unavailable when its SKU is gone, off shelf, out of stock or short of its quantity") {
  CartItem item{"sku-a", 3, true, kNow, kNow, ""};
  SkuInfo sku;
  sku.sku_id = "sku-a";
  CHECK(UnavailableReason(item, nullptr) == "SKU_NOT_FOUND");
  sku.available = 10;
  CHECK(UnavailableReason(item, &sku).empty());
  sku.available = 3;
  CHECK(UnavailableReason(item, &sku).empty());
  sku.available = 2;
  CHECK(UnavailableReason(item, &sku) == "INSUFFICIENT_STOCK");
  sku.available = 0;
  CHECK(UnavailableReason(item, &sku) == "OUT_OF_STOCK");
  sku.on_shelf = false;
  sku.available = 10;
  CHECK(UnavailableReason(item, &sku) == "SKU_OFF_SHELF");
  sku.on_shelf = true;
  sku.available.reset();
  CHECK(UnavailableReason(item, &sku).empty());
}

TEST_CASE("the cart shows current member prices, keeps unavailable lines marked and quotes only what can be bought") {
  World w;
  w.users.member.tier = "gold";
  w.catalog.tier_price[{"sku-a", "gold"}] = 1799;
  w.catalog.unknown_fails_batch = true;
  REQUIRE(w.carts.Add("u1", "sku-a", 2).ok());     // 35.98 at the gold price
  REQUIRE(w.carts.Add("u1", "sku-b", 1).ok());     // selected, then unselected
  REQUIRE(w.carts.Add("u1", "sku-c", 1).ok());     // out of stock
  REQUIRE(w.carts.Add("u1", "sku-d", 2).ok());     // only 1 available
  REQUIRE(w.carts.Add("u1", "sku-gone", 1).ok());  // deleted from the catalogue
  REQUIRE(w.carts.Change("u1", "sku-b", std::nullopt, false).ok());
  w.catalog.off_shelf.insert("sku-b");

  auto view = w.View();
  REQUIRE(view.ok());
  REQUIRE(view->lines.size() == 5);
  std::map<std::string, const CartLineView*> by_sku;
  for (const CartLineView& line : view->lines) by_sku[line.item.sku_id] = &line;
  CHECK(view->lines[0].item.sku_id == "sku-gone");  // newest first
  CHECK(by_sku["sku-a"]->unavailable_reason.empty());
  CHECK(by_sku["sku-a"]->sku->unit_price == 1799);
  CHECK(by_sku["sku-a"]->sku->price_rule == "member:gold");
  CHECK(by_sku["sku-a"]->subtotal == 3598);
  CHECK(by_sku["sku-b"]->unavailable_reason == "SKU_OFF_SHELF");
  CHECK(by_sku["sku-c"]->unavailable_reason == "OUT_OF_STOCK");
  CHECK(by_sku["sku-d"]->unavailable_reason == "INSUFFICIENT_STOCK");
  CHECK(by_sku["sku-gone"]->unavailable_reason == "SKU_NOT_FOUND");
  CHECK_FALSE(by_sku["sku-gone"]->sku.has_value());
  // Only sku-a is selected and can be bought: the quote is for it alone, at the buyer's tier and channel.
  REQUIRE(w.cart_quoter.last_request.lines.size() == 1);
  CHECK(w.cart_quoter.last_request.lines[0].unit_price == 1799);
  CHECK(w.cart_quoter.last_request.member_tier == "gold");
  CHECK(w.cart_quoter.last_request.channel == "app");
  CHECK(view->selected_count == 1);
  CHECK(view->selected_subtotal == 3598);
  CHECK(view->discount == 500);
  CHECK(by_sku["sku-a"]->discount == 500);
  REQUIRE(view->applied.size() == 1);
  CHECK(view->applied[0].promotion_id == "p-30-5");
  CHECK(view->member_tier == "gold");
  CHECK_FALSE(view->promotions_unavailable);
}

TEST_CASE("the cart's quote says whether the buyer is a new customer, as checkout's does") {
  World w;
  REQUIRE(w.carts.Add("u1", "sku-a", 1).ok());
  REQUIRE(w.View().ok());
  CHECK(w.cart_quoter.last_request.new_customer);

  Order paid;
  paid.order_id = "o-paid";
  paid.user_id = "u1";
  paid.status = OrderStatus::kPaid;
  REQUIRE(w.order_store.CompletePlacement(paid).ok());
  REQUIRE(w.View().ok());
  CHECK_FALSE(w.cart_quoter.last_request.new_customer);
  REQUIRE(w.carts.Add("u2", "sku-a", 1).ok());
  REQUIRE(w.View("u2").ok());
  CHECK(w.cart_quoter.last_request.new_customer);  // another buyer's paid order does not count
}

TEST_CASE("the cart explains a promotion its selected lines miss") {
  World w;
  REQUIRE(w.carts.Add("u1", "sku-b", 2).ok());  // 10.00, 20.00 short of 30.00
  auto view = w.View();
  REQUIRE(view.ok());
  CHECK(view->discount == 0);
  REQUIRE(view->not_applied.size() == 1);
  CHECK(view->not_applied[0].reason == "THRESHOLD_NOT_MET");
  CHECK(view->not_applied[0].amount_missing == 2000);
}

TEST_CASE("a cart of 150 lines is priced in batches the product service accepts") {
  World w;
  for (int i = 0; i < 150; ++i) {
    std::string sku = absl::StrCat("sku-", i);
    w.catalog.price[sku] = 100;
    w.catalog.available[sku] = 5;
    REQUIRE(w.carts.Add("u1", sku, 1).ok());
  }
  auto view = w.View();
  REQUIRE(view.ok());
  REQUIRE(w.catalog.get_skus_batches.size() == 2);
  CHECK(w.catalog.get_skus_batches[0].size() == 100);
  CHECK(w.catalog.get_skus_batches[1].size() == 50);
  CHECK(view->lines.size() == 150);
  CHECK(view->selected_subtotal == 15000);
}

TEST_CASE("the cart is still shown with prices when marketing cannot quote") {
  World w;
  w.cart_quoter.fail = Unavailable("MARKETING_DOWN", "down");
  REQUIRE(w.carts.Add("u1", "sku-a", 2).ok());
  auto view = w.View();
  REQUIRE(view.ok());
  CHECK(view->promotions_unavailable);
  CHECK(view->selected_subtotal == 3998);
  CHECK(view->lines.size() == 1);
}

TEST_CASE("an empty cart is shown without asking other services") {
  World w;
  auto view = w.View();
  REQUIRE(view.ok());
  CHECK(view->lines.empty());
  CHECK(w.catalog.calls.empty());
  CHECK(w.cart_quoter.calls == 0);
}

TEST_CASE("checkout from the cart orders the selected lines and takes them out of the cart once") {
  World w;
  REQUIRE(w.carts.Add("u1", "sku-a", 2).ok());
  REQUIRE(w.carts.Add("u1", "sku-b", 1).ok());
  REQUIRE(w.carts.Change("u1", "sku-b", std::nullopt, false).ok());

  auto order = w.PlaceFromCart(w.FromCart("k1"));
  REQUIRE(order.ok());
  REQUIRE(order->lines.size() == 1);
  CHECK(order->lines[0].sku_id == "sku-a");
  CHECK(order->lines[0].quantity == 2);
  CHECK(w.catalog.available["sku-a"] == 8);
  // The ordered line left; the unselected one stayed.
  CHECK(w.QuantityOf("sku-a") == 0);
  CHECK(w.QuantityOf("sku-b") == 1);

  // The buyer puts sku-a back; a replay of the placement answers the same order and leaves the cart alone.
  REQUIRE(w.carts.Add("u1", "sku-a", 1).ok());
  auto replay = w.PlaceFromCart(w.FromCart("k1"));
  REQUIRE(replay.ok());
  CHECK(replay->order_id == order->order_id);
  CHECK(w.QuantityOf("sku-a") == 1);
  CHECK(w.catalog.available["sku-a"] == 8);
  CHECK(w.cart_store.finish_calls == 2);
}

TEST_CASE("checkout from the cart needs a selected line and no given lines") {
  World w;
  auto empty = w.PlaceFromCart(w.FromCart("k1"));
  CHECK(empty.status().code() == absl::StatusCode::kFailedPrecondition);
  CHECK(ReasonOf(empty.status()) == "CART_NOTHING_SELECTED");
  CHECK(FieldOf(empty.status()) == "fromCart");
  REQUIRE(w.carts.Add("u1", "sku-a", 1).ok());
  PlaceOrderCommand both = w.FromCart("k2");
  both.lines = {{"sku-a", 1}};
  CHECK(ReasonOf(w.PlaceFromCart(both).status()) == "CART_AND_LINES");
}

TEST_CASE("a placement from the cart that fails leaves the cart as it was") {
  World w;
  REQUIRE(w.carts.Add("u1", "sku-d", 3).ok());  // only 1 available
  auto order = w.PlaceFromCart(w.FromCart("k1"));
  CHECK(ReasonOf(order.status()) == "INSUFFICIENT_STOCK");
  CHECK(w.QuantityOf("sku-d") == 3);
}

TEST_CASE("a quote from the cart prices its selected lines") {
  World w;
  REQUIRE(w.carts.Add("u1", "sku-a", 1).ok());
  REQUIRE(w.carts.Add("u1", "sku-b", 3).ok());
  REQUIRE(w.carts.Change("u1", "sku-a", std::nullopt, false).ok());
  CheckoutCommand command;
  command.user_id = "u1";
  auto quote = async::Await<absl::StatusOr<CheckoutQuote>>(
      [&](Callback<CheckoutQuote> done) { w.carts.Quote(command, std::move(done)); });
  REQUIRE(quote.ok());
  REQUIRE(quote->price.lines.size() == 1);
  CHECK(quote->price.lines[0].sku_id == "sku-b");
  CHECK(quote->price.subtotal == 1500);
}

TEST_CASE("buyers adding at once never push a cart past its line limit") {
  CartRules rules;
  rules.max_lines = 20;
  World w(rules);
  std::atomic<int> added{0}, full{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        auto result = w.carts.Add("u1", absl::StrCat("sku-", t, "-", i), 1);
        if (result.ok()) {
          ++added;
        } else if (ReasonOf(result.status()) == "CART_FULL") {
          ++full;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(added == 20);
  CHECK(full == 60);
  CHECK(w.CartOf().items.size() == 20);
}

}  // namespace
}  // namespace zhongtai::order
