-- The marketing center: promotions.

CREATE FUNCTION zt_ts(micros bigint) RETURNS timestamptz
  LANGUAGE sql IMMUTABLE STRICT AS $$ SELECT timestamptz 'epoch' + micros * interval '1 microsecond' $$;
CREATE FUNCTION zt_micros(t timestamptz) RETURNS bigint
  LANGUAGE sql IMMUTABLE STRICT AS $$ SELECT (extract(epoch FROM t) * 1000000)::bigint $$;

-- One rule kind for now, 满X减Y (threshold_reduction); `kind` leaves room for more.
CREATE TABLE promotions (
  promotion_id    text PRIMARY KEY,
  -- The create call's idempotency key: a replay finds the first promotion.
  request_id      text NOT NULL UNIQUE,
  name            text NOT NULL,
  kind            text NOT NULL DEFAULT 'threshold_reduction' CHECK (kind IN ('threshold_reduction')),
  currency        text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  threshold_minor bigint NOT NULL,
  reduction_minor bigint NOT NULL CHECK (reduction_minor > 0 AND threshold_minor >= reduction_minor),
  start_at        timestamptz NOT NULL,
  end_at          timestamptz NOT NULL CHECK (end_at > start_at),
  status          text NOT NULL CHECK (status IN ('ACTIVE', 'PAUSED')),
  created_at      timestamptz NOT NULL
);
-- Quotes read the promotions active now.
CREATE INDEX promotions_active ON promotions (start_at, end_at) WHERE status = 'ACTIVE';
