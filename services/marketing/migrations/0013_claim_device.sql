-- Coupon farming (OWASP API6): the device a coupon was claimed from (the X-Zt-Device-Id header; '' when unknown, and
-- for coupons an operator issued), so that claims of one template from one device are capped over all accounts
-- (domain/coupon_rules.h CheckDeviceClaims, counted under the template's row lock).
ALTER TABLE coupons ADD COLUMN claim_device_id text NOT NULL DEFAULT '';
CREATE INDEX coupons_claim_device ON coupons (template_id, claim_device_id) WHERE claim_device_id <> '';
