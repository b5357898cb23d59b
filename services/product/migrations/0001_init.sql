-- Product center: catalogue, stock per warehouse, reservations and the stock ledger.

-- Times cross the driver as Unix microseconds (bigint), never as text.
CREATE FUNCTION zt_ts(micros bigint) RETURNS timestamptz
  LANGUAGE sql IMMUTABLE STRICT AS $$ SELECT timestamptz 'epoch' + micros * interval '1 microsecond' $$;
CREATE FUNCTION zt_micros(t timestamptz) RETURNS bigint
  LANGUAGE sql IMMUTABLE STRICT AS $$ SELECT (extract(epoch FROM t) * 1000000)::bigint $$;

CREATE TABLE categories (
  category_id text PRIMARY KEY,
  name        text NOT NULL,
  parent_id   text REFERENCES categories (category_id),
  request_id  text UNIQUE,
  created_at  timestamptz NOT NULL
);
-- Sibling names are unique regardless of case.
CREATE UNIQUE INDEX categories_sibling_name ON categories (COALESCE(parent_id, ''), lower(name));
CREATE INDEX categories_parent ON categories (parent_id);

CREATE TABLE products (
  product_id  text PRIMARY KEY,
  title       text NOT NULL,
  description text NOT NULL DEFAULT '',
  category_id text NOT NULL REFERENCES categories (category_id),
  request_id  text UNIQUE,
  created_at  timestamptz NOT NULL
);
CREATE INDEX products_category ON products (category_id, product_id DESC);

CREATE TABLE skus (
  sku_id         text PRIMARY KEY,
  product_id     text NOT NULL REFERENCES products (product_id),
  sku_code       text NOT NULL UNIQUE,
  spec           text NOT NULL DEFAULT '',
  price_currency text NOT NULL CHECK (price_currency ~ '^[A-Z]{3}$'),
  price_minor    bigint NOT NULL CHECK (price_minor >= 0),
  position       int NOT NULL
);
CREATE INDEX skus_product ON skus (product_id, position);

CREATE TABLE sku_attributes (
  sku_id text NOT NULL REFERENCES skus (sku_id),
  name   text NOT NULL,
  value  text NOT NULL,
  PRIMARY KEY (sku_id, name)
);

CREATE TABLE stock (
  sku_id       text NOT NULL REFERENCES skus (sku_id),
  warehouse_id text NOT NULL,
  on_hand      bigint NOT NULL DEFAULT 0,
  reserved     bigint NOT NULL DEFAULT 0,
  updated_at   timestamptz NOT NULL,
  PRIMARY KEY (sku_id, warehouse_id),
  CONSTRAINT stock_reserved_not_negative CHECK (reserved >= 0),
  CONSTRAINT stock_on_hand_covers_reserved CHECK (on_hand >= reserved)
);

CREATE TABLE reservations (
  order_id   text PRIMARY KEY,
  status     text NOT NULL CHECK (status IN ('HELD', 'CONFIRMED', 'RELEASED', 'EXPIRED')),
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
-- The sweeper's queue.
CREATE INDEX reservations_held_expiry ON reservations (expires_at) WHERE status = 'HELD';

-- What the order asked for, one row per SKU.
CREATE TABLE reservation_lines (
  order_id text NOT NULL REFERENCES reservations (order_id),
  sku_id   text NOT NULL REFERENCES skus (sku_id),
  quantity bigint NOT NULL CHECK (quantity > 0),
  PRIMARY KEY (order_id, sku_id)
);

-- Where it is held: a line may be split over warehouses.
CREATE TABLE reservation_allocations (
  order_id     text NOT NULL REFERENCES reservations (order_id),
  sku_id       text NOT NULL,
  warehouse_id text NOT NULL,
  quantity     bigint NOT NULL CHECK (quantity > 0),
  PRIMARY KEY (order_id, sku_id, warehouse_id),
  FOREIGN KEY (sku_id, warehouse_id) REFERENCES stock (sku_id, warehouse_id)
);

-- One row per stock movement, with the level after it.
CREATE TABLE stock_ledger (
  entry_id       bigserial PRIMARY KEY,
  sku_id         text NOT NULL,
  warehouse_id   text NOT NULL,
  kind           text NOT NULL CHECK (kind IN ('initial', 'adjust', 'reserve', 'confirm', 'release', 'expire')),
  on_hand_delta  bigint NOT NULL,
  reserved_delta bigint NOT NULL,
  on_hand_after  bigint NOT NULL,
  reserved_after bigint NOT NULL,
  order_id       text,
  request_id     text,
  reason         text NOT NULL DEFAULT '',
  created_at     timestamptz NOT NULL,
  FOREIGN KEY (sku_id, warehouse_id) REFERENCES stock (sku_id, warehouse_id)
);
-- An adjustment's request id makes it idempotent.
CREATE UNIQUE INDEX stock_ledger_adjust_request ON stock_ledger (request_id) WHERE kind = 'adjust';
CREATE INDEX stock_ledger_sku ON stock_ledger (sku_id, warehouse_id, entry_id);
CREATE INDEX stock_ledger_order ON stock_ledger (order_id) WHERE order_id IS NOT NULL;
