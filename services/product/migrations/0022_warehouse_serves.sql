-- Whether a warehouse ships to a region (domain/warehouses.h Serves()): active, and the whole country (no regions),
-- or the region's province, or its city among its regions; an empty province means any region. One definition for
-- every statement that sources by region (the reservation, the availability BatchGetSkus answers). A store test checks
-- it against Serves(). PL/pgSQL rather than SQL on purpose: the planner inlines a SQL function and folds a constant
-- region into custom plans, which then always look cheaper than the generic one, so the prepared BatchGetSkus read was
-- planned anew on every call; an opaque function plans the same either way (a call per stock row: a few per SKU).
CREATE FUNCTION zt_warehouse_serves(active boolean, regions text[], province text, city text) RETURNS boolean
  LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
  RETURN active AND (province = '' OR cardinality(regions) = 0 OR province = ANY (regions)
                     OR (city <> '' AND city = ANY (regions)));
END
$$;
