-- Which user placed each order (from OrderPlaced), so the data hub can export and erase what it holds about a user.
-- Erasure (the user service's UserErased event) clears the link; the order's amounts stay in the analytics.
ALTER TABLE order_facts ADD COLUMN user_id text;
CREATE INDEX order_facts_user ON order_facts (user_id) WHERE user_id IS NOT NULL;

-- Users who erased their account: a late order event for one of them records no user link again.
CREATE TABLE erased_users (
  user_id   text PRIMARY KEY,
  erased_at timestamptz NOT NULL
);
