#!/usr/bin/env python3
"""A TCP proxy of our own that adds latency and loss between the suite's processes (loopback only).

    fault_proxy.py --control FILE --route LISTEN_PORT=127.0.0.1:TARGET_PORT [--route ...]

Listens on 127.0.0.1:LISTEN_PORT for each route and forwards the bytes, both ways, to the target (TLS passes through
untouched: the proxy never reads what it forwards). What it does to them is read from the control file (JSON, read
again every 0.2 s; missing or empty: pass through):
    {"latency_ms": 200, "loss": 0.01, "reset": 0.001}
  latency_ms  each chunk read is written on that much later, in order (one way; a request and its answer: twice)
  loss        the share of chunks "lost": as TCP retransmits a lost segment after its retransmission timeout, the
              chunk (and what follows it on that direction) is held max(200 ms, 2 x latency) more
  reset       the share of chunks on which the connection is reset instead (RST to both sides, as a broken path or
              a middlebox drop does): the gRPC channel sees the connection die and reconnects
Counts (resets: injected; broken: connections that failed otherwise, e.g. an end restarted) are written to the
control file's name + ".stats" (JSON) every second and at SIGTERM. Prints "ready" once it
listens. Only 127.0.0.1 targets are accepted.
"""
import argparse
import asyncio
import json
import os
import random
import signal
import socket
import struct
import sys
import time

CHUNK = 65536


class Control:
    def __init__(self, path):
        self.path = path
        self.latency = 0.0
        self.loss = 0.0
        self.reset = 0.0
        self.stats = {"connections": 0, "chunks": 0, "bytes": 0, "lost": 0, "resets": 0, "broken": 0, "open": 0}

    def reload(self):
        try:
            with open(self.path) as f:
                text = f.read().strip()
            settings = json.loads(text) if text else {}
        except (OSError, ValueError):
            settings = {}
        self.latency = max(0.0, float(settings.get("latency_ms", 0))) / 1000.0
        self.loss = min(1.0, max(0.0, float(settings.get("loss", 0))))
        self.reset = min(1.0, max(0.0, float(settings.get("reset", 0))))

    def write_stats(self):
        tmp = self.path + ".stats.tmp"
        with open(tmp, "w") as f:
            json.dump(dict(self.stats, latency_ms=self.latency * 1000, loss=self.loss, reset=self.reset), f)
        os.replace(tmp, self.path + ".stats")


def abort(writer):
    """Reset the connection: SO_LINGER 0 makes close() send RST instead of FIN."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
    writer.transport.abort()


class Connection:
    def __init__(self, control, client_reader, client_writer, target):
        self.control = control
        self.client = (client_reader, client_writer)
        self.target = target
        self.dead = False
        self.writers = [client_writer]

    def kill(self, injected=False):
        if self.dead:
            return
        self.dead = True
        self.control.stats["resets" if injected else "broken"] += 1
        for w in self.writers:
            abort(w)

    async def pump(self, reader, writer):
        """Read chunks and pass them on after the latency (and the retransmission delay of a lost one), in order."""
        queue = asyncio.Queue()
        last_release = 0.0

        async def deliver():
            while True:
                item = await queue.get()
                if item is None:
                    break
                release, data = item
                delay = release - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
                if self.dead:
                    return
                writer.write(data)
                await writer.drain()
            if not self.dead and writer.can_write_eof():
                writer.write_eof()

        deliverer = asyncio.ensure_future(deliver())
        try:
            while not self.dead:
                data = await reader.read(CHUNK)
                if not data:
                    break
                c = self.control
                c.stats["chunks"] += 1
                c.stats["bytes"] += len(data)
                if c.reset and random.random() < c.reset:
                    self.kill(injected=True)
                    break
                release = time.monotonic() + c.latency
                if c.loss and random.random() < c.loss:
                    c.stats["lost"] += 1
                    release += max(0.2, 2 * c.latency)
                last_release = max(last_release, release)
                queue.put_nowait((last_release, data))
            queue.put_nowait(None)
            await deliverer
        except (ConnectionError, OSError, asyncio.IncompleteReadError):
            self.kill()
        finally:
            deliverer.cancel()

    async def run(self):
        c = self.control
        c.stats["connections"] += 1
        c.stats["open"] += 1
        client_reader, client_writer = self.client
        try:
            host, port = self.target
            try:
                server_reader, server_writer = await asyncio.open_connection(host, port)
            except OSError:
                abort(client_writer)  # the target is down: the client sees its connection refused, as without us
                return
            self.writers.append(server_writer)
            await asyncio.gather(self.pump(client_reader, server_writer), self.pump(server_reader, client_writer))
        finally:
            c.stats["open"] -= 1
            for w in self.writers:
                try:
                    w.close()
                except Exception:  # noqa: BLE001 - closing a reset transport
                    pass


async def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--control", required=True)
    parser.add_argument("--route", action="append", required=True, help="LISTEN_PORT=127.0.0.1:TARGET_PORT")
    args = parser.parse_args()
    control = Control(args.control)
    control.reload()
    servers = []
    for route in args.route:
        listen, target = route.split("=", 1)
        host, port = target.rsplit(":", 1)
        if host not in ("127.0.0.1", "localhost"):
            sys.exit(f"fault_proxy: only loopback targets, not {host}")
        target = (host, int(port))

        async def handle(reader, writer, target=target):
            await Connection(control, reader, writer, target).run()

        servers.append(await asyncio.start_server(handle, "127.0.0.1", int(listen)))
    print("ready", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    ticks = 0
    while not stop.is_set():
        try:
            await asyncio.wait_for(stop.wait(), 0.2)
        except asyncio.TimeoutError:
            pass
        control.reload()
        ticks += 1
        if ticks % 5 == 0:
            control.write_stats()
    control.write_stats()
    for server in servers:
        server.close()
    others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
    for task in others:
        task.cancel()
    await asyncio.gather(*others, return_exceptions=True)


if __name__ == "__main__":
    asyncio.run(main())
