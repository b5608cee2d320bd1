#!/usr/bin/env python3
"""How soon takt tells a subscriber that someone else changed Things, and what watching
costs while nothing changes (bench/README.md, docs/performance.md).

    bench/watch-latency.py TAKT THINGS_SIM [CHANGES] [IDLE_SECONDS] [WATCH]

Makes a demo database with THINGS_SIM, starts TAKT on it over stdio (cache.watch: WATCH,
default 200ms; 0s: not watched, idle cost only), subscribes to things://lists/inbox, then CHANGES times (default 100)
renames an Inbox to-do from another connection (as Things or a sync would) and measures
the time from that commit to the notifications/resources/updated line on takt's stdout.
Prints p50, p99 and max in milliseconds. Then it leaves takt idle for IDLE_SECONDS
(default 60) and prints the CPU time takt used meanwhile (user + system, from
/proc/<pid>/stat), per minute.
"""
import json
import os
import random
import select
import sqlite3
import subprocess
import sys
import tempfile
import time


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    takt, sim = sys.argv[1], sys.argv[2]
    changes = int(sys.argv[3]) if len(sys.argv) > 3 else 100
    idle = float(sys.argv[4]) if len(sys.argv) > 4 else 60.0
    watch = sys.argv[5] if len(sys.argv) > 5 else "200ms"
    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "things.sqlite")
        subprocess.run([sim, "--db", db, "--init"], check=True, stdout=subprocess.DEVNULL)
        config = os.path.join(tmp, "takt.yaml")
        with open(config, "w") as f:
            f.write(f"backend:\n  database: {db}\ncache:\n  shared: false\n  watch: {watch}\n"
                    "metrics:\n  enabled: false\n")
        p = subprocess.Popen([takt, "--config", config], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, env=dict(os.environ, XDG_CACHE_HOME=tmp))
        buf = b""

        def send(msg):
            p.stdin.write((json.dumps(msg) + "\n").encode())
            p.stdin.flush()

        def line(timeout=10.0):
            nonlocal buf
            end = time.monotonic() + timeout
            while b"\n" not in buf:
                left = end - time.monotonic()
                if left <= 0 or not select.select([p.stdout], [], [], left)[0]:
                    return None
                chunk = os.read(p.stdout.fileno(), 65536)
                if not chunk:
                    return None
                buf += chunk
            text, buf = buf.split(b"\n", 1)
            return json.loads(text)

        def call(i, method, params):
            send({"jsonrpc": "2.0", "id": i, "method": method, "params": params})
            while True:
                m = line()
                if m is None:
                    sys.exit(f"no answer to {method}")
                if m.get("id") == i:
                    return m

        call(1, "initialize", {"protocolVersion": "2025-11-25", "capabilities": {},
                               "clientInfo": {"name": "watch-latency", "version": "1"}})
        send({"jsonrpc": "2.0", "method": "notifications/initialized"})
        inbox = call(2, "tools/call", {"name": "get_inbox", "arguments": {}})["result"]["structuredContent"]
        todo = inbox["items"][0]["id"]
        watching = watch.rstrip("ms") not in ("0", "")
        if watching:
            call(3, "resources/subscribe", {"uri": "things://lists/inbox"})
        else:
            changes = 0  # not watched: only the idle cost, for comparison

        outside = sqlite3.connect(db, timeout=10)
        lat = []
        for n in range(changes):
            # Changes at random moments, as people and syncs make them (a fixed gap would
            # lock onto the watcher's rhythm and always land at the same point of it).
            time.sleep(random.uniform(0.05, 0.35))
            outside.execute("UPDATE TMTask SET title = ? WHERE uuid = ?", (f"renamed {n}", todo))
            outside.commit()
            t0 = time.monotonic()
            while True:
                m = line(5.0)
                if m is None:
                    sys.exit(f"change {n}: no notification within 5 s")
                if m.get("method") == "notifications/resources/updated":
                    lat.append((time.monotonic() - t0) * 1000)
                    break
        lat.sort()
        pick = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))]
        if lat:
                print(f"watch {watch}: change -> notification over {len(lat)} changes: "
                  f"p50 {pick(0.50):.1f} ms, p99 {pick(0.99):.1f} ms, max {lat[-1]:.1f} ms")

        before = cpu_seconds(p.pid)
        time.sleep(idle)
        used = cpu_seconds(p.pid) - before
        print(f"watch {watch}, idle for {idle:.0f} s: takt used {used * 1000:.0f} ms of CPU "
              f"({used * 60 / idle * 1000:.0f} ms per minute, {used / idle * 100:.3f} % of a core)")
        p.stdin.close()
        p.wait(timeout=20)


if __name__ == "__main__":
    main()
