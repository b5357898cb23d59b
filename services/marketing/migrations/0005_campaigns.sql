-- Running campaigns: budgets charged by orders, coupons issued to a segment, coupon lifecycle reminders, the order
-- events marketing follows, and A/B experiments. The rules are C++ (domain/budget.h, coupon_issue.h, ...); the
-- constraints here are the last guard.

-- Coupon templates get a budget like promotions have (promotions.budget_remaining_minor): NULL means no limit.
ALTER TABLE coupon_templates ADD COLUMN budget_remaining_minor bigint CHECK (budget_remaining_minor >= 0);

-- One row per order that charged budgets, or was released (a release before any charge is recorded too, so that a
-- late charge of a cancelled order is refused).
CREATE TABLE order_budgets (
  order_id    text PRIMARY KEY,
  state       text NOT NULL CHECK (state IN ('CHARGED', 'RELEASED')),
  charged_at  timestamptz,
  released_at timestamptz
);

-- What the order took from each budget; given back on release.
CREATE TABLE order_budget_charges (
  order_id     text NOT NULL REFERENCES order_budgets,
  owner_kind   text NOT NULL CHECK (owner_kind IN ('PROMOTION', 'COUPON_TEMPLATE')),
  owner_id     text NOT NULL,
  currency     text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  amount_minor bigint NOT NULL CHECK (amount_minor > 0),
  PRIMARY KEY (order_id, owner_kind, owner_id)
);

-- Coupons issued to a segment: a job per (template, segment) that pages through the user center. page_token is
-- where the next page starts; the counts are saved with it after each page. A runner holds a job until lease_until
-- and renews it each page; a job whose lease has passed is taken over (the runner died).
CREATE TABLE coupon_issues (
  issue_id      text PRIMARY KEY,
  template_id   text NOT NULL REFERENCES coupon_templates,
  -- The start call's idempotency key.
  request_id    text NOT NULL UNIQUE,
  segment_tag   text NOT NULL DEFAULT '',
  segment_tier  text NOT NULL DEFAULT '',
  state         text NOT NULL CHECK (state IN ('RUNNING', 'DONE', 'SOLD_OUT')),
  page_token    text NOT NULL DEFAULT '',
  issued_count  bigint NOT NULL DEFAULT 0 CHECK (issued_count >= 0),
  skipped_count bigint NOT NULL DEFAULT 0 CHECK (skipped_count >= 0),
  lease_until   timestamptz NOT NULL,
  created_at    timestamptz NOT NULL,
  updated_at    timestamptz NOT NULL,
  CHECK ((segment_tag = '') <> (segment_tier = ''))
);
CREATE INDEX coupon_issues_runnable ON coupon_issues (lease_until) WHERE state = 'RUNNING';

-- The expiry reminder (CouponExpiringSoon) goes out once per coupon: the sweep sets this with the event.
ALTER TABLE coupons ADD COLUMN expiry_reminded_at timestamptz;
CREATE INDEX coupons_expiry_reminder_due ON coupons (valid_until_at)
  WHERE status = 'AVAILABLE' AND expiry_reminded_at IS NULL;

-- A/B experiments on promotions (domain/experiment.h): arms with traffic shares in basis points, each naming the
-- promotions it enables. The shares' sum and the arms' shape are checked in C++.
CREATE TABLE experiments (
  experiment_id text PRIMARY KEY,
  -- The create call's idempotency key.
  request_id    text NOT NULL UNIQUE,
  name          text NOT NULL,
  start_at      timestamptz NOT NULL,
  end_at        timestamptz NOT NULL CHECK (end_at > start_at),
  created_at    timestamptz NOT NULL
);
CREATE INDEX experiments_window ON experiments (start_at, end_at);

CREATE TABLE experiment_arms (
  experiment_id text NOT NULL REFERENCES experiments,
  -- The arms take consecutive bucket ranges in this order.
  position      integer NOT NULL CHECK (position >= 0),
  name          text NOT NULL,
  traffic_bp    integer NOT NULL CHECK (traffic_bp > 0 AND traffic_bp <= 10000),
  promotion_ids text[] NOT NULL DEFAULT '{}',
  PRIMARY KEY (experiment_id, position),
  UNIQUE (experiment_id, name)
);

-- One exposure per user and experiment: its ExperimentExposure event goes out with the row.
CREATE TABLE experiment_exposures (
  experiment_id text NOT NULL REFERENCES experiments,
  user_id       text NOT NULL,
  arm           text NOT NULL,
  exposed_at    timestamptz NOT NULL,
  PRIMARY KEY (experiment_id, user_id)
);
