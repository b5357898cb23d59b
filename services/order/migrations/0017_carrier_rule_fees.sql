-- What the buyer pays for shipping when a rule carries the order (fen, before the tier's free shipping); NULL: the
-- shop's flat fee (ZT_ORDER_SHIPPING_FEE_FEN). Checkout charges the fee of the rule the parcel would go by
-- (domain/pricing.h ShippingFee, domain/carrier_rules.h ValidateCarrierRules bounds it the same way).
ALTER TABLE carrier_rules ADD COLUMN fee bigint CHECK (fee BETWEEN 0 AND 1000000);
