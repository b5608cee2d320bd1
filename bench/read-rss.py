#!/usr/bin/env python3
"""takt's memory while it serves a heavy database (bench/README.md, docs/performance.md).

    bench/read-rss.py TAKT DB [ROUNDS]

Starts TAKT (the takt binary) on DB (a database made by
`things-sim --generate N`; takt only reads it: every call here is a read tool), with the
shipped defaults (cache on, shared cache off so that nothing is written beside the user's
files), speaks MCP over stdio, calls every read tool with its default page and with 1000 a
page ROUNDS times (default 5), and prints the process's resident set size (VmRSS) and its
peak (VmHWM) from /proc, in MiB, after each round.
"""
import json
import os
import subprocess
import sys
import tempfile


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    takt, db = sys.argv[1], os.path.abspath(sys.argv[2])
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    work = tempfile.mkdtemp(prefix="takt-rss-")
    config = os.path.join(work, "takt.yaml")
    with open(config, "w") as f:
        f.write("logging:\n  level: warn\nmetrics:\n  enabled: false\n"
                f"backend:\n  kind: sim\n  database: {json.dumps(db)}\ncache:\n  shared: false\n")
    proc = subprocess.Popen([takt, "--config", config], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, bufsize=1)
    next_id = [0]

    def call(method, params):
        next_id[0] += 1
        proc.stdin.write(json.dumps({"jsonrpc": "2.0", "id": next_id[0], "method": method, "params": params}) + "\n")
        line = proc.stdout.readline()
        if not line:
            raise SystemExit("takt closed its output")
        answer = json.loads(line)
        if "error" in answer:
            raise SystemExit(f"{method}: {answer['error']}")
        return answer["result"]

    call("initialize", {"protocolVersion": "2025-06-18", "capabilities": {},
                        "clientInfo": {"name": "read-rss", "version": "1"}})
    proc.stdin.write(json.dumps({"jsonrpc": "2.0", "method": "notifications/initialized"}) + "\n")
    project = call("tools/call", {"name": "get_projects", "arguments": {"limit": 1}})["structuredContent"]["items"][0]["id"]
    tools = ["get_inbox", "get_today", "get_upcoming", "get_anytime", "get_someday", "get_logbook", "get_trash",
             "get_projects", "get_areas", "get_tags", "get_todos", "get_recent", "get_due", "get_repeating"]
    calls = [(t, {}) for t in tools] + [(t, {"limit": 1000}) for t in tools]
    calls += [("get_item", {"id": project}), ("get_headings", {"project": project}), ("get_summary", {}),
              ("search", {"query": "invoice"}), ("search_advanced", {"status": "completed", "limit": 1000})]

    def status():
        fields = {}
        with open(f"/proc/{proc.pid}/status") as f:
            for line in f:
                key, _, value = line.partition(":")
                if key in ("VmRSS", "VmHWM"):
                    fields[key] = int(value.split()[0]) / 1024
        return fields

    print(f"started: VmRSS {status()['VmRSS']:.1f} MiB")
    for r in range(rounds):
        for name, args in calls:
            result = call("tools/call", {"name": name, "arguments": args})
            if result.get("isError"):
                raise SystemExit(f"{name}: {result}")
        s = status()
        print(f"round {r + 1}: {len(calls)} calls, VmRSS {s['VmRSS']:.1f} MiB, peak VmHWM {s['VmHWM']:.1f} MiB")
    proc.stdin.close()
    proc.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
