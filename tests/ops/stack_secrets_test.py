#!/usr/bin/env python3
"""The local stack's secrets (CTest e2e fixture: deploy/stack.sh started the suite).

Every generated secret and password is readable by its owner only; each database role has its own password, not
derived from another; and no secret appears in any process's log.
"""
import os
import stat
import sys

sys.path.insert(0, os.path.dirname(__file__))
from stack_monitoring_test import fail, stack_env  # noqa: E402

SERVICES = ["product", "order", "marketing", "user", "datahub"]


def owner_only(path):
    mode = stat.S_IMODE(os.stat(path).st_mode)
    if mode & 0o077:
        fail(f"{path} has mode {oct(mode)}: a secret must be readable by its owner only")


def main():
    state = stack_env()["ZT_STACK_STATE"]
    secrets = {}
    for name in ["admin.password", "payment-notify.secret", "stack.env", "tls/token.signing-key", "tls/ca.key"]:
        path = os.path.join(state, name)
        owner_only(path)
        if name != "stack.env":
            secrets[name] = open(path).read().strip()
    passwords = os.path.join(state, "db-passwords")
    owner_only(passwords)
    for service in SERVICES:
        path = os.path.join(passwords, service)
        owner_only(path)
        secrets["db password of " + service] = open(path).read().strip()
    db = [v for k, v in secrets.items() if k.startswith("db password")]
    if len(set(db)) != len(SERVICES) or any(len(p) < 16 for p in db):
        fail("each database role must have its own password of at least 16 characters")

    logs = os.path.join(state, "logs")
    for log in sorted(os.listdir(logs)):
        text = open(os.path.join(logs, log), errors="replace").read()
        for what, value in secrets.items():
            if value and value in text:
                fail(f"the {what} appears in {log}")
    print(f"ok: {len(secrets)} secrets owner-only, {len(SERVICES)} distinct database passwords, none in "
          f"{len(os.listdir(logs))} logs")


if __name__ == "__main__":
    main()
