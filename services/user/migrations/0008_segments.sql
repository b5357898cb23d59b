-- Tags, segments and lifecycle of members. Manual tags are the admins'; computed tags are the data hub's (one per
-- kind, "rfm:<segment>", "ltv:<band>", from its UserSegmentsComputed events). Changes of one user's tags run under
-- a transaction-scoped advisory lock of that user, so count limits and "newer computation wins" hold.

CREATE TABLE user_manual_tags (
  user_id  text NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
  tag      text NOT NULL,
  added_at timestamptz NOT NULL,
  PRIMARY KEY (user_id, tag)
);
CREATE INDEX user_manual_tags_tag ON user_manual_tags (tag, user_id);

CREATE TABLE user_computed_tags (
  user_id     text NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
  kind        text NOT NULL CHECK (kind IN ('rfm', 'ltv')),
  tag         text NOT NULL,
  -- When the data hub computed it: an older computation never replaces it.
  computed_at timestamptz NOT NULL,
  PRIMARY KEY (user_id, kind)
);
CREATE INDEX user_computed_tags_tag ON user_computed_tags (tag, user_id);

-- A customer's lifecycle stage as last decided by the domain (services/user/domain/lifecycle_rules.h). A customer
-- without a row yet registered after the last sweep (and is new).
CREATE TABLE user_lifecycle (
  user_id       text PRIMARY KEY REFERENCES users (user_id) ON DELETE CASCADE,
  last_order_at timestamptz,
  stage         text NOT NULL CHECK (stage IN ('new', 'active', 'dormant', 'churned')),
  stage_since   timestamptz NOT NULL,
  -- When the stage changes next if nothing happens (NULL: never, churned); the sweep reviews rows due.
  review_at     timestamptz,
  updated_at    timestamptz NOT NULL
);
CREATE INDEX user_lifecycle_review ON user_lifecycle (review_at) WHERE review_at IS NOT NULL;
CREATE INDEX user_lifecycle_stage ON user_lifecycle (stage, last_order_at DESC, user_id);

-- The member list pages by registration, newest first.
CREATE INDEX users_registered ON users (created_at DESC, user_id DESC);

-- Customers registered before this migration, with their last paid order from membership's growth records: all due
-- at once, so the first lifecycle sweep decides their stage in the domain.
INSERT INTO user_lifecycle (user_id, last_order_at, stage, stage_since, review_at, updated_at)
SELECT u.user_id,
       (SELECT max(g.paid_at) FROM order_growth g WHERE g.user_id = u.user_id AND g.reversed_at IS NULL),
       'new', u.created_at, now(), now()
FROM users u WHERE u.role = 'customer';
