// End to end through the gateway over HTTP, with all six services running (see CMakeLists.txt: a
// CTest fixture starts the stack with deploy/stack.sh and stops it afterwards).
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <mutex>
#include <random>
#include <set>
#include <thread>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/auth/token.h"
#include "common/http/signature.h"
#include "tests/e2e/http_client.h"

namespace zhongtai::e2e {
namespace {

std::string Unique(const std::string& prefix) {
  static std::atomic<int> counter{0};
  static const std::string run = std::to_string(std::random_device{}());
  return absl::StrCat(prefix, run, "-", ++counter);
}

// `headers` plus a fresh Idempotency-Key, which the gateway requires on routes that create or pay.
std::map<std::string, std::string> Keyed(std::map<std::string, std::string> headers) {
  headers["Idempotency-Key"] = Unique("key-");
  return headers;
}

struct Stack {
  std::map<std::string, std::string> env = LoadStackEnv();
  std::string gateway = env.at("ZT_STACK_GATEWAY");

  std::map<std::string, std::string> Bearer(const std::string& token) { return {{"Authorization", "Bearer " + token}}; }

  // Returns "" on failure; safe off the test's main thread (Catch assertions are not).
  std::string TryLogin(const std::string& login, const std::string& password) {
    HttpClient client(gateway);
    auto response = client.Send("POST", "/v1/sessions",
                                absl::StrCat(R"({"login":")", login, R"(","password":")", password, R"("})"));
    return response.status == 200 ? response.Str("tokens.accessToken") : "";
  }
  // Retries what a channel app would retry: the service shedding load (429, 503) or a timeout (504).
  std::string TryNewCustomer() {
    HttpClient client(gateway);
    std::string email = Unique("buyer") + "@example.com";
    std::string body = absl::StrCat(R"({"email":")", email, R"(","password":"s3cret-pass","nickname":"b"})");
    for (int attempt = 0; attempt < 5; ++attempt) {
      auto registered = client.Send("POST", "/v1/users", body);
      if (registered.status == 200) break;
      if (registered.status != 429 && registered.status != 503 && registered.status != 504) return "";
      std::this_thread::sleep_for(std::chrono::milliseconds(200 * (attempt + 1)));
    }
    for (int attempt = 0; attempt < 5; ++attempt) {
      std::string token = TryLogin(email, "s3cret-pass");
      if (!token.empty()) return token;
      std::this_thread::sleep_for(std::chrono::milliseconds(200 * (attempt + 1)));
    }
    return "";
  }

  std::string AdminToken() {
    std::string token = TryLogin(env.at("ZT_STACK_ADMIN_LOGIN"), env.at("ZT_STACK_ADMIN_PASSWORD"));
    REQUIRE_FALSE(token.empty());
    return token;
  }
  std::string NewCustomer() {
    std::string token = TryNewCustomer();
    REQUIRE_FALSE(token.empty());
    return token;
  }
  // `count` customers, registered a few at a time: password hashing is deliberately slow, and the
  // tests are about what happens when they buy at once, not when they sign up at once.
  std::vector<std::string> NewCustomers(int count) {
    std::vector<std::string> tokens(count);
    std::atomic<int> next{0};
    std::vector<std::thread> workers;
    for (int w = 0; w < 2; ++w) {
      workers.emplace_back([&] {
        for (int i = next++; i < count; i = next++) tokens[i] = TryNewCustomer();
      });
    }
    for (auto& t : workers) t.join();
    for (const auto& token : tokens) REQUIRE_FALSE(token.empty());
    return tokens;
  }

  struct NewProduct {
    std::string product_id;
    std::vector<std::string> sku_ids;
  };
  // A product with one SKU per (price, stock) pair.
  NewProduct CreateProduct(const std::string& admin, std::vector<std::pair<int64_t, int64_t>> skus) {
    HttpClient client(gateway);
    auto category = client.Send("POST", "/v1/admin/categories", absl::StrCat(R"({"name":")", Unique("cat"), R"("})"),
                                Keyed(Bearer(admin)));
    INFO(category.body);
    REQUIRE(category.status == 200);
    std::string body = absl::StrCat(R"({"title":")", Unique("Tea "), R"(","categoryId":")",
                                    category.Str("category.categoryId"), R"(","skus":[)");
    for (size_t i = 0; i < skus.size(); ++i) {
      absl::StrAppend(&body, i ? "," : "", R"({"skuCode":")", Unique("SKU"), R"(","spec":"v)", i,
                      R"(","price":{"currency":"CNY","amountMinor":")", skus[i].first, R"("},"initialStock":")",
                      skus[i].second, R"("})");
    }
    absl::StrAppend(&body, "]}");
    auto created = client.Send("POST", "/v1/admin/products", body, Keyed(Bearer(admin)));
    INFO(created.body);
    REQUIRE(created.status == 200);
    NewProduct product{created.Str("product.productId"), {}};
    // A new product is a draft that shoppers cannot see: put it on the shelf.
    auto published =
        client.Send("POST", absl::StrCat("/v1/admin/products/", product.product_id, ":publish"), "{}", Bearer(admin));
    INFO(published.body);
    REQUIRE(published.status == 200);
    const auto* list = created.Find("product.skus");
    REQUIRE(list != nullptr);
    for (const auto& sku : list->list_value().values()) {
      product.sku_ids.push_back(sku.struct_value().fields().at("skuId").string_value());
    }
    return product;
  }

  // Stock given back by a sweeper (after-sales effects) arrives a moment after the answer that decided it.
  int64_t AvailableWithin(const std::string& product_id, const std::string& sku_id, int64_t want,
                          absl::Duration limit = absl::Seconds(15)) {
    absl::Time deadline = absl::Now() + limit;
    int64_t available = Available(product_id, sku_id);
    while (available != want && absl::Now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      available = Available(product_id, sku_id);
    }
    return available;
  }

  int64_t Available(const std::string& product_id, const std::string& sku_id) {
    HttpClient client(gateway);
    auto product = client.Send("GET", "/v1/products/" + product_id);
    REQUIRE(product.status == 200);
    for (const auto& sku : product.Find("product.skus")->list_value().values()) {
      const auto& fields = sku.struct_value().fields();
      if (fields.at("skuId").string_value() == sku_id) {
        auto it = fields.find("available");
        return it == fields.end() ? 0 : std::stoll(it->second.string_value());
      }
    }
    FAIL("sku not in product");
    return -1;
  }

  HttpResponse PlaceOrder(HttpClient& client, const std::string& token, const std::string& key,
                          const std::string& lines_json) {
    auto headers = Bearer(token);
    headers["Idempotency-Key"] = key;
    return client.Send(
        "POST", "/v1/orders",
        absl::StrCat(R"({"channel":"app","addressId":")", AddressOf(token), R"(","lines":)", lines_json, "}"), headers);
  }

