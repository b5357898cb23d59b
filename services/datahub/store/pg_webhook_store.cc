#include "services/datahub/store/pg_webhook_store.h"

#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/pg/arrays.h"
#include "common/pg/prepared.h"
#include "common/pg/time.h"
#include "common/status/status.h"

namespace zhongtai::datahub {
namespace {

#define ZT_MICROS(col) "(extract(epoch from " col ") * 1000000)::bigint"
#define ZT_TS(n) "('epoch'::timestamptz + $" #n "::bigint * interval '1 microsecond')"

constexpr char kSubscriptionColumns[] =
    "subscription_id, url, array_to_string(event_types, ','), secret, active, description, created_by, " ZT_MICROS(
        "created_at") ", " ZT_MICROS("updated_at");

// A repeated request id keeps the first subscription (the caller compares it).
constexpr char kInsertSubscriptionSql[] =
    "INSERT INTO webhook_subscriptions (subscription_id, url, event_types, secret, active, description, request_id, "
    "created_by) VALUES ($1, $2, string_to_array($3, ','), $4, $5, $6, NULLIF($7, ''), $8) "
    "ON CONFLICT (request_id) DO NOTHING";

constexpr char kUpdateSubscriptionSql[] =
    "UPDATE webhook_subscriptions SET url = $2, event_types = string_to_array($3, ','), active = $4, description = $5, "
    "updated_at = now() WHERE subscription_id = $1";

// The log: newest first, keyset paged by delivery id.
constexpr char kListDeliveriesSql[] =
    "SELECT d.delivery_id, d.subscription_id, d.event_id, e.event_type, " ZT_MICROS("e.occurred_at") ", d.status, "
    "d.attempts, d.last_status_code, d.last_error, " ZT_MICROS("d.created_at") ", " ZT_MICROS(
        "d.last_attempt_at") ", " ZT_MICROS("d.next_attempt_at") ", " ZT_MICROS("d.delivered_at")
    " FROM webhook_deliveries d JOIN webhook_events e ON e.event_id = d.event_id "
    "WHERE d.subscription_id = $1 AND ($2::int = 0 OR d.status = $2::int)"
    " AND ($3::bigint = 0 OR d.delivery_id < $3::bigint) ORDER BY d.delivery_id DESC LIMIT $4::int";

// A replay starts over: due now, attempts and budget from zero.
constexpr char kReplayDeliverySql[] =
    "UPDATE webhook_deliveries SET status = 1, attempts = 0, next_attempt_at = now(), budget_start = now(), "
    "leased_until = NULL, delivered_at = NULL WHERE subscription_id = $1 AND delivery_id = $2";

// The range's deliveries again, and deliveries for the range's stored events the subscription matches but never had.
constexpr char kReplayRangeSql[] =
    "WITH requeued AS ("
    " UPDATE webhook_deliveries d SET status = 1, attempts = 0, next_attempt_at = now(), budget_start = now(),"
    " leased_until = NULL, delivered_at = NULL FROM webhook_events e"
    " WHERE e.event_id = d.event_id AND d.subscription_id = $1"
    " AND e.occurred_at >= " ZT_TS(2) " AND e.occurred_at < " ZT_TS(3) " RETURNING 1),"
    " added AS ("
    " INSERT INTO webhook_deliveries (subscription_id, event_id)"
    " SELECT s.subscription_id, e.event_id FROM webhook_subscriptions s JOIN webhook_events e"
    " ON (e.event_type = ANY (s.event_types) OR regexp_replace(e.event_type, '^.*\\.', '') = ANY (s.event_types))"
    " WHERE s.subscription_id = $1 AND e.occurred_at >= " ZT_TS(2) " AND e.occurred_at < " ZT_TS(3)
    " ON CONFLICT (subscription_id, event_id) DO NOTHING RETURNING 1)"
    " SELECT (SELECT count(*) FROM requeued) + (SELECT count(*) FROM added)";

// Per active subscription (not excluded) its `per_subscription` earliest due, unleased deliveries; of those the
// `limit` earliest; each leased in the same statement. A row another dispatcher leased meanwhile fails the re-checked
// condition and is skipped.
constexpr char kClaimSql[] =
    "WITH candidates AS ("
    " SELECT d.delivery_id FROM webhook_subscriptions s CROSS JOIN LATERAL ("
    "  SELECT delivery_id, next_attempt_at FROM webhook_deliveries"
    "  WHERE subscription_id = s.subscription_id AND status = 1 AND next_attempt_at <= now()"
    "  AND (leased_until IS NULL OR leased_until < now()) ORDER BY next_attempt_at LIMIT $1::int) d"
    " WHERE s.active AND NOT (s.subscription_id = ANY (string_to_array($3, ',')))"
    " ORDER BY d.next_attempt_at LIMIT $2::int)"
    " UPDATE webhook_deliveries d SET leased_until = now() + make_interval(secs => $4::float8)"
    " FROM candidates c, webhook_events e, webhook_subscriptions s"
    " WHERE d.delivery_id = c.delivery_id AND e.event_id = d.event_id AND s.subscription_id = d.subscription_id"
    " AND d.status = 1 AND (d.leased_until IS NULL OR d.leased_until < now())"
    " RETURNING d.delivery_id, d.subscription_id, s.url, s.secret, d.event_id, e.event_type, e.body, "
    "d.attempts, " ZT_MICROS("d.budget_start");

// $5 delivered; $6 has a next attempt (else dead when not delivered), at $7.
constexpr char kCompleteSql[] =
    "UPDATE webhook_deliveries SET attempts = $2, last_attempt_at = now(), last_status_code = $3, last_error = $4,"
    " leased_until = NULL, status = CASE WHEN $5::boolean THEN 2 WHEN $6::boolean THEN 1 ELSE 3 END,"
    " delivered_at = CASE WHEN $5::boolean THEN now() ELSE NULL END,"
    " next_attempt_at = CASE WHEN $6::boolean THEN " ZT_TS(7) " ELSE next_attempt_at END"
    " WHERE delivery_id = $1";

// Pending and due deliveries of active subscriptions (the backlog), through the partial index of pending ones.
constexpr char kBacklogSql[] =
    "SELECT count(*), count(*) FILTER (WHERE d.next_attempt_at <= now()),"
    " COALESCE(extract(epoch from now() - min(d.next_attempt_at) FILTER (WHERE d.next_attempt_at <= now())), 0)"
    " FROM webhook_deliveries d JOIN webhook_subscriptions s ON s.subscription_id = d.subscription_id"
    " WHERE d.status = 1 AND s.active";
constexpr char kDeadSql[] = "SELECT count(*) FROM webhook_deliveries WHERE status = 3";

// Retention: delivered rows, then events nothing refers to any more (a range replay can no longer resend them).
constexpr char kPruneDeliveredSql[] =
    "DELETE FROM webhook_deliveries WHERE delivery_id IN (SELECT delivery_id FROM webhook_deliveries"
    " WHERE status = 2 AND delivered_at < now() - make_interval(secs => $1::float8) LIMIT 10000)";
constexpr char kPruneEventsSql[] =
    "DELETE FROM webhook_events WHERE event_id IN (SELECT e.event_id FROM webhook_events e"
    " WHERE e.received_at < now() - make_interval(secs => $1::float8)"
    " AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = e.event_id) LIMIT 10000)";

constexpr char kMatchingSubscriptionsSql[] =
    "SELECT subscription_id FROM webhook_subscriptions WHERE $1 = ANY (event_types) OR $2 = ANY (event_types)";
// $1 full type names, $2 their short names, pairwise.
constexpr char kSubscribedTypesSql[] =
    "SELECT DISTINCT t.type FROM unnest($1::text[], $2::text[]) AS t (type, short_type) WHERE EXISTS ("
    "SELECT 1 FROM webhook_subscriptions s WHERE t.type = ANY (s.event_types) OR t.short_type = ANY (s.event_types))";
constexpr char kInsertEventSql[] =
    "INSERT INTO webhook_events (event_id, event_type, occurred_at, body) VALUES ($1, $2, " ZT_TS(3) ", $4) "
    "ON CONFLICT (event_id) DO NOTHING";
constexpr char kInsertDeliveriesSql[] =
    "INSERT INTO webhook_deliveries (subscription_id, event_id) SELECT subscription_id, $3 FROM webhook_subscriptions"
    " WHERE $1 = ANY (event_types) OR $2 = ANY (event_types) ON CONFLICT (subscription_id, event_id) DO NOTHING";

std::optional<absl::Time> OptionalTime(const pqxx::field& field) {
  if (field.is_null()) return std::nullopt;
  return absl::FromUnixMicros(field.as<int64_t>());
}

WebhookSubscription SubscriptionFromRow(const pqxx::row& row) {
  WebhookSubscription s;
  s.id = row[0].as<std::string>();
  s.url = row[1].as<std::string>();
  std::string types = row[2].as<std::string>();
  if (!types.empty()) s.event_types = absl::StrSplit(types, ',');
  s.secret = row[3].as<std::string>();
  s.active = row[4].as<bool>();
  s.description = row[5].as<std::string>();
  s.created_by = row[6].as<std::string>();
  s.created_at = absl::FromUnixMicros(row[7].as<int64_t>());
  s.updated_at = absl::FromUnixMicros(row[8].as<int64_t>());
  return s;
}

absl::Status NoSuchWebhook() { return NotFound("WEBHOOK_NOT_FOUND", "no such webhook"); }

std::string SelectSubscriptionBy(const char* column) {
  return std::string("SELECT ") + kSubscriptionColumns + " FROM webhook_subscriptions WHERE " + column + " = $1";
}

}  // namespace

absl::StatusOr<WebhookSubscription> PgWebhookStore::CreateSubscription(const WebhookSubscription& subscription,
                                                                       const std::string& request_id) {
  WebhookSubscription out;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    pqxx::result inserted = tx.exec_params(
        kInsertSubscriptionSql, subscription.id, subscription.url, absl::StrJoin(subscription.event_types, ","),
        subscription.secret, subscription.active, subscription.description, request_id, subscription.created_by);
    std::string id = subscription.id;
    if (inserted.affected_rows() == 0) {
      pqxx::result existing = tx.exec_params(SelectSubscriptionBy("request_id"), request_id);
      if (existing.empty()) return Aborted("DB_CONFLICT", "the webhook was created and removed meanwhile");
      out = SubscriptionFromRow(existing[0]);
      if (out.url != subscription.url || out.event_types != subscription.event_types) {
        return AlreadyExists("IDEMPOTENCY_KEY_REUSED", "the Idempotency-Key was used for another webhook");
      }
      return absl::OkStatus();
    }
    out = SubscriptionFromRow(tx.exec_params1(SelectSubscriptionBy("subscription_id"), id));
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<WebhookSubscription> PgWebhookStore::GetSubscription(const std::string& id) {
  std::optional<WebhookSubscription> out;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) {
    pqxx::result rows = tx.exec_params(SelectSubscriptionBy("subscription_id"), id);
    if (!rows.empty()) out = SubscriptionFromRow(rows[0]);
    return absl::OkStatus();
  }));
  if (!out) return NoSuchWebhook();
  return *out;
}

