-- Coupons: templates the operator creates and the coupons users claim into their wallets. The rules are C++
-- (coupon_rules.h); the constraints here are the last guard that caps and single use hold even if a rule slips.

CREATE TABLE coupon_templates (
  template_id            text PRIMARY KEY,
  -- The create call's idempotency key.
  request_id             text NOT NULL UNIQUE,
  name                   text NOT NULL,
  coupon_type            text NOT NULL CHECK (coupon_type IN ('threshold_reduction', 'percent_off', 'no_threshold')),
  currency               text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  threshold_minor        bigint NOT NULL CHECK (threshold_minor >= 0),
  reduction_minor        bigint NOT NULL CHECK (reduction_minor >= 0),
  percent_off_bp         integer NOT NULL CHECK (percent_off_bp >= 0 AND percent_off_bp < 10000),
  scope_all_products     boolean NOT NULL,
  scope_category_ids     text[] NOT NULL,
  scope_brand_ids        text[] NOT NULL,
  scope_sku_ids          text[] NOT NULL,
  excluded_category_ids  text[] NOT NULL,
  excluded_brand_ids     text[] NOT NULL,
  excluded_sku_ids       text[] NOT NULL,
  claim_start_at         timestamptz NOT NULL,
  claim_end_at           timestamptz NOT NULL CHECK (claim_end_at > claim_start_at),
  -- A fixed validity window, or (both NULL) valid_days_after_claim days from each claim.
  valid_from_at          timestamptz,
  valid_until_at         timestamptz,
  valid_days_after_claim integer NOT NULL CHECK (valid_days_after_claim >= 0),
  total_quantity         bigint NOT NULL CHECK (total_quantity > 0),
  per_user_limit         bigint NOT NULL CHECK (per_user_limit > 0),
  -- Raised by each claim under the row's lock.
  claimed_quantity       bigint NOT NULL DEFAULT 0 CHECK (claimed_quantity >= 0 AND claimed_quantity <= total_quantity),
  created_at             timestamptz NOT NULL,
  CHECK ((valid_days_after_claim > 0) = (valid_from_at IS NULL AND valid_until_at IS NULL))
);
CREATE INDEX coupon_templates_claim_window ON coupon_templates (claim_start_at, claim_end_at);

CREATE TABLE coupons (
  coupon_id        text PRIMARY KEY,
  template_id      text NOT NULL REFERENCES coupon_templates,
  user_id          text NOT NULL,
  -- The claim call's idempotency key, per user.
  claim_request_id text NOT NULL,
  -- The user's n-th coupon of the template: unique, and never above the template's per-user limit.
  claim_seq        bigint NOT NULL CHECK (claim_seq > 0),
  -- EXPIRED is written when a released coupon's validity has ended; an AVAILABLE one past valid_until reads as
  -- expired too.
  status           text NOT NULL CHECK (status IN ('AVAILABLE', 'LOCKED', 'USED', 'EXPIRED')),
  -- The order that holds (LOCKED) or used (USED) it; '' otherwise.
  order_id         text NOT NULL DEFAULT '',
  valid_from_at    timestamptz NOT NULL,
  valid_until_at   timestamptz NOT NULL,
  claimed_at       timestamptz NOT NULL,
  UNIQUE (user_id, claim_request_id),
  UNIQUE (template_id, user_id, claim_seq),
  CHECK ((status IN ('LOCKED', 'USED')) = (order_id <> ''))
);
CREATE INDEX coupons_wallet ON coupons (user_id, claimed_at DESC);
-- One coupon per order: the coupon layer takes one.
CREATE UNIQUE INDEX coupons_order ON coupons (order_id) WHERE order_id <> '';