  // The buyer's shipping address, added to their address book the first time; "" when that failed (the order then
  // fails with SHIPPING_ADDRESS_MISSING). Safe off the test's main thread.
  std::string AddressOf(const std::string& token) {
    // Held while adding, so that twenty clicks at once with one key send one and the same addressId.
    std::lock_guard<std::mutex> lock(addresses_mu);
    auto it = addresses.find(token);
    if (it != addresses.end()) return it->second;
    HttpClient client(gateway);
    auto created =
        client.Send("POST", "/v1/users/me/addresses",
                    R"({"address":{"recipientName":"Li Lei","recipientPhone":"13800000000","provinceCode":"440000",)"
                    R"("cityCode":"440300","districtCode":"440305","detail":"Keyuan Rd 1"}})",
                    Keyed(Bearer(token)));
    if (created.status != 200) return "";
    std::string address_id = created.Str("address.addressId");
    addresses[token] = address_id;
    return address_id;
  }
  std::mutex addresses_mu;
  std::map<std::string, std::string> addresses;  // token -> address id
  // The payment simulator (the stack's payment provider), as a buyer's wallet app and a test reach it.
  std::string simulator = env.at("ZT_STACK_PAYMENT_SIMULATOR");
  // The buyer opens the pay URL that :pay answered (scans the QR code) and pays in the wallet.
  HttpResponse BuyerPays(const HttpResponse& pay_answer) {
    std::string url = pay_answer.Str("payment.payUrl");
    REQUIRE(url.rfind(simulator, 0) == 0);
    HttpClient wallet(simulator);
    return wallet.Send("POST", url.substr(simulator.size()), "{}");
  }
  // The order's status once it is no longer `from` (or after 15 s).
  std::string AwaitStatusChange(HttpClient& client, const std::string& token, const std::string& order_id,
                                const std::string& from) {
    std::string status = from;
    for (int i = 0; i < 150 && status == from; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      status = client.Send("GET", "/v1/orders/" + order_id, "", Bearer(token)).Str("order.status");
    }
    return status;
  }
  // The status once payment is settled: PAID lasts only until the stock, coupon and points are settled, then the order
  // awaits shipment.
  std::string AwaitPaid(HttpClient& client, const std::string& token, const std::string& order_id) {
    std::string status = AwaitStatusChange(client, token, order_id, "ORDER_STATUS_PENDING_PAYMENT");
    return status == "ORDER_STATUS_PAID" ? AwaitStatusChange(client, token, order_id, status) : status;
  }
  // The HTTP statuses the gateway answered to the simulator's notifications of the order.
  std::vector<int> Deliveries(const std::string& order_id) {
    HttpClient sim(simulator);
    auto listed = sim.Send("GET", "/v1/notifications?orderId=" + order_id);
    std::vector<int> out;
    if (const auto* list = listed.Find("deliveries")) {
      for (const auto& d : list->list_value().values()) {
        out.push_back(static_cast<int>(d.struct_value().fields().at("httpStatus").number_value()));
      }
    }
    return out;
  }
};

std::string Line(const std::string& sku, int quantity) {
  return absl::StrCat(R"({"skuId":")", sku, R"(","quantity":")", quantity, R"("})");
}

TEST_CASE("a shopper registers, orders, pays, and the sale shows in the dashboard: a cancel returns stock") {
  Stack stack;
  std::string admin = stack.AdminToken();
  auto product = stack.CreateProduct(admin, {{1999, 20}, {500, 5}});
  std::string token = stack.NewCustomer();
  HttpClient client(stack.gateway);

  auto me = client.Send("GET", "/v1/users/me", "", stack.Bearer(token));
  CHECK(me.status == 200);
  CHECK(me.headers.count("x-request-id") == 1);

  auto listed = client.Send("GET", "/v1/products?pageSize=5");
  REQUIRE(listed.status == 200);
  CHECK(listed.Find("products") != nullptr);

  auto dashboard_before =
      client.Send("GET", "/v1/admin/analytics/dashboard?startTime=2020-01-01T00:00:00Z&endTime=2100-01-01T00:00:00Z",
                  "", stack.Bearer(admin));
  REQUIRE(dashboard_before.status == 200);

  std::string lines = absl::StrCat("[", Line(product.sku_ids[0], 2), ",", Line(product.sku_ids[1], 1), "]");
  auto placed = stack.PlaceOrder(client, token, Unique("key"), lines);
  INFO(placed.body);
  REQUIRE(placed.status == 200);
  std::string order_id = placed.Str("order.orderId");
  CHECK(placed.Str("order.status") == "ORDER_STATUS_PENDING_PAYMENT");
  CHECK(placed.Num("order.subtotal.amountMinor") == 2 * 1999 + 500);
  // What the buyer pays includes the flat shipping fee unless their tier ships free from a threshold.
  CHECK(placed.Num("order.total.amountMinor") ==
        2 * 1999 + 500 + placed.Num("order.shippingFee.amountMinor") - placed.Num("order.discount.amountMinor"));
  CHECK(placed.Str("order.shippingAddress.provinceCode") == "440000");
  CHECK(stack.Available(product.product_id, product.sku_ids[0]) == 18);

  auto paying = client.Send("POST", "/v1/orders/" + order_id + ":pay", "{}", Keyed(stack.Bearer(token)));
  INFO(paying.body);
  REQUIRE(paying.status == 200);
  CHECK(paying.Str("order.status") == "ORDER_STATUS_PENDING_PAYMENT");  // until the provider says it is paid
  CHECK(paying.Str("payment.status") == "PAYMENT_STATUS_AWAITING_BUYER");
  CHECK(paying.Num("payment.amount.amountMinor") == paying.Num("order.total.amountMinor"));  // goods + shipping
  REQUIRE(stack.BuyerPays(paying).status == 200);
  CHECK(stack.AwaitPaid(client, token, order_id) == "ORDER_STATUS_AWAITING_SHIPMENT");
  CHECK(stack.Available(product.product_id, product.sku_ids[0]) == 18);

  // The data hub sees the order through the event stream: allow it a few seconds.
  double paid_before = dashboard_before.Num("ordersPaid");
  double gmv_before = dashboard_before.Num("paidGmv.amountMinor");
  HttpResponse dashboard;
  for (int i = 0; i < 100; ++i) {
    dashboard =
        client.Send("GET", "/v1/admin/analytics/dashboard?startTime=2020-01-01T00:00:00Z&endTime=2100-01-01T00:00:00Z",
                    "", stack.Bearer(admin));
    if (dashboard.Num("ordersPaid") >= paid_before + 1) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  INFO(dashboard.body);
  CHECK(dashboard.Num("ordersPaid") >= paid_before + 1);
  CHECK(dashboard.Num("paidGmv.amountMinor") >= gmv_before + 2 * 1999 + 500);

  // The product in the data hub's list of every product's metrics: its SKUs reach the data hub's product map through
  // the product center's StockChanged events (the initial stock), its sales through the order events.
  const std::string range = absl::StrCat(
      "startTime=", absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::Now() - absl::Hours(24), absl::UTCTimeZone()),
      "&endTime=", absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::Now() + absl::Hours(24), absl::UTCTimeZone()));
  double units_listed = 0;
  for (int attempt = 0; attempt < 100 && units_listed < 3; ++attempt) {
    std::string token;
    for (int page = 0; page < 50; ++page) {
      auto listed_metrics = client.Send("GET",
                                        absl::StrCat("/v1/admin/analytics/products?pageSize=100&", range,
                                                     token.empty() ? "" : absl::StrCat("&pageToken=", token)),
                                        "", stack.Bearer(admin));
      INFO(listed_metrics.body);
      REQUIRE(listed_metrics.status == 200);
      const google::protobuf::Value* rows = listed_metrics.Find("products");
      if (rows != nullptr) {
        for (const google::protobuf::Value& row : rows->list_value().values()) {
          const auto& fields = row.struct_value().fields();
          if (fields.at("productId").string_value() != product.product_id) continue;
          const auto& figures = fields.at("figures").struct_value().fields();
          auto units = figures.find("unitsSold");
          if (units != figures.end()) units_listed = std::stod(units->second.string_value());
        }
      }
      token = listed_metrics.Str("nextPageToken");
      if (token.empty() || units_listed > 0) break;
    }
    if (units_listed < 3) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  CHECK(units_listed == 3);
  CHECK(client.Send("GET", "/v1/admin/analytics/products?" + range, "", stack.Bearer(token)).status == 403);

  auto other = stack.PlaceOrder(client, token, Unique("key"), absl::StrCat("[", Line(product.sku_ids[0], 3), "]"));
  REQUIRE(other.status == 200);
  CHECK(stack.Available(product.product_id, product.sku_ids[0]) == 15);
  auto cancelled =
      client.Send("POST", "/v1/orders/" + other.Str("order.orderId") + ":cancel", "{}", stack.Bearer(token));
  INFO(cancelled.body);
  REQUIRE(cancelled.status == 200);
  CHECK(cancelled.Str("order.status") == "ORDER_STATUS_CANCELLED");
  CHECK(stack.Available(product.product_id, product.sku_ids[0]) == 18);

  auto mine = client.Send("GET", "/v1/orders", "", stack.Bearer(token));
  REQUIRE(mine.status == 200);
  CHECK(mine.Find("orders")->list_value().values_size() == 2);
}

