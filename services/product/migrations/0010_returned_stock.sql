-- Goods buyers returned (the order center's after-sales), booked once per return: sellable goods go back on hand
-- with a 'return_in' ledger row; damaged goods are counted in stock.damaged and never become available.
ALTER TABLE stock ADD COLUMN damaged bigint NOT NULL DEFAULT 0 CHECK (damaged >= 0);

CREATE TABLE returned_stock (
  return_id    text NOT NULL,
  sku_id       text NOT NULL,
  warehouse_id text NOT NULL REFERENCES warehouses (warehouse_id),
  quantity     bigint NOT NULL CHECK (quantity > 0),
  damaged      boolean NOT NULL,
  created_at   timestamptz NOT NULL,
  PRIMARY KEY (return_id, sku_id)
);

ALTER TABLE stock_ledger DROP CONSTRAINT stock_ledger_kind_check;
ALTER TABLE stock_ledger ADD CONSTRAINT stock_ledger_kind_check CHECK (kind IN (
  'initial', 'adjust', 'reserve', 'confirm', 'release', 'expire',
  'inbound', 'outbound', 'transfer_out', 'transfer_in', 'stocktake', 'opening', 'return_in'));
