#!/usr/bin/env python3
"""Contract between deploy/compose.yaml, deploy/docker/Dockerfile and what each binary reads.

No Docker engine runs in CI, so instead of `docker compose up` this parses the compose file, the Dockerfile,
services/<svc>/config.cc (the names passed to config::Env getters, with those ReadServiceSettings() of
common/server/service_settings.cc reads under the service's prefix) and the shared settings of common/server
(security.cc: TLS, token public key, bind address; service_runner.cc: reflection, health port), and checks that the
stack would start:
  env        every variable a suite service sets is one its binary reads
  required   every setting without a usable default is set (token keys, PG DSN with its own role, Redis, upstreams);
             one token public key for all, the signing key for the user service only, one transport (all TLS or
             all development plaintext)
  upstreams  upstream addresses name a compose service and the port its GRPC_PORT says; depends_on covers them
  ports      exposed/published container ports are exactly the ports the env configures; services bind all
             interfaces (the default 127.0.0.1 is unreachable from the other containers)
  commands   each command names a binary the Dockerfile installs; the image runs as non-root
  health     each service's healthcheck probes its own port (gRPC health; gateway: HTTP /healthz)
  prometheus the compose Prometheus scrapes every service's metrics port and loads the mounted rules
  copy       every COPY source of the Dockerfile is a file or folder tracked in the repository and not left out of
             the build context by .dockerignore (nothing builds the image here, so this is what catches a stale COPY)
  selftest   the checks above catch broken copies of the compose file and the Dockerfile
Usage: compose_contract_test.py [CHECK...]   (default: all)
"""
import copy
import fnmatch
import json
import os
import re
import subprocess
import sys

import yaml

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEPLOY = os.path.join(REPO, "deploy")
COMPOSE = os.path.join(DEPLOY, "compose.yaml")
DOCKERFILE = os.path.join(DEPLOY, "docker", "Dockerfile")
DOCKERIGNORE = os.path.join(REPO, ".dockerignore")

GETTERS = ("String", "Int", "Port", "HostPort", "Bool", "RequiredString", "Shared", "Duration")


# ---------------------------------------------------------------------------------------------------------------
# What each binary reads
# ---------------------------------------------------------------------------------------------------------------
def _literal(expr, header):
    """The value of a getter's fallback argument: a literal, or config.<member> resolved from config.h."""
    expr = expr.strip()
    m = re.fullmatch(r'"([^"]*)"', expr)
    if m:
        return m.group(1)
    if re.fullmatch(r"-?\d+", expr):
        return expr
    if expr in ("true", "false"):
        return expr
    m = re.fullmatch(r"config\.(\w+)", expr)
    if m:
        d = re.search(r"\b%s\s*=\s*([^;]+);" % m.group(1), header)
        return _literal(d.group(1), header) if d else ""
    return None  # an expression we cannot evaluate


def binary_settings(svc):
    """{full variable name: {"getter": .., "default": str or None}} read by services/<svc>/config.cc."""
    path = os.path.join(REPO, "services", svc, "config.cc")
    src = open(path).read()
    header_path = os.path.join(REPO, "services", svc, "config.h")
    header = open(header_path).read() if os.path.exists(header_path) else ""
    m = re.search(r'config::Env\s+(\w+)\("(ZT_[A-Z0-9]+_)"\)', src)
    if not m:
        raise AssertionError("%s: no config::Env with a ZT_<SVC>_ prefix" % path)
    var, prefix = m.group(1), m.group(2)
    settings = {}
    parsed = 0
    # env.Getter("NAME", fallback...) with the prefix; Shared("FULL_NAME", fallback) without it.
    for g in re.finditer(r'\b%s\.(\w+)\(\s*"([A-Z0-9_]+)"\s*(?:,\s*([^,)]*))?' % var, src):
        getter, name, fallback = g.group(1), g.group(2), g.group(3)
        if getter not in GETTERS:
            continue
        parsed += 1
        full = name if getter == "Shared" else prefix + name
        default = None if getter == "RequiredString" else _literal(fallback or '""', header)
        settings[full] = {"getter": getter, "default": default}
    # Names built in a loop: env.String(absl::StrCat(absl::AsciiStrToUpper(name), "_ADDR"), fallback) over a table
    # of {"name", "fallback"} pairs (the gateway's upstreams).
    for g in re.finditer(r'\b%s\.(\w+)\(\s*absl::StrCat\(\s*absl::AsciiStrToUpper\(\w+\),\s*"([A-Z0-9_]+)"\)'
                         % var, src):
        parsed += 1
        for name, fallback in re.findall(r'\{\s*"([a-z_]+)",\s*"([^"]*)"\s*\}', src):
            settings[prefix + name.upper() + g.group(2)] = {"getter": g.group(1), "default": fallback}
    # Full names read directly (e.g. ParseDuration("ZT_PRODUCT_DRAIN_TIMEOUT", ...) over std::getenv).
    for g in re.finditer(r'\w\(\s*"(%s[A-Z0-9_]+)"\s*,' % prefix, src):
        settings.setdefault(g.group(1), {"getter": "raw", "default": None})
    calls = len(re.findall(r"\b%s\.(?:%s)\(" % (var, "|".join(GETTERS)), src))
    if calls != parsed:
        raise AssertionError("%s: %d config getter calls but only %d understood by this test; teach it the new form"
                             % (path, calls, parsed))
    if re.search(r"\bReadServiceSettings\(\s*%s\s*," % var, src):
        settings.update(common_service_settings(prefix, src))
    return prefix, settings


