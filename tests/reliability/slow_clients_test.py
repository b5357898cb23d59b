#!/usr/bin/env python3
"""Slow clients against the real zt-gateway binary (OWASP API4, unrestricted resource consumption).

Starts a gateway of its own (plaintext, no upstream needed: /healthz and /openapi.json are the gateway's own answers;
its rate limits fail open without Redis) with short deadlines set through its environment, then, from different
loopback addresses at once:
  - one address opens more connections than ZT_GATEWAY_MAX_CONNECTIONS_PER_CLIENT: the one over answers 429
    TOO_MANY_CONNECTIONS and is closed, while another address is served;
  - a header sent a byte at a time (slowloris), a body announced and never finished, and a reader that asks for large
    answers and never reads them: each is cut at its deadline (header, body, write), while a normal client on a
    keep-alive connection is answered at once the whole time;
  - the refusal is counted in zt_gateway_connections_refused_total{limit="client"}.
Prints what it measured (when each slow client was cut, the normal client's slowest answer).

  slow_clients_test.py [GATEWAY_BINARY]     default: $ZT_BUILD_DIR/services/gateway/zt-gateway
"""
import base64
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
HEADER_TIMEOUT = 1.0
BODY_TIMEOUT = 1.0
WRITE_TIMEOUT = 1.0
PER_CLIENT = 4
failures = []


def check(ok, message):
    print(("ok   " if ok else "FAIL ") + message, flush=True)
    if not ok:
        failures.append(message)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def connect(port, source, receive_buffer=0):
    s = socket.socket()
    if receive_buffer:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
    s.bind((source, 0))
    s.connect(("127.0.0.1", port))
    return s


def read_until_closed(s, limit):
    """What the server sends until it closes (True) or `limit` seconds pass (False)."""
    s.settimeout(0.05)
    data = b""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            continue
        except (ConnectionResetError, BrokenPipeError):
            return data, True
        if not chunk:
            return data, True
        data += chunk
    return data, False


