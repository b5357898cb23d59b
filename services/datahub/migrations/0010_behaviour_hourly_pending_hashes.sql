-- Pending rollup rows carry their devices' hashes, not a HyperLogLog (docs/performance.md, "Before and after: data hub
-- ingestion, D1, 2026-12-05"). hll_add_agg zeroes a 128 KB multiset for every group it starts: a batch's rollup rows
-- (about 36 keys) cost 1.2 to 1.6 ms of its backend's CPU, the largest part of ingestion after the COPY itself. A
-- batch now appends, per key, the hll hashes of its devices (hll_hash_text(device), the hash the sketch took before),
-- and the fold and the view build one sketch per key from every pending row's hashes. The figures do not change: a
-- HyperLogLog depends only on the set of hashes added to it, whatever their grouping or order, and a union of
-- sketches is the sketch of the union.
--
-- Rows written before this migration (or by a replica not yet upgraded) keep their sketch in visitors; a pending row
-- holds exactly one of the two, and the fold and the view take both kinds.
ALTER TABLE behaviour_hourly_pending ALTER COLUMN visitors DROP NOT NULL;
ALTER TABLE behaviour_hourly_pending ADD COLUMN devices hll_hashval[];
ALTER TABLE behaviour_hourly_pending ADD CONSTRAINT behaviour_hourly_pending_one_kind
  CHECK ((visitors IS NULL) <> (devices IS NULL));

-- The rollup as before: one row per key, events summed, visitors the union of the folded sketch and one sketch of the
-- pending rows (their old sketches and their hashes, built once per key; WITH ORDINALITY counts each row's events and
-- sketch once). The pending table is read in one scan: it is nearly empty between folds but its file keeps the pages
-- of the rows folded away (megabytes under load), and with two scans of it the planner started parallel workers for
-- every dashboard read (13-22 ms each, D3's p99 three times higher) to read a few dozen rows.
CREATE OR REPLACE VIEW behaviour_hourly AS
  SELECT hour, channel, event_type, sum(events)::bigint AS events, hll_union_agg(visitors) AS visitors
  FROM (SELECT hour, channel, event_type, events, visitors FROM behaviour_hourly_folded
        UNION ALL
        SELECT hour, channel, event_type, events, COALESCE(hll_union(sketched, hashed), sketched, hashed)
        FROM (SELECT p.hour, p.channel, p.event_type, sum(p.events) FILTER (WHERE d.n IS NULL OR d.n = 1)::bigint AS events,
                hll_union_agg(p.visitors) FILTER (WHERE d.n IS NULL OR d.n = 1) AS sketched, hll_add_agg(d.h) AS hashed
              FROM behaviour_hourly_pending p LEFT JOIN LATERAL unnest(p.devices) WITH ORDINALITY AS d(h, n) ON true
              GROUP BY p.hour, p.channel, p.event_type) AS pending) AS r
  GROUP BY hour, channel, event_type;

-- As in migration 0009 (at most max_rows pending rows moved, folded rows locked in key order, a row another fold is
-- moving skipped), with one sketch per key built from the moved rows' hashes and their old sketches.
CREATE OR REPLACE FUNCTION behaviour_hourly_fold(max_rows integer) RETURNS bigint LANGUAGE sql AS $$
  WITH moved AS (
    DELETE FROM behaviour_hourly_pending
    WHERE ctid = ANY (ARRAY(SELECT ctid FROM behaviour_hourly_pending LIMIT max_rows))
    RETURNING hour, channel, event_type, events, visitors, devices),
  merged AS (
    SELECT m.hour, m.channel, m.event_type, sum(m.events) FILTER (WHERE d.n IS NULL OR d.n = 1)::bigint AS events,
      hll_union_agg(m.visitors) FILTER (WHERE d.n IS NULL OR d.n = 1) AS sketched, hll_add_agg(d.h) AS hashed
    FROM moved m LEFT JOIN LATERAL unnest(m.devices) WITH ORDINALITY AS d(h, n) ON true
    GROUP BY m.hour, m.channel, m.event_type),
  folded AS (
    INSERT INTO behaviour_hourly_folded (hour, channel, event_type, events, visitors)
    SELECT hour, channel, event_type, events, COALESCE(hll_union(sketched, hashed), sketched, hashed, hll_empty())
    FROM merged ORDER BY hour, channel, event_type
    ON CONFLICT (hour, channel, event_type) DO UPDATE
      SET events = behaviour_hourly_folded.events + EXCLUDED.events,
          visitors = hll_union(behaviour_hourly_folded.visitors, EXCLUDED.visitors))
  SELECT count(*) FROM moved
$$;
