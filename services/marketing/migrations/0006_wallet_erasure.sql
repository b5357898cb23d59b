-- Users who erased their account (the user service's UserErased event). Their unused coupons are deleted; a coupon
-- that an order holds or used stays (the order's discount refers to it), its user id replaced by a pseudonym made
-- from the coupon id, and user_erased_at says when.
ALTER TABLE coupons ADD COLUMN user_erased_at timestamptz;
