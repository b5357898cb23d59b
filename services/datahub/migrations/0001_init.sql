-- One row per order, filled from zhongtai.order.v1 events; each milestone keeps its first value.
CREATE TABLE order_facts (
  order_id text PRIMARY KEY,
  currency text NOT NULL DEFAULT '',
  placed_at timestamptz,
  total_minor bigint NOT NULL DEFAULT 0,
  paid_at timestamptz,
  paid_minor bigint NOT NULL DEFAULT 0,
  cancelled_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX order_facts_placed_at ON order_facts (placed_at) WHERE placed_at IS NOT NULL;
CREATE INDEX order_facts_paid_at ON order_facts (paid_at) WHERE paid_at IS NOT NULL;
CREATE INDEX order_facts_cancelled_at ON order_facts (cancelled_at) WHERE cancelled_at IS NOT NULL;
