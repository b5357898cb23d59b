-- Quotes now also read promotions that are paused, start soon or ended lately (to explain them), and the campaign
-- calendar reads every promotion overlapping its range: both ask end_at > from AND start_at < to, over both statuses.
DROP INDEX promotions_active;
CREATE INDEX promotions_by_end ON promotions (end_at, start_at);
