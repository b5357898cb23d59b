-- Personal data rights: erased accounts and data export jobs.

-- An erased account keeps its row (the points ledger, holds and order growth refer to its id, for accounting) but
-- none of its personal data: no email, no phone, a placeholder nickname, no profile, an unusable password hash.
ALTER TABLE users ADD COLUMN erased_at timestamptz;
ALTER TABLE users DROP CONSTRAINT users_check;
ALTER TABLE users ADD CONSTRAINT users_login_unless_erased
  CHECK (erased_at IS NOT NULL OR email IS NOT NULL OR phone IS NOT NULL);

-- A customer's request for a copy of their data. The export worker claims a pending job (or one whose worker died:
-- its lease ran out), gathers the archive from every service and stores it here until it expires.
CREATE TABLE data_exports (
  export_id    text PRIMARY KEY,
  user_id      text NOT NULL,
  -- The request's idempotency key; empty when none.
  request_id   text NOT NULL,
  state        text NOT NULL CHECK (state IN ('pending', 'ready', 'failed')),
  attempts     integer NOT NULL DEFAULT 0,
  -- A worker holds a pending job until then; after it the job is due again.
  lease_until  timestamptz,
  -- The serialized zhongtai.user.v1.UserDataArchive once ready.
  archive      bytea,
  created_at   timestamptz NOT NULL,
  completed_at timestamptz,
  expires_at   timestamptz,
  CHECK ((state = 'ready') = (archive IS NOT NULL))
);
CREATE UNIQUE INDEX data_exports_request ON data_exports (user_id, request_id) WHERE request_id <> '';
CREATE INDEX data_exports_user ON data_exports (user_id);
CREATE INDEX data_exports_due ON data_exports (created_at) WHERE state = 'pending';
CREATE INDEX data_exports_expiry ON data_exports (expires_at) WHERE expires_at IS NOT NULL;
