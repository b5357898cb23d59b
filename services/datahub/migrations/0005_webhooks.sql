-- Integrations out (开放平台): webhook subscriptions, the events they were sent, and one delivery per subscription and
-- event (an outbox the dispatcher drains; docs/webhooks.md).

CREATE TABLE webhook_subscriptions (
  subscription_id text PRIMARY KEY,
  url             text NOT NULL,
  -- Short ("OrderPaid") or full ("zhongtai.order.v1.OrderPaid") event type names.
  event_types     text[] NOT NULL,
  -- The HMAC key; never logged, returned by the API only when created.
  secret          text NOT NULL,
  active          boolean NOT NULL DEFAULT true,
  description     text NOT NULL DEFAULT '',
  -- The Idempotency-Key of the create call: a repeat returns the same subscription.
  request_id      text UNIQUE,
  created_by      text NOT NULL DEFAULT '',
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);

-- The body of each event some subscription matched, stored once and sent to every matching subscription.
CREATE TABLE webhook_events (
  event_id    text PRIMARY KEY,
  event_type  text NOT NULL,
  occurred_at timestamptz NOT NULL,
  body        text NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_events_occurred ON webhook_events (occurred_at);

-- status: 1 pending, 2 delivered, 3 dead (retry budget spent).
CREATE TABLE webhook_deliveries (
  delivery_id      bigserial PRIMARY KEY,
  subscription_id  text NOT NULL REFERENCES webhook_subscriptions (subscription_id) ON DELETE CASCADE,
  event_id         text NOT NULL REFERENCES webhook_events (event_id),
  status           smallint NOT NULL DEFAULT 1,
  attempts         integer NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz NOT NULL DEFAULT now(),
  -- A dispatcher holds the delivery until then (another replica skips it); NULL when nobody does.
  leased_until     timestamptz,
  -- The retry budget (24 hours by default) runs from here: the first queueing, or the last replay.
  budget_start     timestamptz NOT NULL DEFAULT now(),
  created_at       timestamptz NOT NULL DEFAULT now(),
  last_attempt_at  timestamptz,
  last_status_code integer NOT NULL DEFAULT 0,
  last_error       text NOT NULL DEFAULT '',
  delivered_at     timestamptz,
  UNIQUE (subscription_id, event_id)
);
-- The dispatcher's claim: each subscription's due deliveries, oldest first.
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (subscription_id, next_attempt_at) WHERE status = 1;
-- The delivery log, newest first.
CREATE INDEX webhook_deliveries_log ON webhook_deliveries (subscription_id, delivery_id DESC);
-- Dead letters, for the metric and the alert.
CREATE INDEX webhook_deliveries_dead ON webhook_deliveries (subscription_id) WHERE status = 3;
