-- A session's absolute lifetime: every rotation keeps the time of the login that started its family.
-- Rows from before this migration count from their own creation.
ALTER TABLE refresh_sessions ADD COLUMN family_started_at timestamptz;
