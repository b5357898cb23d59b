-- A comment with "quotes", a backslash \n and a raw-string look-alike )sql" that must survive.
CREATE TABLE fixture_items (
  id text PRIMARY KEY,
  note text NOT NULL DEFAULT 'it''s fine; really'
);
