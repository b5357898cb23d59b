-- Promotion kinds beyond 满X减Y, and what decides where each applies: scope, eligibility, layer, exclusivity,
-- priority and budget. Ranges are checked in C++ (ValidatePromotion); the checks here keep a row readable.
-- Rows from before keep their meaning: one order-level 满X减Y, exclusive within its layer.

ALTER TABLE promotions DROP CONSTRAINT promotions_kind_check;
ALTER TABLE promotions ADD CONSTRAINT promotions_kind_check CHECK (kind IN (
  'threshold_reduction', 'threshold_percent', 'item_discount', 'quantity_price', 'nth_item_discount', 'bundle',
  'gift'));
-- Only the single-tier 满X减Y of before has threshold/reduction (promotions_single_reduction below); the other
-- kinds leave reduction 0 and use threshold as their own threshold.
ALTER TABLE promotions DROP CONSTRAINT promotions_check;

ALTER TABLE promotions
  ADD COLUMN layer text NOT NULL DEFAULT 'ORDER' CHECK (layer IN ('ITEM', 'ORDER', 'COUPON')),
  ADD COLUMN exclusivity text NOT NULL DEFAULT 'WITHIN_LAYER' CHECK (exclusivity IN ('NONE', 'WITHIN_LAYER', 'ALL')),
  ADD COLUMN priority integer NOT NULL DEFAULT 0,
  -- NULL: no limit.
  ADD COLUMN budget_remaining_minor bigint CHECK (budget_remaining_minor >= 0),
  -- 满减 tiers, the i-th threshold with the i-th reduction.
  ADD COLUMN tier_thresholds_minor bigint[] NOT NULL DEFAULT '{}',
  ADD COLUMN tier_reductions_minor bigint[] NOT NULL DEFAULT '{}',
  ADD COLUMN every_amount_minor bigint NOT NULL DEFAULT 0,
  ADD COLUMN every_reduction_minor bigint NOT NULL DEFAULT 0,
  ADD COLUMN every_cap_minor bigint NOT NULL DEFAULT 0,
  ADD COLUMN percent_off_bp integer NOT NULL DEFAULT 0,
  ADD COLUMN fixed_off_per_unit_minor bigint NOT NULL DEFAULT 0,
  ADD COLUMN group_quantity bigint NOT NULL DEFAULT 0,
  ADD COLUMN group_price_minor bigint NOT NULL DEFAULT 0,
  ADD COLUMN nth bigint NOT NULL DEFAULT 0,
  ADD COLUMN bundle_sku_ids text[] NOT NULL DEFAULT '{}',
  ADD COLUMN bundle_price_minor bigint NOT NULL DEFAULT 0,
  ADD COLUMN gift_sku_id text NOT NULL DEFAULT '',
  ADD COLUMN gift_quantity bigint NOT NULL DEFAULT 0,
  ADD COLUMN min_quantity bigint NOT NULL DEFAULT 0,
  ADD COLUMN scope_all_products boolean NOT NULL DEFAULT true,
  ADD COLUMN scope_category_ids text[] NOT NULL DEFAULT '{}',
  ADD COLUMN scope_brand_ids text[] NOT NULL DEFAULT '{}',
  ADD COLUMN scope_sku_ids text[] NOT NULL DEFAULT '{}',
  ADD COLUMN excluded_category_ids text[] NOT NULL DEFAULT '{}',
  ADD COLUMN excluded_brand_ids text[] NOT NULL DEFAULT '{}',
  ADD COLUMN excluded_sku_ids text[] NOT NULL DEFAULT '{}',
  ADD COLUMN eligible_member_tiers text[] NOT NULL DEFAULT '{}',
  ADD COLUMN eligible_user_tags text[] NOT NULL DEFAULT '{}',
  ADD COLUMN new_customers_only boolean NOT NULL DEFAULT false,
  ADD COLUMN eligible_channels text[] NOT NULL DEFAULT '{}',
  ADD CONSTRAINT promotions_tiers_paired
    CHECK (cardinality(tier_thresholds_minor) = cardinality(tier_reductions_minor)),
  ADD CONSTRAINT promotions_amounts_not_negative CHECK (threshold_minor >= 0 AND reduction_minor >= 0),
  ADD CONSTRAINT promotions_single_reduction CHECK (
    kind <> 'threshold_reduction' OR cardinality(tier_thresholds_minor) > 0 OR every_amount_minor > 0 OR
    (reduction_minor > 0 AND threshold_minor >= reduction_minor));
