"""B7 (bench/run.py's b7) on a stack of only what B7 touches: PostgreSQL, Redis, zt-product and zt-gateway, for when
the other services are not built (on the shared machine they could not be, in time, on 2026-12-04; B7 calls none of them).
usage: bench/b7_only.py REPO PRODUCT_BIN GATEWAY_BIN LOADGEN_BIN STATE TAG [ZT_GATEWAY_CATALOGUE_CACHE_TTL]
B7_COMMIT=... labels the binaries in the report (default: the commit of REPO)."""
import importlib.util, json, os, signal, subprocess, sys, time, datetime, types, urllib.request, socket

repo, product_bin, gateway_bin, loadgen, state, tag = sys.argv[1:7]
ttl = sys.argv[7] if len(sys.argv) > 7 else None
spec = importlib.util.spec_from_file_location("run", f"{repo}/bench/run.py")
run = importlib.util.module_from_spec(spec); spec.loader.exec_module(run)

def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p

subprocess.run(["rm", "-rf", state]); os.makedirs(state + "/logs")
out = subprocess.run([f"{repo}/tests/harness/stores.sh", "start", f"{state}/stores"], check=True, capture_output=True, text=True).stdout
env_s = dict(l.split("=", 1) for l in out.replace("export ", "").split("\n") if "=" in l)
pg = env_s["ZT_TEST_PG_DSN"].strip('"'); redis = env_s["ZT_TEST_REDIS_ADDR"].strip('"')
subprocess.run(["psql", "-XAtq", pg, "-c", "CREATE DATABASE product"], check=True)
subprocess.run([f"{repo}/deploy/tls/make-credentials.sh", f"{state}/tls", "product", "gateway"], check=True)
pub = open(f"{state}/tls/token.public-key").read().strip()
grpc, http = free_port(), free_port()
env = dict(os.environ, ZT_DEV_PLAINTEXT="true", ZT_AUTH_PUBLIC_KEY=pub,
           ZT_PRODUCT_PG_DSN=pg.rsplit("/", 1)[0] + "/product", ZT_PRODUCT_REDIS_ADDR=redis,
           ZT_PRODUCT_GRPC_PORT=str(grpc), ZT_PRODUCT_METRICS_PORT=str(free_port()),
           ZT_GATEWAY_HTTP_PORT=str(http), ZT_GATEWAY_METRICS_PORT=str(free_port()),
           ZT_GATEWAY_PRODUCT_ADDR=f"127.0.0.1:{grpc}", ZT_GATEWAY_REDIS_ADDR=redis,
           ZT_GATEWAY_RATE_IP_PER_MINUTE="100000000", ZT_GATEWAY_RATE_IP_BURST="1000000",
           ZT_GATEWAY_RATE_USER_PER_MINUTE="100000000", ZT_GATEWAY_RATE_USER_BURST="1000000",
           ZT_GATEWAY_RATE_AUTH_PER_MINUTE="100000000", ZT_GATEWAY_RATE_AUTH_BURST="1000000")
if ttl is not None:
    env["ZT_GATEWAY_CATALOGUE_CACHE_TTL"] = ttl
procs = {}
procs["product"] = subprocess.Popen([product_bin], env=env, stdout=open(f"{state}/logs/product.log", "w"), stderr=subprocess.STDOUT, start_new_session=True)
time.sleep(3)
procs["gateway"] = subprocess.Popen([gateway_bin], env=env, stdout=open(f"{state}/logs/gateway.log", "w"), stderr=subprocess.STDOUT, start_new_session=True)
gw = f"http://127.0.0.1:{http}"
for _ in range(100):
    try:
        urllib.request.urlopen(gw + "/v1/products?pageSize=1", timeout=2).read(); break
    except Exception:
        time.sleep(0.3)
pgpid = int(open(f"{state}/stores/pg/postmaster.pid").readline())
rpid = int(open(f"{state}/stores/redis/redis.pid").read())
stack = types.SimpleNamespace(gateway=gw, pids={"gateway": procs["gateway"].pid, "product": procs["product"].pid, "postgres": pgpid, "redis": rpid},
                              dsn=lambda db: pg.rsplit("/", 1)[0] + "/" + db)
args = types.SimpleNamespace(build=os.path.dirname(os.path.dirname(loadgen)), smoke=False, catalogue=100000, concurrency=32,
                             search_concurrency=4, pairs=3, duration=3.0, warmup=0.5, verbose=False)
bench = run.Bench(args, stack, None)
bench.loadgen = loadgen
results = {}
load0 = os.getloadavg()
try:
    run.b7(bench, results)
finally:
    for p in procs.values():
        os.killpg(p.pid, signal.SIGTERM)
    time.sleep(1)
    subprocess.run([f"{repo}/tests/harness/stores.sh", "stop", f"{state}/stores"])
load1 = os.getloadavg()
now = datetime.datetime.now(datetime.timezone.utc)
machine = run.versions()
if os.environ.get("B7_COMMIT"):
    machine["commit"] = os.environ["B7_COMMIT"]
report = {"date": now.strftime("%Y-%m-%dT%H:%M:%SZ"), "machine": machine, "concurrency": 32,
          "settings": f"3 pairs of 3 s runs after a warm-up, 32 in flight; B7 only, on PostgreSQL, Redis, zt-product and zt-gateway (bench/run.py's b7 through bench/b7_only.py); load average {load0[0]:.1f} before, {load1[0]:.1f} after" + (f"; ZT_GATEWAY_CATALOGUE_CACHE_TTL={ttl}" if ttl is not None else ""),
          "results": results}
base = f"{repo}/bench/results/{now.strftime('%Y-%m-%d')}-{tag}"
json.dump(report, open(base + ".json", "w"), separators=(",", ":"))
open(base + ".md", "w").write(run.markdown(report))
print(base + ".md")
