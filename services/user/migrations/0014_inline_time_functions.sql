-- zt_ts and zt_micros were declared IMMUTABLE over STABLE operators (timestamptz + interval, extract from a
-- timestamptz), and PostgreSQL inlines a SQL function only when its body is no more volatile than declared: every call
-- ran as a SQL function of its own, its body parsed and planned again in each statement that used it (perf: fmgr_sql
-- was a tenth of the databases' CPU in the cost-per-order benchmark). Declared STABLE, which they are, they are inlined
-- into the calling statement. Nothing indexes them (an index would need IMMUTABLE).
CREATE OR REPLACE FUNCTION zt_ts(micros bigint) RETURNS timestamptz
  LANGUAGE sql STABLE STRICT AS $$ SELECT timestamptz 'epoch' + micros * interval '1 microsecond' $$;
CREATE OR REPLACE FUNCTION zt_micros(t timestamptz) RETURNS bigint
  LANGUAGE sql STABLE STRICT AS $$ SELECT (extract(epoch FROM t) * 1000000)::bigint $$;
