-- Customer and experiment analytics (cohorts, RFM, LTV, experiment results).

-- The sales channel of each order (from OrderPlaced), for LTV by channel; '' when unknown. The dashboard's
-- migration (0003) may have added the same column already.
ALTER TABLE order_facts ADD COLUMN IF NOT EXISTS channel text NOT NULL DEFAULT '';
-- Customer histories (RFM, LTV) and cohorts read the paid orders per user.
CREATE INDEX order_facts_user_paid ON order_facts (user_id, paid_at) WHERE user_id IS NOT NULL AND paid_at IS NOT NULL;

-- Marketing's experiment exposures (zhongtai.marketing.v1.ExperimentExposure): one per user and experiment.
CREATE TABLE experiment_exposures (
  experiment_id text NOT NULL,
  user_id       text NOT NULL,
  arm           text NOT NULL,
  exposed_at    timestamptz NOT NULL,
  PRIMARY KEY (experiment_id, user_id)
);
CREATE INDEX experiment_exposures_user ON experiment_exposures (user_id);

-- Each customer's segments as last published to the user center: UserSegmentsComputed goes out only on a change.
CREATE TABLE customer_segments (
  user_id     text PRIMARY KEY,
  rfm_segment text NOT NULL,
  ltv_band    text NOT NULL,
  computed_at timestamptz NOT NULL
);

-- Daily jobs across replicas: the last UTC day done and who holds the lease on the current run.
CREATE TABLE daily_job_runs (
  job         text PRIMARY KEY,
  done_day    text,
  owner       text,
  lease_until timestamptz
);
