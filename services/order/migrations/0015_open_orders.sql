-- Hoarding stock with unpaid orders (OWASP API6): placing an order counts the buyer's open unpaid orders
-- (domain/order.h CheckOpenOrders, ZT_ORDER_MAX_OPEN_ORDERS); this keeps that count off the buyer's whole history.
CREATE INDEX orders_open_by_user ON orders (user_id) WHERE status IN ('CREATING', 'PENDING_PAYMENT', 'PAYING');
