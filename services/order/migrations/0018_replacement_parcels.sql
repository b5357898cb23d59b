-- An exchange's replacement may be held in several warehouses (the product center sources each line where the stock
-- is): what each warehouse holds is kept here, and each warehouse ships its part as its own parcel. The exchange is
-- done once every part is delivered. An exchange with holds has its replacement held (the after-sales sweeper looks
-- for exchanges without), so order_returns.replacement_warehouse_id, the one warehouse it kept, goes.
CREATE TABLE order_return_replacement_holds (
  return_id    text NOT NULL REFERENCES order_returns (return_id),
  warehouse_id text NOT NULL CHECK (warehouse_id <> ''),
  sku_id       text NOT NULL,
  quantity     bigint NOT NULL CHECK (quantity > 0),
  PRIMARY KEY (return_id, warehouse_id, sku_id)
);

-- Replacements held before this migration came from one warehouse: their whole lines.
INSERT INTO order_return_replacement_holds (return_id, warehouse_id, sku_id, quantity)
SELECT r.return_id, r.replacement_warehouse_id,
       CASE WHEN l.replacement_sku_id = '' THEN l.sku_id ELSE l.replacement_sku_id END, sum(l.quantity)
FROM order_returns r JOIN order_return_lines l USING (return_id)
WHERE r.replacement_warehouse_id <> ''
GROUP BY 1, 2, 3;

ALTER TABLE order_returns DROP COLUMN replacement_warehouse_id;

-- One replacement parcel per exchange and warehouse (it was one per exchange).
ALTER TABLE shipments DROP CONSTRAINT shipments_return_id_key;
CREATE UNIQUE INDEX shipments_replacement_per_warehouse ON shipments (return_id, warehouse_id)
  WHERE return_id IS NOT NULL;