absl::StatusOr<std::vector<WebhookSubscription>> PgWebhookStore::ListSubscriptions() {
  std::vector<WebhookSubscription> out;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) {
    out.clear();
    for (const pqxx::row& row : tx.exec(std::string("SELECT ") + kSubscriptionColumns +
                                        " FROM webhook_subscriptions ORDER BY created_at DESC, subscription_id")) {
      out.push_back(SubscriptionFromRow(row));
    }
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<WebhookSubscription> PgWebhookStore::UpdateSubscription(const WebhookSubscription& subscription) {
  std::optional<WebhookSubscription> out;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) {
    out.reset();
    pqxx::result updated =
        tx.exec_params(kUpdateSubscriptionSql, subscription.id, subscription.url,
                       absl::StrJoin(subscription.event_types, ","), subscription.active, subscription.description);
    if (updated.affected_rows() == 0) return absl::OkStatus();
    out = SubscriptionFromRow(tx.exec_params1(SelectSubscriptionBy("subscription_id"), subscription.id));
    return absl::OkStatus();
  }));
  if (!out) return NoSuchWebhook();
  return *out;
}

absl::Status PgWebhookStore::DeleteSubscription(const std::string& id) {
  bool deleted = false;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) {
    deleted = tx.exec_params("DELETE FROM webhook_subscriptions WHERE subscription_id = $1", id).affected_rows() > 0;
    return absl::OkStatus();
  }));
  if (!deleted) return NoSuchWebhook();
  return absl::OkStatus();
}

