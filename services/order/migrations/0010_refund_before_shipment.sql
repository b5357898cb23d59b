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
