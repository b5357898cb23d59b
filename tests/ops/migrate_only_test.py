#!/usr/bin/env python3
"""`zt-<service> --migrate-only` (what the Kubernetes init container runs) against a fresh database of the
test harness's PostgreSQL: it applies every migration, exits 0 without serving, and a second run is a no-op.
An unknown argument exits 2.

    migrate_only_test.py SERVICE      needs ZT_TEST_PG_DSN (tests/harness/stores.sh) and ZT_BUILD_DIR
"""
import base64
import glob
import os
import subprocess
import sys
import uuid

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PSQL = "/usr/lib/postgresql/15/bin/psql"


def fail(message):
    print("FAIL: " + message, file=sys.stderr)
    sys.exit(1)


def psql(dsn, sql):
    out = subprocess.run([PSQL, dsn, "-XAtq", "-v", "ON_ERROR_STOP=1", "-c", sql], capture_output=True, text=True)
    if out.returncode != 0:
        fail(f"psql {sql!r}: {out.stderr.strip()}")
    return out.stdout.strip()


def main():
    service = sys.argv[1]
    admin_dsn = os.environ.get("ZT_TEST_PG_DSN")
    build = os.environ.get("ZT_BUILD_DIR")
    if not admin_dsn or not build:
        fail("ZT_TEST_PG_DSN and ZT_BUILD_DIR must be set (deploy/test.sh sets both)")
    binary = os.path.join(build, "services", service, f"zt-{service}")
    if not os.access(binary, os.X_OK):
        fail(f"{binary} is not built")

    database = f"migrate_{service}_{uuid.uuid4().hex[:8]}"
    psql(admin_dsn, f"CREATE DATABASE {database}")
    dsn = admin_dsn.rsplit("/", 1)[0] + "/" + database
    env = dict(os.environ)
    env[f"ZT_{service.upper()}_PG_DSN"] = dsn
    # Ports that nothing listens on: a migrate-only run must not need the other services or Redis.
    env[f"ZT_{service.upper()}_GRPC_PORT"] = "1"
    env[f"ZT_{service.upper()}_METRICS_PORT"] = "1"
    # Like the Kubernetes init container: the database settings and no security setting (no certificate, no token
    # public key), since --migrate-only migrates before reading those. Only the user service's own configuration
    # requires a token setting, the signing key: any 32 random bytes are a valid Ed25519 seed.
    for shared in ("ZT_TLS_DIR", "ZT_DEV_PLAINTEXT", "ZT_AUTH_PUBLIC_KEY", "ZT_AUTH_SIGNING_KEY"):
        env.pop(shared, None)
    if service == "user":
        env["ZT_AUTH_SIGNING_KEY"] = base64.b64encode(os.urandom(32)).decode()
    try:
        for attempt in ("first", "second"):
            run = subprocess.run([binary, "--migrate-only"], env=env, capture_output=True, text=True, timeout=60)
            if run.returncode != 0:
                fail(f"{attempt} --migrate-only exited {run.returncode}: {run.stderr[-2000:]}")
            if '"migrations applied"' not in run.stderr + run.stdout:
                fail(f"{attempt} run did not log 'migrations applied'")
        own = len(glob.glob(os.path.join(REPO, "services", service, "migrations", "*.sql")))
        applied = int(psql(dsn, "SELECT count(*) FROM schema_migrations"))
        if applied < own:
            fail(f"{applied} migrations recorded, the service has {own}")
        tables = int(psql(dsn, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' "
                               "AND tablename <> 'schema_migrations'"))
        if tables == 0:
            fail("no tables were created")

        bad = subprocess.run([binary, "--no-such-flag"], env=env, capture_output=True, text=True, timeout=30)
        if bad.returncode != 2 or "usage" not in bad.stderr:
            fail(f"an unknown argument exited {bad.returncode} ({bad.stderr.strip()!r}); want 2 and the usage")
    finally:
        psql(admin_dsn, f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
    print(f"ok: {service} --migrate-only applied {applied} migrations, {tables} tables, and is idempotent")


if __name__ == "__main__":
    main()
