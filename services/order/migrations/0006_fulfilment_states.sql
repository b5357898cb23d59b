-- The states an order passes through after payment: fulfilment (awaiting shipment, shipped, delivered, completed)
-- and after-sales (closed when fully refunded).
ALTER TABLE orders DROP CONSTRAINT orders_status_check;
ALTER TABLE orders ADD CONSTRAINT orders_status_check CHECK (status IN ('CREATING', 'PENDING_PAYMENT', 'PAYING', 'PAID',
  'CANCELLED', 'FAILED', 'AWAITING_SHIPMENT', 'SHIPPED', 'DELIVERED', 'COMPLETED', 'CLOSED'));