absl::StatusOr<DeliveryPage> PgWebhookStore::ListDeliveries(const std::string& subscription_id,
                                                            std::optional<DeliveryStatus> status, int64_t before_id,
                                                            int limit) {
  DeliveryPage page;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) {
    page = DeliveryPage();
    pqxx::result rows = tx.exec_params(kListDeliveriesSql, subscription_id, status ? static_cast<int>(*status) : 0,
                                       before_id, limit + 1);
    for (const pqxx::row& row : rows) {
      if (static_cast<int>(page.deliveries.size()) == limit) {
        page.next_before_id = page.deliveries.back().id;
        break;
      }
      WebhookDelivery d;
      d.id = row[0].as<int64_t>();
      d.subscription_id = row[1].as<std::string>();
      d.event_id = row[2].as<std::string>();
      d.event_type = row[3].as<std::string>();
      d.event_time = absl::FromUnixMicros(row[4].as<int64_t>());
      d.status = static_cast<DeliveryStatus>(row[5].as<int>());
      d.attempts = row[6].as<int>();
      d.last_status_code = row[7].as<int>();
      d.last_error = row[8].as<std::string>();
      d.created_at = absl::FromUnixMicros(row[9].as<int64_t>());
      d.last_attempt_at = OptionalTime(row[10]);
      if (d.status == DeliveryStatus::kPending) d.next_attempt_at = OptionalTime(row[11]);
      d.delivered_at = OptionalTime(row[12]);
      page.deliveries.push_back(std::move(d));
    }
    return absl::OkStatus();
  }));
  return page;
}

