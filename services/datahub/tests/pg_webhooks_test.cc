// Webhooks end to end inside the data hub: events through Redis streams and the webhook consumer group into
// deliveries (PostgreSQL), sent by the dispatcher with the real libcurl sender to a real HTTP receiver that this test
// runs on 127.0.0.1 and that verifies each signature, and can fail with 500, hang, or answer slowly.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/events/consumer.h"
#include "common/events/outbox.h"
#include "common/http/signature.h"
#include "common/pg/migrate.h"
#include "common/status/status.h"
#include "common/testing/stores.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "migrations.h"
#include "services/datahub/clients/webhook_sender.h"
#include "services/datahub/domain/webhook_dispatcher.h"
#include "services/datahub/ingest/webhook_events.h"
#include "services/datahub/store/pg_webhook_store.h"
#include "zhongtai/order/v1/events.pb.h"

namespace zhongtai::datahub {
namespace {

constexpr char kSecret[] = "test-secret-0123456789abcdef";

template <typename Pred>
bool WaitFor(Pred pred, absl::Duration limit = absl::Seconds(10)) {
  absl::Time deadline = absl::Now() + limit;
  while (absl::Now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return pred();
}

// A small HTTP/1.1 receiver on 127.0.0.1. The path says how it answers:
//   /ok          200
//   /fail/N      500 for the first N requests of that path, then 200
//   /error       500 always (until `healthy` is set)
//   /hang        never answers (until the receiver stops)
//   /slow        200 after 300 ms
// Every request is recorded with whether its signature verified under kSecret.
class Receiver {
 public:
  struct Request {
    std::string path;
    std::string event_id;
    std::string body;
    bool signature_ok = false;
    absl::Time at;
  };

  Receiver() {
    listener_ = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    REQUIRE(bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
    REQUIRE(listen(listener_, 64) == 0);
    socklen_t len = sizeof(addr);
    getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    accept_thread_ = std::thread([this] { Accept(); });
  }

  ~Receiver() {
    stopping_ = true;
    shutdown(listener_, SHUT_RDWR);
    close(listener_);
    accept_thread_.join();
    std::vector<std::thread> threads;
    {
      std::lock_guard<std::mutex> lock(mu_);
      threads.swap(connections_);
    }
    for (std::thread& t : threads) t.join();
  }

  std::string Url(const std::string& path) const { return absl::StrCat("http://127.0.0.1:", port_, path); }
  int port() const { return port_; }

  std::vector<Request> Requests(const std::string& path) {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<Request> out;
    for (const Request& r : requests_) {
      if (r.path == path) out.push_back(r);
    }
    return out;
  }
  size_t Count(const std::string& path) { return Requests(path).size(); }

  std::atomic<bool> healthy{false};

 private:
  void Accept() {
    while (!stopping_) {
      int fd = accept(listener_, nullptr, nullptr);
      if (fd < 0) {
        if (stopping_) return;
        continue;
      }
      std::lock_guard<std::mutex> lock(mu_);
      connections_.emplace_back([this, fd] { Serve(fd); });
    }
  }

  void Serve(int fd) {
    timeval tv{0, 200 * 1000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    std::string data;
    char buffer[4096];
    size_t header_end = std::string::npos;
    size_t content_length = 0;
    absl::Time deadline = absl::Now() + absl::Seconds(5);
    while (!stopping_ && absl::Now() < deadline) {
      ssize_t n = recv(fd, buffer, sizeof(buffer), 0);
      if (n == 0) break;
      if (n > 0) data.append(buffer, n);
      if (header_end == std::string::npos) {
        header_end = data.find("\r\n\r\n");
        if (header_end != std::string::npos) {
          for (absl::string_view line : absl::StrSplit(data.substr(0, header_end), "\r\n")) {
            if (absl::StartsWithIgnoreCase(line, "content-length:")) {
              (void)absl::SimpleAtoi(absl::StripAsciiWhitespace(line.substr(15)), &content_length);
            }
          }
        }
      }
      if (header_end != std::string::npos && data.size() >= header_end + 4 + content_length) break;
    }
    if (header_end == std::string::npos) {
      close(fd);
      return;
    }
    std::map<std::string, std::string> headers;
    std::vector<std::string> lines = absl::StrSplit(data.substr(0, header_end), "\r\n");
    std::vector<std::string> request_line = absl::StrSplit(lines[0], ' ');
    for (size_t i = 1; i < lines.size(); ++i) {
      size_t colon = lines[i].find(':');
      if (colon == std::string::npos) continue;
      headers[absl::AsciiStrToLower(lines[i].substr(0, colon))] =
          std::string(absl::StripAsciiWhitespace(lines[i].substr(colon + 1)));
    }
    Request request;
    request.path = request_line.size() > 1 ? request_line[1] : "";
    request.body = data.substr(header_end + 4, content_length);
    request.event_id = headers["x-zt-event-id"];
    request.signature_ok =
        http::VerifySignedBody(kSecret, headers["x-zt-timestamp"], headers["x-zt-signature"], request.body, absl::Now())
            .ok();
    request.at = absl::Now();
    int seen = 0;
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (const Request& r : requests_) seen += r.path == request.path;
      requests_.push_back(request);
    }
    int status = 200;
    if (request.path == "/hang") {
      while (!stopping_) std::this_thread::sleep_for(std::chrono::milliseconds(20));
      close(fd);
      return;
    }
    if (request.path == "/slow") std::this_thread::sleep_for(std::chrono::milliseconds(300));
    if (request.path == "/error" && !healthy) status = 500;
    int fail_first = 0;
    if (absl::StartsWith(request.path, "/fail/") && absl::SimpleAtoi(request.path.substr(6), &fail_first) &&
        seen < fail_first) {
      status = 500;
    }
    std::string reply = absl::StrCat("HTTP/1.1 ", status, status == 200 ? " OK" : " Internal Server Error",
                                     "\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
    (void)send(fd, reply.data(), reply.size(), MSG_NOSIGNAL);
    close(fd);
  }

  int listener_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread accept_thread_;
  std::mutex mu_;
  std::vector<std::thread> connections_;
  std::vector<Request> requests_;
};

WebhookUrlPolicy LocalPolicy() {
  WebhookUrlPolicy policy;
  policy.allow_http = true;
  policy.allowed_networks.push_back(*ParseIpNetwork("127.0.0.1/32"));
  return policy;
}

struct Fixture {
  Fixture() : stream(testing::UniqueName("zt.test.events.webhooks")) {
    auto opened = pg::Pool::Open({db.dsn(), 8, absl::Seconds(5), "datahub"});
    REQUIRE(opened.ok());
    pg = std::move(*opened);
    std::vector<pg::Migration> migrations = events::SchemaMigrations();
    migrations.insert(migrations.end(), Migrations().begin(), Migrations().end());
    REQUIRE(pg::Migrate(*pg, migrations).ok());
    auto r = redis::Pool::Open({testing::RedisAddress(), 2, absl::Seconds(1)});
    REQUIRE(r.ok());
    redis = std::move(*r);
    store = std::make_unique<PgWebhookStore>(*pg);
    admin = std::make_unique<WebhookAdmin>(
        *store, LocalPolicy(), ResolveHost, [] { return std::string(kSecret); },
        [this] { return absl::StrCat("wh", ++next_id); });
  }

  // Sender and dispatcher with a schedule that fits a test: 50 ms, doubling, up to 200 ms, for `budget`.
  void StartDispatcher(absl::Duration budget = absl::Seconds(30), int workers = 4, int per_subscription = 2,
                       absl::Duration timeout = absl::Milliseconds(700)) {
    WebhookSenderOptions sender_options;
    sender_options.connect_timeout = absl::Milliseconds(300);
    sender_options.timeout = timeout;
    sender_options.policy = LocalPolicy();
    sender = std::make_unique<CurlWebhookSender>(sender_options);
    DispatcherOptions options;
    options.workers = workers;
    options.per_subscription = per_subscription;
    options.poll_interval = absl::Milliseconds(20);
    options.lease = absl::Seconds(5);
    options.retry.base = absl::Milliseconds(50);
    options.retry.max_delay = absl::Milliseconds(200);
    options.retry.budget = budget;
    dispatcher = std::make_unique<WebhookDispatcher>(
        *store, *sender, options, [] { return 0.5; },
        [this](const std::string& outcome, const DeliveryAttempt&) {
          std::lock_guard<std::mutex> lock(outcomes_mu);
          ++outcomes[outcome];
        });
    dispatcher->Start();
  }

  void StartConsumer() {
    events::ConsumerOptions options;
    options.stream = stream;
    options.group = kWebhookConsumerGroup;
    options.block = absl::Milliseconds(50);
    consumer = std::make_unique<events::StreamConsumer>(*pg, *redis, options, MakeWebhookEventHandler());
    consumer->Start();
  }

  WebhookSubscription Subscribe(const std::string& url, std::vector<std::string> types = {"OrderPaid"}) {
    WebhookSubscription s;
    s.url = url;
    s.event_types = std::move(types);
    absl::StatusOr<WebhookSubscription> created = admin->Create(s, "");
    REQUIRE(created.ok());
    return *created;
  }

  // An OrderPaid event published `times` times (a relay that delivers twice).
  std::string PublishPaid(const std::string& order_id, int times = 1, const std::string& at = "2026-12-03T10:00:00Z") {
    order::v1::OrderPaid paid;
    paid.set_order_id(order_id);
    paid.set_user_id("u1");
    const std::string id = absl::StrCat("ev-", order_id);
    for (int i = 0; i < times; ++i) {
      REQUIRE(redis
                  ->Command({"XADD", stream, "*", "id", id, "type", "zhongtai.order.v1.OrderPaid", "key", order_id,
                             "payload", paid.SerializeAsString(), "occurred_at", at})
                  .ok());
    }
    return id;
  }

  std::vector<WebhookDelivery> Log(const std::string& subscription_id) {
    absl::StatusOr<DeliveryPage> page = admin->Deliveries(subscription_id, std::nullopt, "", 200);
    REQUIRE(page.ok());
    return page->deliveries;
  }

  int Outcomes(const std::string& outcome) {
    std::lock_guard<std::mutex> lock(outcomes_mu);
    return outcomes[outcome];
  }

  ~Fixture() {
    if (consumer) consumer->Stop();
    if (dispatcher) dispatcher->Stop();
    (void)redis->Command({"DEL", stream});
  }

  testing::TestDatabase db;
  std::unique_ptr<pg::Pool> pg;
  std::unique_ptr<redis::Pool> redis;
  std::unique_ptr<PgWebhookStore> store;
  std::unique_ptr<WebhookAdmin> admin;
  std::unique_ptr<CurlWebhookSender> sender;
  std::unique_ptr<WebhookDispatcher> dispatcher;
  std::unique_ptr<events::StreamConsumer> consumer;
  std::string stream;
  int next_id = 0;
  std::mutex outcomes_mu;
  std::map<std::string, int> outcomes;
};

TEST_CASE("A stream event reaches the subscriber once, signed, with its id, type, time and payload as JSON") {
  Receiver receiver;
  Fixture f;
  WebhookSubscription paid = f.Subscribe(receiver.Url("/ok"));
  WebhookSubscription other = f.Subscribe(receiver.Url("/other"), {"zhongtai.order.v1.OrderShipped"});
  f.StartConsumer();
  f.StartDispatcher();
  // Published twice (a redelivery): one delivery, one request.
  const std::string event_id = f.PublishPaid("o-1", 2);
  REQUIRE(WaitFor([&] { return receiver.Count("/ok") >= 1; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  std::vector<Receiver::Request> requests = receiver.Requests("/ok");
  REQUIRE(requests.size() == 1);
  CHECK(requests[0].signature_ok);
  CHECK(requests[0].event_id == event_id);
  google::protobuf::Struct body;
  REQUIRE(google::protobuf::util::JsonStringToMessage(requests[0].body, &body).ok());
  CHECK(body.fields().at("id").string_value() == event_id);
  CHECK(body.fields().at("type").string_value() == "zhongtai.order.v1.OrderPaid");
  CHECK(body.fields().at("occurredAt").string_value() == "2026-12-03T10:00:00+00:00");
  CHECK(body.fields().at("payload").struct_value().fields().at("orderId").string_value() == "o-1");
  CHECK(receiver.Count("/other") == 0);  // not its type
  CHECK(f.consumer->duplicates() == 1);

  std::vector<WebhookDelivery> log = f.Log(paid.id);
  REQUIRE(log.size() == 1);
  CHECK(log[0].status == DeliveryStatus::kDelivered);
  CHECK(log[0].attempts == 1);
  CHECK(log[0].last_status_code == 200);
  CHECK(log[0].event_id == event_id);
  CHECK(f.Log(other.id).empty());

  // Retention: nothing is young enough to go within a day; with none, the delivered row and then its event go.
  absl::StatusOr<int64_t> pruned = f.store->Prune(absl::Hours(24));
  REQUIRE(pruned.ok());
  CHECK(*pruned == 0);
  pruned = f.store->Prune(absl::ZeroDuration());
  REQUIRE(pruned.ok());
  CHECK(*pruned == 2);
  CHECK(f.Log(paid.id).empty());
}

TEST_CASE("A failing receiver is retried with backoff until it answers 2xx") {
  Receiver receiver;
  Fixture f;
  WebhookSubscription s = f.Subscribe(receiver.Url("/fail/2"));
  f.StartConsumer();
  f.StartDispatcher();
  f.PublishPaid("o-2");
  REQUIRE(WaitFor([&] {
    std::vector<WebhookDelivery> log = f.Log(s.id);
    return !log.empty() && log[0].status == DeliveryStatus::kDelivered;
  }));
  std::vector<Receiver::Request> requests = receiver.Requests("/fail/2");
  REQUIRE(requests.size() == 3);
  for (const auto& r : requests) CHECK(r.signature_ok);
  // Backoff: 50 ms * 0.75 (jitter factor for 0.5) then 100 ms * 0.75, at least.
  CHECK(requests[1].at - requests[0].at >= absl::Milliseconds(35));
  CHECK(requests[2].at - requests[1].at >= absl::Milliseconds(70));
  std::vector<WebhookDelivery> log = f.Log(s.id);
  CHECK(log[0].attempts == 3);
  CHECK(log[0].last_status_code == 200);
  CHECK(f.Outcomes("retry") == 2);
  // The dispatcher reports the outcome after the store recorded it: the log can show it a moment earlier.
  CHECK(WaitFor([&] { return f.Outcomes("delivered") == 1; }));
}

TEST_CASE("A receiver that keeps failing is dead-lettered after the retry budget, and replay sends it again") {
  Receiver receiver;
  Fixture f;
  WebhookSubscription s = f.Subscribe(receiver.Url("/error"));
  f.StartConsumer();
  f.StartDispatcher(absl::Seconds(1));
  f.PublishPaid("o-3", 1, "2026-12-03T10:00:00Z");
  f.PublishPaid("o-4", 1, "2026-12-03T11:00:00Z");
  REQUIRE(WaitFor([&] {
    std::vector<WebhookDelivery> log = f.Log(s.id);
    // The outcome is counted just after the row is written: wait for both.
    return log.size() == 2 && log[0].status == DeliveryStatus::kDead && log[1].status == DeliveryStatus::kDead &&
           f.Outcomes("dead") == 2;
  }));
  std::vector<WebhookDelivery> log = f.Log(s.id);
  CHECK(log[0].attempts >= 3);
  CHECK(log[0].last_status_code == 500);
  CHECK(log[0].last_error == "HTTP 500");
  CHECK_FALSE(log[0].next_attempt_at.has_value());
  CHECK(f.Outcomes("dead") == 2);
  absl::StatusOr<WebhookStats> stats = f.store->Stats();
  REQUIRE(stats.ok());
  CHECK(stats->dead == 2);
  CHECK(stats->pending == 0);
  absl::StatusOr<DeliveryPage> dead = f.admin->Deliveries(s.id, DeliveryStatus::kDead, "", 1);
  REQUIRE(dead.ok());
  CHECK(dead->deliveries.size() == 1);
  CHECK(dead->next_before_id > 0);  // a second page

  // The receiver is fixed; one delivery is replayed, then the other by its time range.
  receiver.healthy = true;
  const size_t before = receiver.Count("/error");
  const WebhookDelivery& newest = log[0];  // o-4
  absl::StatusOr<int64_t> one = f.admin->Replay(s.id, absl::StrCat(newest.id), std::nullopt, std::nullopt);
  REQUIRE(one.ok());
  CHECK(*one == 1);
  REQUIRE(WaitFor([&] { return f.Log(s.id)[0].status == DeliveryStatus::kDelivered; }));
  CHECK(f.Log(s.id)[1].status == DeliveryStatus::kDead);
  const absl::Time ten = absl::FromCivil(absl::CivilHour(2026, 12, 3, 10), absl::UTCTimeZone());
  absl::StatusOr<int64_t> range = f.admin->Replay(s.id, "", ten, ten + absl::Minutes(30));
  REQUIRE(range.ok());
  CHECK(*range == 1);
  REQUIRE(WaitFor([&] { return f.Log(s.id)[1].status == DeliveryStatus::kDelivered; }));
  CHECK(receiver.Count("/error") == before + 2);
  CHECK(f.Log(s.id)[1].attempts == 1);

  // A replay names a delivery of this webhook and a valid range.
  CHECK(f.admin->Replay(s.id, "999999", std::nullopt, std::nullopt).status().code() == absl::StatusCode::kNotFound);
  absl::Status reversed = f.admin->Replay(s.id, "", ten, ten - absl::Hours(1)).status();
  CHECK(FieldOf(reversed) == "endTime");
}

TEST_CASE("A range replay also delivers stored events from before the subscription existed") {
  Receiver receiver;
  Fixture f;
  WebhookSubscription first = f.Subscribe(receiver.Url("/ok"));
  f.StartConsumer();
  f.StartDispatcher();
  f.PublishPaid("o-5");
  REQUIRE(WaitFor([&] { return receiver.Count("/ok") == 1; }));
  WebhookSubscription late = f.Subscribe(receiver.Url("/slow"));
  const absl::Time ten = absl::FromCivil(absl::CivilHour(2026, 12, 3, 10), absl::UTCTimeZone());
  absl::StatusOr<int64_t> queued = f.admin->Replay(late.id, "", ten, ten + absl::Hours(1));
  REQUIRE(queued.ok());
  CHECK(*queued == 1);
  REQUIRE(WaitFor([&] { return receiver.Count("/slow") == 1; }));
  CHECK(receiver.Requests("/slow")[0].event_id == "ev-o-5");
  CHECK(f.Log(first.id).size() == 1);
}

TEST_CASE("A hanging receiver does not delay another subscription's deliveries") {
  Receiver receiver;
  Fixture f;
  WebhookSubscription hang = f.Subscribe(receiver.Url("/hang"));
  WebhookSubscription ok = f.Subscribe(receiver.Url("/ok"));
  f.StartConsumer();
  // Each attempt at the hanging receiver holds a worker for 3 s: were its deliveries in the healthy one's way, ten
  // healthy deliveries would take 3 s at least.
  f.StartDispatcher(absl::Seconds(30), /*workers=*/4, /*per_subscription=*/2, /*timeout=*/absl::Seconds(3));
  const absl::Time start = absl::Now();
  for (int i = 0; i < 10; ++i) f.PublishPaid(absl::StrCat("o-h", i));
  REQUIRE(WaitFor([&] { return receiver.Count("/ok") == 10; }, absl::Seconds(5)));
  const absl::Duration healthy_took = absl::Now() - start;
  CHECK(healthy_took < absl::Seconds(2));
  // The hanging one got at most its two at a time and times out into retries.
  REQUIRE(WaitFor([&] {
    for (const WebhookDelivery& d : f.Log(hang.id)) {
      if (absl::StrContains(d.last_error, "timeout")) return true;
    }
    return false;
  }));
  for (const WebhookDelivery& d : f.Log(ok.id)) CHECK(d.status == DeliveryStatus::kDelivered);
  WARN("10 deliveries to a healthy receiver beside a hanging one took " << absl::FormatDuration(healthy_took));
}

TEST_CASE("The SSRF guard refuses loopback, private, link-local, metadata and plain http URLs") {
  Fixture f;
  WebhookAdmin strict(
      *f.store, WebhookUrlPolicy{}, ResolveHost, [] { return std::string(kSecret); }, [] { return "wh-x"; });
  for (const std::string url :
       {"https://127.0.0.1/hook", "https://10.1.2.3/hook", "https://169.254.169.254/latest/meta-data",
        "https://[::1]/hook", "https://localhost/hook", "https://[::ffff:127.0.0.1]/hook", "https://192.168.1.1/",
        "https://100.100.100.200/", "https://[fd00:ec2::254]/", "http://example.com/hook"}) {
    WebhookSubscription s;
    s.url = url;
    s.event_types = {"OrderPaid"};
    absl::Status status = strict.Create(s, "").status();
    INFO(url << " -> " << status.ToString());
    CHECK(status.code() == absl::StatusCode::kInvalidArgument);
    CHECK(ReasonOf(status) == "WEBHOOK_URL_NOT_ALLOWED");
    CHECK(FieldOf(status) == "url");
  }
  absl::StatusOr<std::vector<WebhookSubscription>> list = f.store->ListSubscriptions();
  REQUIRE(list.ok());
  CHECK(list->empty());
  // An update to a forbidden URL is refused the same way.
  WebhookSubscription s = f.Subscribe("http://127.0.0.1:9/hook");
  WebhookAdmin::Update update;
  update.url = "https://169.254.169.254/";
  CHECK(ReasonOf(strict.Change(s.id, update).status()) == "WEBHOOK_URL_NOT_ALLOWED");
}

TEST_CASE("At delivery time the guard checks the address connected to (a name that now resolves to loopback)") {
  Receiver receiver;
  Fixture f;
  // Subscribed while allowed (as if the name had resolved to a public address), sent under a policy that forbids
  // loopback: curl's connection to 127.0.0.1 is refused before it is made.
  WebhookSenderOptions options;
  options.policy.allow_http = true;
  options.connect_timeout = absl::Milliseconds(300);
  options.timeout = absl::Milliseconds(700);
  CurlWebhookSender strict(options);
  ClaimedDelivery delivery;
  delivery.id = 1;
  delivery.url = absl::StrCat("http://localhost:", receiver.port(), "/ok");
  delivery.secret = kSecret;
  delivery.event_id = "ev-1";
  delivery.event_type = "zhongtai.order.v1.OrderPaid";
  delivery.body = "{}";
  DeliveryAttempt attempt = strict.Send(delivery);
  CHECK_FALSE(attempt.delivered);
  CHECK(attempt.address_refused);
  CHECK(absl::StrContains(attempt.error, "address not allowed"));
  CHECK(attempt.status_code == 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  CHECK(receiver.Count("/ok") == 0);
  // The same with the receiver allowed goes through.
  options.policy = LocalPolicy();
  CurlWebhookSender local(options);
  delivery.url = receiver.Url("/ok");
  attempt = local.Send(delivery);
  CHECK(attempt.delivered);
  CHECK(attempt.status_code == 200);
  CHECK(receiver.Count("/ok") == 1);
}

TEST_CASE("Subscriptions: created with a secret shown once, listed, paused, resumed, deleted") {
  Receiver receiver;
  Fixture f;
  WebhookSubscription s;
  s.url = receiver.Url("/ok");
  s.event_types = {"OrderPaid", "zhongtai.product.v1.StockChanged", "OrderPaid"};
  absl::StatusOr<WebhookSubscription> created = f.admin->Create(s, "req-1");
  REQUIRE(created.ok());
  CHECK(created->secret == kSecret);
  CHECK(created->event_types == std::vector<std::string>{"OrderPaid", "zhongtai.product.v1.StockChanged"});
  // The same Idempotency-Key: the same subscription; for another URL: refused.
  absl::StatusOr<WebhookSubscription> again = f.admin->Create(s, "req-1");
  REQUIRE(again.ok());
  CHECK(again->id == created->id);
  s.url = receiver.Url("/other");
  CHECK(ReasonOf(f.admin->Create(s, "req-1").status()) == "IDEMPOTENCY_KEY_REUSED");
  s.event_types = {"not a type"};
  CHECK(FieldOf(f.admin->Create(s, "").status()) == "eventTypes");
  s.event_types = {"OrderPaid"};
  s.secret = "short";
  CHECK(FieldOf(f.admin->Create(s, "").status()) == "secret");

  // Paused: deliveries are queued but not sent until resumed.
  f.StartConsumer();
  f.StartDispatcher();
  WebhookAdmin::Update pause;
  pause.active = false;
  REQUIRE(f.admin->Change(created->id, pause).ok());
  f.PublishPaid("o-p");
  REQUIRE(WaitFor([&] { return f.Log(created->id).size() == 1; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  CHECK(receiver.Count("/ok") == 0);
  WebhookAdmin::Update resume;
  resume.active = true;
  REQUIRE(f.admin->Change(created->id, resume).ok());
  REQUIRE(WaitFor([&] { return receiver.Count("/ok") == 1; }));
  CHECK(receiver.Requests("/ok")[0].signature_ok);

  REQUIRE(f.admin->Delete(created->id).ok());
  CHECK(f.admin->Get(created->id).status().code() == absl::StatusCode::kNotFound);
  CHECK(f.admin->Delete(created->id).code() == absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace zhongtai::datahub
