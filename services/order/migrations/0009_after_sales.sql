-- After-sales (售后): a buyer's refund, return or exchange request against an order (or one of its child orders),
-- its lines with the refund fixed when it was requested, and its status history.
-- Fulfilment sets the deadline when an order completes; both sides add the column, whichever runs first.
ALTER TABLE orders ADD COLUMN IF NOT EXISTS after_sales_deadline timestamptz;

CREATE TABLE order_returns (
  return_id              text PRIMARY KEY,
  order_id               text NOT NULL REFERENCES orders (order_id),
  child_order_id         text NOT NULL DEFAULT '',
  user_id                text NOT NULL,
  request_id             text NOT NULL,
  type                   text NOT NULL CHECK (type IN ('REFUND_ONLY', 'RETURN_AND_REFUND', 'EXCHANGE')),
  status                 text NOT NULL CHECK (status IN ('REQUESTED', 'APPROVED', 'REJECTED', 'RETURN_SHIPPED',
                                                         'RECEIVED', 'REFUNDED')),
  reason                 text NOT NULL,
  photo_urls             text[] NOT NULL DEFAULT '{}',
  currency               text NOT NULL,
  refund_amount          bigint NOT NULL CHECK (refund_amount >= 0),
  shipping_refund        bigint NOT NULL DEFAULT 0 CHECK (shipping_refund >= 0),
  points_refund          bigint NOT NULL DEFAULT 0 CHECK (points_refund >= 0),
  warehouse_id           text NOT NULL DEFAULT '',
  return_carrier         text NOT NULL DEFAULT '',
  return_tracking_number text NOT NULL DEFAULT '',
  condition              text NOT NULL DEFAULT 'UNKNOWN' CHECK (condition IN ('UNKNOWN', 'SELLABLE', 'DAMAGED')),
  -- The goods that came back were booked into the warehouse (product service), sellable or damaged.
  restocked              boolean NOT NULL DEFAULT false,
  created_at             timestamptz NOT NULL,
  updated_at             timestamptz NOT NULL,
  UNIQUE (user_id, request_id)
);
CREATE INDEX order_returns_by_order ON order_returns (order_id);
-- What the after-sales sweeper looks for (kEffectsDue in store/pg_return_store.cc).
CREATE INDEX order_returns_effects_due ON order_returns (updated_at)
  WHERE status IN ('APPROVED', 'RECEIVED', 'REFUNDED');

CREATE TABLE order_return_lines (
  return_id     text NOT NULL REFERENCES order_returns (return_id),
  line_no       integer NOT NULL,
  sku_id        text NOT NULL,
  quantity      bigint NOT NULL CHECK (quantity > 0),
  refund        bigint NOT NULL CHECK (refund >= 0),
  points_refund bigint NOT NULL CHECK (points_refund >= 0),
  PRIMARY KEY (return_id, line_no)
);

CREATE TABLE order_return_history (
  return_id  text NOT NULL REFERENCES order_returns (return_id),
  seq        bigserial,
  status     text NOT NULL,
  note       text NOT NULL DEFAULT '',
  changed_at timestamptz NOT NULL,
  PRIMARY KEY (return_id, seq)
);
