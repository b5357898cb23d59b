-- Refund only before shipment (domain/after_sales.h before_shipment): the units it refunds are taken out of the
-- parcel and their stock goes back to the product center once (restocked, keyed by the return id); a child order
-- refunded in full is cancelled and never ships.
ALTER TABLE order_returns ADD COLUMN before_shipment boolean NOT NULL DEFAULT false;
ALTER TABLE child_orders ADD COLUMN cancelled_at timestamptz;

-- What each parcel carries of each order: the order's lines in the parcel's warehouse less the units refunded before
-- shipment. The warehouse packs these.
CREATE TABLE shipment_lines (
  shipment_id text NOT NULL REFERENCES shipments (shipment_id),
  order_id    text NOT NULL REFERENCES orders (order_id),
  sku_id      text NOT NULL,
  quantity    bigint NOT NULL CHECK (quantity > 0),
  PRIMARY KEY (shipment_id, order_id, sku_id)
);

-- Exchange (换货): after the goods came back, the replacement (the same SKU, or another of the same product and price
-- the buyer chose) is held in a warehouse, shipped like any parcel (shipments.return_id) and, once delivered, the
-- exchange is done.
ALTER TABLE order_returns DROP CONSTRAINT order_returns_status_check;
ALTER TABLE order_returns ADD CONSTRAINT order_returns_status_check CHECK (status IN ('REQUESTED', 'APPROVED',
  'REJECTED', 'RETURN_SHIPPED', 'RECEIVED', 'REFUNDED', 'REPLACEMENT_SHIPPED', 'EXCHANGED'));
ALTER TABLE order_returns ADD COLUMN replacement_warehouse_id text NOT NULL DEFAULT '';
ALTER TABLE order_returns ADD COLUMN replacement_carrier text NOT NULL DEFAULT '';
ALTER TABLE order_returns ADD COLUMN replacement_tracking_number text NOT NULL DEFAULT '';
ALTER TABLE order_return_lines ADD COLUMN replacement_sku_id text NOT NULL DEFAULT '';
-- The after-sales sweeper also looks for exchanges whose replacement is not held yet (kEffectsDue).
-- A replacement parcel carries no order part (no shipment_orders row): it belongs to the exchange.
ALTER TABLE shipments ADD COLUMN return_id text UNIQUE REFERENCES order_returns (return_id);
