"""The faults the scenario driver (crash_scenario_test.py) injects into a local stack (deploy/stack.sh), one at a time
or together. Each fault has begin() (inject; returns the moment the fault began) and heal() (end it; returns the
moment it ended, the start of its recovery time). Only loopback addresses and the test's own stores are touched.

    kill:NAME             SIGKILL of a service, the gateway or payment-simulator, started again at once (stack.sh kill)
    pg-restart            the stack's PostgreSQL stopped (fast: every session ended) and started again 2 s later
    netem                 200 ms added latency one way and 1% of chunks lost (held for a retransmission timeout) plus
                          0.1% reset, on every gRPC connection from the gateway to the services and from the order
                          service to product, marketing and user (fault_proxy.py, routed at setup)
    clock:NAME:SECONDS    the domain clock of one service (order, marketing) jumps by SECONDS, and back at the end
    saturate:NAME         the service's hottest table locked (its workers block on it) and a burst of 320 concurrent
                          requests sent: it must shed load (RESOURCE_EXHAUSTED/UNAVAILABLE) quickly, hang nowhere, and
                          serve again once the lock goes
    combined:F,F,...      several at once (durable ones for the whole phase, instant ones spread over it)
"""
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
NETEM = {"latency_ms": float(os.environ.get("ZT_RELIABILITY_LATENCY_MS", "200")),
         "loss": float(os.environ.get("ZT_RELIABILITY_LOSS", "0.01")),
         "reset": float(os.environ.get("ZT_RELIABILITY_RESET", "0.001"))}
# The table whose lock saturates a service, and a request that reaches it through the gateway.
SATURATE_TABLE = {"product": "stock", "order": "orders", "marketing": "coupon_templates", "user": "users"}


class FaultError(Exception):
    pass