# The settings every service with a database reads under its own prefix: ReadServiceSettings(env, defaults) in
# common/server/service_settings.cc, with the ServiceDefaults the service's config.cc fills in member by member.
SERVICE_SETTINGS_SOURCE = "common/server/service_settings.cc"
SERVICE_SETTINGS_HEADER = "common/server/service_settings.h"


def common_service_settings(prefix, config_src):
    """{full variable name: {"getter", "default"}} that ReadServiceSettings() reads for a service whose config.cc is
    config_src. A statement guarded by `if (!defaults.<member>.empty())` is read only when config.cc sets that member."""
    path = os.path.join(REPO, SERVICE_SETTINGS_SOURCE)
    body = _function_body(open(path).read(), "ReadServiceSettings")
    if body is None:
        raise AssertionError("%s: no ReadServiceSettings() to read the common settings from; teach this test" % path)
    header = open(os.path.join(REPO, SERVICE_SETTINGS_HEADER)).read()
    assigned = dict(re.findall(r"\bdefaults\.(\w+)\s*=\s*([^;]+);", config_src))

    def default(expr):
        m = re.fullmatch(r"defaults\.(\w+)", expr.strip())
        if m and m.group(1) in assigned:
            return _literal(assigned[m.group(1)], "")
        if m:
            # The member's initializer in struct ServiceDefaults.
            struct = re.search(r"struct ServiceDefaults\s*\{(.*?)\};", header, re.S)
            return _literal("config." + m.group(1), struct.group(1) if struct else "")
        return _member_default(expr, [header])

    out, parsed = {}, 0
    for statement in body.split(";"):
        g = re.search(r'\benv\.(\w+)\(\s*"([A-Z0-9_]+)"\s*(?:,\s*([^,)]*))?', statement)
        if not g or g.group(1) not in GETTERS:
            continue
        parsed += 1
        guard = re.search(r"if\s*\(\s*!defaults\.(\w+)\.empty\(\)\s*\)", statement)
        if guard and not _literal(assigned.get(guard.group(1), '""'), ""):
            continue
        out[prefix + g.group(2)] = {"getter": g.group(1), "default": default(g.group(3) or '""')}
    calls = len(re.findall(r"\benv\.(?:%s)\(" % "|".join(GETTERS), body))
    if calls != parsed:
        raise AssertionError("%s: %d getter calls in ReadServiceSettings() but only %d understood by this test (one a "
                             "statement); teach it the new form" % (path, calls, parsed))
    return out


# Settings every process reads besides its config.cc (no service prefix): LoadSecurity() in security.cc (called by
# ServiceOptions() or directly) and ServiceOptions() in service_runner.cc.
# RunService (common/server/service_start.h) calls ServiceOptions().
SHARED_SOURCES = (
    # (source, function, headers for member defaults, calls that make a binary read it)
    ("common/server/security.cc", "LoadSecurity", ("common/server/security.h",),
     ("LoadSecurity(", "ServiceOptions(", "RunService<")),
    ("common/server/service_runner.cc", "ServiceOptions", ("common/server/service_runner.h",),
     ("ServiceOptions(", "RunService<")),
)
SIGNING_KEY, PUBLIC_KEY, PLAINTEXT, TLS_DIR = "ZT_AUTH_SIGNING_KEY", "ZT_AUTH_PUBLIC_KEY", "ZT_DEV_PLAINTEXT", "ZT_TLS_DIR"


def _function_body(src, name):
    m = re.search(r"\b%s\([^)]*\)\s*\{" % name, src)
    if not m:
        return None
    depth, i = 0, m.end() - 1
    for i in range(m.end() - 1, len(src)):
        depth += {"{": 1, "}": -1}.get(src[i], 0)
        if depth == 0:
            break
    return src[m.end():i]


def _member_default(expr, headers):
    """`security.bind_address`, `options.reflection`: the member's initializer in the headers, else the literal."""
    m = re.fullmatch(r"\w+\.(\w+)", expr.strip())
    if m:
        for h in headers:
            d = re.search(r"\b%s\s*=\s*([^;]+);" % m.group(1), h)
            if d:
                return _literal(d.group(1), "")
        return None
    return _literal(expr, "")


def binary_sources(svc):
    """The text of services/<svc>/*.cc (not its tests)."""
    d = os.path.join(REPO, "services", svc)
    return "".join(open(os.path.join(d, f)).read() for f in sorted(os.listdir(d)) if f.endswith(".cc"))


def shared_settings(svc):
    """{ZT_ name: {"getter", "default", "required", "unless"}} of the shared settings zt-<svc> reads. "required":
    the source refuses to start without it ("ZT_X is required"); "unless": another variable that, when true, makes
    it unnecessary ("...; ZT_DEV_PLAINTEXT=true runs without TLS")."""
    sources = binary_sources(svc)
    out = {}
    for path, function, header_paths, calls in SHARED_SOURCES:
        full = os.path.join(REPO, path)
        if not os.path.exists(full) or not any(c in sources for c in calls):
            continue
        body = _function_body(open(full).read(), function)
        if body is None:
            raise AssertionError("%s: no %s() to read the shared settings from; teach this test" % (path, function))
        headers = [open(os.path.join(REPO, h)).read() for h in header_paths if os.path.exists(os.path.join(REPO, h))]
        m = re.search(r'config::Env\s+(\w+)\("ZT_"\)', body)
        if not m:
            if "getenv" in body or '"ZT_' in body:
                raise AssertionError('%s: %s() reads variables without config::Env("ZT_"); teach this test'
                                     % (path, function))
            continue
        var = m.group(1)
        parsed = 0
        for g in re.finditer(r'\b%s\.(\w+)\(\s*"([A-Z0-9_]+)"\s*(?:,\s*([^,)]*))?' % var, body):
            if g.group(1) not in GETTERS:
                continue
            parsed += 1
            name = "ZT_" + g.group(2)
            default = _member_default(g.group(3) or '""', headers)
            out[name] = {"getter": g.group(1), "default": default, "required": False, "unless": None}
        calls_n = len(re.findall(r"\b%s\.(?:%s)\(" % (var, "|".join(GETTERS)), body))
        if calls_n != parsed:
            raise AssertionError("%s: %d getter calls in %s() but only %d understood by this test; teach it the new form"
                                 % (path, calls_n, function, parsed))
        for r in re.finditer(r'"(ZT_[A-Z0-9_]+) is required([^"]*)"', body):
            if r.group(1) in out:
                out[r.group(1)]["required"] = True
                unless = re.search(r"(ZT_[A-Z0-9_]+)=true", r.group(2))
                out[r.group(1)]["unless"] = unless.group(1) if unless else None
    return out


