-- A registration with an email or phone that already has an account answers as a new one (nothing tells the caller
-- the account exists); the account's owner gets a notice instead (RegistrationAttempted on zt.events.user), at most
-- one per account per interval: this row remembers the last one.
CREATE TABLE registration_notices (
  user_id      text PRIMARY KEY REFERENCES users (user_id) ON DELETE CASCADE,
  last_sent_at timestamptz NOT NULL
);