TEST_CASE("fifty buyers at once on a SKU with stock 10 get exactly ten orders") {
  Stack stack;
  std::string admin = stack.AdminToken();
  auto product = stack.CreateProduct(admin, {{990, 10}});
  std::vector<std::string> tokens = stack.NewCustomers(50);
  std::atomic<int> ok{0}, out_of_stock{0}, other{0};
  std::vector<std::thread> buyers;
  for (int i = 0; i < 50; ++i) {
    buyers.emplace_back([&, i] {
      HttpClient client(stack.gateway);
      auto placed =
          stack.PlaceOrder(client, tokens[i], Unique("key"), absl::StrCat("[", Line(product.sku_ids[0], 1), "]"));
      if (placed.status == 200) {
        ++ok;
      } else if (placed.Str("error.reason") == "INSUFFICIENT_STOCK") {
        ++out_of_stock;
      } else {
        ++other;
      }
    });
  }
  for (auto& t : buyers) t.join();
  CHECK(ok == 10);
  CHECK(out_of_stock == 40);
  CHECK(other == 0);
  CHECK(stack.Available(product.product_id, product.sku_ids[0]) == 0);
}

TEST_CASE("one Idempotency-Key sent twenty times at once makes one order") {
  Stack stack;
  std::string admin = stack.AdminToken();
  auto product = stack.CreateProduct(admin, {{1200, 100}});
  std::string token = stack.NewCustomer();
  std::string key = Unique("same-key");
  std::mutex mu;
  std::set<std::string> order_ids;
  std::atomic<int> failures{0};
  std::vector<std::thread> clicks;
  for (int i = 0; i < 20; ++i) {
    clicks.emplace_back([&] {
      HttpClient client(stack.gateway);
      auto placed = stack.PlaceOrder(client, token, key, absl::StrCat("[", Line(product.sku_ids[0], 2), "]"));
      if (placed.status != 200) {
        ++failures;
        return;
      }
      std::lock_guard<std::mutex> lock(mu);
      order_ids.insert(placed.Str("order.orderId"));
    });
  }
  for (auto& t : clicks) t.join();
  CHECK(failures == 0);
  CHECK(order_ids.size() == 1);
  CHECK(stack.Available(product.product_id, product.sku_ids[0]) == 98);

  HttpClient client(stack.gateway);
  auto reused = stack.PlaceOrder(client, token, key, absl::StrCat("[", Line(product.sku_ids[0], 3), "]"));
  CHECK(reused.status == 409);
  CHECK(reused.Str("error.reason") == "IDEMPOTENCY_KEY_REUSED");
  auto mine = client.Send("GET", "/v1/orders", "", stack.Bearer(token));
  CHECK(mine.Find("orders")->list_value().values_size() == 1);
}

