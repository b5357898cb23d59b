-- The buyer's cart (one line per SKU), checkout from it, the back office's order list and marketplace imports.

-- One row per buyer who has had a cart: locked (SELECT ... FOR UPDATE) while their cart changes, so the line limit
-- holds however many requests change it at once.
CREATE TABLE carts (
  user_id    text PRIMARY KEY,
  updated_at timestamptz NOT NULL
);

CREATE TABLE cart_items (
  user_id    text NOT NULL REFERENCES carts (user_id),
  sku_id     text NOT NULL,
  quantity   bigint NOT NULL CHECK (quantity > 0),
  selected   boolean NOT NULL DEFAULT true,
  added_at   timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  -- The Idempotency-Key of the last add to the line: a retry of it adds nothing.
  last_add_request_id text NOT NULL DEFAULT '',
  PRIMARY KEY (user_id, sku_id)
);

-- The lines a placement from the cart ordered, by its idempotency key: a repeat orders the same lines, and they leave
-- the cart once (taken_at) whatever the repeats.
CREATE TABLE cart_checkouts (
  user_id    text NOT NULL,
  request_id text NOT NULL,
  sku_ids    text[] NOT NULL,
  quantities bigint[] NOT NULL,
  created_at timestamptz NOT NULL,
  order_id   text NOT NULL DEFAULT '',
  taken_at   timestamptz,
  PRIMARY KEY (user_id, request_id)
);

-- Orders taken in from a marketplace: one per (channel, the marketplace's order id). A claim whose order failed is
-- handed to the next attempt's order.
CREATE TABLE order_imports (
  channel           text NOT NULL,
  external_order_id text NOT NULL,
  order_id          text NOT NULL UNIQUE,
  imported_at       timestamptz NOT NULL,
  PRIMARY KEY (channel, external_order_id)
);

-- The back office lists every buyer's orders newest first, often by state; and by the warehouse a child ships from.
CREATE INDEX orders_by_created ON orders (created_at DESC, order_id DESC);
CREATE INDEX orders_by_status_created ON orders (status, created_at DESC, order_id DESC);
CREATE INDEX child_orders_by_warehouse ON child_orders (warehouse_id, order_id);
