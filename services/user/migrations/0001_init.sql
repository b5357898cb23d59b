-- The user center: accounts and refresh sessions.

CREATE FUNCTION zt_ts(micros bigint) RETURNS timestamptz
  LANGUAGE sql IMMUTABLE STRICT AS $$ SELECT timestamptz 'epoch' + micros * interval '1 microsecond' $$;
CREATE FUNCTION zt_micros(t timestamptz) RETURNS bigint
  LANGUAGE sql IMMUTABLE STRICT AS $$ SELECT (extract(epoch FROM t) * 1000000)::bigint $$;

CREATE TABLE users (
  user_id       text PRIMARY KEY,
  -- Normalised (lower-case email, digits of the phone); NULL when the account has none.
  email         text UNIQUE,
  phone         text UNIQUE,
  nickname      text NOT NULL,
  role          text NOT NULL CHECK (role IN ('customer', 'admin')),
  password_hash text NOT NULL,
  created_at    timestamptz NOT NULL,
  updated_at    timestamptz NOT NULL,
  CHECK (email IS NOT NULL OR phone IS NOT NULL)
);

-- Refresh tokens are kept only as their SHA-256. A rotation revokes the presented row and adds
-- one to the same family; a revoked token presented again revokes the whole family.
CREATE TABLE refresh_sessions (
  token_hash text PRIMARY KEY,
  user_id    text NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
  family_id  text NOT NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz
);
CREATE INDEX refresh_sessions_family ON refresh_sessions (family_id) WHERE revoked_at IS NULL;
CREATE INDEX refresh_sessions_user ON refresh_sessions (user_id);
CREATE INDEX refresh_sessions_expires ON refresh_sessions (expires_at);
