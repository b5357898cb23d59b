-- Payment attempts: one row per try of a buyer to pay an order through the provider, written BEFORE the provider is
-- asked (in the transaction that moves the order to PAYING), so that a retry, the sweeper or a restarted process
-- always knows a payment may exist at the provider for this order id (the provider's idempotency key).
CREATE TABLE payment_attempts (
  order_id            text NOT NULL REFERENCES orders (order_id),
  attempt_no          integer NOT NULL CHECK (attempt_no > 0),
  status              text NOT NULL CHECK (status IN ('CREATED', 'AWAITING_BUYER', 'SUCCEEDED', 'DECLINED', 'CLOSED',
                                                      'REFUND_DUE', 'REFUNDED')),
  provider            text NOT NULL,
  amount              bigint NOT NULL CHECK (amount >= 0),
  currency            text NOT NULL,
  provider_payment_id text NOT NULL DEFAULT '',
  pay_url             text NOT NULL DEFAULT '',
  reason              text NOT NULL DEFAULT '',
  created_at          timestamptz NOT NULL,
  updated_at          timestamptz NOT NULL,
  -- The payment sweeper that is settling this attempt, until when; other sweepers skip it meanwhile.
  lease_owner         text NOT NULL DEFAULT '',
  lease_until         timestamptz NOT NULL DEFAULT '-infinity',
  PRIMARY KEY (order_id, attempt_no)
);
-- At most one attempt per order whose outcome is unknown: a double click cannot start a second payment.
CREATE UNIQUE INDEX payment_attempts_one_open ON payment_attempts (order_id)
  WHERE status IN ('CREATED', 'AWAITING_BUYER');
-- The sweeper's look-ups (succeeded attempts of PAYING orders are found through orders_in_flight).
CREATE INDEX payment_attempts_to_sweep ON payment_attempts (updated_at)
  WHERE status IN ('CREATED', 'AWAITING_BUYER', 'REFUND_DUE');

-- Orders a payment claimed before attempts existed (PAYING, interrupted) have no attempt for the sweeper to settle,
-- and nothing was charged for them: they wait for payment again (or for their deadline).
INSERT INTO order_history (order_id, status, reason, changed_at)
  SELECT order_id, 'PENDING_PAYMENT', 'PAYMENT_NOT_MADE', now() FROM orders WHERE status = 'PAYING';
UPDATE orders SET status = 'PENDING_PAYMENT', status_changed_at = now() WHERE status = 'PAYING';