def is_true(value):
    return value in ("true", "1")


def required_settings(settings, env=None):
    """Names a deployment must set: no usable default for a container. env ({name: value}) decides the settings
    required only unless another is true (ZT_TLS_DIR unless ZT_DEV_PLAINTEXT=true); without env they count."""
    out = set()
    for name, s in settings.items():
        d = s["default"]
        if s.get("required"):
            if not (s.get("unless") and env is not None and is_true(env.get(s["unless"]))):
                out.add(name)
        elif s["getter"] == "RequiredString":
            out.add(name)
        elif s["getter"] == "Shared" and not d:
            out.add(name)
        elif name.endswith("_PG_DSN") or name.endswith("_REDIS_ADDR"):
            out.add(name)  # the default points at 127.0.0.1, i.e. inside the container
        elif name.endswith("_ADDR") and d is not None and (d.startswith("127.0.0.1") or d.startswith("localhost")):
            out.add(name)
    return out


# ---------------------------------------------------------------------------------------------------------------
# Compose
# ---------------------------------------------------------------------------------------------------------------
def interpolate(value):
    """Compose interpolation with an empty environment: (text, required). Defaults apply; ${X:?msg} becomes <X>
    and marks the value required (compose refuses to start without X); $$ is a literal $."""
    if not isinstance(value, str):
        return ("" if value is None else str(value)), False
    required = False

    def sub(m):
        nonlocal required
        if m.group(0) == "$$":
            return "$"
        if m.group(2):
            return ""
        mm = re.fullmatch(r"(\w+)(?:(:?-)(.*)|(:?\?)(.*))?", m.group(1), re.S)
        if mm is None:
            raise AssertionError("cannot interpolate ${%s}" % m.group(1))
        if mm.group(4) is not None:
            required = True
            return "<%s>" % mm.group(1)
        return mm.group(3) or ""

    return re.sub(r"\$\$|\$\{([^}]*)\}|\$(\w+)", sub, value), required


def resolved(value):
    """The string a container would see (required parts as <VAR>), or None when unset or empty."""
    text, required = interpolate(value)
    return text if (text or required) else None


def environment(service):
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, None) for item in env)
    return {k: resolved(v) for k, v in env.items()}


def command_binary(service):
    cmd = service.get("command") or []
    if isinstance(cmd, str):
        cmd = cmd.split()
    return cmd[0] if cmd else None


def suite_services(compose):
    """{compose service name: svc} for services whose command is a zt-<svc> binary with a services/<svc>/ config."""
    out = {}
    for name, service in compose["services"].items():
        binary = command_binary(service)
        if binary and os.path.basename(binary).startswith("zt-"):
            out[name] = os.path.basename(binary)[3:]
    return out


def port_value(name, env, settings):
    v = env.get(name)
    if v is None:
        v = (settings.get(name) or {}).get("default")
    return int(v) if v not in (None, "") else None


def container_ports(service):
    ports = set()
    for p in service.get("expose") or []:
        ports.add(int(str(p).split("/")[0]))
    for p in service.get("ports") or []:
        if isinstance(p, dict):
            ports.add(int(p["target"]))
        else:
            ports.add(int(str(p).split("/")[0].split(":")[-1]))
    return ports


class Context:
    def __init__(self, compose):
        self.compose = compose
        self.services = compose["services"]
        self.suite = suite_services(compose)
        self.settings = {}
        self.prefix = {}
        for name, svc in self.suite.items():
            if os.path.exists(os.path.join(REPO, "services", svc, "config.cc")):
                self.prefix[name], own = binary_settings(svc)
                self.settings[name] = {**own, **shared_settings(svc)}
        self.env = {name: environment(self.services[name]) for name in self.suite}

    def grpc_port(self, name):
        p = self.prefix[name]
        return port_value(p + "GRPC_PORT", self.env[name], self.settings[name])

    def env_ports(self, name):
        """The ports the service listens on, from its Port settings (compose value or binary default) and an optional
        port such as ZT_HEALTH_PORT (an Int, -1 for none) when set."""
        out = {}
        for var, s in self.settings[name].items():
            if s["getter"] == "Port":
                out[var] = port_value(var, self.env[name], self.settings[name])
            elif s["getter"] == "Int" and var.endswith("_PORT"):
                port = port_value(var, self.env[name], self.settings[name])
                if port is not None and port > 0:
                    out[var] = port
        return out