absl::StatusOr<int64_t> PgWebhookStore::ReplayDelivery(const std::string& subscription_id, int64_t delivery_id) {
  int64_t n = 0;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) {
    n = tx.exec_params(kReplayDeliverySql, subscription_id, delivery_id).affected_rows();
    return absl::OkStatus();
  }));
  if (n == 0) return NotFound("WEBHOOK_DELIVERY_NOT_FOUND", "no such delivery of this webhook");
  return n;
}

absl::StatusOr<int64_t> PgWebhookStore::ReplayRange(const std::string& subscription_id, absl::Time start,
                                                    absl::Time end) {
  int64_t n = 0;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) {
    n = tx.exec_params1(kReplayRangeSql, subscription_id, pg::Micros(start), pg::Micros(end))[0].as<int64_t>();
    return absl::OkStatus();
  }));
  return n;
}

absl::StatusOr<std::vector<ClaimedDelivery>> PgWebhookStore::Claim(int per_subscription, int limit,
                                                                   const std::vector<std::string>& exclude,
                                                                   absl::Duration lease) {
  std::vector<ClaimedDelivery> out;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) {
    out.clear();
    pqxx::result rows =
        tx.exec_params(kClaimSql, per_subscription, limit, absl::StrJoin(exclude, ","), absl::ToDoubleSeconds(lease));
    for (const pqxx::row& row : rows) {
      ClaimedDelivery d;
      d.id = row[0].as<int64_t>();
      d.subscription_id = row[1].as<std::string>();
      d.url = row[2].as<std::string>();
      d.secret = row[3].as<std::string>();
      d.event_id = row[4].as<std::string>();
      d.event_type = row[5].as<std::string>();
      d.body = row[6].as<std::string>();
      d.attempts = row[7].as<int>();
      d.budget_start = absl::FromUnixMicros(row[8].as<int64_t>());
      out.push_back(std::move(d));
    }
    return absl::OkStatus();
  }));
  return out;
}

absl::Status PgWebhookStore::Complete(int64_t delivery_id, int attempts, const DeliveryAttempt& attempt,
                                      std::optional<absl::Time> next_attempt) {
  return pool_.Transact([&](pqxx::work& tx) {
    tx.exec_params(kCompleteSql, delivery_id, attempts, attempt.status_code, attempt.error.substr(0, 500),
                   attempt.delivered, next_attempt.has_value(), next_attempt ? pg::Micros(*next_attempt) : int64_t{0});
    return absl::OkStatus();
  });
}

absl::StatusOr<WebhookStats> PgWebhookStore::Stats() {
  WebhookStats stats;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) {
    pqxx::row backlog = tx.exec1(kBacklogSql);
    stats.pending = backlog[0].as<int64_t>();
    stats.due = backlog[1].as<int64_t>();
    stats.oldest_due_seconds = backlog[2].as<double>();
    stats.dead = tx.exec1(kDeadSql)[0].as<int64_t>();
    return absl::OkStatus();
  }));
  return stats;
}

absl::StatusOr<int64_t> PgWebhookStore::Prune(absl::Duration retention) {
  int64_t n = 0;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) {
    const double seconds = absl::ToDoubleSeconds(retention);
    n = tx.exec_params(kPruneDeliveredSql, seconds).affected_rows();
    n += tx.exec_params(kPruneEventsSql, seconds).affected_rows();
    return absl::OkStatus();
  }));
  return n;
}

int64_t PgWebhookStore::QueueEvent(pqxx::work& tx, const std::string& event_id, const std::string& type,
                                   absl::Time occurred_at, const std::function<std::string()>& make_body) {
  const std::string short_type(ShortEventType(type));
  if (pg::Exec(tx, kMatchingSubscriptionsSql, type, short_type).empty()) return 0;
  pg::Exec(tx, kInsertEventSql, event_id, type, pg::Micros(occurred_at), make_body());
  return pg::Exec(tx, kInsertDeliveriesSql, type, short_type, event_id).affected_rows();
}

std::set<std::string> PgWebhookStore::SubscribedTypes(pqxx::work& tx, const std::vector<std::string>& types) {
  std::set<std::string> out;
  if (types.empty()) return out;
  std::vector<std::string> short_types;
  for (const std::string& type : types) short_types.emplace_back(ShortEventType(type));
  for (const pqxx::row& row :
       pg::Exec(tx, kSubscribedTypesSql, pg::TextArrayLiteral(types), pg::TextArrayLiteral(short_types))) {
    out.insert(row[0].as<std::string>());
  }
  return out;
}

}  // namespace zhongtai::datahub
