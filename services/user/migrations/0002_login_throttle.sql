-- Failed logins, counted where every replica sees them, so that guessing a password cannot be spread over
-- replicas. Keyed by the SHA-256 of the normalised login (known account or not, so a lock tells nothing
-- about which logins exist; no typed login is kept). A row lives while failures are counted or a lock
-- holds; stale rows are pruned a few at a time as failures are recorded (login_failures_updated).
CREATE TABLE login_failures (
  login_hash   text PRIMARY KEY,
  failures     integer NOT NULL,
  window_start timestamptz NOT NULL,
  locked_until timestamptz,
  updated_at   timestamptz NOT NULL
);
CREATE INDEX login_failures_updated ON login_failures (updated_at);