# ---------------------------------------------------------------------------------------------------------------
# Checks: each returns a list of problems
# ---------------------------------------------------------------------------------------------------------------
def check_env(ctx):
    problems = []
    # The six services, and the payment simulator standing in for the payment provider.
    expected = {"product", "order", "marketing", "user", "datahub", "gateway", "payment-simulator"}
    if set(ctx.suite.values()) != expected:
        problems.append("suite services in compose run %s, want one each of %s"
                        % (sorted(ctx.suite.values()), sorted(expected)))
    for name, svc in ctx.suite.items():
        if name not in ctx.settings:
            problems.append("%s: runs zt-%s but services/%s/config.cc does not exist" % (name, svc, svc))
            continue
        for var in ctx.env[name]:
            if var not in ctx.settings[name]:
                problems.append("%s: sets %s, which zt-%s never reads" % (name, var, svc))
    return problems


def check_required(ctx):
    problems = []
    pg = [n for n, s in ctx.services.items() if str(s.get("image", "")).startswith("postgres")]
    redis = [n for n, s in ctx.services.items() if str(s.get("image", "")).startswith("redis")]
    pg_env = environment(ctx.services[pg[0]]) if pg else {}
    init = ""
    if pg:
        for c in ctx.services[pg[0]].get("configs") or []:
            source = c["source"] if isinstance(c, dict) else c
            init += (ctx.compose.get("configs", {}).get(source) or {}).get("content", "")
    for name, svc in ctx.suite.items():
        if name not in ctx.settings:
            continue
        env = ctx.env[name]
        for var in sorted(required_settings(ctx.settings[name], env)):
            if env.get(var) is None:
                problems.append("%s: %s is required by zt-%s but not set" % (name, var, svc))
        if is_true(env.get(PLAINTEXT)) and env.get(TLS_DIR) is not None:
            problems.append("%s: sets both %s and %s=true, which zt-%s refuses" % (name, TLS_DIR, PLAINTEXT, svc))
        for var, value in env.items():
            if value is None:
                continue
            if var.endswith("_PG_DSN"):
                m = re.fullmatch(r"postgres(?:ql)?://([^:@/]+)(?::([^@]*))?@([^:/]+)(?::(\d+))?/(\w+)", value)
                if not m:
                    problems.append("%s: %s=%s is not postgresql://role:password@host:port/db" % (name, var, value))
                    continue
                role, password, host, port, db = m.groups()
                if host not in pg:
                    problems.append("%s: %s points at %s, not the compose PostgreSQL %s" % (name, var, host, pg))
                if (port or "5432") != "5432":
                    problems.append("%s: %s uses port %s, PostgreSQL listens on 5432" % (name, var, port))
                if role != svc or db != svc:
                    problems.append("%s: %s uses role %s database %s, want its own (%s)" % (name, var, role, db, svc))
                want = pg_env.get("%s_DB_PASSWORD" % svc.upper())
                if password != want:
                    problems.append("%s: %s password differs from what postgres creates the role with (%s_DB_PASSWORD)"
                                    % (name, var, svc.upper()))
                loop = re.search(r"for\s+name\s+in\s+([^;]+);", init)
                if not loop or svc not in loop.group(1).split():
                    problems.append("%s: the postgres init script does not create role and database %s" % (name, svc))
            if var.endswith("_REDIS_ADDR"):
                host, _, port = value.rpartition(":")
                if host not in redis or port != "6379":
                    problems.append("%s: %s=%s, want the compose Redis %s on 6379" % (name, var, value, redis))
    # Tokens: user signs with the private key, every process verifies with the one public key.
    keys = {ctx.services[n]["environment"].get(PUBLIC_KEY) for n in ctx.suite
            if PUBLIC_KEY in (ctx.services[n].get("environment") or {})}
    if len(keys) > 1:
        problems.append("%s differs between services (tokens from user would not verify): %s" % (PUBLIC_KEY, sorted(keys)))
    for name, service in ctx.services.items():
        raw = service.get("environment") or {}
        for var in (PUBLIC_KEY, SIGNING_KEY):
            if var in raw and not interpolate(raw[var])[1]:
                problems.append("%s: %s is written into compose.yaml; take it from ${%s:?..}" % (name, var, var))
        if SIGNING_KEY in raw and ctx.suite.get(name) != "user":
            problems.append("%s: has %s; only the user service may hold the key that signs access tokens"
                            % (name, SIGNING_KEY))
    # One transport: a plaintext client cannot call a TLS server, nor the reverse.
    # (Among the gRPC processes: the payment simulator speaks plain HTTP, as a provider outside the suite would.)
    modes = {n: "plaintext" if is_true(ctx.env[n].get(PLAINTEXT)) else "TLS" for n in ctx.suite
             if n in ctx.settings and ctx.prefix[n] + "GRPC_PORT" in ctx.settings[n] or ctx.suite[n] == "gateway"}
    if len(set(modes.values())) > 1:
        problems.append("services mix development plaintext and TLS: %s" % sorted(modes.items()))
    for name in ctx.suite:
        env = ctx.env[name]
        pairs = [("ZT_USER_ADMIN_LOGIN", "ZT_USER_ADMIN_PASSWORD")]
        for a, b in pairs:
            if (a in ctx.settings.get(name, {})) and ((env.get(a) is None) != (env.get(b) is None)):
                problems.append("%s: %s and %s must be set together" % (name, a, b))
    return problems


