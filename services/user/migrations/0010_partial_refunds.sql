-- Partial refunds take back growth and points in proportion to the money refunded (membership.h,
-- Membership::OnOrderRefunded). The order's running totals, and one row per refund so that each counts once
-- whatever the redelivery; a member's growth is now the sum of growth - growth_reversed (nothing of an order
-- once reversed_at is set).
ALTER TABLE order_growth
  ADD COLUMN refunded_minor  bigint NOT NULL DEFAULT 0 CHECK (refunded_minor >= 0),
  ADD COLUMN growth_reversed bigint NOT NULL DEFAULT 0 CHECK (growth_reversed >= 0),
  ADD CONSTRAINT order_growth_reversed_within CHECK (growth_reversed <= growth AND refunded_minor <= amount_minor);

CREATE TABLE order_growth_refunds (
  order_id        text NOT NULL REFERENCES order_growth (order_id),
  refund_id       text NOT NULL,
  refund_minor    bigint NOT NULL CHECK (refund_minor >= 0),
  -- The order's refunded money before and after this refund, and whether it completed the order's refund: what the
  -- points reversal is computed from again when the same refund is delivered twice.
  refunded_before bigint NOT NULL,
  refunded_after  bigint NOT NULL,
  completes       boolean NOT NULL,
  refunded_at     timestamptz NOT NULL,
  PRIMARY KEY (order_id, refund_id)
);
