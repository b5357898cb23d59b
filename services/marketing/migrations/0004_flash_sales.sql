-- Flash sales (秒杀). Admission runs in Redis; these tables are the source of truth it is rebuilt from after a Redis
-- loss: the sale, and every purchase recorded from the winners' stream (zt.flash.winners) and followed through the
-- order center's events.
CREATE TABLE flash_sales (
  sale_id          text PRIMARY KEY,
  request_id       text NOT NULL UNIQUE,
  name             text NOT NULL,
  sku_id           text NOT NULL,
  sale_price_minor bigint NOT NULL CHECK (sale_price_minor > 0),
  currency         text NOT NULL,
  quantity         bigint NOT NULL CHECK (quantity > 0),
  per_user_limit   bigint NOT NULL CHECK (per_user_limit > 0 AND per_user_limit <= quantity),
  start_at         timestamptz NOT NULL,
  end_at           timestamptz NOT NULL CHECK (end_at > start_at),
  status           text NOT NULL CHECK (status IN ('RESERVING', 'ACTIVE', 'FAILED', 'SETTLED')),
  -- Units paid for, confirmed with the product center at settlement.
  sold_quantity    bigint NOT NULL DEFAULT 0 CHECK (sold_quantity >= 0 AND sold_quantity <= quantity),
  created_at       timestamptz NOT NULL,
  updated_at       timestamptz NOT NULL
);
CREATE INDEX flash_sales_open_by_end ON flash_sales (end_at) WHERE status = 'ACTIVE';
CREATE INDEX flash_sales_reserving ON flash_sales (created_at) WHERE status = 'RESERVING';

CREATE TABLE flash_purchases (
  purchase_id text PRIMARY KEY,
  sale_id     text NOT NULL REFERENCES flash_sales (sale_id),
  user_id     text NOT NULL,
  request_id  text NOT NULL,
  -- Fixed at admission; the order center creates the order under this id.
  order_id    text NOT NULL UNIQUE,
  status      text NOT NULL CHECK (status IN ('PENDING', 'ORDERED', 'PAID', 'RELEASED')),
  admitted_at timestamptz NOT NULL,
  updated_at  timestamptz NOT NULL,
  UNIQUE (sale_id, user_id, request_id)
);
CREATE INDEX flash_purchases_by_sale ON flash_purchases (sale_id);