def exchange(s, path="/healthz"):
    """One request on a keep-alive connection; the status and the time it took."""
    start = time.monotonic()
    s.sendall(f"GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n".encode())
    s.settimeout(5)
    data = b""
    while b"\r\n\r\n" not in data:
        data += s.recv(4096)
    head, _, body = data.partition(b"\r\n\r\n")
    length = int([line.split(b":")[1] for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")][0])
    while len(body) < length:
        body += s.recv(4096)
    return int(head.split(b" ")[1]), time.monotonic() - start


def watch_closed(s, started, results, name, limit=6.0):
    """In a thread: when the server closed `s`, in seconds after `started` (None: not within `limit`)."""
    _, closed = read_until_closed(s, limit)
    results[name] = time.monotonic() - started if closed else None


def main():
    build = os.environ.get("ZT_BUILD_DIR") or os.path.join(HERE, "..", "..", "build")
    binary = sys.argv[1] if len(sys.argv) > 1 else os.path.join(build, "services", "gateway", "zt-gateway")
    if not os.access(binary, os.X_OK):
        print(f"no gateway binary at {binary} (set ZT_BUILD_DIR)")
        return 1
    port, metrics_port = free_port(), free_port()
    env = dict(os.environ)
    env.update({
        "ZT_DEV_PLAINTEXT": "true", "ZT_AUTH_PUBLIC_KEY": base64.b64encode(b"\x01" * 32).decode(),
        "ZT_GATEWAY_HTTP_PORT": str(port), "ZT_GATEWAY_METRICS_PORT": str(metrics_port),
        "ZT_GATEWAY_REDIS_ADDR": "127.0.0.1:1", "ZT_GATEWAY_CATALOGUE_CACHE_TTL": "0",
        "ZT_GATEWAY_HEADER_TIMEOUT": f"{int(HEADER_TIMEOUT * 1000)}ms",
        "ZT_GATEWAY_BODY_TIMEOUT": f"{int(BODY_TIMEOUT * 1000)}ms",
        "ZT_GATEWAY_WRITE_TIMEOUT": f"{int(WRITE_TIMEOUT * 1000)}ms",
        "ZT_GATEWAY_FIRST_BYTE_TIMEOUT": "5s", "ZT_GATEWAY_MAX_CONNECTIONS_PER_CLIENT": str(PER_CLIENT),
        "ZT_GATEWAY_LOG_LEVEL": "warn",
    })
    for name in ("ZT_TLS_DIR", "ZT_GATEWAY_TRUSTED_PROXY_HOPS"):
        env.pop(name, None)
    proc = subprocess.Popen([binary], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        for _ in range(100):
            try:
                with connect(port, "127.0.0.1") as probe:
                    if exchange(probe)[0] == 200:
                        break
            except OSError:
                time.sleep(0.1)
        else:
            print("the gateway did not start:", proc.stderr.read1(4000).decode(errors="replace") if proc.poll() else "")
            return 1

        # The per-address cap. The probe's connection may still be counted for a moment: wait it out.
        time.sleep(0.3)
        held = [connect(port, "127.0.0.10") for _ in range(PER_CLIENT)]
        time.sleep(0.3)
        over = connect(port, "127.0.0.10")
        answer, closed = read_until_closed(over, 3)
        status_line = answer.split(b"\r\n")[0].decode(errors="replace") if answer else "-"
        check(closed and answer.startswith(b"HTTP/1.1 429") and b"TOO_MANY_CONNECTIONS" in answer,
              f"connection {PER_CLIENT + 1} from one address: {status_line}, closed={closed}")
        with connect(port, "127.0.0.11") as other:
            check(exchange(other)[0] == 200, "another address is served while the first holds its cap")
        for s in held:
            s.close()
        with urllib.request.urlopen(f"http://127.0.0.1:{metrics_port}/metrics", timeout=5) as r:
            metrics = r.read().decode()
        refused = [line for line in metrics.splitlines()
                   if line.startswith("zt_gateway_connections_refused_total") and 'limit="client"' in line]
        check(refused and float(refused[0].split()[-1]) >= 1, f"counted: {refused}")

        # Three slow clients and a normal one, at once.
        start = time.monotonic()
        results = {}
        dripping = connect(port, "127.0.0.20")
        unfinished = connect(port, "127.0.0.21")
        unfinished.sendall(b"POST /v1/events HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                           b"Content-Length: 1000\r\n\r\n{\"events\":[")
        not_reading = connect(port, "127.0.0.22", receive_buffer=4096)
        not_reading.sendall(b"GET /openapi.json HTTP/1.1\r\nHost: localhost\r\n\r\n" * 64)
        threads = [threading.Thread(target=watch_closed, args=(unfinished, start, results, "body never finished")),
                   threading.Thread(target=watch_closed, args=(dripping, start, results, "header a byte at a time"))]
        for t in threads:
            t.start()
        header = b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Padding: " + b"a" * 40 + b"\r\n\r\n"
        normal = connect(port, "127.0.0.23")
        slowest, served, sent = 0.0, 0, 0
        while time.monotonic() - start < 3.0:
            if sent < len(header):
                try:
                    dripping.send(header[sent:sent + 1])
                    sent += 1
                except OSError:
                    pass
            status, took = exchange(normal)
            served += status == 200
            slowest = max(slowest, took)
            time.sleep(0.1)
        for t in threads:
            t.join()
        # The reader that never read: it gets what the buffers held when the write deadline passed, then the close.
        taken, closed = read_until_closed(not_reading, 5)
        results["reader that never reads"] = (time.monotonic() - start) if closed else None
        check(closed and taken.count(b"HTTP/1.1 200") < 64,
              f"reader that never reads: closed={closed} after {len(taken)} bytes "
              f"({taken.count(b'HTTP/1.1 200')} of 64 answers)")
        for name, deadline in (("header a byte at a time", HEADER_TIMEOUT), ("body never finished", BODY_TIMEOUT)):
            cut = results.get(name)
            check(cut is not None and deadline - 0.1 <= cut <= deadline + 1.5,
                  f"{name}: cut after {cut if cut is None else round(cut, 2)} s (deadline {deadline} s)")
        check(sent < len(header), f"the dripped header was cut after {sent} of {len(header)} bytes")
        check(served >= 20 and slowest < 0.5,
              f"normal client meanwhile: {served} answers, slowest {round(slowest * 1000)} ms")
        check(exchange(normal)[0] == 200, "the normal client's connection still works afterwards")
        for s in (dripping, unfinished, not_reading, normal):
            s.close()
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
    if failures:
        print(f"FAILED: {len(failures)} check(s)")
        return 1
    print("slow clients: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
