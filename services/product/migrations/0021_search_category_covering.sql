-- A category listing's facet sample (store/pg_product_search.cc, kFacetSql: up to 1,001 matches with their brand,
-- lowest price, sales and attribute pairs) reads its rows from the category index alone. With the key only, every
-- sampled row was a heap row, and a category's products lie spread over the whole table (they are added over time):
-- on 100,000 products, a top category of 10,000 (B7's "category subtree, sort=sales") sampled 1,001 rows from 851
-- heap pages, 6.9 ms of the statement's PostgreSQL time; as an index-only scan 36 pages and 1.9 ms
-- (docs/performance.md, B7). The key is the old index's, so every plan that used it still can.
-- in_stock is left out on purpose: an update that changes an indexed column cannot be HOT, and stock crossing zero is
-- the commonest change of a search row that touches no other index (the in-stock filter then reads the heap, as before).
DROP INDEX product_search_category;
CREATE INDEX product_search_category ON product_search (category_id, product_id DESC)
  INCLUDE (brand_id, min_price, sales, attributes) WHERE status = 'published';
-- An index-only scan reads the heap for the rows of pages not marked all-visible, which is every page an update
-- touched since the table's last VACUUM. Vacuumed after 2% of its rows changed instead of 20% (on 100,000 products,
-- 2,000 updated search rows: sales, prices), the sample stays mostly index-only between vacuums.
ALTER TABLE product_search SET (autovacuum_vacuum_scale_factor = 0.02);
