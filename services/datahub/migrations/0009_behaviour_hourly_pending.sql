-- The hourly rollup without a hot spot (docs/performance.md, "Data hub ingestion"). Every batch used to update the
-- same few behaviour_hourly rows (this hour's, per channel and event type) with a HyperLogLog union: about 50 us a row
-- and a new 1.3 KB row version each, every concurrent batch queued on those row locks, and the table bloated by
-- tens of MB an hour under load. Now a batch only appends its own rollup rows to behaviour_hourly_pending (no
-- conflict, no lock shared with another batch), and behaviour_hourly_fold() moves what is pending into
-- behaviour_hourly_folded, one row per key, in one statement: the data hub runs it every
-- ZT_DATAHUB_ROLLUP_FOLD_INTERVAL (1s), so a fold merges a second of batches at once. The rollup read is the view
-- behaviour_hourly, folded and pending together: every reader sees every committed batch exactly once, before or
-- after a fold (the fold deletes and adds in one transaction).
ALTER TABLE behaviour_hourly RENAME TO behaviour_hourly_folded;
ALTER INDEX behaviour_hourly_pkey RENAME TO behaviour_hourly_folded_pkey;

-- One row per batch and key (UTC hour, channel, event type): the batch's new events and a HyperLogLog of their device
-- ids. No key: rows only ever go in (ingest) and out (the fold).
CREATE TABLE behaviour_hourly_pending (
  hour       timestamptz NOT NULL,
  channel    text        NOT NULL,
  event_type smallint    NOT NULL,
  events     bigint      NOT NULL,
  visitors   hll         NOT NULL
);

-- The rollup as before: one row per key, events summed, visitors the union of the sketches.
CREATE VIEW behaviour_hourly AS
  SELECT hour, channel, event_type, sum(events)::bigint AS events, hll_union_agg(visitors) AS visitors
  FROM (SELECT hour, channel, event_type, events, visitors FROM behaviour_hourly_folded
        UNION ALL SELECT hour, channel, event_type, events, visitors FROM behaviour_hourly_pending) AS r
  GROUP BY hour, channel, event_type;

-- Moves at most max_rows pending rows into behaviour_hourly_folded; returns how many it moved. Folded rows are
-- locked in key order, so concurrent folds (several data hub replicas) cannot deadlock; a row another fold is
-- moving is skipped (deleted once). The benchmark calls it too, to count the work left at the end of a run.
CREATE FUNCTION behaviour_hourly_fold(max_rows integer) RETURNS bigint LANGUAGE sql AS $$
  WITH moved AS (
    DELETE FROM behaviour_hourly_pending
    WHERE ctid = ANY (ARRAY(SELECT ctid FROM behaviour_hourly_pending LIMIT max_rows))
    RETURNING hour, channel, event_type, events, visitors),
  folded AS (
    INSERT INTO behaviour_hourly_folded (hour, channel, event_type, events, visitors)
    SELECT hour, channel, event_type, sum(events)::bigint, hll_union_agg(visitors) FROM moved
    GROUP BY hour, channel, event_type ORDER BY hour, channel, event_type
    ON CONFLICT (hour, channel, event_type) DO UPDATE
      SET events = behaviour_hourly_folded.events + EXCLUDED.events,
          visitors = hll_union(behaviour_hourly_folded.visitors, EXCLUDED.visitors))
  SELECT count(*) FROM moved
$$;
