-- Fulfilment: carrier rules and transit times (data an operator edits), parcels (shipments) with the orders each
-- carries and the carrier's tracking events, and what completion records for after-sales.

-- Tried by priority (lower first); the first whose set conditions all hold chooses the carrier (domain/carrier_rules.h).
CREATE TABLE carrier_rules (
  rule_id          text PRIMARY KEY,
  priority         integer NOT NULL,
  position         integer NOT NULL,  -- order within the same priority, as the operator listed them
  carrier          text NOT NULL,
  min_order_value  bigint NOT NULL DEFAULT 0 CHECK (min_order_value >= 0),
  min_weight_grams bigint NOT NULL DEFAULT 0 CHECK (min_weight_grams >= 0),
  regions          text[] NOT NULL DEFAULT '{}',
  warehouses       text[] NOT NULL DEFAULT '{}',
  fragile_only     boolean NOT NULL DEFAULT false
);

-- '*' matches any warehouse or region; the most specific row wins.
CREATE TABLE carrier_transit_times (
  carrier      text NOT NULL,
  warehouse_id text NOT NULL,
  region       text NOT NULL,
  min_days     integer NOT NULL CHECK (min_days >= 0),
  max_days     integer NOT NULL CHECK (max_days >= min_days),
  PRIMARY KEY (carrier, warehouse_id, region)
);

-- The starting rules (DefaultCarrierRules() in domain/carrier_rules.cc; a store test checks they agree): over ¥500 or
-- fragile by SF, remote provinces (Xinjiang, Tibet, Qinghai, Inner Mongolia, Gansu, Ningxia) by EMS, else ZTO.
INSERT INTO carrier_rules (rule_id, priority, position, carrier, min_order_value, regions, fragile_only) VALUES
  ('premium-value', 10, 0, 'SF', 50001, '{}', false),
  ('premium-fragile', 20, 1, 'SF', 0, '{}', true),
  ('remote-postal', 30, 2, 'EMS', 0, '{650000,540000,630000,150000,620000,640000}', false),
  ('standard', 1000, 3, 'ZTO', 0, '{}', false);
INSERT INTO carrier_transit_times (carrier, warehouse_id, region, min_days, max_days) VALUES
  ('SF', '*', '*', 1, 2), ('ZTO', '*', '*', 2, 4), ('EMS', '*', '*', 3, 6);
INSERT INTO carrier_transit_times (carrier, warehouse_id, region, min_days, max_days)
  SELECT c, '*', r, 5, 9 FROM unnest('{SF,ZTO,EMS}'::text[]) c, unnest('{650000,540000,630000,150000,620000,640000}'::text[]) r;

-- A parcel: leaves one warehouse, carries one or more orders of one buyer (merge for shipment).
CREATE TABLE shipments (
  shipment_id      text PRIMARY KEY,
  user_id          text NOT NULL,
  warehouse_id     text NOT NULL,
  carrier          text NOT NULL,
  tracking_number  text NOT NULL,
  rule_id          text NOT NULL,  -- the carrier rule that chose the carrier; 'manual' when the shipper named it
  status           text NOT NULL CHECK (status IN ('SHIPPED', 'DELIVERED')),
  shipped_at       timestamptz NOT NULL,
  delivered_at     timestamptz,
  promised_earliest date,
  promised_latest  date,
  UNIQUE (carrier, tracking_number)
);

-- Which order parts a parcel carries: an order's part in one warehouse ships in exactly one parcel.
CREATE TABLE shipment_orders (
  shipment_id  text NOT NULL REFERENCES shipments (shipment_id),
  order_id     text NOT NULL REFERENCES orders (order_id),
  warehouse_id text NOT NULL,
  PRIMARY KEY (shipment_id, order_id),
  UNIQUE (order_id, warehouse_id)
);

-- The carrier's events, once each; recorded even when late (out of order), without moving the parcel back.
CREATE TABLE shipment_events (
  shipment_id text NOT NULL REFERENCES shipments (shipment_id),
  event_id    text NOT NULL,
  status      text NOT NULL,
  description text NOT NULL DEFAULT '',
  occurred_at timestamptz NOT NULL,
  PRIMARY KEY (shipment_id, event_id)
);

-- No-reason returns: the window the shipped goods allow (longest of their categories), and the deadline it gives once
-- the order completes. The after-sales side adds the same column the same way, so either may come first.
ALTER TABLE orders ADD COLUMN IF NOT EXISTS after_sales_window interval;
ALTER TABLE orders ADD COLUMN IF NOT EXISTS after_sales_deadline timestamptz;

-- The auto-confirmation sweeper's scan.
CREATE INDEX orders_delivered ON orders (status_changed_at) WHERE status = 'DELIVERED';
