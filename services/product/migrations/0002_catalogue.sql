-- Catalogue: brands, richer products (subtitle, brand, images, sales attributes), the product lifecycle with
-- its history and optimistic versions, retired SKUs, and the Advertising Law word list for listing compliance.

CREATE TABLE brands (
  brand_id    text PRIMARY KEY,
  name        text NOT NULL,
  logo_url    text NOT NULL DEFAULT '',
  description text NOT NULL DEFAULT '',
  request_id  text UNIQUE,
  created_at  timestamptz NOT NULL,
  updated_at  timestamptz NOT NULL
);
CREATE UNIQUE INDEX brands_name ON brands (lower(name));

-- Products that existed before the lifecycle were on sale: they stay published. New ones start as drafts.
ALTER TABLE products
  ADD COLUMN subtitle   text NOT NULL DEFAULT '',
  ADD COLUMN brand_id   text REFERENCES brands (brand_id),
  ADD COLUMN images     text[] NOT NULL DEFAULT '{}',
  ADD COLUMN status     text NOT NULL DEFAULT 'published'
    CHECK (status IN ('draft', 'published', 'unpublished', 'archived')),
  ADD COLUMN version    bigint NOT NULL DEFAULT 1 CHECK (version > 0),
  ADD COLUMN updated_at timestamptz;
UPDATE products SET updated_at = created_at;
ALTER TABLE products ALTER COLUMN status SET DEFAULT 'draft', ALTER COLUMN updated_at SET NOT NULL;
-- Shoppers list published products only.
CREATE INDEX products_published ON products (category_id, product_id DESC) WHERE status = 'published';
CREATE INDEX products_brand ON products (brand_id);

-- The SPU's sales attributes (规格), e.g. colour: [black, white]; its SKUs are combinations of their values.
CREATE TABLE product_sales_attributes (
  product_id text NOT NULL REFERENCES products (product_id),
  position   int NOT NULL,
  name       text NOT NULL,
  "values"   text[] NOT NULL,
  PRIMARY KEY (product_id, position),
  UNIQUE (product_id, name)
);

-- A retired SKU stays for the orders that name it but is no longer shown or sold.
ALTER TABLE skus ADD COLUMN retired boolean NOT NULL DEFAULT false;

-- Prices a SKU sells at instead of its list price (same currency): a member price (a tier, no window) or a scheduled
-- price (a window [valid_from, valid_to), for everyone or one tier). The lowest that applies wins (domain/pricing).
CREATE TABLE sku_price_rules (
  sku_id       text NOT NULL REFERENCES skus (sku_id),
  position     int NOT NULL,
  label        text NOT NULL,
  tier         text CHECK (tier IN ('normal', 'silver', 'gold', 'diamond')),
  amount_minor bigint NOT NULL CHECK (amount_minor >= 0),
  valid_from   timestamptz,
  valid_to     timestamptz,
  updated_at   timestamptz NOT NULL,
  PRIMARY KEY (sku_id, position),
  CHECK (valid_from IS NULL OR valid_to IS NULL OR valid_from < valid_to)
);

-- Every lifecycle change of a product, oldest first by entry id.
CREATE TABLE product_transitions (
  entry_id    bigserial PRIMARY KEY,
  product_id  text NOT NULL REFERENCES products (product_id),
  from_status text NOT NULL,
  to_status   text NOT NULL,
  version     bigint NOT NULL,
  created_at  timestamptz NOT NULL
);
CREATE INDEX product_transitions_product ON product_transitions (product_id, entry_id);

-- The Advertising Law word list, versioned: a replacement is a new version, the newest one is in force.
CREATE TABLE compliance_word_lists (
  version    bigint PRIMARY KEY,
  created_at timestamptz NOT NULL
);
CREATE TABLE compliance_words (
  version  bigint NOT NULL REFERENCES compliance_word_lists (version),
  position int NOT NULL,
  term     text NOT NULL,
  category text NOT NULL,
  severity text NOT NULL CHECK (severity IN ('block', 'warn')),
  PRIMARY KEY (version, position)
);

-- Version 1: the absolute terms (极限词) that the Advertising Law, article 9(3), forbids and that marketplaces
-- refuse, plus a few that usually mislead (warn). A lone 最 only warns: 最近 (recently) is harmless.
INSERT INTO compliance_word_lists (version, created_at) VALUES (1, now());
INSERT INTO compliance_words (version, position, term, category, severity)
SELECT 1, row_number() OVER () - 1, term, category, severity FROM (VALUES
  ('最', 'superlative', 'warn'),
  ('最佳', 'superlative', 'block'),
  ('最好', 'superlative', 'block'),
  ('最低', 'superlative', 'block'),
  ('最高', 'superlative', 'block'),
  ('最优', 'superlative', 'block'),
  ('最大', 'superlative', 'block'),
  ('最新', 'superlative', 'warn'),
  ('最先进', 'superlative', 'block'),
  ('最便宜', 'superlative', 'block'),
  ('最受欢迎', 'superlative', 'block'),
  ('最时尚', 'superlative', 'block'),
  ('最强', 'superlative', 'block'),
  ('全网最低', 'superlative', 'block'),
  ('史上最低', 'superlative', 'block'),
  ('全网最', 'superlative', 'block'),
  ('第一', 'ranking', 'block'),
  ('唯一', 'ranking', 'block'),
  ('首个', 'ranking', 'block'),
  ('首选', 'ranking', 'block'),
  ('首家', 'ranking', 'block'),
  ('NO.1', 'ranking', 'block'),
  ('TOP1', 'ranking', 'block'),
  ('销量冠军', 'ranking', 'block'),
  ('排名第一', 'ranking', 'block'),
  ('独一无二', 'absolute', 'block'),
  ('绝对', 'absolute', 'block'),
  ('100%', 'absolute', 'block'),
  ('万能', 'absolute', 'block'),
  ('永久', 'absolute', 'block'),
  ('无敌', 'absolute', 'block'),
  ('极品', 'absolute', 'block'),
  ('极致', 'absolute', 'block'),
  ('完美', 'absolute', 'warn'),
  ('顶级', 'absolute', 'block'),
  ('顶尖', 'absolute', 'block'),
  ('巅峰', 'absolute', 'block'),
  ('王牌', 'absolute', 'block'),
  ('至尊', 'absolute', 'block'),
  ('终极', 'absolute', 'block'),
  ('史无前例', 'absolute', 'block'),
  ('前无古人', 'absolute', 'block'),
  ('绝无仅有', 'absolute', 'block'),
  ('国家级', 'authority', 'block'),
  ('世界级', 'authority', 'block'),
  ('全球级', 'authority', 'block'),
  ('国家领导人推荐', 'authority', 'block'),
  ('特供', 'authority', 'block'),
  ('专供', 'authority', 'block'),
  ('质量免检', 'authority', 'block'),
  ('驰名商标', 'authority', 'block'),
  ('秒杀全网', 'misleading', 'warn'),
  ('根治', 'misleading', 'block'),
  ('药到病除', 'misleading', 'block'),
  ('零风险', 'misleading', 'block'),
  ('无副作用', 'misleading', 'block')
) AS w (term, category, severity);