TEST_CASE("an order left unpaid past its deadline is cancelled and its stock returns") {
  Stack stack;  // the test stack runs with a payment timeout of a few seconds
  std::string admin = stack.AdminToken();
  auto product = stack.CreateProduct(admin, {{800, 5}});
  std::string token = stack.NewCustomer();
  HttpClient client(stack.gateway);
  auto placed = stack.PlaceOrder(client, token, Unique("key"), absl::StrCat("[", Line(product.sku_ids[0], 5), "]"));
  REQUIRE(placed.status == 200);
  CHECK(stack.Available(product.product_id, product.sku_ids[0]) == 0);
  std::string status;
  for (int i = 0; i < 150 && status != "ORDER_STATUS_CANCELLED"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    status =
        client.Send("GET", "/v1/orders/" + placed.Str("order.orderId"), "", stack.Bearer(token)).Str("order.status");
  }
  CHECK(status == "ORDER_STATUS_CANCELLED");
  // The order turns CANCELLED before the product service has the stock back (one more call): poll briefly.
  int64_t available = 0;
  for (int i = 0; i < 50 && available != 5; ++i) {
    available = stack.Available(product.product_id, product.sku_ids[0]);
    if (available != 5) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  CHECK(available == 5);
  auto late =
      client.Send("POST", "/v1/orders/" + placed.Str("order.orderId") + ":pay", "{}", Keyed(stack.Bearer(token)));
  CHECK(late.status == 400);
}

TEST_CASE("payment notifications reach the order only with a valid signature, once, and a lost one is queried") {
  Stack stack;
  std::string admin = stack.AdminToken();
  auto product = stack.CreateProduct(admin, {{1200, 10}});
  std::string token = stack.NewCustomer();
  HttpClient client(stack.gateway);
  HttpClient sim(stack.simulator);
  auto place = [&] {
    auto placed = stack.PlaceOrder(client, token, Unique("key"), absl::StrCat("[", Line(product.sku_ids[0], 1), "]"));
    REQUIRE(placed.status == 200);
    return placed.Str("order.orderId");
  };
  auto pay = [&](const std::string& order_id, const std::string& control) {
    REQUIRE(sim.Send("PUT", "/v1/control/orders/" + order_id, control).status == 200);
    auto paying = client.Send("POST", "/v1/orders/" + order_id + ":pay", "{}", Keyed(stack.Bearer(token)));
    INFO(paying.body);
    REQUIRE(paying.status == 200);
    REQUIRE(stack.BuyerPays(paying).status == 200);
  };

  // A forged notification, straight to the gateway: 401, and the order does not move.
  std::string forged_order = place();
  std::string body =
      absl::StrCat(R"({"orderId":")", forged_order,
                   R"(","paymentId":"x","status":"SUCCEEDED","amount":{"currency":"CNY","amountMinor":"1200"}})");
  std::string now = std::to_string(absl::ToUnixSeconds(absl::Now()));
  auto forged = client.Send("POST", "/v1/payments/notify/simulator", body,
                            {{"X-Zt-Timestamp", now}, {"X-Zt-Signature", std::string(64, 'a')}});
  CHECK(forged.status == 401);
  CHECK(forged.Str("error.reason") == "SIGNATURE_INVALID");
  auto unsigned_call = client.Send("POST", "/v1/payments/notify/simulator", body);
  CHECK(unsigned_call.status == 401);
  CHECK(unsigned_call.Str("error.reason") == "SIGNATURE_MISSING");
  CHECK(client.Send("GET", "/v1/orders/" + forged_order, "", stack.Bearer(token)).Str("order.status") ==
        "ORDER_STATUS_PENDING_PAYMENT");

  // Sent twice: both accepted, paid once.
  std::string twice = place();
  pay(twice, R"({"duplicateNotify":true})");
  CHECK(stack.AwaitPaid(client, token, twice) == "ORDER_STATUS_AWAITING_SHIPMENT");
  for (int i = 0; i < 50 && stack.Deliveries(twice).size() < 2; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  CHECK(stack.Deliveries(twice) == std::vector<int>{200, 200});

  // Signed with a wrong key: the gateway refuses each try (401) and the order stays unpaid until the order service's
  // sweeper asks the provider (the stack's ZT_ORDER_PAYMENT_QUERY_AFTER is short).
  std::string bad_key = place();
  pay(bad_key, R"({"badSignature":true})");
  for (int i = 0; i < 50 && stack.Deliveries(bad_key).empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  REQUIRE_FALSE(stack.Deliveries(bad_key).empty());
  CHECK(stack.Deliveries(bad_key).front() == 401);
  CHECK(stack.AwaitPaid(client, token, bad_key) == "ORDER_STATUS_AWAITING_SHIPMENT");

  // Declined in the wallet: the order waits for payment again.
  std::string declined = place();
  pay(declined, R"({"decline":true})");
  std::string status;
  for (int i = 0; i < 100; ++i) {
    auto attempt = client.Send("POST", "/v1/orders/" + declined + ":pay", "{}", Keyed(stack.Bearer(token)));
    if (attempt.Num("payment.attempt") == 2) {
      status = attempt.Str("order.status");
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  CHECK(status == "ORDER_STATUS_PENDING_PAYMENT");  // a second attempt, after the decline
}

TEST_CASE(
    "paid orders leave in one parcel, signed carrier callbacks deliver them once and the buyer confirms receipt") {
  Stack stack;
  std::string admin = stack.AdminToken();
  auto product = stack.CreateProduct(admin, {{1200, 10}});
  std::string token = stack.NewCustomer();
  std::string stranger = stack.NewCustomer();
  HttpClient client(stack.gateway);
  std::string line = absl::StrCat("[", Line(product.sku_ids[0], 1), "]");
  auto paid_order = [&] {
    auto placed = stack.PlaceOrder(client, token, Unique("key"), line);
    REQUIRE(placed.status == 200);
    std::string id = placed.Str("order.orderId");
    auto paying = client.Send("POST", "/v1/orders/" + id + ":pay", "{}", Keyed(stack.Bearer(token)));
    REQUIRE(paying.status == 200);
    REQUIRE(stack.BuyerPays(paying).status == 200);
    REQUIRE(stack.AwaitPaid(client, token, id) == "ORDER_STATUS_AWAITING_SHIPMENT");
    return id;
  };
  auto signed_post = [&](const std::string& path, const std::string& body, const std::string& secret) {
    int64_t now = absl::ToUnixSeconds(absl::Now());
    return client.Send(
        "POST", path, body,
        {{"X-Zt-Timestamp", std::to_string(now)}, {"X-Zt-Signature", http::SignBody(secret, now, body)}});
  };

  // The checkout promises a delivery window from the carrier rules (standard carrier to Guangdong).
  auto quote = client.Send("POST", "/v1/checkout:quote",
                           absl::StrCat(R"({"lines":)", line, R"(,"addressId":")", stack.AddressOf(token), R"("})"),
                           stack.Bearer(token));
  INFO(quote.body);
  REQUIRE(quote.status == 200);
  CHECK(quote.Str("deliveryPromise.carrier") == "ZTO");
  CHECK_FALSE(quote.Str("deliveryPromise.earliestDate").empty());

  std::string first = paid_order();
  std::string second = paid_order();
  std::string tracking = Unique("ZT");
  auto shipped = client.Send("POST", "/v1/admin/orders/" + first + ":ship",
                             absl::StrCat(R"({"trackingNumber":")", tracking, R"("})"), Keyed(stack.Bearer(admin)));
  INFO(shipped.body);
  REQUIRE(shipped.status == 200);
  // Same buyer, same address, same warehouse, placed together: one parcel for both.
  CHECK(shipped.Find("shipment.orderIds")->list_value().values_size() == 2);
  CHECK(shipped.Str("shipment.carrier") == "ZTO");
  CHECK(shipped.Str("shipment.deliveryPromise.carrierRuleId") == "standard");
  CHECK(client.Send("GET", "/v1/orders/" + second, "", stack.Bearer(token)).Str("order.status") ==
        "ORDER_STATUS_SHIPPED");
  auto parcels = client.Send("GET", "/v1/orders/" + second + "/shipments", "", stack.Bearer(token));
  REQUIRE(parcels.status == 200);
  REQUIRE(parcels.Find("shipments")->list_value().values_size() == 1);
  CHECK(parcels.Find("shipments")->list_value().values(0).struct_value().fields().at("trackingNumber").string_value() ==
        tracking);
  CHECK(client.Send("GET", "/v1/orders/" + second + "/shipments", "", stack.Bearer(stranger)).status == 404);

  // The warehouse system reports the same parcel: accepted, nothing new. Unsigned: refused.
  std::string notice = absl::StrCat(R"({"orderId":")", first, R"(","trackingNumber":")", tracking, R"("})");
  auto wms = signed_post("/v1/callbacks/wms/shipments", notice, stack.env.at("ZT_STACK_WMS_SECRET"));
  INFO(wms.body);
  CHECK(wms.status == 200);
  CHECK(wms.Str("shipmentId") == shipped.Str("shipment.shipmentId"));
  CHECK(client.Send("POST", "/v1/callbacks/wms/shipments", notice).status == 401);

  // The carrier reports delivery twice: delivered once.
  std::string delivered = absl::StrCat(R"({"carrier":"ZTO","trackingNumber":")", tracking,
                                       R"(","event":{"eventId":"d1","status":"DELIVERED","description":"signed"}})");
  const std::string& logistics = stack.env.at("ZT_STACK_LOGISTICS_SECRET");
  auto once = signed_post("/v1/callbacks/logistics/tracking", delivered, logistics);
  INFO(once.body);
  REQUIRE(once.status == 200);
  REQUIRE(once.Find("recorded") != nullptr);
  CHECK(once.Find("recorded")->bool_value());
  auto twice = signed_post("/v1/callbacks/logistics/tracking", delivered, logistics);
  CHECK(twice.status == 200);
  REQUIRE(twice.Find("recorded") != nullptr);
  CHECK_FALSE(twice.Find("recorded")->bool_value());  // a duplicate: nothing changed
  CHECK(client.Send("GET", "/v1/orders/" + first, "", stack.Bearer(token)).Str("order.status") ==
        "ORDER_STATUS_DELIVERED");

  auto confirmed = client.Send("POST", "/v1/orders/" + first + ":confirmReceipt", "{}", stack.Bearer(token));
  INFO(confirmed.body);
  REQUIRE(confirmed.status == 200);
  CHECK(confirmed.Str("order.status") == "ORDER_STATUS_COMPLETED");
  CHECK(client.Send("POST", "/v1/orders/" + first + ":confirmReceipt", "{}", stack.Bearer(stranger)).status == 404);
}

TEST_CASE("a product is a draft until published, publishing checks the Advertising Law, and edits name their version") {
  Stack stack;
  std::string admin = stack.AdminToken();
  HttpClient client(stack.gateway);
  auto category = client.Send("POST", "/v1/admin/categories", absl::StrCat(R"({"name":")", Unique("cat"), R"("})"),
                              Keyed(stack.Bearer(admin)));
  REQUIRE(category.status == 200);
  std::string prefix = Unique("E2E-");
  auto created =
      client.Send("POST", "/v1/admin/products",
                  absl::StrCat(R"({"title":"龙井 明前茶","subtitle":"全网最 低价","categoryId":")",
                               category.Str("category.categoryId"),
                               R"(","salesAttributes":[{"name":"规格","values":["250g","500g"]}],"skuCodePrefix":")",
                               prefix, R"(","defaultPrice":{"currency":"CNY","amountMinor":"9900"}})"),
                  Keyed(stack.Bearer(admin)));
  INFO(created.body);
  REQUIRE(created.status == 200);
  CHECK(created.Str("product.status") == "PRODUCT_STATUS_DRAFT");
  CHECK(created.Find("product.skus")->list_value().values_size() == 2);
  std::string id = created.Str("product.productId");
  CHECK(client.Send("GET", "/v1/products/" + id).status == 404);

  auto refused = client.Send("POST", absl::StrCat("/v1/admin/products/", id, ":publish"), "{}", stack.Bearer(admin));
  INFO(refused.body);
  CHECK(refused.status == 400);
  CHECK(refused.Str("error.reason") == "LISTING_NOT_COMPLIANT");
  CHECK(refused.body.find(R"("word":"全网最低")") != std::string::npos);
  CHECK(refused.body.find(R"("matched":"全网最 低")") != std::string::npos);

  auto stale =
      client.Send("PATCH", "/v1/admin/products/" + id, R"({"version":"7","subtitle":"明前头采"})", stack.Bearer(admin));
  CHECK(stale.status == 409);
  CHECK(stale.Str("error.reason") == "VERSION_CONFLICT");
  auto edited =
      client.Send("PATCH", "/v1/admin/products/" + id, R"({"version":"1","subtitle":"明前头采"})", stack.Bearer(admin));
  INFO(edited.body);
  REQUIRE(edited.status == 200);
  CHECK(edited.Str("product.version") == "2");

  auto published = client.Send("POST", absl::StrCat("/v1/admin/products/", id, ":publish"), "{}", stack.Bearer(admin));
  INFO(published.body);
  REQUIRE(published.status == 200);
  auto shown = client.Send("GET", "/v1/products/" + id);
  CHECK(shown.status == 200);
  CHECK(shown.Str("product.subtitle") == "明前头采");
  REQUIRE(
      client.Send("POST", absl::StrCat("/v1/admin/products/", id, ":unpublish"), "{}", stack.Bearer(admin)).status ==
      200);
  // The cache of the product service forgets it at once on this replica.
  CHECK(client.Send("GET", "/v1/products/" + id).status == 404);
}