def check_upstreams(ctx):
    problems = []
    for name, svc in ctx.suite.items():
        if name not in ctx.settings:
            continue
        deps = ctx.services[name].get("depends_on") or {}
        if isinstance(deps, list):
            problems.append("%s: depends_on without conditions" % name)
            deps = {d: {} for d in deps}
        for dep, spec in deps.items():
            if dep not in ctx.services:
                problems.append("%s: depends_on %s, which is not a compose service" % (name, dep))
            elif (spec or {}).get("condition") != "service_healthy":
                problems.append("%s: depends_on %s without condition service_healthy" % (name, dep))
            elif not ctx.services[dep].get("healthcheck"):
                problems.append("%s: depends_on %s being healthy, but %s has no healthcheck" % (name, dep, dep))
        for var, value in ctx.env[name].items():
            if not var.endswith("_ADDR") or value is None:
                continue
            if var.endswith("_REDIS_ADDR"):
                if value.rpartition(":")[0] not in deps:
                    problems.append("%s: uses Redis %s but does not depend on it" % (name, value))
                continue
            target = value[len("dns:///"):] if value.startswith("dns:///") else value
            host, _, port = target.rpartition(":")
            if host not in ctx.suite:
                problems.append("%s: %s=%s names no compose suite service" % (name, var, value))
                continue
            want = ctx.grpc_port(host)
            if str(want) != port:
                problems.append("%s: %s=%s but %s listens on gRPC port %s" % (name, var, value, host, want))
            upstream = var[len(ctx.prefix[name]):-len("_ADDR")].lower()
            if upstream != ctx.suite[host]:
                problems.append("%s: %s points at %s, which runs zt-%s" % (name, var, host, ctx.suite[host]))
            # x-calls-later lists upstreams called only from background work that retries (a dependency on them
            # would close a start-up cycle, e.g. user's data export calling order, which calls user at checkout).
            if host not in deps and host not in (ctx.services[name].get("x-calls-later") or []):
                problems.append("%s: calls %s but does not depend on it" % (name, host))
        if any(v.endswith("_PG_DSN") for v in ctx.env[name]):
            host = re.search(r"@([^:/]+)", ctx.env[name][ctx.prefix[name] + "PG_DSN"] or "@?")
            if host and host.group(1) not in deps:
                problems.append("%s: uses PostgreSQL but does not depend on it" % name)
    return problems


def check_ports(ctx):
    problems = []
    for name in ctx.suite:
        if name not in ctx.settings:
            continue
        ports = ctx.env_ports(name)
        listening = set(ports.values())
        declared = container_ports(ctx.services[name])
        for var, port in sorted(ports.items()):
            if port not in declared:
                problems.append("%s: listens on %s=%s but neither exposes nor publishes it" % (name, var, port))
        for port in sorted(declared - listening):
            problems.append("%s: exposes/publishes container port %s, which no *_PORT setting opens" % (name, port))
        for var, s in sorted(ctx.settings[name].items()):
            if var.endswith("_ADDRESS") and s["getter"] == "String":
                value = ctx.env[name].get(var) or s["default"]
                if value not in ("0.0.0.0", "::", "[::]"):
                    problems.append("%s: %s=%s: the other containers (and the published ports) reach it on its "
                                    "network address, not loopback; set 0.0.0.0" % (name, var, value))
    return problems


def dockerfile_binaries():
    """(install dir, binaries) of the final stage: what `COPY --from=<stage> /out/ DIR` brings from the build."""
    text = open(DOCKERFILE).read().replace("\\\n", " ")
    stages = re.split(r"(?m)^FROM\s+", text)[1:]
    if len(stages) < 2:
        raise AssertionError("Dockerfile: want a multi-stage build")
    build, final = stages[-2], stages[-1]
    m = re.search(r"(?m)^COPY\s+--from=\S+\s+(\S+)\s+(\S+)", final)
    if not m:
        raise AssertionError("Dockerfile: the final stage copies nothing from the build stage")
    src_dir, dest = m.group(1).rstrip("/"), m.group(2).rstrip("/")
    binaries = set()
    # for s in a b c; do cp /build/services/$s/zt-$s /out/; done
    for loop in re.finditer(r"for\s+(\w+)\s+in\s+([^;]+);\s*do\s+cp\s+(\S+)\s+%s/?\s*;" % re.escape(src_dir), build):
        var, values, source = loop.groups()
        for v in values.split():
            binaries.add(os.path.basename(source.replace("$" + var, v).replace("${%s}" % var, v)))
    for cp in re.finditer(r"\bcp\s+(/[^\s$]+)\s+%s/?(?:\s|$)" % re.escape(src_dir), build):
        binaries.add(os.path.basename(cp.group(1)))
    targets = set(re.findall(r"\bzt-[a-z-]+", " ".join(re.findall(r"ninja\s+-C\s+\S+\s+([^&]+)", build))))
    if "zt-services" in targets:
        targets |= aggregate_executables()
    return dest, binaries, targets, final


def aggregate_executables():
    """The executables the CMake target zt-services builds: services/CMakeLists.txt adds zt-<name> for each name of
    the foreach loop around add_dependencies(zt-services ...)."""
    text = open(os.path.join(REPO, "services", "CMakeLists.txt")).read()
    m = re.search(r"foreach\(\s*(\w+)\s+([^)]*)\)\s*if\(TARGET zt-\$\{\1\}\)\s*add_dependencies\(zt-services zt-\$\{\1\}\)",
                  text)
    if not m:
        raise AssertionError("services/CMakeLists.txt: cannot find what the zt-services target depends on")
    # ... and those it names one by one (the payment simulator).
    single = set(re.findall(r"add_dependencies\(zt-services (zt-[a-z-]+)\)", text))
    return {"zt-" + name for name in m.group(2).split()} | single


