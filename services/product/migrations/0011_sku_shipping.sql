-- What the order center's carrier rules need of a SKU: the weight of one unit (grams; 0 for a SKU never weighed) and
-- whether it needs careful handling. Bounded like the admin API (domain/cost_price.h kMaxSkuWeightGrams).
ALTER TABLE skus ADD COLUMN weight_grams bigint NOT NULL DEFAULT 0 CHECK (weight_grams BETWEEN 0 AND 1000000);
ALTER TABLE skus ADD COLUMN fragile boolean NOT NULL DEFAULT false;
