-- The product center's stock levels and cost prices, and the user center's points ledger, as the data hub follows them
-- from their events (StockChanged, SafetyStockChanged, SkuCostChanged, PointsChanged; each applied once through the
-- inbox of the domain event consumer).

-- The latest level of each SKU in each warehouse, and the warehouse's safety stock setting for it.
--   ledger_entry_id  the product center's ledger row of the level; a movement with a smaller one arrived late and
--                    changes nothing (rows of one SKU and warehouse are written one at a time there, in this order)
--   safety_stock / safety_days_of_cover  the setting (a fixed quantity, or days of cover of the SKU's sales); both
--                    NULL without one; safety_updated_at orders settings the same way
CREATE TABLE stock_levels (
  sku_id               text        NOT NULL,
  warehouse_id         text        NOT NULL,
  product_id           text        NOT NULL,
  on_hand              bigint      NOT NULL,
  available            bigint      NOT NULL,
  ledger_entry_id      bigint      NOT NULL DEFAULT 0,
  safety_stock         bigint,
  safety_days_of_cover int,
  safety_updated_at    timestamptz,
  updated_at           timestamptz NOT NULL,
  PRIMARY KEY (sku_id, warehouse_id)
);

-- Cost prices of SKUs over time (admin data: never served to shoppers). A unit sold is costed at the price in force
-- when its order was paid, or the earliest known one when it was sold before any was set.
CREATE TABLE sku_cost_history (
  sku_id       text        NOT NULL,
  effective_at timestamptz NOT NULL,
  product_id   text        NOT NULL,
  currency     text        NOT NULL,
  cost_minor   bigint      NOT NULL,
  PRIMARY KEY (sku_id, effective_at)
);

-- One row per points ledger entry (no user id: the per-day sums need none).
--   kind  earn, redeem, release, return, reverse, expire
CREATE TABLE points_facts (
  event_id    text        PRIMARY KEY,
  kind        text        NOT NULL,
  delta       bigint      NOT NULL,
  occurred_at timestamptz NOT NULL
);
CREATE INDEX points_facts_time ON points_facts (occurred_at);