def check_commands(ctx):
    problems = []
    dest, binaries, targets, final = dockerfile_binaries()
    image = {ctx.services[n].get("image") for n in ctx.suite}
    if len(image) != 1 or None in image:
        problems.append("suite services should share one image, found %s" % sorted(map(str, image)))
    builds = [n for n in ctx.suite if ctx.services[n].get("build")]
    for n in builds:
        b = ctx.services[n]["build"]
        context = os.path.normpath(os.path.join(DEPLOY, b.get("context", ".")))
        if os.path.normpath(os.path.join(context, b.get("dockerfile", "Dockerfile"))) != DOCKERFILE:
            problems.append("%s: builds %s, not deploy/docker/Dockerfile" % (n, b))
        if context != REPO:
            problems.append("%s: build context %s, the Dockerfile copies from the repository root" % (n, context))
    if not builds:
        problems.append("no suite service builds the image from deploy/docker/Dockerfile")
    for name, svc in ctx.suite.items():
        binary = command_binary(ctx.services[name])
        if os.path.basename(binary) not in binaries:
            problems.append("%s: command %s, but the image installs only %s" % (name, binary, sorted(binaries)))
        elif "/" in binary and os.path.dirname(binary) != dest:
            problems.append("%s: command %s, but binaries are installed in %s" % (name, binary, dest))
        if os.path.basename(binary) in binaries and os.path.basename(binary) not in targets:
            problems.append("%s: %s is copied but never built (ninja targets %s)" % (name, binary, sorted(targets)))
        cmake = os.path.join(REPO, "services", svc, "CMakeLists.txt")
        # zt_add_service(<svc> ...) (cmake/zt_service.cmake) defines zt-<svc>; the gateway still adds its own.
        defines = r"(?:add_executable\(\s*zt-%s|zt_add_service\(\s*%s)\b" % (svc, svc)
        if not os.path.exists(cmake) or not re.search(defines, open(cmake).read()):
            problems.append("%s: services/%s/CMakeLists.txt defines no zt-%s executable" % (name, svc, svc))
    user = re.findall(r"(?m)^USER\s+(\S+)", final)
    if not user or user[-1].split(":")[0] in ("root", "0"):
        problems.append("Dockerfile: the runtime stage must run as a non-root USER")
    return problems


def check_health(ctx):
    problems = []
    _, binaries, _, _ = dockerfile_binaries()
    for name in ctx.suite:
        if name not in ctx.settings:
            continue
        hc = ctx.services[name].get("healthcheck") or {}
        test = hc.get("test")
        if not test or hc.get("disable"):
            problems.append("%s: no healthcheck" % name)
            continue
        if isinstance(test, str):
            test = ["CMD-SHELL", test]
        words = " ".join(str(t) for t in test[1:])
        prefix = ctx.prefix[name]
        grpc = ctx.grpc_port(name) if prefix + "GRPC_PORT" in ctx.settings[name] else None
        if grpc is not None:
            if test[1] not in binaries and os.path.basename(test[1]) not in binaries:
                problems.append("%s: healthcheck runs %s, which the image does not install" % (name, test[1]))
            # zt-health-probe speaks plaintext: with TLS on, only the plaintext health port (ZT_HEALTH_PORT) answers it.
            health = ctx.env_ports(name).get("ZT_HEALTH_PORT")
            port, what = (grpc, "gRPC port") if is_true(ctx.env[name].get(PLAINTEXT)) else (health, "plaintext health port")
            if port is None:
                problems.append("%s: runs TLS, so its healthcheck needs ZT_HEALTH_PORT (plaintext grpc.health.v1)" % name)
            elif not re.search(r"\b(?:127\.0\.0\.1|localhost):%d\b" % port, words):
                problems.append("%s: healthcheck %s does not probe its own %s %d" % (name, words, what, port))
        else:
            http = port_value(prefix + "HTTP_PORT", ctx.env[name], ctx.settings[name])
            if not (re.search(r"(?:127\.0\.0\.1|localhost)[:/]%d\b" % http, words) and "/healthz" in words):
                problems.append("%s: healthcheck %s does not GET /healthz on its HTTP port %s" % (name, words, http))
    return problems


def check_prometheus(ctx):
    problems = []
    prom = [n for n, s in ctx.services.items() if "prometheus" in str(s.get("image", ""))]
    if len(prom) != 1:
        return ["want one prometheus service, found %s" % prom]
    service = ctx.services[prom[0]]
    config_path = "/etc/prometheus/prometheus.yml"
    for arg in service.get("command") or []:
        if str(arg).startswith("--config.file="):
            config_path = str(arg).split("=", 1)[1]
    mounts = {}
    for v in service.get("volumes") or []:
        parts = str(v).split(":")
        if len(parts) >= 2 and parts[0].startswith("."):
            mounts[parts[1].rstrip("/")] = os.path.normpath(os.path.join(DEPLOY, parts[0]))
    if config_path not in mounts or not os.path.isfile(mounts[config_path]):
        return ["%s: no existing file mounted at its config %s" % (prom[0], config_path)]
    config = yaml.safe_load(open(mounts[config_path]))
    for pattern in config.get("rule_files") or []:
        directory = os.path.dirname(pattern).rstrip("/")
        host = mounts.get(directory)
        if host is None or not os.path.isdir(host):
            problems.append("%s: rule_files %s is not a mounted directory" % (prom[0], pattern))
        elif os.path.normpath(host) != os.path.join(DEPLOY, "prometheus", "rules"):
            problems.append("%s: rules come from %s, not deploy/prometheus/rules" % (prom[0], host))
        elif not [f for f in os.listdir(host) if f.endswith(".yml")]:
            problems.append("%s: %s holds no rule files" % (prom[0], host))
    if not config.get("rule_files"):
        problems.append("%s: loads no rule files" % prom[0])
    jobs = {}
    for job in config.get("scrape_configs") or []:
        for sc in job.get("static_configs") or []:
            for target in sc.get("targets") or []:
                jobs[target] = job["job_name"]
    want = {}
    for name in ctx.suite:
        if name in ctx.settings and ctx.prefix[name] + "METRICS_PORT" in ctx.settings[name]:
            metrics = port_value(ctx.prefix[name] + "METRICS_PORT", ctx.env[name], ctx.settings[name])
            want["%s:%s" % (name, metrics)] = name
    for target, name in sorted(want.items()):
        if target not in jobs:
            problems.append("prometheus does not scrape %s (the metrics port of %s)" % (target, name))
        elif jobs[target] != name:
            problems.append("prometheus scrapes %s as job %s; rules and dashboards expect job %s"
                            % (target, jobs[target], name))
    for target in sorted(set(jobs) - set(want)):
        problems.append("prometheus scrapes %s, which is no service's metrics port" % target)
    if prom[0] in ctx.suite or not any(p for p in container_ports(service)):
        problems.append("%s: publishes no port for its UI" % prom[0])
    return problems


