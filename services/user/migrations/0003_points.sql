-- The points (积分) ledger. Per user, always: points_accounts.balance = sum(points_ledger.delta)
-- = sum(points_lots.remaining). Every change of an account locks its points_accounts row first
-- (SELECT ... FOR UPDATE), so changes of one account run one at a time.

CREATE TABLE points_accounts (
  user_id    text PRIMARY KEY,
  balance    bigint NOT NULL CHECK (balance >= 0),
  updated_at timestamptz NOT NULL
);

-- Points earned together and expiring together; spending takes the lots that expire first.
CREATE TABLE points_lots (
  lot_id     bigserial PRIMARY KEY,
  user_id    text NOT NULL,
  original   bigint NOT NULL CHECK (original > 0),
  remaining  bigint NOT NULL CHECK (remaining >= 0 AND remaining <= original),
  earned_at  timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  reference  text NOT NULL
);
CREATE INDEX points_lots_live ON points_lots (user_id, expires_at) WHERE remaining > 0;
CREATE INDEX points_lots_due ON points_lots (expires_at) WHERE remaining > 0;

-- Points redeemed by an order: held at checkout, then committed (paid) or released (not paid).
CREATE TABLE points_holds (
  order_id   text PRIMARY KEY,
  user_id    text NOT NULL,
  points     bigint NOT NULL CHECK (points > 0),
  -- Committed points given back after a cancellation or refund.
  returned   bigint NOT NULL CHECK (returned >= 0 AND returned <= points),
  status     text NOT NULL CHECK (status IN ('held', 'committed', 'released')),
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  -- A hold still held after this is released by the sweep.
  expires_at timestamptz NOT NULL
);
CREATE INDEX points_holds_overdue ON points_holds (expires_at) WHERE status = 'held';

-- Which lots a hold took its points from; releases and returns put them back there.
CREATE TABLE points_hold_takes (
  order_id text NOT NULL REFERENCES points_holds (order_id) ON DELETE CASCADE,
  lot_id   bigint NOT NULL REFERENCES points_lots (lot_id),
  points   bigint NOT NULL CHECK (points > 0),
  returned bigint NOT NULL CHECK (returned >= 0 AND returned <= points),
  PRIMARY KEY (order_id, lot_id)
);

CREATE TABLE points_ledger (
  seq           bigserial PRIMARY KEY,
  user_id       text NOT NULL,
  kind          text NOT NULL CHECK (kind IN ('earn', 'redeem', 'release', 'return', 'reverse', 'expire')),
  delta         bigint NOT NULL,
  balance_after bigint NOT NULL CHECK (balance_after >= 0),
  reason        text NOT NULL,
  reference     text NOT NULL,
  created_at    timestamptz NOT NULL
);
CREATE INDEX points_ledger_user ON points_ledger (user_id, seq DESC);
-- Earns, returns and reversals happen once per reference (their idempotency keys).
CREATE UNIQUE INDEX points_ledger_once ON points_ledger (user_id, kind, reference)
  WHERE kind IN ('earn', 'return', 'reverse');
