-- Buyers who erased their account (the user service's UserErased event). Their orders stay for accounting, without
-- personal data; buyer_erased_at says when it was removed.
ALTER TABLE orders ADD COLUMN buyer_erased_at timestamptz;