def tracked_files():
    out = subprocess.run(["git", "-C", REPO, "ls-files", "-z"], capture_output=True, text=True)
    if out.returncode != 0:
        raise AssertionError("git ls-files: %s" % out.stderr.strip())
    return [f for f in out.stdout.split("\0") if f]


def dockerignore_excludes(patterns, path):
    """Whether .dockerignore patterns leave path out of the build context (last matching pattern wins; a pattern
    matching a folder leaves out everything under it; ** spans folders)."""
    excluded = False
    for raw in patterns:
        negate = raw.startswith("!")
        pattern = os.path.normpath(raw[1:] if negate else raw).lstrip("/")
        regex = re.escape(pattern).replace(r"\*\*", "\0").replace(r"\*", "[^/]*").replace(r"\?", "[^/]")
        regex = regex.replace("\0/", "(?:.*/)?").replace("\0", ".*")
        parts = path.split("/")
        if any(re.fullmatch(regex, "/".join(parts[:i])) for i in range(1, len(parts) + 1)):
            excluded = not negate
    return excluded


def dockerignore_patterns(dockerignore):
    return [line.strip() for line in dockerignore.splitlines() if line.strip() and not line.startswith("#")]


def dockerfile_copy_problems(dockerfile, dockerignore, tracked):
    """COPY/ADD sources (not --from a stage) that are not in the repository or that .dockerignore leaves out."""
    problems = []
    patterns = dockerignore_patterns(dockerignore)
    text = dockerfile.replace("\\\n", " ")
    for m in re.finditer(r"(?im)^(COPY|ADD)\s+(.*)$", text):
        args = m.group(2).strip()
        flags = re.findall(r"--(\w+)(?:=\S*)?\s*", args)
        args = re.sub(r"^(?:--\S+\s+)*", "", args)
        if "from" in flags:
            continue
        words = json.loads(args) if args.startswith("[") else args.split()
        if len(words) < 2:
            problems.append("Dockerfile: %s %s names no source and destination" % (m.group(1), args))
            continue
        for source in words[:-1]:
            src = os.path.normpath(source).lstrip("/")
            present = [f for f in tracked if src == "." or fnmatch.fnmatchcase(f, src) or
                       any(fnmatch.fnmatchcase("/".join(f.split("/")[:i]), src) for i in range(1, f.count("/") + 1))]
            if not present:
                problems.append("Dockerfile: %s %s: no file or folder %s in the repository" % (m.group(1), args, source))
            elif all(dockerignore_excludes(patterns, f) for f in present):
                problems.append("Dockerfile: %s %s: .dockerignore leaves %s out of the build context"
                                % (m.group(1), args, source))
    return problems


def check_copy(ctx):
    if not os.path.exists(DOCKERIGNORE):
        return [".dockerignore is missing: the build context would carry build folders, .state and node_modules"]
    ignore = open(DOCKERIGNORE).read()
    problems = dockerfile_copy_problems(open(DOCKERFILE).read(), ignore, tracked_files())
    for local in ("build", "build-bench", ".state", "node_modules", ".git"):
        if not dockerignore_excludes(dockerignore_patterns(ignore), local):
            problems.append(".dockerignore does not leave out %s" % local)
    return problems


# ---------------------------------------------------------------------------------------------------------------
def run_checks(compose, names):
    ctx = Context(compose)
    problems = []
    for n in names:
        problems += ["[%s] %s" % (n, p) for p in CHECKS[n](ctx)]
    return problems