// The listing page is kept by the product service and by the gateway (services/gateway/catalogue_reply_cache.h); both
// drop it when the catalogue changes, so a shopper sees a publish, a product selling out and coming back, and an
// unpublish on the next requests, long before any TTL would.
TEST_CASE("a listing page through the gateway follows publish, selling out, restock and unpublish") {
  Stack stack;
  std::string admin = stack.AdminToken();
  HttpClient client(stack.gateway);
  auto category = client.Send("POST", "/v1/admin/categories", absl::StrCat(R"({"name":")", Unique("cat"), R"("})"),
                              Keyed(stack.Bearer(admin)));
  REQUIRE(category.status == 200);
  std::string category_id = category.Str("category.categoryId");
  auto created = client.Send(
      "POST", "/v1/admin/products",
      absl::StrCat(R"({"title":")", Unique("Listed tea "), R"(","categoryId":")", category_id,
                   R"(","skus":[{"skuCode":")", Unique("SKU"),
                   R"(","spec":"v","price":{"currency":"CNY","amountMinor":"1999"},)", R"("initialStock":"2"}]})"),
      Keyed(stack.Bearer(admin)));
  INFO(created.body);
  REQUIRE(created.status == 200);
  std::string id = created.Str("product.productId");
  std::string sku =
      created.Find("product.skus")->list_value().values(0).struct_value().fields().at("skuId").string_value();
  const std::string page = absl::StrCat("/v1/products?pageSize=20&inStockOnly=true&categoryId=", category_id);
  auto listed = [&] {
    auto answer = client.Send("GET", page);
    REQUIRE(answer.status == 200);
    return answer.body.find(id) != std::string::npos;
  };
  // Asked until it shows `shown` (the change travels PostgreSQL -> product -> Redis -> gateway); how long it took.
  auto await = [&](bool shown) {
    auto start = std::chrono::steady_clock::now();
    while (listed() != shown && std::chrono::steady_clock::now() - start < std::chrono::seconds(5)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    CHECK(listed() == shown);
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
  };

  CHECK_FALSE(listed());  // a draft
  CHECK_FALSE(listed());  // the same page again, kept
  REQUIRE(client.Send("POST", absl::StrCat("/v1/admin/products/", id, ":publish"), "{}", stack.Bearer(admin)).status ==
          200);
  INFO("publish seen after " << await(true) << " ms");
  CHECK(listed());

  auto adjust = [&](int delta) {
    auto adjusted = client.Send("POST", "/v1/admin/stock:adjust",
                                absl::StrCat(R"({"skuId":")", sku, R"(","delta":")", delta, R"(","reason":"count"})"),
                                Keyed(stack.Bearer(admin)));
    INFO(adjusted.body);
    REQUIRE(adjusted.status == 200);
  };
  adjust(-2);  // sold out: gone from an in-stock listing
  INFO("sold out seen after " << await(false) << " ms");
  adjust(1);  // back in stock
  INFO("restock seen after " << await(true) << " ms");
  REQUIRE(
      client.Send("POST", absl::StrCat("/v1/admin/products/", id, ":unpublish"), "{}", stack.Bearer(admin)).status ==
      200);
  INFO("unpublish seen after " << await(false) << " ms");
  CHECK_FALSE(listed());
}

TEST_CASE("bad input gets the right status and reason, and changes nothing") {
  Stack stack;
  std::string admin = stack.AdminToken();
  auto product = stack.CreateProduct(admin, {{1000, 7}});
  std::string token = stack.NewCustomer();
  std::string stranger = stack.NewCustomer();
  HttpClient client(stack.gateway);
  auto headers = stack.Bearer(token);

  auto no_key =
      client.Send("POST", "/v1/orders", absl::StrCat(R"({"lines":[)", Line(product.sku_ids[0], 1), "]}"), headers);
  CHECK(no_key.status == 400);
  CHECK(no_key.Str("error.reason") == "IDEMPOTENCY_KEY_REQUIRED");
  auto malformed = client.Send("POST", "/v1/orders", R"({"lines": [)", Keyed(headers));
  CHECK(malformed.status == 400);
  CHECK(malformed.Str("error.status") == "INVALID_ARGUMENT");

  auto wrong_type = client.Send("POST", "/v1/orders", R"({"lines": "three"})", Keyed(headers));
  CHECK(wrong_type.status == 400);

  auto unknown_field = client.Send("POST", "/v1/orders", R"({"lines": [], "bogus": 1})", Keyed(headers));
  CHECK(unknown_field.status == 400);

  auto zero = stack.PlaceOrder(client, token, Unique("key"), absl::StrCat("[", Line(product.sku_ids[0], 0), "]"));
  CHECK(zero.status == 400);
  CHECK(zero.Str("error.reason") == "QUANTITY_NOT_POSITIVE");
  auto negative = stack.PlaceOrder(client, token, Unique("key"), absl::StrCat("[", Line(product.sku_ids[0], -2), "]"));
  CHECK(negative.status == 400);
  CHECK(negative.Str("error.reason") == "QUANTITY_NOT_POSITIVE");

  auto no_token = client.Send("POST", "/v1/orders", absl::StrCat(R"({"lines":[)", Line(product.sku_ids[0], 1), "]}"));
  CHECK(no_token.status == 401);
  CHECK(no_token.Str("error.reason") == "TOKEN_MISSING");

  std::string tampered = token;
  tampered[tampered.size() / 2] = tampered[tampered.size() / 2] == 'A' ? 'B' : 'A';
  auto bad_token = client.Send("GET", "/v1/orders", "", stack.Bearer(tampered));
  CHECK(bad_token.status == 401);
  CHECK(bad_token.Str("error.reason") == "TOKEN_INVALID");

  // Minted with the suite's own signing key (the operator's, read from the stack's state): a genuine but old token.
  auth::TokenConfig config;
  std::ifstream key_file(stack.env.at("ZT_STACK_STATE") + "/tls/token.signing-key");
  std::string signing_key;
  std::getline(key_file, signing_key);
  config.signing_key = *auth::DecodeKey(signing_key);
  std::string expired = auth::SignAccessToken(config, "someone", "customer", absl::Now() - absl::Hours(2));
  auto expired_response = client.Send("GET", "/v1/orders", "", stack.Bearer(expired));
  CHECK(expired_response.status == 401);
  CHECK(expired_response.Str("error.reason") == "TOKEN_EXPIRED");

  auto customer_as_admin = client.Send("POST", "/v1/admin/categories", R"({"name":"x"})", headers);
  CHECK(customer_as_admin.status == 403);

  auto placed = stack.PlaceOrder(client, token, Unique("key"), absl::StrCat("[", Line(product.sku_ids[0], 1), "]"));
  REQUIRE(placed.status == 200);
  std::string order_id = placed.Str("order.orderId");
  auto peek = client.Send("GET", "/v1/orders/" + order_id, "", stack.Bearer(stranger));
  CHECK(peek.status == 404);
  auto missing = client.Send("GET", "/v1/orders/o_doesnotexist", "", stack.Bearer(stranger));
  CHECK(missing.status == 404);
  CHECK(peek.Str("error.reason") == missing.Str("error.reason"));
  auto steal = client.Send("POST", "/v1/orders/" + order_id + ":pay", "{}", Keyed(stack.Bearer(stranger)));
  CHECK(steal.status == 404);
  CHECK(client.Send("GET", "/v1/orders/" + order_id, "", headers).Str("order.status") ==
        "ORDER_STATUS_PENDING_PAYMENT");
  CHECK(stack.Available(product.product_id, product.sku_ids[0]) == 6);
}

