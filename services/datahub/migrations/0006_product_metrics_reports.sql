-- Product metrics (per product and SKU), the daily operations report, and what they need from the events.

-- The lines of each order as OrderPlaced lists them (zhongtai.order.v1.LineAmount): units of a SKU and the money the
-- buyer pays for them after promotions and coupon. A line counts as sold when its order is paid (order_facts.paid_at).
-- The first OrderPlaced of an order wins (the inbox makes a redelivery a no-op; a second event for the order adds
-- nothing).
CREATE TABLE order_line_facts (
  order_id     text   NOT NULL,
  sku_id       text   NOT NULL,
  quantity     bigint NOT NULL,
  amount_minor bigint NOT NULL,
  PRIMARY KEY (order_id, sku_id)
);
CREATE INDEX order_line_facts_sku ON order_line_facts (sku_id);

-- The units each refund (OrderRefunded, one per refunded after-sales request) gave money back for.
--   refund_id  the after-sales request (return id), else the event id
CREATE TABLE refund_line_facts (
  refund_id    text        NOT NULL,
  sku_id       text        NOT NULL,
  order_id     text        NOT NULL,
  quantity     bigint      NOT NULL,
  amount_minor bigint      NOT NULL,
  currency     text        NOT NULL,
  refunded_at  timestamptz NOT NULL,
  PRIMARY KEY (refund_id, sku_id)
);
CREATE INDEX refund_line_facts_time ON refund_line_facts (refunded_at);

-- Which product a SKU belongs to, learned from the behaviour events that name both (the order events name SKUs
-- only). The first pair seen for a SKU stays: a SKU never moves to another product.
CREATE TABLE sku_products (
  sku_id     text PRIMARY KEY,
  product_id text NOT NULL
);
CREATE INDEX sku_products_product ON sku_products (product_id);

-- Coupons, for the report's coupons expiring soon: when a claimed coupon stops being valid and its template
-- (CouponClaimed, CouponExpiringSoon carry both), and a coupon's events by coupon.
--   template_id  what the subject belongs to: a coupon's template; '' otherwise
ALTER TABLE domain_events ADD COLUMN valid_until timestamptz, ADD COLUMN template_id text NOT NULL DEFAULT '';
CREATE INDEX domain_events_valid_until ON domain_events (valid_until) WHERE valid_until IS NOT NULL;
CREATE INDEX domain_events_subject ON domain_events (subject_id, occurred_at);

-- The daily operations reports, one per shop day, written once (a regeneration of a stored day changes nothing).
--   report  the report as zhongtai.datahub.v1.DailyReport (binary protobuf)
--   html    the same as an HTML page with inline SVG charts (no scripts)
CREATE TABLE daily_reports (
  report_date  date        PRIMARY KEY,
  generated_at timestamptz NOT NULL,
  report       bytea       NOT NULL,
  html         text        NOT NULL
);
