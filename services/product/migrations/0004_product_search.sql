-- Shoppers' search and listing: one row per product with what GET /v1/products filters, sorts and counts facets on,
-- kept current by triggers on the tables it is derived from (so every write path keeps it right, whichever code
-- makes it), and a notification on channel zt_catalogue_changed after every commit that changes what a listing
-- or a product page shows (the replicas' caches listen; store/pg_catalogue_change_listener.cc).
--
-- Text search over Chinese and Latin text alike without a word segmenter: the text is cut at whitespace only,
-- lower-cased (ASCII only, so C++ and every database locale agree), and indexed by its unigrams and bigrams in a
-- GIN index. A query term of two or more characters must contain all its bigrams (a 1-character term: its
-- unigram), and then occur as a substring; so 手机 finds 华为手机 and 100% finds "Phone 100%". pg_trgm would
-- index nothing for a 2-character term (its LIKE support needs 3 characters) and drops non-ASCII characters under
-- the C locale. domain/search_text.cc computes the same grams for the query; a store test checks they agree.

CREATE FUNCTION zt_search_normalize(t text) RETURNS text
  LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT btrim(regexp_replace(lower(t COLLATE "C"), '[ \t\n\r\f\v' || chr(12288) || ']+', ' ', 'g'))
  $$;

-- Unigrams and bigrams of every whitespace-separated token of already normalized text, sorted, distinct.
CREATE FUNCTION zt_search_grams(normalized text) RETURNS text[]
  LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT COALESCE(array_agg(DISTINCT g ORDER BY g), '{}') FROM (
      SELECT substr(tok, i, 1) AS g FROM regexp_split_to_table(normalized, ' ') tok,
             generate_series(1, char_length(tok)) i
      UNION ALL
      SELECT substr(tok, i, 2) FROM regexp_split_to_table(normalized, ' ') tok,
             generate_series(1, char_length(tok) - 1) i
    ) grams WHERE g <> ''
  $$;

CREATE TABLE product_search (
  product_id  text PRIMARY KEY REFERENCES products (product_id),
  status      text NOT NULL,
  category_id text NOT NULL,
  brand_id    text,
  title_text  text NOT NULL,  -- normalized title: relevance
  search_text text NOT NULL,  -- normalized title, subtitle and brand name: what a query must occur in
  grams       text[] NOT NULL,
  min_price   bigint,         -- over the SKUs on sale (not retired); NULL without any
  max_price   bigint,
  in_stock    boolean NOT NULL DEFAULT false,  -- some SKU on sale has available stock in some warehouse
  attributes  text[] NOT NULL DEFAULT '{}',    -- name || U+001F || value of the SKUs on sale
  sales       bigint NOT NULL DEFAULT 0,       -- units confirmed (paid orders), ever
  created_at  timestamptz NOT NULL
);
-- Only published products are ever searched, so every index is partial.
CREATE INDEX product_search_grams ON product_search USING gin (grams) WHERE status = 'published';
CREATE INDEX product_search_attributes ON product_search USING gin (attributes) WHERE status = 'published';
CREATE INDEX product_search_newest ON product_search (product_id DESC) WHERE status = 'published';
CREATE INDEX product_search_category ON product_search (category_id, product_id DESC) WHERE status = 'published';
CREATE INDEX product_search_brand ON product_search (brand_id, product_id DESC) WHERE status = 'published';
CREATE INDEX product_search_price ON product_search (min_price, product_id) WHERE status = 'published';
CREATE INDEX product_search_sales ON product_search (sales DESC, product_id DESC) WHERE status = 'published';

-- The grams follow the text, computed only when it changes (a price or stock change leaves them alone).
CREATE FUNCTION zt_product_search_grams() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' OR NEW.search_text IS DISTINCT FROM OLD.search_text THEN
    NEW.grams := zt_search_grams(NEW.search_text);
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER product_search_grams BEFORE INSERT OR UPDATE ON product_search
  FOR EACH ROW EXECUTE FUNCTION zt_product_search_grams();

-- The search row of every product as the base tables say (grams: the trigger above; sales: the ledger trigger).
CREATE VIEW product_search_source AS
SELECT p.product_id, p.status, p.category_id, p.brand_id,
       zt_search_normalize(p.title) AS title_text, n.search_text,
       pr.min_price, pr.max_price, COALESCE(st.in_stock, false) AS in_stock,
       COALESCE(at.attributes, '{}') AS attributes, p.created_at
FROM products p
LEFT JOIN brands b ON b.brand_id = p.brand_id
CROSS JOIN LATERAL (SELECT zt_search_normalize(concat_ws(' ', p.title, p.subtitle, b.name)) AS search_text) n
LEFT JOIN LATERAL (SELECT min(s.price_minor) AS min_price, max(s.price_minor) AS max_price
                   FROM skus s WHERE s.product_id = p.product_id AND NOT s.retired) pr ON true
LEFT JOIN LATERAL (SELECT bool_or(k.on_hand > k.reserved) AS in_stock
                   FROM skus s JOIN stock k ON k.sku_id = s.sku_id
                   WHERE s.product_id = p.product_id AND NOT s.retired) st ON true
LEFT JOIN LATERAL (SELECT array_agg(DISTINCT a.name || chr(31) || a.value ORDER BY a.name || chr(31) || a.value)
                     AS attributes
                   FROM skus s JOIN sku_attributes a ON a.sku_id = s.sku_id
                   WHERE s.product_id = p.product_id AND NOT s.retired) at ON true;

-- PL/pgSQL so that its plans are prepared once per session (a SQL function's statements are planned on every call).
-- Update first: an INSERT ... ON CONFLICT would fire the grams trigger for the proposed row every time.
CREATE FUNCTION zt_refresh_product_search(pid text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  UPDATE product_search ps SET
    status = src.status, category_id = src.category_id, brand_id = src.brand_id, title_text = src.title_text,
    search_text = src.search_text, min_price = src.min_price, max_price = src.max_price, in_stock = src.in_stock,
    attributes = src.attributes
  FROM product_search_source src WHERE src.product_id = pid AND ps.product_id = pid;
  IF NOT FOUND THEN
    INSERT INTO product_search (product_id, status, category_id, brand_id, title_text, search_text, min_price,
                                max_price, in_stock, attributes, created_at)
    SELECT * FROM product_search_source WHERE product_id = pid;
  END IF;
END $$;

-- The payload is the product id, or '' when the change is not one product's (a brand renamed, a category moved).
-- PostgreSQL delivers it only after the commit, once per distinct payload per transaction.
CREATE FUNCTION zt_catalogue_changed(pid text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('zt_catalogue_changed', pid);
END $$;

CREATE FUNCTION zt_product_search_on_product() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM zt_refresh_product_search(NEW.product_id);
  PERFORM zt_catalogue_changed(NEW.product_id);
  RETURN NULL;
END $$;
CREATE TRIGGER product_search_product AFTER INSERT OR UPDATE ON products
  FOR EACH ROW EXECUTE FUNCTION zt_product_search_on_product();

CREATE FUNCTION zt_product_search_on_sku() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM zt_refresh_product_search(NEW.product_id);
  PERFORM zt_catalogue_changed(NEW.product_id);
  RETURN NULL;
END $$;
CREATE TRIGGER product_search_sku AFTER INSERT OR UPDATE ON skus
  FOR EACH ROW EXECUTE FUNCTION zt_product_search_on_sku();

CREATE FUNCTION zt_product_search_on_sku_row() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  pid text;
BEGIN
  SELECT product_id INTO pid FROM skus WHERE sku_id = COALESCE(NEW.sku_id, OLD.sku_id);
  IF pid IS NOT NULL THEN
    PERFORM zt_refresh_product_search(pid);
    PERFORM zt_catalogue_changed(pid);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER product_search_sku_attributes AFTER INSERT OR UPDATE OR DELETE ON sku_attributes
  FOR EACH ROW EXECUTE FUNCTION zt_product_search_on_sku_row();
-- Price rules do not change the search row, but product pages show them.
CREATE FUNCTION zt_price_rules_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM zt_catalogue_changed(p.product_id) FROM skus p WHERE p.sku_id = COALESCE(NEW.sku_id, OLD.sku_id);
  RETURN NULL;
END $$;
CREATE TRIGGER product_search_price_rules AFTER INSERT OR UPDATE OR DELETE ON sku_price_rules
  FOR EACH ROW EXECUTE FUNCTION zt_price_rules_changed();

-- Stock moves with every reservation: only a stock row going from none available to some (or back) can change
-- whether its product is in stock, and only then is the search row touched and the caches told.
CREATE FUNCTION zt_product_search_on_stock() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  pid text;
BEGIN
  SELECT product_id INTO pid FROM skus WHERE sku_id = NEW.sku_id;
  UPDATE product_search ps SET in_stock = src.in_stock
  FROM (SELECT COALESCE(bool_or(k.on_hand > k.reserved), false) AS in_stock
        FROM skus s JOIN stock k ON k.sku_id = s.sku_id WHERE s.product_id = pid AND NOT s.retired) src
  WHERE ps.product_id = pid AND ps.in_stock IS DISTINCT FROM src.in_stock;
  IF FOUND THEN
    PERFORM zt_catalogue_changed(pid);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER product_search_stock_insert AFTER INSERT ON stock
  FOR EACH ROW WHEN (NEW.on_hand > NEW.reserved) EXECUTE FUNCTION zt_product_search_on_stock();
CREATE TRIGGER product_search_stock_update AFTER UPDATE ON stock
  FOR EACH ROW WHEN ((OLD.on_hand > OLD.reserved) IS DISTINCT FROM (NEW.on_hand > NEW.reserved))
  EXECUTE FUNCTION zt_product_search_on_stock();

-- Sales: every confirmed reservation line (an order paid) adds its units to its product.
CREATE FUNCTION zt_product_search_on_sale() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE product_search ps SET sales = ps.sales + abs(NEW.on_hand_delta)
  FROM skus s WHERE s.sku_id = NEW.sku_id AND ps.product_id = s.product_id;
  RETURN NULL;
END $$;
CREATE TRIGGER product_search_sales AFTER INSERT ON stock_ledger
  FOR EACH ROW WHEN (NEW.kind = 'confirm') EXECUTE FUNCTION zt_product_search_on_sale();

CREATE FUNCTION zt_product_search_on_brand() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM zt_refresh_product_search(p.product_id) FROM products p WHERE p.brand_id = NEW.brand_id;
  PERFORM zt_catalogue_changed('');
  RETURN NULL;
END $$;
CREATE TRIGGER product_search_brand AFTER UPDATE OF name ON brands
  FOR EACH ROW EXECUTE FUNCTION zt_product_search_on_brand();

-- A category moved changes which products a category's subtree lists.
CREATE FUNCTION zt_category_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM zt_catalogue_changed('');
  RETURN NULL;
END $$;
CREATE TRIGGER product_search_category AFTER UPDATE ON categories
  FOR EACH ROW EXECUTE FUNCTION zt_category_changed();

-- The products that exist already.
INSERT INTO product_search (product_id, status, category_id, brand_id, title_text, search_text, min_price, max_price,
                            in_stock, attributes, created_at)
SELECT * FROM product_search_source;
UPDATE product_search ps SET sales = s.units
FROM (SELECT k.product_id, sum(abs(l.on_hand_delta)) AS units
      FROM stock_ledger l JOIN skus k ON k.sku_id = l.sku_id WHERE l.kind = 'confirm' GROUP BY k.product_id) s
WHERE ps.product_id = s.product_id;
