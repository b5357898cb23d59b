-- Gifts (赠品): a line a gift promotion added at unit price 0 names that promotion; it is reserved with the order and
-- refunds 0. An order placed without the gifts its quote offered (they were out of stock) says so in gift_note.
ALTER TABLE order_lines ADD COLUMN gift_promotion_id text NOT NULL DEFAULT '';
ALTER TABLE child_order_lines ADD COLUMN gift_promotion_id text NOT NULL DEFAULT '';
ALTER TABLE orders ADD COLUMN gift_note text NOT NULL DEFAULT '';