def run(args, timeout=120):
    done = subprocess.run(args, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise FaultError(f"{' '.join(args[:3])}... exited {done.returncode}: {done.stderr.strip()[-400:]}")
    return done.stdout


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def settings(state):
    """The stack's saved settings (run/settings.env, `declare -x NAME="value"` lines)."""
    out = {}
    with open(os.path.join(state, "run", "settings.env")) as f:
        for line in f:
            m = re.match(r'declare -x (ZT_\w+)="(.*)"$', line.strip())
            if m:
                out[m.group(1)] = m.group(2)
    return out


def stack(state, verb, name):
    """stack.sh restart|kill; returns (the moment the signal was sent, the moment the process listened again)."""
    began = time.time()
    out = run([os.path.join(REPO, "deploy", "stack.sh"), verb, state, name], timeout=90)
    for line in out.splitlines():
        if line.startswith("sent SIG"):
            began = float(line.rsplit(" ", 1)[1])
    return began, time.time()


class Proxy:
    """fault_proxy.py between the gateway and the services and between the order service and its callees. Set up
    once (a graceful restart of the gateway and the order service with their addresses pointing at it, in pass-through
    mode), switched on and off by its control file, and taken away at the end (another restart)."""

    CALLERS = {"gateway": {"PRODUCT": "product", "ORDER": "order", "MARKETING": "marketing", "USER": "user",
                           "DATAHUB": "datahub"},
               "order": {"PRODUCT": "product", "MARKETING": "marketing", "USER": "user"}}

    def __init__(self, state):
        self.state = state
        self.control = os.path.join(state, "run", "fault-proxy.json")
        self.process = None

    def set(self, settings_):
        tmp = self.control + ".tmp"
        with open(tmp, "w") as f:
            json.dump(settings_, f)
        os.replace(tmp, self.control)
        time.sleep(0.3)  # read again every 0.2 s

    def stats(self):
        try:
            with open(self.control + ".stats") as f:
                return json.load(f)
        except (OSError, ValueError):
            return {}

    def setup(self):
        env = settings(self.state)
        self.set({})
        routes, listen = [], {}
        for service in ("product", "order", "marketing", "user", "datahub"):
            target = env[f"ZT_GATEWAY_{service.upper()}_ADDR"]
            listen[service] = free_port()
            routes += ["--route", f"{listen[service]}={target}"]
        self.process = subprocess.Popen([sys.executable, os.path.join(HERE, "fault_proxy.py"),
                                         "--control", self.control] + routes,
                                        stdout=subprocess.PIPE, text=True)
        if self.process.stdout.readline().strip() != "ready":
            raise FaultError("fault_proxy.py did not start")
        for caller, callees in self.CALLERS.items():
            with open(os.path.join(self.state, "run", f"{caller}.override.env"), "w") as f:
                for upper, service in callees.items():
                    f.write(f"export ZT_{caller.upper()}_{upper}_ADDR=127.0.0.1:{listen[service]}\n")
            stack(self.state, "restart", caller)

    def teardown(self):
        for caller in self.CALLERS:
            path = os.path.join(self.state, "run", f"{caller}.override.env")
            if os.path.exists(path):
                os.remove(path)
                stack(self.state, "restart", caller)
        if self.process:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


class Fault:
    instant = False  # an instant fault (a kill, a restart) heals by itself; a durable one lasts until heal()

    def begin(self):
        raise NotImplementedError

    def heal(self):
        return time.time()

    def notes(self):
        return ""


class Kill(Fault):
    instant = True

    def __init__(self, state, name):
        self.state, self.name = state, name
        self.label = f"kill -9 {name}"
        self.listening = None
        self.began = None

    def begin(self):
        began, back = stack(self.state, "kill", self.name)
        self.began, self.listening = began, back - began
        return began

    def notes(self):
        return f"back listening after {self.listening:.2f} s" if self.listening is not None else ""


class PgRestart(Fault):
    """The stack's own PostgreSQL (tests/harness/stores.sh under STATE/stores): a fast stop ends every session (as
    an upgrade or a failover does), 2 s without a database, then a start with the same options (port included)."""
    instant = True
    label = "PostgreSQL restart"

    def __init__(self, state, down_seconds=2.0):
        self.data = os.path.join(state, "stores", "pg")
        self.log = os.path.join(state, "stores", "pg.log")  # else the server writes to our pipe and keeps it open
        self.down_seconds = down_seconds
        self.took = None

    def pg_ctl(self, *args):
        cmd = ["/usr/lib/postgresql/15/bin/pg_ctl", "-D", self.data] + list(args)
        if os.getuid() == 0:
            cmd = ["runuser", "-u", "postgres", "--"] + cmd
        return subprocess.run(cmd, capture_output=True, text=True, timeout=90, cwd="/")

    def begin(self):
        began = time.time()
        stopped = self.pg_ctl("-m", "fast", "-w", "stop")
        if stopped.returncode != 0:
            raise FaultError(f"pg_ctl stop: {stopped.stderr.strip()}")
        time.sleep(self.down_seconds)
        # restart of a stopped server starts it with the options it last ran with (postmaster.opts: the same port)
        started = self.pg_ctl("-l", self.log, "-w", "-t", "60", "restart")
        if "server started" not in started.stdout:
            raise FaultError(f"pg_ctl restart: {started.stdout.strip()} {started.stderr.strip()}")
        self.took = time.time() - began
        return began

    def notes(self):
        return f"database back after {self.took:.2f} s" if self.took is not None else ""


class Netem(Fault):
    def __init__(self, proxy):
        self.proxy = proxy
        self.label = (f"latency {NETEM['latency_ms']:.0f} ms + {NETEM['loss'] * 100:g}% loss "
                      f"+ {NETEM['reset'] * 100:g}% reset")
        self.before = {}
        self.during = {}

    def begin(self):
        self.before = self.proxy.stats()
        self.proxy.set(NETEM)
        return time.time()

    def heal(self):
        self.proxy.set({})
        time.sleep(1.1)  # stats written every second
        self.during = self.proxy.stats()
        return time.time()

    def notes(self):
        d = {k: self.during.get(k, 0) - self.before.get(k, 0)
             for k in ("connections", "chunks", "lost", "resets", "broken")}
        return (f"proxy: {d['connections']} new connections, {d['chunks']} chunks, {d['lost']} held as lost, "
                f"{d['resets']} connections reset, {d['broken']} broken otherwise")


class ClockJump(Fault):
    def __init__(self, state, name, seconds):
        self.path = os.path.join(state, "run", f"{name}.clock-offset")
        self.seconds = seconds
        self.label = f"clock {name} {seconds:+g} s"

    def write(self, seconds):
        with open(self.path + ".tmp", "w") as f:
            f.write(f"{seconds}\n")
        os.replace(self.path + ".tmp", self.path)

    def begin(self):
        self.write(self.seconds)
        return time.time()

    def heal(self):
        self.write(0)  # and back: a jump the other way
        time.sleep(0.3)
        return time.time()


class Saturate(Fault):
    """Locks the service's hottest table from a superuser session, so every call that reads it holds a worker (and a
    database connection) until the lock goes; then sends a burst of concurrent requests that reach it. The service's
    bounded worker pool must refuse what it cannot take at once (RESOURCE_EXHAUSTED, 429 OVERLOADED) rather than
    queue it, nothing may hang past the gateway's upstream deadline, and it must serve again once the lock goes."""
    BURST = int(os.environ.get("ZT_RELIABILITY_BURST", "320"))

    def __init__(self, pg_dsn, name, burst_call):
        self.dsn = pg_dsn.rsplit("/", 1)[0] + "/" + name
        self.name = name
        self.table = SATURATE_TABLE[name]
        self.burst_call = burst_call  # () -> (status, reason); one request that reaches the table
        self.label = f"full worker pool {name}"
        self.locker = None
        self.burst = []

    def begin(self):
        self.locker = subprocess.Popen(["psql", "-q", "-v", "ON_ERROR_STOP=1", self.dsn],
                                       stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                       text=True)
        self.locker.stdin.write(f"BEGIN; LOCK TABLE {self.table} IN ACCESS EXCLUSIVE MODE;\n"
                                "SELECT 'locked';\n")
        self.locker.stdin.flush()
        began = time.time()
        time.sleep(0.5)
        lock = threading.Lock()
        results = []

        def one():
            start = time.time()
            status, reason = self.burst_call()
            with lock:
                results.append((status, reason, time.time() - start))

        threads = [threading.Thread(target=one, daemon=True) for _ in range(self.BURST)]
        for t in threads:
            t.start()
        self.threads = threads
        self.results = results
        return began

    def heal(self):
        deadline = time.time() + 40
        for t in self.threads:
            t.join(timeout=max(0.0, deadline - time.time()))
        self.locker.stdin.write("COMMIT;\n")
        self.locker.stdin.close()
        self.locker.wait(timeout=30)
        self.burst = list(self.results)
        return time.time()

    def notes(self):
        if not self.burst:
            return ""
        by = {}
        for status, reason, _ in self.burst:
            key = f"{status} {reason}".strip()
            by[key] = by.get(key, 0) + 1
        slowest = max(s for _, _, s in self.burst)
        shed = [s for status, _, s in self.burst if status in (429, 503)]
        quick = f", refused in at most {max(shed):.2f} s" if shed else ""
        return (f"burst of {len(self.burst)}: " + ", ".join(f"{k}: {v}" for k, v in sorted(by.items()))
                + f"; slowest answer {slowest:.2f} s{quick}")


class Combined(Fault):
    def __init__(self, parts):
        self.parts = parts
        self.label = "combined: " + " + ".join(p.label for p in parts)

    def begin(self):
        began = time.time()
        for p in self.parts:
            if not p.instant:
                p.begin()
        return began

    def during(self, seconds):
        """The instant faults spread over the phase."""
        instants = [p for p in self.parts if p.instant]
        gap = seconds / (len(instants) + 1)
        for p in instants:
            time.sleep(gap)
            p.begin()
        time.sleep(gap)

    def heal(self):
        for p in self.parts:
            if not p.instant:
                p.heal()
        return time.time()

    def notes(self):
        return "; ".join(n for n in (p.notes() for p in self.parts) if n)


def parse(spec, state, pg_dsn, proxy, burst_call):
    """One fault from its name (see the module's doc)."""
    if spec.startswith("combined:"):
        return Combined([parse(part, state, pg_dsn, proxy, burst_call) for part in spec[len("combined:"):].split(",")])
    if spec.startswith("kill:"):
        return Kill(state, spec[len("kill:"):])
    if spec == "pg-restart":
        return PgRestart(state)
    if spec == "netem":
        return Netem(proxy)
    if spec.startswith("clock:"):
        _, name, seconds = spec.split(":")
        return ClockJump(state, name, float(seconds))
    if spec.startswith("saturate:"):
        return Saturate(pg_dsn, spec[len("saturate:"):], burst_call)
    raise FaultError(f"unknown fault {spec!r}")


def needs_proxy(specs):
    return any("netem" in s for s in specs)
