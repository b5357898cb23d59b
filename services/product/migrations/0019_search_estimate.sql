-- How many products a search matches, as the planner estimates it from the table's statistics, for a first page with
-- more matches than its facet sample (store/pg_product_search.cc): `query` is planned, never run. A function so that
-- the estimate comes in the search's one statement instead of an EXPLAIN round trip of its own; the store writes the
-- query (its filters, with the values as quoted literals), nothing a client sends is spliced into it unquoted.
-- VOLATILE: EXPLAIN is a utility statement, which PostgreSQL refuses in a STABLE or IMMUTABLE function.
CREATE FUNCTION zt_search_estimate(query text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  plan json;
BEGIN
  EXECUTE 'EXPLAIN (FORMAT JSON) ' || query INTO plan;
  RETURN round((plan -> 0 -> 'Plan' ->> 'Plan Rows')::numeric)::bigint;
END $$;
