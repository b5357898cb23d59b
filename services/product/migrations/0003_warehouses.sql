-- Warehouses as records, sourcing by shipping region, stock operations in the ledger, safety stock.
-- Applies on its own after 0001 (it does not depend on 0002).

-- A warehouse id is its code, chosen by the admin (lower-case letters, digits, '-', '_').
-- type: front (前置仓) is tried before regional (区域仓), regional before central (中心仓); then the smaller
-- priority first. regions: national administrative division codes it ships to, a province ("440000") covering
-- all its cities, or a city ("440300"); empty = the whole country (only central warehouses may leave it empty).
CREATE TABLE warehouses (
  warehouse_id text PRIMARY KEY,
  name         text NOT NULL,
  type         text NOT NULL CHECK (type IN ('central', 'regional', 'front')),
  regions      text[] NOT NULL DEFAULT '{}',
  priority     int NOT NULL DEFAULT 100,
  active       boolean NOT NULL DEFAULT true,
  created_at   timestamptz NOT NULL,
  updated_at   timestamptz NOT NULL
);

-- Every warehouse id stock already names becomes a central warehouse serving the whole country, and the default
-- warehouse always exists: existing stock, reservations and clients keep working unchanged.
INSERT INTO warehouses (warehouse_id, name, type, created_at, updated_at)
SELECT w, CASE WHEN w = 'default' THEN 'Default central warehouse' ELSE w END, 'central', now(), now()
FROM (SELECT 'default' AS w UNION SELECT DISTINCT warehouse_id FROM stock) ids;

ALTER TABLE stock ADD CONSTRAINT stock_warehouse_fk FOREIGN KEY (warehouse_id) REFERENCES warehouses (warehouse_id);

-- The shipping region a reservation was sourced for ('' when none was given).
ALTER TABLE reservations ADD COLUMN ship_province text NOT NULL DEFAULT '';
ALTER TABLE reservations ADD COLUMN ship_city text NOT NULL DEFAULT '';

-- The ledger records every movement: admin operations carry who did it and what they refer to
-- (a delivery note, a transfer order, a count sheet); reservation movements keep their order id.
ALTER TABLE stock_ledger DROP CONSTRAINT stock_ledger_kind_check;
ALTER TABLE stock_ledger ADD CONSTRAINT stock_ledger_kind_check CHECK (kind IN (
  'initial', 'adjust', 'reserve', 'confirm', 'release', 'expire',
  'inbound', 'outbound', 'transfer_out', 'transfer_in', 'stocktake', 'opening'));
ALTER TABLE stock_ledger ADD COLUMN reference text NOT NULL DEFAULT '';
ALTER TABLE stock_ledger ADD COLUMN actor text NOT NULL DEFAULT '';
CREATE INDEX stock_ledger_time ON stock_ledger (created_at, entry_id);
CREATE INDEX stock_ledger_warehouse ON stock_ledger (warehouse_id, entry_id);
-- Sales over a window (safety stock): confirmations and outbound movements by time.
CREATE INDEX stock_ledger_sales ON stock_ledger (sku_id, warehouse_id, created_at) WHERE kind IN ('confirm', 'outbound');

-- So that the ledger sums to the stock of every row, rows whose level the ledger does not explain (written
-- before every movement was recorded) get one opening entry for the difference.
INSERT INTO stock_ledger (sku_id, warehouse_id, kind, on_hand_delta, reserved_delta, on_hand_after, reserved_after,
                          reason, created_at)
SELECT st.sku_id, st.warehouse_id, 'opening', st.on_hand - COALESCE(l.on_hand, 0), st.reserved - COALESCE(l.reserved, 0),
       st.on_hand, st.reserved, 'opening balance', now()
FROM stock st
LEFT JOIN (SELECT sku_id, warehouse_id, sum(on_hand_delta) AS on_hand, sum(reserved_delta) AS reserved
           FROM stock_ledger GROUP BY sku_id, warehouse_id) l USING (sku_id, warehouse_id)
WHERE st.on_hand <> COALESCE(l.on_hand, 0) OR st.reserved <> COALESCE(l.reserved, 0);

-- Admin stock operations retried with the same request id happen once: the first to insert its id wins, a
-- concurrent repeat waits for it and then reads its ledger rows.
CREATE TABLE stock_requests (
  request_id text PRIMARY KEY,
  operation  text NOT NULL,
  created_at timestamptz NOT NULL
);

-- Safety stock per SKU per warehouse: a fixed quantity, or days of cover times the average daily sales.
CREATE TABLE safety_stock (
  sku_id        text NOT NULL,
  warehouse_id  text NOT NULL REFERENCES warehouses (warehouse_id),
  mode          text NOT NULL CHECK (mode IN ('fixed', 'days_of_cover')),
  quantity      bigint NOT NULL DEFAULT 0 CHECK (quantity >= 0),
  days_of_cover int NOT NULL DEFAULT 0 CHECK (days_of_cover >= 0),
  updated_at    timestamptz NOT NULL,
  PRIMARY KEY (sku_id, warehouse_id),
  FOREIGN KEY (sku_id) REFERENCES skus (sku_id)
);

-- ABC class of every SKU from its revenue over the last 30 days, recomputed daily: A the SKUs making the top
-- share of revenue, B the next, C the rest (shares configurable).
CREATE TABLE sku_abc (
  sku_id        text PRIMARY KEY REFERENCES skus (sku_id),
  abc_class     text NOT NULL CHECK (abc_class IN ('A', 'B', 'C')),
  classified_at timestamptz NOT NULL
);
