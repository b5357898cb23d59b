// Webhook subscriptions and deliveries in PostgreSQL (migration 0005): the WebhookStore port, and the fan-out the
// webhook event consumer runs inside its inbox transaction. SQL lives here only.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/pg/pool.h"
#include "services/datahub/domain/webhooks.h"

namespace zhongtai::datahub {

class PgWebhookStore : public WebhookStore {
 public:
  explicit PgWebhookStore(pg::Pool& pool) : pool_(pool) {}

  absl::StatusOr<WebhookSubscription> CreateSubscription(const WebhookSubscription& subscription,
                                                         const std::string& request_id) override;
  absl::StatusOr<WebhookSubscription> GetSubscription(const std::string& id) override;
  absl::StatusOr<std::vector<WebhookSubscription>> ListSubscriptions() override;
  absl::StatusOr<WebhookSubscription> UpdateSubscription(const WebhookSubscription& subscription) override;
  absl::Status DeleteSubscription(const std::string& id) override;
  absl::StatusOr<DeliveryPage> ListDeliveries(const std::string& subscription_id, std::optional<DeliveryStatus> status,
                                              int64_t before_id, int limit) override;
  absl::StatusOr<int64_t> ReplayDelivery(const std::string& subscription_id, int64_t delivery_id) override;
  absl::StatusOr<int64_t> ReplayRange(const std::string& subscription_id, absl::Time start, absl::Time end) override;
  absl::StatusOr<std::vector<ClaimedDelivery>> Claim(int per_subscription, int limit,
                                                     const std::vector<std::string>& exclude,
                                                     absl::Duration lease) override;
  absl::Status Complete(int64_t delivery_id, int attempts, const DeliveryAttempt& attempt,
                        std::optional<absl::Time> next_attempt) override;
  absl::StatusOr<WebhookStats> Stats() override;
  absl::StatusOr<int64_t> Prune(absl::Duration retention) override;

  // In the consumer's inbox transaction: the subscriptions (active or paused) whose event types match `type` each
  // get one pending delivery of the event, whose body `make_body` builds (called only when one matches). Returns
  // how many deliveries were queued.
  static int64_t QueueEvent(pqxx::work& tx, const std::string& event_id, const std::string& type,
                            absl::Time occurred_at, const std::function<std::string()>& make_body);
  // Which of `types` (full names) a subscription (active or paused) asks for, by full or short name: one statement for
  // a consumer's whole read, so that QueueEvent runs only for events somebody wants.
  static std::set<std::string> SubscribedTypes(pqxx::work& tx, const std::vector<std::string>& types);

 private:
  pg::Pool& pool_;
};

}  // namespace zhongtai::datahub
