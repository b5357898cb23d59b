// Paying against the real payment simulator process (zt-payment-simulator, started here on a free port) with the
// order service's PostgreSQL store: what the domain tests show with fakes, over HTTP with real notifications. The
// notifications arrive at a small merchant endpoint in this test that checks the signature as the gateway does
// (http::VerifySignedBody) and reads the body into the gateway's request message for the order service.
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/ip/tcp.hpp>
#include <catch2/catch.hpp>
#include <functional>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/events/outbox.h"
#include "common/http/http_client.h"
#include "common/http/signature.h"
#include "common/pg/migrate.h"
#include "common/proto/convert.h"
#include "common/status/status.h"
#include "common/testing/stores.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "migrations.h"
#include "services/order/clients/payment_provider_http.h"
#include "services/order/domain/payments.h"
#include "services/order/store/pg_order_store.h"
#include "services/order/store/pg_payment_store.h"
#include "services/order/tests/fakes.h"
#include "services/payment-simulator/http_server.h"
#include "zhongtai/order/v1/order.pb.h"

namespace zhongtai::order {
namespace {

constexpr char kSecret[] = "test-notify-secret";

int FreePort() {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor probe(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  return probe.local_endpoint().port();
}

bool WaitFor(const std::function<bool()>& done, absl::Duration timeout = absl::Seconds(10)) {
  absl::Time give_up = absl::Now() + timeout;
  while (absl::Now() < give_up) {
    if (done()) return true;
    absl::SleepFor(absl::Milliseconds(50));
  }
  return done();
}

// zt-payment-simulator as a child process; stopped with SIGTERM.
class SimulatorProcess {
 public:
  explicit SimulatorProcess(const std::string& notify_url) : port_(FreePort()) {
    pid_ = fork();
    if (pid_ == 0) {
      prctl(PR_SET_PDEATHSIG, SIGTERM);  // never outlives a test that crashed
      setenv("ZT_PAYSIM_HTTP_PORT", std::to_string(port_).c_str(), 1);
      setenv("ZT_PAYSIM_NOTIFY_URL", notify_url.c_str(), 1);
      setenv("ZT_PAYSIM_NOTIFY_SECRET", kSecret, 1);
      setenv("ZT_PAYSIM_NOTIFY_RETRY", "100ms", 1);
      setenv("ZT_PAYSIM_NOTIFY_ATTEMPTS", "3", 1);
      execl(ZT_PAYMENT_SIMULATOR, ZT_PAYMENT_SIMULATOR, nullptr);
      _exit(127);
    }
    REQUIRE(pid_ > 0);
    auto client = http::HttpClient::Create(url());
    REQUIRE(client.ok());
    REQUIRE(WaitFor([&] {
      auto health = client->Send({"GET", "/healthz"});
      return health.ok() && health->status == 200;
    }));
  }
  ~SimulatorProcess() {
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  int port_;
  pid_t pid_ = -1;
};

google::protobuf::Struct Json(const http::HttpResponse& response) {
  google::protobuf::Struct parsed;
  REQUIRE(google::protobuf::util::JsonStringToMessage(response.body, &parsed).ok());
  return parsed;
}

struct World {
  zhongtai::testing::TestDatabase database;
  std::unique_ptr<pg::Pool> pool;
  std::unique_ptr<PgOrderStore> orders;
  std::unique_ptr<PgPaymentStore> attempts;
  testing::FakeCatalog catalog;
  testing::RecordingPaidEffects effects;
  SystemClock clock;
  testing::SequentialIds ids;
  OrderObserver observer;
  async::InlineExecutor inline_executor;
  std::unique_ptr<Payments> payments;
  std::unique_ptr<HttpPaymentProvider> provider;
  // The merchant's notification endpoint (the gateway's role here).
  paysim::HttpServer merchant{[this](const paysim::Request& request) { return ReceiveNotification(request); }};
  std::unique_ptr<SimulatorProcess> simulator;
  std::unique_ptr<http::HttpClient> sim;  // the buyer's and the test's way to the simulator

  World() {
    pool = zhongtai::testing::OpenMigrated(database, 8, "order-payment-sim-test",
                                           {events::SchemaMigrations(), Migrations()});
    orders = std::make_unique<PgOrderStore>(*pool);
    attempts = std::make_unique<PgPaymentStore>(*pool);
    REQUIRE(merchant.Start("127.0.0.1", 0).ok());
    simulator = std::make_unique<SimulatorProcess>(
        absl::StrCat("http://127.0.0.1:", merchant.port(), "/v1/payments/notify/simulator"));
    auto client = http::HttpClient::Create(simulator->url());
    REQUIRE(client.ok());
    sim = std::make_unique<http::HttpClient>(*client);
    provider = std::make_unique<HttpPaymentProvider>("simulator", *client);
    PaymentSettings settings;
    settings.query_after = absl::Milliseconds(300);
    settings.lease = absl::Seconds(2);
    payments = std::make_unique<Payments>(*orders, *attempts, *provider, catalog, effects, clock, ids, observer,
                                          inline_executor, settings);
    catalog.available = {{"sku-1", 100}};
  }

  paysim::Response ReceiveNotification(const paysim::Request& request) {
    auto header = [&](const std::string& name) {
      auto it = request.headers.find(name);
      return it == request.headers.end() ? std::string() : it->second;
    };
    absl::Status verified =
        http::VerifySignedBody(kSecret, header("x-zt-timestamp"), header("x-zt-signature"), request.body, absl::Now());
    if (!verified.ok()) return {401, "{}"};
    v1::NotifyPaymentRequest notify;
    if (!google::protobuf::util::JsonStringToMessage(request.body, &notify).ok()) return {400, "{}"};
    PaymentNotification notification;
    notification.provider = "simulator";
    notification.order_id = notify.order_id();
    notification.payment_id = notify.payment_id();
    notification.status = notify.status() == "SUCCEEDED" ? ProviderStatus::kSucceeded : ProviderStatus::kDeclined;
    notification.amount = notify.amount().amount_minor();
    notification.currency = notify.amount().currency();
    if (notify.has_paid_time()) notification.paid_at = proto::FromTimestamp(notify.paid_time());
    absl::Status applied = async::Await<absl::Status>(
        [&](StatusCallback done) { payments->HandleNotification(notification, std::move(done)); });
    return {applied.ok() ? 200 : 503, "{}"};
  }

  std::string PlaceOrder(const std::string& id) {
    absl::Time now = absl::Now();
    Order order;
    order.order_id = id;
    order.user_id = "u1";
    order.request_id = "k-" + id;
    order.request_fingerprint = "v1|web|sku-1x1";
    order.channel = "web";
    order.created_at = now;
    REQUIRE_FALSE(orders->BeginPlacement(order)->has_value());
    order.lines = {{"sku-1", 1, 2600, 2600, 0, 2600}};
    order.subtotal = order.total = 2600;
    order.status = OrderStatus::kPendingPayment;
    order.pay_deadline = now + absl::Minutes(15);
    order.history.push_back({OrderStatus::kPendingPayment, now, "placed"});
    REQUIRE(orders->CompletePlacement(order).ok());
    REQUIRE(catalog.ReserveDirectly(id, {{"sku-1", 1}}).ok());
    return id;
  }
  absl::StatusOr<PayResult> Pay(const std::string& order_id) {
    return async::Await<absl::StatusOr<PayResult>>(
        [&](Callback<PayResult> done) { payments->Pay("u1", order_id, std::move(done)); });
  }
  void Control(const std::string& order_id, const std::string& body) {
    auto set = sim->Send({"PUT", "/v1/control/orders/" + order_id, body});
    REQUIRE(set.ok());
    REQUIRE(set->status == 200);
  }
  // The buyer scans the QR code and pays in the wallet app.
  void BuyerPays(const PayResult& started) {
    std::string path = started.attempt.pay_url.substr(sim->host().size() + sim->port().size() + 8);
    auto paid = sim->Send({"POST", path, "{}"});
    REQUIRE(paid.ok());
    INFO(paid->body);
    REQUIRE(paid->status == 200);
  }
  // The HTTP status of each notification delivery of the order so far.
  std::vector<int> Deliveries(const std::string& order_id) {
    auto listed = sim->Send({"GET", "/v1/notifications?orderId=" + order_id});
    REQUIRE(listed.ok());
    std::vector<int> out;
    google::protobuf::Struct body = Json(*listed);
    for (const auto& d : body.fields().at("deliveries").list_value().values()) {
      out.push_back(static_cast<int>(d.struct_value().fields().at("httpStatus").number_value()));
    }
    return out;
  }
  OrderStatus StatusOf(const std::string& id) { return orders->Get(id)->status; }
  int64_t PaymentRows(const std::string& id) {
    int64_t n = -1;
    REQUIRE(pool->Transact([&](pqxx::work& tx) {
                  n = tx.exec_params("SELECT count(*) FROM payments WHERE order_id = $1", id)[0][0].as<int64_t>();
                  return absl::OkStatus();
                })
                .ok());
    return n;
  }
};

TEST_CASE(
    "a buyer pays through the simulator: one signed notification makes the order PAID, a duplicate changes "
    "nothing",
    "[store][payments]") {
  World w;
  std::string id = w.PlaceOrder("o-pay");
  w.Control(id, R"({"duplicateNotify":true})");
  auto started = w.Pay(id);
  REQUIRE(started.ok());
  CHECK(started->attempt.status == AttemptStatus::kAwaitingBuyer);
  CHECK(started->attempt.pay_url == w.simulator->url() + "/v1/payments/" + id + ":pay");
  auto again = w.Pay(id);  // a double click
  REQUIRE(again.ok());
  CHECK(again->attempt.provider_payment_id == started->attempt.provider_payment_id);

  w.BuyerPays(*started);
  REQUIRE(WaitFor([&] { return w.Deliveries(id).size() == 2; }));
  CHECK(w.Deliveries(id) == std::vector<int>{200, 200});
  CHECK(w.StatusOf(id) == OrderStatus::kPaid);
  CHECK(w.PaymentRows(id) == 1);
  CHECK(w.catalog.confirmed.count(id) == 1);
  CHECK(w.attempts->LatestAttempt(id)->status == AttemptStatus::kSucceeded);
}

TEST_CASE(
    "a notification with a bad signature is refused and changes nothing, and the sweeper's query settles the "
    "order",
    "[store][payments]") {
  World w;
  std::string id = w.PlaceOrder("o-forged");
  w.Control(id, R"({"badSignature":true})");
  auto started = w.Pay(id);
  REQUIRE(started.ok());
  w.BuyerPays(*started);
  REQUIRE(WaitFor([&] { return w.Deliveries(id).size() == 3; }));  // the simulator tries 3 times
  CHECK(w.Deliveries(id) == std::vector<int>{401, 401, 401});
  CHECK(w.StatusOf(id) == OrderStatus::kPaying);
  CHECK(w.PaymentRows(id) == 0);

  absl::SleepFor(absl::Milliseconds(350));
  CHECK(w.payments->SweepOnce() == 1);
  CHECK(w.StatusOf(id) == OrderStatus::kPaid);
  CHECK(w.PaymentRows(id) == 1);
}

TEST_CASE("a delayed notification: the sweeper queries the provider first, the late notification finds it done",
          "[store][payments]") {
  World w;
  std::string id = w.PlaceOrder("o-late");
  w.Control(id, R"({"notifyDelay":"2s"})");
  auto started = w.Pay(id);
  REQUIRE(started.ok());
  w.BuyerPays(*started);
  CHECK(w.payments->SweepOnce() == 0);  // too early to ask: the notification may still come
  absl::SleepFor(absl::Milliseconds(350));
  CHECK(w.payments->SweepOnce() == 1);
  CHECK(w.StatusOf(id) == OrderStatus::kPaid);
  CHECK(w.Deliveries(id).empty());
  REQUIRE(WaitFor([&] { return w.Deliveries(id).size() == 1; }));
  CHECK(w.Deliveries(id) == std::vector<int>{200});
  CHECK(w.PaymentRows(id) == 1);
  CHECK(w.catalog.confirmed.count(id) == 1);
}

TEST_CASE("a declined payment returns the order to PENDING_PAYMENT and paying again creates a new payment",
          "[store][payments]") {
  World w;
  std::string id = w.PlaceOrder("o-declined");
  w.Control(id, R"({"decline":true})");
  auto started = w.Pay(id);
  REQUIRE(started.ok());
  w.BuyerPays(*started);
  REQUIRE(WaitFor([&] { return w.StatusOf(id) == OrderStatus::kPendingPayment; }));
  CHECK(w.attempts->LatestAttempt(id)->status == AttemptStatus::kDeclined);

  w.Control(id, R"({})");
  auto retried = w.Pay(id);
  REQUIRE(retried.ok());
  CHECK(retried->attempt.attempt_no == 2);
  CHECK(retried->attempt.provider_payment_id != started->attempt.provider_payment_id);
  w.BuyerPays(*retried);
  REQUIRE(WaitFor([&] { return w.StatusOf(id) == OrderStatus::kPaid; }));
  CHECK(w.PaymentRows(id) == 1);
}

TEST_CASE("refunds at the simulator are idempotent by refund id and never above the paid amount", "[store][payments]") {
  World w;
  std::string id = w.PlaceOrder("o-refund");
  auto started = w.Pay(id);
  REQUIRE(started.ok());
  w.BuyerPays(*started);
  REQUIRE(WaitFor([&] { return w.StatusOf(id) == OrderStatus::kPaid; }));

  REQUIRE(w.provider->Refund(id, "rf-1", 1000).ok());
  REQUIRE(w.provider->Refund(id, "rf-1", 1000).ok());  // a retry of the same refund
  auto queried = w.sim->Send({"GET", "/v1/payments/" + id});
  REQUIRE(queried.ok());
  CHECK(Json(*queried).fields().at("payment").struct_value().fields().at("refundedMinor").string_value() == "1000");
  absl::Status too_much = w.provider->Refund(id, "rf-2", 1601);
  CHECK(too_much.code() == absl::StatusCode::kFailedPrecondition);
  CHECK(ReasonOf(too_much) == "PAYMENT_PROVIDER_REFUSED");
  REQUIRE(w.provider->Refund(id, "rf-2", 1600).ok());
  CHECK(Json(*w.sim->Send({"GET", "/v1/payments/" + id}))
            .fields()
            .at("payment")
            .struct_value()
            .fields()
            .at("refundedMinor")
            .string_value() == "2600");
  CHECK(w.provider->Query(id)->status == ProviderStatus::kSucceeded);
  CHECK(w.provider->Query("never-created")->status == ProviderStatus::kNotFound);
}

}  // namespace
}  // namespace zhongtai::order
