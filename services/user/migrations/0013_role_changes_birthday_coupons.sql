-- The account history of role changes (an admin made an account an admin or a customer), for the audit trail.
CREATE TABLE role_changes (
  change_id  bigserial PRIMARY KEY,
  user_id    text NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
  from_role  text NOT NULL CHECK (from_role IN ('customer', 'admin')),
  to_role    text NOT NULL CHECK (to_role IN ('customer', 'admin')),
  -- The admin's user id; kept as text (the admin account may be gone later).
  changed_by text NOT NULL,
  changed_at timestamptz NOT NULL
);
CREATE INDEX role_changes_user ON role_changes (user_id, change_id DESC);

-- Birthday coupons asked for (a BirthdayCouponDue event written with the row): one per customer per year, whatever
-- the number of runs of the daily job or of replicas running it.
CREATE TABLE birthday_coupons (
  user_id     text NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
  year        integer NOT NULL,
  tier        text NOT NULL,
  template_id text NOT NULL,
  sent_at     timestamptz NOT NULL,
  PRIMARY KEY (user_id, year)
);
-- The daily job looks customers up by the month and day of their birthday (month * 100 + day).
CREATE INDEX users_birthday_month_day ON users ((EXTRACT(MONTH FROM birthday) * 100 + EXTRACT(DAY FROM birthday)))
  WHERE birthday IS NOT NULL;
