-- The address book: up to 20 addresses per customer (enforced by the domain under the customer's lock, the
-- users row FOR UPDATE), at most one default (this index), national region codes.
CREATE TABLE addresses (
  address_id      text PRIMARY KEY,
  user_id         text NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
  recipient_name  text NOT NULL,
  recipient_phone text NOT NULL,
  province_code   text NOT NULL CHECK (province_code ~ '^[0-9]{2}0000$'),
  city_code       text NOT NULL CHECK (city_code ~ '^[0-9]{4}00$'),
  district_code   text NOT NULL CHECK (district_code ~ '^[0-9]{6}$'),
  detail          text NOT NULL,
  is_default      boolean NOT NULL,
  -- The creating request's idempotency key; empty when none.
  request_id      text NOT NULL,
  created_at      timestamptz NOT NULL,
  updated_at      timestamptz NOT NULL
);
CREATE INDEX addresses_user ON addresses (user_id);
CREATE UNIQUE INDEX addresses_one_default ON addresses (user_id) WHERE is_default;
CREATE UNIQUE INDEX addresses_request ON addresses (user_id, request_id) WHERE request_id <> '';