// Warehouses and stock
// A string field of the i-th object of a JSON list in the response ("" when absent).
std::string ListField(const HttpResponse& response, const std::string& list, int i, const std::string& field) {
  const google::protobuf::Value* values = response.Find(list);
  if (values == nullptr || values->list_value().values_size() <= i) return "";
  const auto& fields = values->list_value().values(i).struct_value().fields();
  auto it = fields.find(field);
  return it == fields.end() ? "" : it->second.string_value();
}

TEST_CASE("an admin runs warehouses and stock, and an order is sourced from the front warehouse") {
  Stack stack;
  std::string admin = stack.AdminToken();
  auto product = stack.CreateProduct(admin, {{500, 5}});
  const std::string sku = product.sku_ids[0];
  const std::string front = Unique("sz-front-");
  HttpClient client(stack.gateway);
  auto headers = stack.Bearer(admin);

  auto created =
      client.Send("POST", "/v1/admin/warehouses",
                  absl::StrCat(R"({"warehouse":{"warehouseId":")", front,
                               R"(","name":"Shenzhen front","type":"WAREHOUSE_TYPE_FRONT","regions":["440300"]}})"),
                  Keyed(headers));
  INFO(created.body);
  REQUIRE(created.status == 200);
  CHECK(created.Str("warehouse.type") == "WAREHOUSE_TYPE_FRONT");
  auto no_regions = client.Send("POST", "/v1/admin/warehouses",
                                R"({"warehouse":{"warehouseId":"x-front","name":"X","type":"WAREHOUSE_TYPE_FRONT"}})",
                                Keyed(headers));
  CHECK(no_regions.status == 400);
  CHECK(no_regions.Str("error.reason") == "WAREHOUSE_REGIONS_REQUIRED");

  auto inbound = client.Send("POST", "/v1/admin/stock/movements",
                             absl::StrCat(R"({"type":"STOCK_MOVEMENT_TYPE_INBOUND","skuId":")", sku,
                                          R"(","warehouseId":")", front, R"(","quantity":"3","reference":"DN-42"})"),
                             Keyed(headers));
  INFO(inbound.body);
  REQUIRE(inbound.status == 200);
  CHECK(inbound.Num("stock.onHand") == 3);
  auto transfer = client.Send("POST", "/v1/admin/stock:transfer",
                              absl::StrCat(R"({"skuId":")", sku, R"(","fromWarehouseId":"default","toWarehouseId":")",
                                           front, R"(","quantity":"2"})"),
                              Keyed(headers));
  INFO(transfer.body);
  REQUIRE(transfer.status == 200);
  CHECK(transfer.Num("from.onHand") == 3);
  CHECK(transfer.Num("to.onHand") == 5);
  auto same = client.Send("POST", "/v1/admin/stock:transfer",
                          absl::StrCat(R"({"skuId":")", sku, R"(","fromWarehouseId":")", front,
                                       R"(","toWarehouseId":")", front, R"(","quantity":"1"})"),
                          Keyed(headers));
  CHECK(same.status == 400);
  CHECK(same.Str("error.reason") == "TRANSFER_TO_SAME_WAREHOUSE");
  CHECK(stack.Available(product.product_id, sku) == 8);

  // No shipping region yet from the order service: every active warehouse is eligible, front ones first.
  std::string buyer = stack.NewCustomer();
  auto placed = stack.PlaceOrder(client, buyer, Unique("key"), absl::StrCat("[", Line(sku, 4), "]"));
  INFO(placed.body);
  REQUIRE(placed.status == 200);
  auto ledger =
      client.Send("GET", absl::StrCat("/v1/admin/stock/ledger?skuId=", sku, "&warehouseId=", front), "", headers);
  INFO(ledger.body);
  REQUIRE(ledger.status == 200);
  CHECK(ListField(ledger, "entries", 0, "kind") == "reserve");
  CHECK(ListField(ledger, "entries", 0, "reference") == placed.Str("order.orderId"));
  CHECK(ListField(ledger, "entries", 1, "kind") == "transfer_in");
  CHECK(ListField(ledger, "entries", 2, "kind") == "inbound");
  CHECK(ListField(ledger, "entries", 2, "reference") == "DN-42");
  auto paged = client.Send("GET", absl::StrCat("/v1/admin/stock/ledger?skuId=", sku, "&pageSize=1"), "", headers);
  REQUIRE(paged.status == 200);
  CHECK_FALSE(paged.Str("nextPageToken").empty());

  auto off = client.Send("PATCH", "/v1/admin/warehouses/" + front, R"({"active":false,"priority":7})", headers);
  INFO(off.body);
  REQUIRE(off.status == 200);
  REQUIRE(off.Find("warehouse.active") != nullptr);
  CHECK_FALSE(off.Find("warehouse.active")->bool_value());
  CHECK(off.Num("warehouse.priority") == 7);
  auto missing = client.Send("PATCH", "/v1/admin/warehouses/nowhere", R"({"active":true})", headers);
  CHECK(missing.status == 404);
  CHECK(missing.Str("error.reason") == "WAREHOUSE_NOT_FOUND");
  // The front warehouse is closed: its 1 unit left no longer counts as sellable by reservations.
  auto too_many = stack.PlaceOrder(client, buyer, Unique("key"), absl::StrCat("[", Line(sku, 4), "]"));
  CHECK(too_many.status == 400);
  CHECK(too_many.Str("error.reason") == "INSUFFICIENT_STOCK");

  auto safety =
      client.Send("PUT", "/v1/admin/stock/safety",
                  absl::StrCat(R"({"skuId":")", sku,
                               R"(","warehouseId":"default","mode":"SAFETY_STOCK_MODE_FIXED","quantity":"10"})"),
                  headers);
  INFO(safety.body);
  REQUIRE(safety.status == 200);
  auto alerts = client.Send("GET", "/v1/admin/stock/alerts?warehouseId=default&pageSize=1000", "", headers);
  INFO(alerts.body);
  REQUIRE(alerts.status == 200);
  bool listed = false;
  for (const auto& alert : alerts.Find("alerts")->list_value().values()) {
    const auto& fields = alert.struct_value().fields();
    if (fields.at("skuId").string_value() == sku) listed = fields.at("belowSafetyStock").bool_value();
  }
  CHECK(listed);
}
// End of warehouses and stock

// Fulfilment: carriers chosen by what the product center says of the goods.
// Places and pays an order of `lines_json`; answers its id once it awaits shipment.
std::string PaidOrder(Stack& stack, HttpClient& client, const std::string& token, const std::string& lines_json) {
  auto placed = stack.PlaceOrder(client, token, Unique("key"), lines_json);
  INFO(placed.body);
  REQUIRE(placed.status == 200);
  std::string order_id = placed.Str("order.orderId");
  auto paying = client.Send("POST", "/v1/orders/" + order_id + ":pay", "{}", Keyed(stack.Bearer(token)));
  INFO(paying.body);
  REQUIRE(paying.status == 200);
  REQUIRE(stack.BuyerPays(paying).status == 200);
  REQUIRE(stack.AwaitPaid(client, token, order_id) == "ORDER_STATUS_AWAITING_SHIPMENT");
  return order_id;
}

