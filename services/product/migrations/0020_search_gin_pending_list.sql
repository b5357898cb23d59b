-- The GIN indexes of product_search (grams, attributes) keep their pending list short. With fastupdate (the default)
-- a new index entry goes to an unsorted pending list that every search scans in full until VACUUM or the list's limit
-- (gin_pending_list_limit, 4 MB by default) merges it into the index. Every update of a search row that is not HOT
-- adds one: a price change, a sale (product_search_sales is indexed), stock crossing zero, a new product. Measured on
-- 100,000 products (docs/performance.md, B7): after 3,000 such updates the pending list was 329 pages and the first
-- page of q=手机 cost 12 ms of PostgreSQL CPU instead of 3.6 ms (the planner even gave up the grams index for it);
-- right after a bulk load, before autovacuum, 372 pages. At 256 kB the list is merged by the write that fills it
-- (a few ms, once per some hundreds of updates) and a search scans at most 32 pages of it.
ALTER INDEX product_search_grams SET (gin_pending_list_limit = 256);
ALTER INDEX product_search_attributes SET (gin_pending_list_limit = 256);
