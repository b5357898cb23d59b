-- The profile a customer edits (PATCH /v1/users/me).
ALTER TABLE users
  ADD COLUMN avatar_url text NOT NULL DEFAULT '',
  ADD COLUMN birthday date,
  ADD COLUMN gender text NOT NULL DEFAULT 'unspecified' CHECK (gender IN ('unspecified', 'female', 'male', 'other'));
