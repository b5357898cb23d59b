-- Checkout: what the buyer chose and what it cost (shipping, points, coupon), the address the order ships to, the
-- warehouse(s) it ships from with its child orders, and the after-payment effects.

ALTER TABLE orders
  ADD COLUMN shipping_fee bigint NOT NULL DEFAULT 0 CHECK (shipping_fee >= 0),
  -- 1 point pays 1 fen; the deduction is what the points paid.
  ADD COLUMN points_used bigint NOT NULL DEFAULT 0 CHECK (points_used >= 0),
  ADD COLUMN points_deduction bigint NOT NULL DEFAULT 0 CHECK (points_deduction >= 0),
  -- Known from the request, written when the saga starts: the sweeper releases the coupon and points of an
  -- interrupted saga by them.
  ADD COLUMN coupon_id text NOT NULL DEFAULT '',
  -- The one warehouse that ships the order; '' when child orders name theirs (or nothing was allocated).
  ADD COLUMN warehouse_id text NOT NULL DEFAULT '',
  -- A paid order's stock was confirmed, its coupon redeemed and its points spent (Orders::ApplyPaid).
  ADD COLUMN paid_effects_applied boolean NOT NULL DEFAULT false;

-- Orders paid before this migration confirmed their stock before paying and held no coupon or points.
UPDATE orders SET paid_effects_applied = true WHERE status = 'PAID';

-- What is owed back after a cancel or a failed saga is now the coupon and the points as well as the stock.
ALTER TABLE orders RENAME COLUMN stock_released TO holds_released;
ALTER INDEX orders_stock_owed RENAME TO orders_holds_owed;
CREATE INDEX orders_paid_effects_pending ON orders (status_changed_at) WHERE status = 'PAID' AND NOT paid_effects_applied;

ALTER TABLE order_lines
  ADD COLUMN list_price bigint NOT NULL DEFAULT 0 CHECK (list_price >= 0),
  -- What gave unit_price: 'list', 'member:gold', 'scheduled:weekend'.
  ADD COLUMN price_rule text NOT NULL DEFAULT '',
  ADD COLUMN points_deduction bigint NOT NULL DEFAULT 0 CHECK (points_deduction >= 0);

-- The address as it was when the order was placed: editing the address book never changes an order.
CREATE TABLE order_addresses (
  order_id        text PRIMARY KEY REFERENCES orders (order_id),
  address_id      text NOT NULL,
  recipient_name  text NOT NULL,
  recipient_phone text NOT NULL,
  province_code   text NOT NULL,
  city_code       text NOT NULL,
  district_code   text NOT NULL,
  detail          text NOT NULL
);

-- One per warehouse when an order's stock comes from several; paid with the parent. Amounts are the child's shares
-- of the parent's (largest remainder), so they sum exactly to the parent's.
CREATE TABLE child_orders (
  child_order_id   text PRIMARY KEY,
  order_id         text NOT NULL REFERENCES orders (order_id),
  warehouse_id     text NOT NULL,
  subtotal         bigint NOT NULL CHECK (subtotal >= 0),
  discount         bigint NOT NULL CHECK (discount >= 0),
  shipping_fee     bigint NOT NULL CHECK (shipping_fee >= 0),
  points_deduction bigint NOT NULL CHECK (points_deduction >= 0),
  total            bigint NOT NULL CHECK (total >= 0),
  UNIQUE (order_id, warehouse_id)
);

CREATE TABLE child_order_lines (
  child_order_id   text NOT NULL REFERENCES child_orders (child_order_id),
  line_no          integer NOT NULL,
  sku_id           text NOT NULL,
  quantity         bigint NOT NULL CHECK (quantity > 0),
  unit_price       bigint NOT NULL CHECK (unit_price >= 0),
  list_price       bigint NOT NULL CHECK (list_price >= 0),
  price_rule       text NOT NULL,
  subtotal         bigint NOT NULL,
  discount         bigint NOT NULL,
  points_deduction bigint NOT NULL,
  total            bigint NOT NULL,
  PRIMARY KEY (child_order_id, line_no)
);
