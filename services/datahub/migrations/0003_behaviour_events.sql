-- Behaviour events from the channel apps (POST /v1/events), their rollups, and the facts the funnel and the
-- dashboard need from the order events.

-- HyperLogLog sketches for distinct counts where an estimate is enough (UV). The extension is not trusted: a
-- superuser creates it in the datahub database before the service's first start (deploy/stack.sh, the compose and
-- Kubernetes PostgreSQL init scripts); then this statement is a no-op for the service's own role.
CREATE EXTENSION IF NOT EXISTS hll;

-- One row per accepted behaviour event. Range-partitioned by occurred_at, one partition per UTC day, named
-- behaviour_events_pYYYYMMDD; the service creates them ahead (ZT_DATAHUB_PARTITIONS_AHEAD days) and for late events
-- (up to ZT_DATAHUB_EVENTS_LATE_WINDOW old) when a batch needs one. No default partition: adding a partition never
-- scans old rows.
--   event_id     the app's id of the event; a retry resends it unchanged, so (event_id, occurred_at) is the dedupe key
--   occurred_at  when it happened on the device (the app's clock, checked against the server's on arrival)
--   received_at  when the data hub accepted it
--   event_type   1 view, 2 search, 3 click, 4 add_to_cart, 5 checkout, 6 share (BehaviourEventType)
--   device_id    the app's install or browser id; the visitor of UV
--   user_id      the signed-in user from the access token; NULL for a signed-out visitor
--   session_id   the app's session; '' when it sent none
--   channel      web, app, mini_program, or a marketplace name
--   product_id, sku_id  the product (and SKU) concerned; NULL when none (a search)
--   query        the search terms (search events); NULL otherwise
CREATE TABLE behaviour_events (
  event_id    text        NOT NULL,
  occurred_at timestamptz NOT NULL,
  received_at timestamptz NOT NULL,
  event_type  smallint    NOT NULL,
  device_id   text        NOT NULL,
  user_id     text,
  session_id  text        NOT NULL DEFAULT '',
  channel     text        NOT NULL,
  product_id  text,
  sku_id      text,
  query       text,
  PRIMARY KEY (occurred_at, event_id)
) PARTITION BY RANGE (occurred_at);
-- Per partition (declared on the parent, created on each): a product's events and a user's events.
CREATE INDEX behaviour_events_product ON behaviour_events (product_id, occurred_at) WHERE product_id IS NOT NULL;
CREATE INDEX behaviour_events_user ON behaviour_events (user_id, occurred_at) WHERE user_id IS NOT NULL;

-- Hourly rollup (UTC hours) by channel and event type, maintained by every ingest in the same transaction, with
-- the newly inserted events only (a duplicate adds nothing). Days in any time zone with a whole-hour offset are
-- sums of hours. visitors is a HyperLogLog of device ids: an estimate (standard error about 2%, hll defaults: log2m 11), never exact.
CREATE TABLE behaviour_hourly (
  hour       timestamptz NOT NULL,
  channel    text        NOT NULL,
  event_type smallint    NOT NULL,
  events     bigint      NOT NULL,
  visitors   hll         NOT NULL,
  PRIMARY KEY (hour, channel, event_type)
);

-- Funnel journeys, maintained at ingest: a journey starts at a visitor's view that is not inside an earlier
-- journey's window (ZT_DATAHUB_FUNNEL_WINDOW) and keeps the first time of each later step inside that window.
-- visitor is "u:<user id>" when signed in, else "d:<device id>". Order and payment steps come from the order
-- events of the same user. Which steps a journey reached is decided by the C++ rule (domain/funnel.h) and by
-- the funnel query, kept equal by a store test.
CREATE TABLE funnel_journeys (
  visitor      text        NOT NULL,
  started_at   timestamptz NOT NULL,
  channel      text        NOT NULL,
  cart_at      timestamptz,
  checkout_at  timestamptz,
  ordered_at   timestamptz,
  paid_at      timestamptz,
  PRIMARY KEY (visitor, started_at)
);
CREATE INDEX funnel_journeys_started ON funnel_journeys (started_at);

-- Orders: the channel (from OrderPlaced) for the dashboard's breakdown, and refunds (OrderRefunded; amounts add up
-- over partial refunds, each refund event counted once by the inbox).
ALTER TABLE order_facts
  ADD COLUMN channel text NOT NULL DEFAULT '',
  ADD COLUMN refunded_at timestamptz,
  ADD COLUMN refunded_minor bigint NOT NULL DEFAULT 0;
CREATE INDEX order_facts_refunded_at ON order_facts (refunded_at) WHERE refunded_at IS NOT NULL;

-- Every other service's domain events the data hub consumed, one row per event (the inbox makes a redelivery a
-- no-op): coupons claimed and used, tier changes, product and price changes, ... for the analytics to come.
--   event_id     the outbox id;  stream  e.g. zt.events.marketing;  type  the proto's full name
--   subject_id   what the event is about (the coupon, the product, the user); user_id when it names one
--   amount_minor, currency  a money amount it carries (a new price), else 0 and ''
CREATE TABLE domain_events (
  event_id     text        PRIMARY KEY,
  stream       text        NOT NULL,
  type         text        NOT NULL,
  subject_id   text        NOT NULL DEFAULT '',
  user_id      text,
  amount_minor bigint      NOT NULL DEFAULT 0,
  currency     text        NOT NULL DEFAULT '',
  occurred_at  timestamptz NOT NULL,
  received_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX domain_events_type_time ON domain_events (type, occurred_at);
CREATE INDEX domain_events_user ON domain_events (user_id) WHERE user_id IS NOT NULL;
