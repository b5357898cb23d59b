ALTER TABLE fixture_items ADD COLUMN qty integer NOT NULL DEFAULT 0 CHECK (qty >= 0);
CREATE INDEX fixture_items_qty ON fixture_items (qty);