// A published product whose SKUs have a weight (grams) and a fragile flag, with stock.
Stack::NewProduct ShippingProduct(Stack& stack, const std::string& admin,
                                  const std::vector<std::tuple<int64_t, int64_t, bool>>& skus) {
  HttpClient client(stack.gateway);
  auto category = client.Send("POST", "/v1/admin/categories", absl::StrCat(R"({"name":")", Unique("cat"), R"("})"),
                              Keyed(stack.Bearer(admin)));
  REQUIRE(category.status == 200);
  std::string body = absl::StrCat(R"({"title":")", Unique("Goods "), R"(","categoryId":")",
                                  category.Str("category.categoryId"), R"(","skus":[)");
  for (size_t i = 0; i < skus.size(); ++i) {
    absl::StrAppend(&body, i ? "," : "", R"({"skuCode":")", Unique("SKU"), R"(","spec":"v)", i,
                    R"(","price":{"currency":"CNY","amountMinor":")", std::get<0>(skus[i]),
                    R"("},"initialStock":"20","weightGrams":")", std::get<1>(skus[i]), R"(","fragile":)",
                    std::get<2>(skus[i]) ? "true" : "false", "}");
  }
  absl::StrAppend(&body, "]}");
  auto created = client.Send("POST", "/v1/admin/products", body, Keyed(stack.Bearer(admin)));
  INFO(created.body);
  REQUIRE(created.status == 200);
  Stack::NewProduct product{created.Str("product.productId"), {}};
  auto published = client.Send("POST", absl::StrCat("/v1/admin/products/", product.product_id, ":publish"), "{}",
                               stack.Bearer(admin));
  REQUIRE(published.status == 200);
  for (const auto& sku : created.Find("product.skus")->list_value().values()) {
    product.sku_ids.push_back(sku.struct_value().fields().at("skuId").string_value());
  }
  return product;
}

TEST_CASE(
    "the carrier rules choose by the SKUs' weight and fragility from the product center, say which rule and set the "
    "shipping fee") {
  Stack stack;
  std::string admin = stack.AdminToken();
  HttpClient client(stack.gateway);
  auto headers = stack.Bearer(admin);
  auto before = client.Send("GET", "/v1/admin/carrier-rules", "", headers);
  REQUIRE(before.status == 200);
  // Heavy parcels (20 kg and more) by Deppon for ¥30, fragile ones by SF for ¥18, the rest by ZTO at the flat fee.
  auto replaced = client.Send(
      "POST", "/v1/admin/carrier-rules",
      R"({"rules":[{"ruleId":"heavy-e2e","priority":5,"carrier":"DBL","minWeightGrams":"20000","fee":"3000"},)"
      R"({"ruleId":"fragile-e2e","priority":6,"carrier":"SF","fragileOnly":true,"fee":"1800"},)"
      R"({"ruleId":"standard-e2e","priority":1000,"carrier":"ZTO"}],)"
      R"("transitTimes":[{"carrier":"DBL","warehouseId":"*","region":"*","minDays":3,"maxDays":5},)"
      R"({"carrier":"SF","warehouseId":"*","region":"*","minDays":1,"maxDays":2},)"
      R"({"carrier":"ZTO","warehouseId":"*","region":"*","minDays":2,"maxDays":4}]})",
      headers);
  INFO(replaced.body);
  REQUIRE(replaced.status == 200);

  // A 12 kg dumbbell, a 0.8 kg fragile vase, a 0.3 kg towel.
  auto goods = ShippingProduct(stack, admin, {{9900, 12000, false}, {5900, 800, true}, {1900, 300, false}});
  auto skus = client.Send("GET", "/v1/products/" + goods.product_id);
  REQUIRE(skus.status == 200);
  CHECK(ListField(skus, "product.skus", 0, "weightGrams") == "12000");

  struct Case {
    std::string lines;
    std::string carrier;
    std::string rule;
    int64_t shipping_fee;
  };
  // Two dumbbells weigh 24 kg; one vase among towels makes the parcel fragile; towels alone go standard.
  std::vector<Case> cases = {
      {absl::StrCat("[", Line(goods.sku_ids[0], 2), "]"), "DBL", "heavy-e2e", 3000},
      {absl::StrCat("[", Line(goods.sku_ids[1], 1), ",", Line(goods.sku_ids[2], 2), "]"), "SF", "fragile-e2e", 1800},
      {absl::StrCat("[", Line(goods.sku_ids[0], 1), ",", Line(goods.sku_ids[2], 1), "]"), "ZTO", "standard-e2e",
       1000},  // the stack's flat fee (ZT_ORDER_SHIPPING_FEE_FEN's default)
  };
  for (const Case& c : cases) {
    INFO(c.rule);
    std::string buyer = stack.NewCustomer();  // one buyer each: a buyer's parcels would merge
    // The checkout quotes the fee of the rule the parcel would go by, and the order is charged the same.
    auto quote = client.Send("POST", "/v1/checkout:quote",
                             absl::StrCat(R"({"addressId":")", stack.AddressOf(buyer), R"(","lines":)", c.lines, "}"),
                             stack.Bearer(buyer));
    INFO(quote.body);
    REQUIRE(quote.status == 200);
    CHECK(quote.Num("shippingFee.amountMinor") == c.shipping_fee);
    CHECK(quote.Str("deliveryPromise.carrierRuleId") == c.rule);
    std::string order_id = PaidOrder(stack, client, buyer, c.lines);
    auto order = client.Send("GET", "/v1/orders/" + order_id, "", stack.Bearer(buyer));
    REQUIRE(order.status == 200);
    CHECK(order.Num("order.shippingFee.amountMinor") == c.shipping_fee);
    auto shipped = client.Send("POST", "/v1/admin/orders/" + order_id + ":ship",
                               absl::StrCat(R"({"trackingNumber":")", Unique("TN"), R"("})"), Keyed(headers));
    INFO(shipped.body);
    REQUIRE(shipped.status == 200);
    CHECK(shipped.Str("shipment.carrier") == c.carrier);
    CHECK(shipped.Str("shipment.deliveryPromise.carrierRuleId") == c.rule);
    CHECK(ListField(shipped, "shipment.lines", 0, "orderId") == order_id);  // what to pack
    auto listed = client.Send("GET", "/v1/orders/" + order_id + "/shipments", "", stack.Bearer(buyer));
    REQUIRE(listed.status == 200);
    CHECK(ListField(listed, "shipments", 0, "carrier") == c.carrier);
  }

  // The rules as they were, for the other scenarios.
  std::string restore = before.body;
  auto restored = client.Send("POST", "/v1/admin/carrier-rules", restore, headers);
  INFO(restored.body);
  CHECK(restored.status == 200);
}

// After-sales and fulfilment: a refund before shipment shrinks the parcel; an exchange ships a replacement.
HttpResponse SignedPost(HttpClient& client, const std::string& path, const std::string& body,
                        const std::string& secret) {
  int64_t now = absl::ToUnixSeconds(absl::Now());
  return client.Send("POST", path, body,
                     {{"X-Zt-Timestamp", std::to_string(now)}, {"X-Zt-Signature", http::SignBody(secret, now, body)}});
}

std::string ReturnLines(const std::string& sku, int quantity, const std::string& replacement = "") {
  return absl::StrCat(R"([{"skuId":")", sku, R"(","quantity":")", quantity, R"(")",
                      replacement.empty() ? "" : absl::StrCat(R"(,"replacementSkuId":")", replacement, R"(")"), "}]");
}

