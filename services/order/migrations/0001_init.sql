-- Orders, keyed for idempotency by (user_id, request_id). Internal states CREATING, PAYING and FAILED
-- let retries, duplicates and the sweeper see where a saga or a payment stands.
CREATE TABLE orders (
  order_id            text PRIMARY KEY,
  user_id             text NOT NULL,
  request_id          text NOT NULL,
  request_fingerprint text NOT NULL,
  status              text NOT NULL CHECK (status IN ('CREATING', 'PENDING_PAYMENT', 'PAYING', 'PAID', 'CANCELLED', 'FAILED')),
  channel             text NOT NULL,
  currency            text NOT NULL DEFAULT 'CNY',
  subtotal            bigint NOT NULL DEFAULT 0 CHECK (subtotal >= 0),
  discount            bigint NOT NULL DEFAULT 0 CHECK (discount >= 0),
  total               bigint NOT NULL DEFAULT 0 CHECK (total >= 0),
  created_at          timestamptz NOT NULL,
  status_changed_at   timestamptz NOT NULL,
  pay_deadline        timestamptz,
  -- Stock owed back to the product service after a cancel or a failed saga has been returned.
  stock_released      boolean NOT NULL DEFAULT false,
  failure_code        integer NOT NULL DEFAULT 0,
  failure_reason      text NOT NULL DEFAULT '',
  failure_message     text NOT NULL DEFAULT '',
  UNIQUE (user_id, request_id)
);
CREATE INDEX orders_by_user ON orders (user_id, created_at DESC, order_id DESC);
CREATE INDEX orders_unpaid_by_deadline ON orders (pay_deadline) WHERE status = 'PENDING_PAYMENT';
CREATE INDEX orders_in_flight ON orders (status, status_changed_at) WHERE status IN ('CREATING', 'PAYING');
CREATE INDEX orders_stock_owed ON orders (order_id) WHERE status IN ('CANCELLED', 'FAILED') AND NOT stock_released;

CREATE TABLE order_lines (
  order_id   text NOT NULL REFERENCES orders (order_id),
  line_no    integer NOT NULL,
  sku_id     text NOT NULL,
  quantity   bigint NOT NULL CHECK (quantity > 0),
  unit_price bigint NOT NULL CHECK (unit_price >= 0),
  subtotal   bigint NOT NULL,
  discount   bigint NOT NULL,
  total      bigint NOT NULL,
  PRIMARY KEY (order_id, line_no)
);

CREATE TABLE order_history (
  order_id   text NOT NULL REFERENCES orders (order_id),
  seq        bigserial,
  status     text NOT NULL,
  reason     text NOT NULL DEFAULT '',
  changed_at timestamptz NOT NULL,
  PRIMARY KEY (order_id, seq)
);

-- One payment per order: a double-clicked "pay" cannot charge twice.
CREATE TABLE payments (
  payment_id text PRIMARY KEY,
  order_id   text NOT NULL UNIQUE REFERENCES orders (order_id),
  amount     bigint NOT NULL CHECK (amount >= 0),
  currency   text NOT NULL,
  provider   text NOT NULL,
  paid_at    timestamptz NOT NULL
);
