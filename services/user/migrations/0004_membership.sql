-- Membership: the tier table (configuration the admin edits), members' tiers, the growth each paid order
-- brought, and the tier history. A member's growth is the sum of order_growth within the rolling 12 months,
-- leaving out reversed orders. Every change of a member locks its members row first (SELECT ... FOR UPDATE).

CREATE TABLE membership_tiers (
  tier                          text PRIMARY KEY CHECK (tier IN ('normal', 'silver', 'gold', 'diamond')),
  rank                          integer NOT NULL UNIQUE CHECK (rank BETWEEN 0 AND 3),
  name                          text NOT NULL,
  growth_threshold              bigint NOT NULL CHECK (growth_threshold >= 0),
  member_price_tier             text NOT NULL,
  points_multiplier_percent     integer NOT NULL CHECK (points_multiplier_percent BETWEEN 0 AND 1000),
  -- Orders from this amount (fen) ship free; NULL: no free shipping.
  free_shipping_threshold_minor bigint CHECK (free_shipping_threshold_minor >= 0),
  birthday_coupon_template_id   text NOT NULL,
  updated_at                    timestamptz NOT NULL
);
-- The same as DefaultTierTable() in domain/membership_rules.cc (a store test checks they agree).
INSERT INTO membership_tiers VALUES
  ('normal', 0, '普通会员', 0, '', 100, NULL, '', now()),
  ('silver', 1, '银卡', 1000, 'silver', 120, 9900, '', now()),
  ('gold', 2, '金卡', 5000, 'gold', 150, 4900, '', now()),
  ('diamond', 3, '钻石卡', 20000, 'diamond', 200, 0, '', now());

CREATE TABLE members (
  user_id      text PRIMARY KEY,
  tier         text NOT NULL CHECK (tier IN ('normal', 'silver', 'gold', 'diamond')),
  tier_since   timestamptz NOT NULL,
  -- The last daily re-evaluation (set at creation, so the first comes a day later).
  evaluated_at timestamptz NOT NULL
);
CREATE INDEX members_evaluated ON members (evaluated_at);

-- One row per paid order: its growth counts once, whatever the redelivery.
CREATE TABLE order_growth (
  order_id        text PRIMARY KEY,
  user_id         text NOT NULL,
  growth          bigint NOT NULL CHECK (growth >= 0),
  amount_minor    bigint NOT NULL CHECK (amount_minor >= 0),
  -- The member's tier when paid: the rate of the points the order earned.
  tier_at_payment text NOT NULL,
  paid_at         timestamptz NOT NULL,
  reversed_at     timestamptz
);
CREATE INDEX order_growth_window ON order_growth (user_id, paid_at) WHERE reversed_at IS NULL;

CREATE TABLE tier_history (
  change_id  bigserial PRIMARY KEY,
  user_id    text NOT NULL,
  from_tier  text NOT NULL,
  to_tier    text NOT NULL,
  growth     bigint NOT NULL,
  cause      text NOT NULL CHECK (cause IN ('growth', 'evaluation')),
  changed_at timestamptz NOT NULL
);
CREATE INDEX tier_history_user ON tier_history (user_id, change_id DESC);
