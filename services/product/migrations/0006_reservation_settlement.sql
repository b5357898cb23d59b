-- A reservation held for a whole sale (a flash sale's quantity, keyed by the sale id) is settled when the sale is
-- over: this many units were confirmed (sold), the rest released. NULL for reservations confirmed or released whole.
ALTER TABLE reservations ADD COLUMN settled_quantity bigint CHECK (settled_quantity >= 0);
