-- A reservation held for a whole sale (a flash sale's quantity, keyed by the sale id) can be resized while it is
-- held: marketing changes the sale's quantity. Each resize is applied once per request key; a repeat of the key
-- returns the reservation as it is.
CREATE TABLE reservation_resizes (
  request_id text PRIMARY KEY,
  order_id   text NOT NULL REFERENCES reservations (order_id),
  quantity   bigint NOT NULL CHECK (quantity > 0),
  created_at timestamptz NOT NULL
);
