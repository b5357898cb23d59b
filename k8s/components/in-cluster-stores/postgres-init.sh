#!/bin/bash
# Run by the postgres image's entrypoint once, when it initialises an empty data directory: a login role and a
# database of the same name for each service, with the password from <SERVICE>_DB_PASSWORD.
set -euo pipefail
for service in product order marketing user datahub; do
  password_var="${service^^}_DB_PASSWORD"
  psql --no-psqlrc -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
    -v role="$service" -v password="${!password_var}" <<'SQL'
CREATE ROLE :"role" LOGIN PASSWORD :'password';
CREATE DATABASE :"role" OWNER :"role";
REVOKE ALL ON DATABASE :"role" FROM PUBLIC;
SQL
done
# The data hub's HyperLogLog extension is not trusted: the superuser creates it (the image must carry
# postgresql-15-hll: build deploy/docker/Dockerfile's postgres stage).
psql --no-psqlrc -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname datahub -c 'CREATE EXTENSION IF NOT EXISTS hll'