TEST_CASE("a refund before shipment gives the refunded units' stock back and the parcel carries the rest") {
  Stack stack;
  std::string admin = stack.AdminToken();
  auto product = stack.CreateProduct(admin, {{1500, 10}});
  const std::string sku = product.sku_ids[0];
  std::string buyer = stack.NewCustomer();
  HttpClient client(stack.gateway);
  std::string order_id = PaidOrder(stack, client, buyer, absl::StrCat("[", Line(sku, 3), "]"));
  CHECK(stack.Available(product.product_id, sku) == 7);

  auto asked = client.Send("POST", "/v1/orders/" + order_id + "/returns",
                           absl::StrCat(R"({"type":"RETURN_TYPE_REFUND_ONLY","reason":"ordered one too many","lines":)",
                                        ReturnLines(sku, 2), "}"),
                           Keyed(stack.Bearer(buyer)));
  INFO(asked.body);
  REQUIRE(asked.status == 200);
  std::string return_id = asked.Str("return.returnId");
  // While the admin has not decided, the warehouse waits.
  auto early = client.Send("POST", "/v1/admin/orders/" + order_id + ":ship",
                           absl::StrCat(R"({"trackingNumber":")", Unique("TN"), R"("})"), Keyed(stack.Bearer(admin)));
  CHECK(early.status == 400);
  CHECK(early.Str("error.reason") == "REFUND_PENDING");
  auto approved = client.Send("POST", "/v1/admin/returns/" + return_id + ":approve", R"({"note":"ok"})",
                              Keyed(stack.Bearer(admin)));
  INFO(approved.body);
  REQUIRE(approved.status == 200);
  CHECK(approved.Str("return.status") == "RETURN_STATUS_REFUNDED");
  // The two refunded units are sellable again in the product center.
  CHECK(stack.AvailableWithin(product.product_id, sku, 9) == 9);

  auto shipped = client.Send("POST", "/v1/admin/orders/" + order_id + ":ship",
                             absl::StrCat(R"({"trackingNumber":")", Unique("TN"), R"("})"), Keyed(stack.Bearer(admin)));
  INFO(shipped.body);
  REQUIRE(shipped.status == 200);
  CHECK(client.Send("GET", "/v1/orders/" + order_id, "", stack.Bearer(buyer)).Str("order.status") ==
        "ORDER_STATUS_SHIPPED");
  CHECK(stack.AvailableWithin(product.product_id, sku, 9) == 9);

  // Refunded in full before shipment: the order closes and never ships; its stock is back.
  std::string whole = PaidOrder(stack, client, buyer, absl::StrCat("[", Line(sku, 2), "]"));
  auto all = client.Send("POST", "/v1/orders/" + whole + "/returns",
                         absl::StrCat(R"({"type":"RETURN_TYPE_REFUND_ONLY","reason":"changed my mind","lines":)",
                                      ReturnLines(sku, 2), "}"),
                         Keyed(stack.Bearer(buyer)));
  REQUIRE(all.status == 200);
  REQUIRE(client
              .Send("POST", "/v1/admin/returns/" + all.Str("return.returnId") + ":approve", R"({"note":"ok"})",
                    Keyed(stack.Bearer(admin)))
              .status == 200);
  CHECK(client.Send("GET", "/v1/orders/" + whole, "", stack.Bearer(buyer)).Str("order.status") ==
        "ORDER_STATUS_CLOSED");
  CHECK(stack.AvailableWithin(product.product_id, sku, 9) == 9);
  auto never = client.Send("POST", "/v1/admin/orders/" + whole + ":ship",
                           absl::StrCat(R"({"trackingNumber":")", Unique("TN"), R"("})"), Keyed(stack.Bearer(admin)));
  CHECK(never.status == 400);
}

TEST_CASE("an exchange ships a replacement of the buyer's choice, tracked by the carrier, done once delivered") {
  Stack stack;
  std::string admin = stack.AdminToken();
  // Black and blue at the same price, red dearer.
  auto phone = stack.CreateProduct(admin, {{2999, 5}, {2999, 5}, {3299, 5}});
  std::string buyer = stack.NewCustomer();
  HttpClient client(stack.gateway);
  std::string order_id = PaidOrder(stack, client, buyer, absl::StrCat("[", Line(phone.sku_ids[0], 1), "]"));
  std::string tracking = Unique("ZT");
  REQUIRE(client
              .Send("POST", "/v1/admin/orders/" + order_id + ":ship",
                    absl::StrCat(R"({"trackingNumber":")", tracking, R"(","carrier":"ZTO"})"),
                    Keyed(stack.Bearer(admin)))
              .status == 200);
  const std::string& logistics = stack.env.at("ZT_STACK_LOGISTICS_SECRET");
  auto delivered = [&](const std::string& carrier, const std::string& number, const std::string& event_id) {
    return SignedPost(client, "/v1/callbacks/logistics/tracking",
                      absl::StrCat(R"({"carrier":")", carrier, R"(","trackingNumber":")", number,
                                   R"(","event":{"eventId":")", event_id, R"(","status":"DELIVERED"}})"),
                      logistics);
  };
  REQUIRE(delivered("ZTO", tracking, "d1").status == 200);

  auto ask = [&](const std::string& replacement) {
    return client.Send("POST", "/v1/orders/" + order_id + "/returns",
                       absl::StrCat(R"({"type":"RETURN_TYPE_EXCHANGE","reason":"wrong colour","lines":)",
                                    ReturnLines(phone.sku_ids[0], 1, replacement), "}"),
                       Keyed(stack.Bearer(buyer)));
  };
  auto dearer = ask(phone.sku_ids[2]);
  CHECK(dearer.status == 400);
  CHECK(dearer.Str("error.reason") == "REPLACEMENT_NOT_ALLOWED");
  auto asked = ask(phone.sku_ids[1]);
  INFO(asked.body);
  REQUIRE(asked.status == 200);
  std::string return_id = asked.Str("return.returnId");
  REQUIRE(
      client.Send("POST", "/v1/admin/returns/" + return_id + ":approve", R"({"note":"ok"})", Keyed(stack.Bearer(admin)))
          .status == 200);
  auto received = client.Send("POST", "/v1/admin/returns/" + return_id + ":receive",
                              R"({"condition":"ITEM_CONDITION_SELLABLE"})", Keyed(stack.Bearer(admin)));
  INFO(received.body);
  REQUIRE(received.status == 200);
  CHECK(received.Str("return.status") == "RETURN_STATUS_RECEIVED");
  CHECK_FALSE(received.Str("return.replacementWarehouseId").empty());
  // Where the replacement is held: the one blue phone, in the warehouse named above.
  const google::protobuf::Value* holds = received.Find("return.replacementHolds");
  REQUIRE(holds != nullptr);
  REQUIRE(holds->list_value().values_size() == 1);
  const auto& hold = holds->list_value().values(0).struct_value().fields();
  CHECK(hold.at("warehouseId").string_value() == received.Str("return.replacementWarehouseId"));
  CHECK(hold.at("skuId").string_value() == phone.sku_ids[1]);
  // The black one is back; the blue one is taken for the replacement. Nothing was refunded.
  CHECK(stack.Available(phone.product_id, phone.sku_ids[0]) == 5);
  CHECK(stack.Available(phone.product_id, phone.sku_ids[1]) == 4);

  // The warehouse ships it, signed, like any parcel.
  std::string replacement_tracking = Unique("RP");
  auto wms = SignedPost(client, "/v1/callbacks/wms/shipments",
                        absl::StrCat(R"({"orderId":")", order_id, R"(","returnId":")", return_id,
                                     R"(","carrier":"ZTO","trackingNumber":")", replacement_tracking, R"("})"),
                        stack.env.at("ZT_STACK_WMS_SECRET"));
  INFO(wms.body);
  REQUIRE(wms.status == 200);
  auto seen = client.Send("GET", "/v1/returns/" + return_id, "", stack.Bearer(buyer));
  CHECK(seen.Str("return.status") == "RETURN_STATUS_REPLACEMENT_SHIPPED");
  CHECK(seen.Str("return.replacementTrackingNumber") == replacement_tracking);
  REQUIRE(delivered("ZTO", replacement_tracking, "r1").status == 200);
  seen = client.Send("GET", "/v1/returns/" + return_id, "", stack.Bearer(buyer));
  CHECK(seen.Str("return.status") == "RETURN_STATUS_EXCHANGED");
  CHECK(seen.Num("return.refund.amountMinor") == 0);
}

}  // namespace
}  // namespace zhongtai::e2e
