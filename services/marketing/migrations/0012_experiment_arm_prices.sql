-- Price tests (domain/experiment.h ArmPrice): an arm's fixed price per SKU. The rules (not negative, at most the
-- SKU's list price in the product center, one per SKU and arm) are C++; the constraints here are the last guard.
CREATE TABLE experiment_arm_prices (
  experiment_id text NOT NULL,
  position      integer NOT NULL,
  sku_id        text NOT NULL,
  currency      text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  price_minor   bigint NOT NULL CHECK (price_minor >= 0),
  PRIMARY KEY (experiment_id, position, sku_id),
  FOREIGN KEY (experiment_id, position) REFERENCES experiment_arms (experiment_id, position)
);