def check_selftest(ctx):
    """Each mutation of the real compose file must be caught by the named check."""
    base = ctx.compose
    svc = lambda c, n: c["services"][n]  # noqa: E731

    def env(c, n):
        return svc(c, n)["environment"]

    mutations = [
        ("env", "unknown variable", lambda c: env(c, "order").__setitem__("ZT_ORDER_PRODUCT_ADDRESS", "product:50051")),
        ("env", "other service's variable", lambda c: env(c, "marketing").__setitem__("ZT_MARKETING_PAYMENT_TIMEOUT",
                                                                                       "15m")),
        ("required", "missing DSN", lambda c: env(c, "order").pop("ZT_ORDER_PG_DSN")),
        ("required", "missing token public key", lambda c: env(c, "gateway").pop("ZT_AUTH_PUBLIC_KEY")),
        ("required", "user without its signing key", lambda c: env(c, "user").pop("ZT_AUTH_SIGNING_KEY")),
        ("required", "signing key outside the user service", lambda c: env(c, "gateway").__setitem__(
            "ZT_AUTH_SIGNING_KEY", env(c, "user")["ZT_AUTH_SIGNING_KEY"])),
        ("required", "another public key for one service", lambda c: env(c, "order").__setitem__(
            "ZT_AUTH_PUBLIC_KEY", "${ZT_ORDER_PUBLIC_KEY:?set it}")),
        ("required", "token key written into the file", lambda c: env(c, "user").__setitem__(
            "ZT_AUTH_SIGNING_KEY", "c2VjcmV0LXNlZWQtb2YtMzItYnl0ZXMtMDEyMzQ1Njc=")),
        ("required", "neither TLS nor development plaintext", lambda c: env(c, "marketing").pop("ZT_DEV_PLAINTEXT")),
        ("required", "one service on TLS, the others plaintext", lambda c: (
            env(c, "product").pop("ZT_DEV_PLAINTEXT"), env(c, "product").__setitem__("ZT_TLS_DIR", "/run/tls"))),
        ("required", "missing upstream", lambda c: env(c, "gateway").pop("ZT_GATEWAY_DATAHUB_ADDR")),
        ("required", "shared role", lambda c: env(c, "order").__setitem__(
            "ZT_ORDER_PG_DSN", env(c, "product")["ZT_PRODUCT_PG_DSN"])),
        ("upstreams", "wrong port", lambda c: env(c, "gateway").__setitem__("ZT_GATEWAY_USER_ADDR", "user:50051")),
        ("upstreams", "unknown host", lambda c: env(c, "order").__setitem__("ZT_ORDER_PRODUCT_ADDR", "products:50051")),
        ("upstreams", "no depends_on", lambda c: svc(c, "gateway")["depends_on"].pop("order")),
        ("ports", "port moved", lambda c: env(c, "order").__setitem__("ZT_ORDER_GRPC_PORT", "50060")),
        ("ports", "binds loopback (the default)", lambda c: env(c, "datahub").pop("ZT_BIND_ADDRESS")),
        ("ports", "gateway HTTP on loopback", lambda c: env(c, "gateway").__setitem__("ZT_GATEWAY_HTTP_ADDRESS",
                                                                                       "127.0.0.1")),
        ("ports", "health port not exposed", lambda c: env(c, "user").__setitem__("ZT_HEALTH_PORT", "8081")),
        ("commands", "unknown binary", lambda c: svc(c, "order").__setitem__("command", ["/usr/local/bin/zt-orders"])),
        ("health", "probes another port", lambda c: svc(c, "user")["healthcheck"].__setitem__(
            "test", ["CMD", "zt-health-probe", "127.0.0.1:50051"])),
        ("health", "TLS on, probe still on the gRPC port", lambda c: (
            [env(c, n).pop("ZT_DEV_PLAINTEXT") for n in ("product", "order", "marketing", "user", "datahub", "gateway")],
            [env(c, n).__setitem__("ZT_TLS_DIR", "/run/tls") for n in ("product", "order", "marketing", "user",
                                                                       "datahub", "gateway")])),
        ("prometheus", "metrics port moved", lambda c: env(c, "datahub").__setitem__("ZT_DATAHUB_METRICS_PORT", "9200")),
    ]
    problems = []
    # The Dockerfile and .dockerignore: a COPY of a missing folder, or of one the context leaves out, is caught.
    dockerfile, tracked = open(DOCKERFILE).read(), tracked_files()
    ignore = open(DOCKERIGNORE).read() if os.path.exists(DOCKERIGNORE) else ""
    found = len(dockerfile_copy_problems(dockerfile, ignore, tracked))
    copy_protos = "COPY protos/ protos/"
    for what, text, ign in [
            ("COPY of a missing folder", dockerfile.replace(copy_protos, copy_protos + "\nCOPY no-such-folder/ x/"), ignore),
            ("COPY of a missing file among several", dockerfile.replace(copy_protos, "COPY protos/ no.txt /x/"), ignore),
            ("COPY of a folder .dockerignore leaves out", dockerfile, ignore + "\nprotos\n")]:
        if text == dockerfile and ign == ignore:
            problems.append("selftest %s: the Dockerfile has no COPY protos/ protos/ to mutate" % what)
        elif len(dockerfile_copy_problems(text, ign, tracked)) <= found:
            problems.append("selftest: check copy did not notice: %s" % what)
    for check, what, mutate in mutations:
        broken = copy.deepcopy(base)
        try:
            mutate(broken)
        except KeyError as e:
            problems.append("selftest %s: compose.yaml lacks %s to mutate" % (what, e))
            continue
        if not run_checks(broken, [check]):
            problems.append("selftest: check %s did not notice: %s" % (check, what))
    return problems


CHECKS = {
    "env": check_env,
    "required": check_required,
    "upstreams": check_upstreams,
    "ports": check_ports,
    "commands": check_commands,
    "health": check_health,
    "prometheus": check_prometheus,
    "copy": check_copy,
    "selftest": check_selftest,
}


def main(argv):
    names = argv[1:] or list(CHECKS)
    unknown = [n for n in names if n not in CHECKS]
    if unknown:
        print("unknown checks %s; known: %s" % (unknown, list(CHECKS)), file=sys.stderr)
        return 2
    compose = yaml.safe_load(open(COMPOSE))
    problems = run_checks(compose, names)
    for p in problems:
        print("FAIL " + p)
    if not problems:
        ctx = Context(compose)
        print("ok: %s for %s" % (", ".join(names), ", ".join("%s (%d settings)" % (n, len(ctx.settings[n]))
                                                                for n in ctx.suite)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
