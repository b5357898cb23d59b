-- An admin can change a flash sale (PATCH /v1/admin/flash-sales/{saleId}): every change raises the version, and a
-- change made on an older version is refused (optimistic concurrency).
ALTER TABLE flash_sales ADD COLUMN version bigint NOT NULL DEFAULT 1 CHECK (version >= 1);
