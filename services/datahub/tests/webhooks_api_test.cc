// The webhook admin routes over gRPC on an in-process server (an in-memory store): admin only, the secret shown on
// create only, the SSRF guard's refusal with its reason and field, the log and replay.
#include "services/datahub/api/webhooks_api.h"

#include <catch2/catch.hpp>
#include <map>

#include "common/server/client.h"
#include "common/status/grpc_status.h"
#include "common/status/status.h"
#include "common/testing/api_server.h"
#include "common/testing/callers.h"

namespace zhongtai::datahub {
namespace {

// Subscriptions in a map; deliveries as the test puts them. Claims are the store test's business.
class InMemoryWebhookStore : public WebhookStore {
 public:
  absl::StatusOr<WebhookSubscription> CreateSubscription(const WebhookSubscription& s,
                                                         const std::string& request_id) override {
    if (!request_id.empty() && by_request_.count(request_id)) return subscriptions_[by_request_[request_id]];
    WebhookSubscription stored = s;
    stored.created_at = stored.updated_at = absl::FromUnixSeconds(1'764'000'000);
    subscriptions_[s.id] = stored;
    if (!request_id.empty()) by_request_[request_id] = s.id;
    return stored;
  }
  absl::StatusOr<WebhookSubscription> GetSubscription(const std::string& id) override {
    auto it = subscriptions_.find(id);
    if (it == subscriptions_.end()) return NotFound("WEBHOOK_NOT_FOUND", "no such webhook");
    return it->second;
  }
  absl::StatusOr<std::vector<WebhookSubscription>> ListSubscriptions() override {
    std::vector<WebhookSubscription> out;
    for (const auto& [id, s] : subscriptions_) out.push_back(s);
    return out;
  }
  absl::StatusOr<WebhookSubscription> UpdateSubscription(const WebhookSubscription& s) override {
    subscriptions_[s.id] = s;
    return s;
  }
  absl::Status DeleteSubscription(const std::string& id) override {
    if (subscriptions_.erase(id) == 0) return NotFound("WEBHOOK_NOT_FOUND", "no such webhook");
    return absl::OkStatus();
  }
  absl::StatusOr<DeliveryPage> ListDeliveries(const std::string& subscription_id, std::optional<DeliveryStatus> status,
                                              int64_t before_id, int limit) override {
    DeliveryPage page;
    for (auto it = deliveries.rbegin(); it != deliveries.rend(); ++it) {
      if (it->subscription_id != subscription_id || (status && it->status != *status)) continue;
      if (before_id > 0 && it->id >= before_id) continue;
      if (static_cast<int>(page.deliveries.size()) == limit) {
        page.next_before_id = page.deliveries.back().id;
        break;
      }
      page.deliveries.push_back(*it);
    }
    return page;
  }
  absl::StatusOr<int64_t> ReplayDelivery(const std::string& subscription_id, int64_t delivery_id) override {
    for (WebhookDelivery& d : deliveries) {
      if (d.subscription_id == subscription_id && d.id == delivery_id) {
        d.status = DeliveryStatus::kPending;
        return 1;
      }
    }
    return NotFound("WEBHOOK_DELIVERY_NOT_FOUND", "no such delivery of this webhook");
  }
  absl::StatusOr<int64_t> ReplayRange(const std::string& subscription_id, absl::Time start, absl::Time end) override {
    int64_t n = 0;
    for (WebhookDelivery& d : deliveries) {
      if (d.subscription_id == subscription_id && d.event_time >= start && d.event_time < end) {
        d.status = DeliveryStatus::kPending;
        ++n;
      }
    }
    return n;
  }
  absl::StatusOr<std::vector<ClaimedDelivery>> Claim(int, int, const std::vector<std::string>&,
                                                     absl::Duration) override {
    return std::vector<ClaimedDelivery>();
  }
  absl::Status Complete(int64_t, int, const DeliveryAttempt&, std::optional<absl::Time>) override {
    return absl::OkStatus();
  }
  absl::StatusOr<WebhookStats> Stats() override { return WebhookStats(); }
  absl::StatusOr<int64_t> Prune(absl::Duration) override { return 0; }

  std::vector<WebhookDelivery> deliveries;

 private:
  std::map<std::string, WebhookSubscription> subscriptions_;
  std::map<std::string, std::string> by_request_;
};

template <typename Call>
absl::Status As(const std::string& role, Call call) {
  auto context = server::NewClientContext();
  ::zhongtai::testing::CallAs(*context, "gateway", role == "admin" ? "admin1" : "u1", role);
  grpc::Status status = call(context.get());
  return FromGrpcStatus(status, *context);
}

TEST_CASE("Webhook routes over gRPC: admin only, secret once, SSRF refusals with reason and field, log and replay") {
  InMemoryWebhookStore store;
  WebhookUrlPolicy policy;  // https only, no allow-list
  HostResolver resolve = [](const std::string& host) -> absl::StatusOr<std::vector<IpAddress>> {
    if (host == "erp.example.com") return std::vector<IpAddress>{*ParseIpAddress("93.184.216.34")};
    if (host == "rebind.example.com") return std::vector<IpAddress>{*ParseIpAddress("127.0.0.1")};
    return absl::InvalidArgumentError("no such host");
  };
  int n = 0;
  WebhookAdmin admin(
      store, policy, resolve, [] { return std::string("generated-secret-0123456789"); },
      [&n] { return "wh" + std::to_string(++n); });
  zhongtai::testing::ApiServer server("datahub");
  WebhooksApi api(admin, server.workers());
  auto stub = server.Start<v1::WebhookService>(&api);

  v1::CreateWebhookRequest create;
  create.set_url("https://erp.example.com/zt/hooks");
  create.add_event_types("OrderPaid");
  create.add_event_types("TierChanged");
  create.set_request_id("key-1");
  v1::CreateWebhookResponse created;
  REQUIRE(As("admin", [&](grpc::ClientContext* c) { return stub->CreateWebhook(c, create, &created); }).ok());
  CHECK(created.webhook().secret() == "generated-secret-0123456789");
  CHECK(created.webhook().active());
  CHECK(created.webhook().event_types_size() == 2);
  const std::string id = created.webhook().webhook_id();

  // A customer may not.
  absl::Status denied =
      As("customer", [&](grpc::ClientContext* c) { return stub->CreateWebhook(c, create, &created); });
  CHECK(denied.code() == absl::StatusCode::kPermissionDenied);
  v1::ListWebhooksResponse list;
  CHECK(As("customer", [&](grpc::ClientContext* c) {
          return stub->ListWebhooks(c, v1::ListWebhooksRequest(), &list);
        }).code() == absl::StatusCode::kPermissionDenied);

  // Listed and read without the secret.
  REQUIRE(As("admin", [&](grpc::ClientContext* c) {
            return stub->ListWebhooks(c, v1::ListWebhooksRequest(), &list);
          }).ok());
  REQUIRE(list.webhooks_size() == 1);
  CHECK(list.webhooks(0).secret().empty());
  v1::GetWebhookRequest get;
  get.set_webhook_id(id);
  v1::GetWebhookResponse got;
  REQUIRE(As("admin", [&](grpc::ClientContext* c) { return stub->GetWebhook(c, get, &got); }).ok());
  CHECK(got.webhook().secret().empty());
  CHECK(got.webhook().url() == "https://erp.example.com/zt/hooks");

  // The SSRF guard: INVALID_ARGUMENT, reason and field, for literal addresses and names alike.
  for (const char* url : {"https://127.0.0.1/h", "https://10.0.0.1/h", "https://169.254.169.254/latest/meta-data",
                          "https://[::1]/h", "https://rebind.example.com/h", "http://erp.example.com/h"}) {
    v1::CreateWebhookRequest bad = create;
    bad.set_url(url);
    bad.clear_request_id();
    absl::Status status = As("admin", [&](grpc::ClientContext* c) { return stub->CreateWebhook(c, bad, &created); });
    INFO(url);
    CHECK(status.code() == absl::StatusCode::kInvalidArgument);
    CHECK(ReasonOf(status) == "WEBHOOK_URL_NOT_ALLOWED");
    CHECK(FieldOf(status) == "url");
  }

  // Pause through PATCH semantics: only what is given changes.
  v1::UpdateWebhookRequest pause;
  pause.set_webhook_id(id);
  pause.set_active(false);
  v1::UpdateWebhookResponse updated;
  REQUIRE(As("admin", [&](grpc::ClientContext* c) { return stub->UpdateWebhook(c, pause, &updated); }).ok());
  CHECK_FALSE(updated.webhook().active());
  CHECK(updated.webhook().url() == "https://erp.example.com/zt/hooks");
  CHECK(updated.webhook().event_types_size() == 2);

  // The log and a replay.
  WebhookDelivery dead;
  dead.id = 7;
  dead.subscription_id = id;
  dead.event_id = "ev-1";
  dead.event_type = "zhongtai.order.v1.OrderPaid";
  dead.status = DeliveryStatus::kDead;
  dead.attempts = 12;
  dead.last_status_code = 503;
  dead.last_error = "HTTP 503";
  store.deliveries.push_back(dead);
  v1::ListWebhookDeliveriesRequest log_request;
  log_request.set_webhook_id(id);
  log_request.set_status(v1::WEBHOOK_DELIVERY_STATUS_DEAD);
  v1::ListWebhookDeliveriesResponse log;
  REQUIRE(As("admin", [&](grpc::ClientContext* c) { return stub->ListWebhookDeliveries(c, log_request, &log); }).ok());
  REQUIRE(log.deliveries_size() == 1);
  CHECK(log.deliveries(0).delivery_id() == "7");
  CHECK(log.deliveries(0).status() == v1::WEBHOOK_DELIVERY_STATUS_DEAD);
  CHECK(log.deliveries(0).attempts() == 12);
  CHECK(log.deliveries(0).last_response_code() == 503);
  v1::ReplayWebhookDeliveriesRequest replay;
  replay.set_webhook_id(id);
  replay.set_delivery_id("7");
  v1::ReplayWebhookDeliveriesResponse replayed;
  REQUIRE(
      As("admin", [&](grpc::ClientContext* c) { return stub->ReplayWebhookDeliveries(c, replay, &replayed); }).ok());
  CHECK(replayed.queued() == 1);
  CHECK(store.deliveries[0].status == DeliveryStatus::kPending);
  replay.clear_delivery_id();
  absl::Status no_range =
      As("admin", [&](grpc::ClientContext* c) { return stub->ReplayWebhookDeliveries(c, replay, &replayed); });
  CHECK(FieldOf(no_range) == "startTime");

  v1::DeleteWebhookRequest remove;
  remove.set_webhook_id(id);
  v1::DeleteWebhookResponse removed;
  REQUIRE(As("admin", [&](grpc::ClientContext* c) { return stub->DeleteWebhook(c, remove, &removed); }).ok());
  CHECK(As("admin", [&](grpc::ClientContext* c) { return stub->GetWebhook(c, get, &got); }).code() ==
        absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace zhongtai::datahub
