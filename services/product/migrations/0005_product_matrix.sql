-- The product matrix: cost prices of SKUs (admin only, kept apart from the skus table so that no shopper-facing
-- query can read them by accident), the role an operator gives each product, and the data hub's daily product
-- metrics (event zhongtai.datahub.v1.ProductMetricsComputed on zt.events.datahub).

CREATE TABLE sku_costs (
  sku_id        text PRIMARY KEY REFERENCES skus (sku_id),
  cost_currency text NOT NULL CHECK (cost_currency ~ '^[A-Z]{3}$'),
  cost_minor    bigint NOT NULL CHECK (cost_minor >= 0),
  updated_at    timestamptz NOT NULL
);

CREATE TABLE product_roles (
  product_id text PRIMARY KEY REFERENCES products (product_id),
  role       text NOT NULL CHECK (role IN ('traffic', 'profit', 'image', 'long_tail')),
  updated_at timestamptz NOT NULL
);

-- One row per product and UTC day as the data hub computed it; a later computation of the day replaces the row
-- (computed_at decides, so a late redelivery of an older computation changes nothing). No foreign key: the data
-- hub's facts are kept as reported, and a fact about a product this service does not know never blocks the stream.
CREATE TABLE datahub_product_daily (
  product_id           text NOT NULL,
  day_start            timestamptz NOT NULL,
  unique_visitors      bigint NOT NULL CHECK (unique_visitors >= 0),
  add_to_cart_visitors bigint NOT NULL CHECK (add_to_cart_visitors >= 0),
  buyers               bigint NOT NULL CHECK (buyers >= 0),
  units_sold           bigint NOT NULL CHECK (units_sold >= 0),
  gmv_currency         text NOT NULL,
  gmv_minor            bigint NOT NULL CHECK (gmv_minor >= 0),
  units_returned       bigint NOT NULL CHECK (units_returned >= 0),
  computed_at          timestamptz NOT NULL,
  event_id             text NOT NULL,
  PRIMARY KEY (product_id, day_start)
);
CREATE INDEX datahub_product_daily_day ON datahub_product_daily (day_start);

-- The SKU figures of the same computation: replaced with their product's row.
CREATE TABLE datahub_sku_daily (
  sku_id               text NOT NULL,
  day_start            timestamptz NOT NULL,
  product_id           text NOT NULL,
  units_sold           bigint NOT NULL CHECK (units_sold >= 0),
  gmv_currency         text NOT NULL,
  gmv_minor            bigint NOT NULL CHECK (gmv_minor >= 0),
  units_returned       bigint NOT NULL CHECK (units_returned >= 0),
  add_to_cart_visitors bigint NOT NULL CHECK (add_to_cart_visitors >= 0),
  PRIMARY KEY (sku_id, day_start)
);
CREATE INDEX datahub_sku_daily_product ON datahub_sku_daily (product_id, day_start);
