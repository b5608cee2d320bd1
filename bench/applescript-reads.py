#!/usr/bin/env python3
"""What a read costs through AppleScript (takt's mirror of Things) next to the database
path, and how much the mirror and the response cache spare under a mixed load
(issue 17; bench/README.md, docs/performance.md).

    bench/applescript-reads.py TAKT THINGS_SIM [--reps R] [--items N] [--requests N]
                               [--in-flight 1,4] [--latency MIN..MAX] [--per-op MIN..MAX]
                               [--parts tools,mixed] [--variants applescript,database,no-fda]
                               [--quick]

Everything runs in a new temporary directory: things-sim's demo database
(`THINGS_SIM --init`) and a generated one of about N items (`--generate N --seed 7 --today`
today, default 5000). Each takt is started on its own copy of the database, with its own
XDG_CACHE_HOME, XDG_RUNTIME_DIR and lock directory, `cache.shared: false`, `relay.join:
false` and metrics on a free port (read from the line takt prints on stderr), so that runs
share nothing. things-sim models AppleScript's latency: `--latency` per script (default
200ms..800ms, takt's shipped `backend.sim_latency`) plus `--per-op` per Apple event
(default 20ms..60ms, takt's shipped `backend.sim_per_op`; see "Per op" below).

1. Every read tool (those `tools/list` marks readOnlyHint, but health_check and
   queue_status), on each database, called R times (default 5), one call at a time, with
   default arguments (get_headings and get_item: the first open project of get_projects;
   search: "the"), through two takts:
   - `tools.reads_via: applescript`, `tools.mirror_max_age: 0s`, cache off: every call
     runs its own script, the one that reads takt's mirror of Things;
   - `tools.reads_via: database`, cache off: the read goes straight to SQLite.
   One get_projects call first (not counted) finds the project and warms the connections.
   Prints the median wall time of a call (ms, from the request written to its answer read),
   the scripts per call (`things-sim --stats` calls before and after, over R) and, through
   AppleScript, the part of a call spent outside its script: the mean wall time minus the
   mean of `takt_script_duration_seconds` (loading the mirror into SQLite, the query, the
   pipes).

2. A mixed load on the generated database: `--requests` (default 200) requests, about 85%
   reads spread over the read tools with an assistant's skew (get_today, get_inbox, search
   and get_item most of all, arguments varied a little) and about 15% writes (add_todo with
   a unique title; update_todo and complete on to-dos the load added; each request is a
   write with probability 0.15, and --seed 1 draws 19 of 200), the same sequence
   (seeded) through three takts, all with the shipped cache and mirror settings (cache
   on, ttl 2s; mirror_max_age 10s), at each `--in-flight` (default 1 and 4 requests
   outstanding):
   - applescript: `tools.reads_via: applescript` with a readable database: writes are
     confirmed in the database, and each write drops the mirror, so the next read that
     reaches the lane pays a mirror script;
   - database: `tools.reads_via: database`;
   - no-fda ("no Full Disk Access"): `tools.reads_via: auto` (shipped) with
     `backend.database` a path takt cannot open (a directory named main.sqlite in
     NoAccess.thingsdatabase), while things-sim, through a wrapper set as
     `backend.sim_path`, acts on the real copy (the wrapper swaps the `--db X` pair for the
     copy and execs things-sim; takt's `--init` at start goes through it too). takt then
     reads through the mirror by itself, and each write script reads the mirror back
     after its operations to confirm them, so the reads after a write find it fresh.
     health_check must say database_readable false and reads_via applescript, or the
     bench stops.
   `--variants` picks some of them. Each run starts on a fresh copy of the
   database. Prints wall time, requests/s, scripts run (things-sim calls), scripts per
   read (the mirror's scripts, i.e. scripts run minus write scripts, over reads), reads
   answered from the response cache (`takt_cache_lookups_total{result="hit"}`), reads
   answered from the mirror without a script of their own (reads that reached the
   AppleScript lane, `takt_edge_messages_total{from="write_priority",to="applescript"}`
   minus the writes, minus the mirror's scripts: a fresh mirror, one script for the
   reads of a batch, or a write script's read-back), and p50/p99 latency of reads and writes (nearest rank; with a few
   dozen writes their p99 is the slowest). Write scripts are the
   lane's batches holding writes (`takt_batch_size_count`).

--quick: R = 2, 40 requests, 1 in flight only, 1000 items.

Per op. The default is takt's shipped `backend.sim_per_op`, 20ms..60ms per Apple event.
Until commit 67e0008 things-sim charged `PROPERTY of every ELEMENT` once per element (real
AppleScript sends one event): the mirror's script paid about 125 events on the demo
database (about 5 s) and about 12,700 on 5,000 items (beyond `backend.script_timeout`,
30 s), so this bench's first run (docs/performance.md) used 0 per event. Since 67e0008 a
specifier written out is one Apple event and the mirror's script pays about twenty,
plus one per project in the Trash; `--per-op 0ms..0ms` gives the earlier model.
"""
import argparse
import datetime
import json
import os
import random
import re
import select
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

EXCLUDED = {"health_check", "queue_status"}
# The mixed load's takts: how each is named in the table.
VARIANTS = {"applescript": "applescript", "database": "database", "no-fda": "auto, no Full Disk Access"}

# The mixed load's reads, by weight: what an assistant asks most.
READ_MIX = [("get_today", 22), ("get_inbox", 14), ("search", 14), ("get_item", 12), ("get_upcoming", 7),
            ("get_projects", 7), ("get_anytime", 4), ("get_todos", 4), ("get_summary", 3), ("get_due", 3),
            ("search_advanced", 2), ("get_logbook", 2), ("get_recent", 2), ("get_someday", 1), ("get_areas", 1),
            ("get_tags", 1), ("get_headings", 1), ("get_trash", 0.5), ("get_repeating", 0.5)]
WRITE_SHARE = 0.15
WRITE_MIX = [("add_todo", 5), ("update_todo", 3), ("complete", 2)]
QUERIES = [("the", 5), ("invoice", 2), ("call", 2), ("report", 1), ("buy", 1)]


class Takt:
    """One takt over stdio, with its own directory, on its own copy of a database."""

    def __init__(self, args, work, name, db, settings, takt_db=None, sim_path=None):
        """db: the database things-sim acts on (and --stats counts on); takt_db, sim_path:
        what takt is told (default db and THINGS_SIM), e.g. a path it cannot open and a
        wrapper that sends things-sim to db."""
        self.dir = os.path.join(work, name)
        os.makedirs(self.dir, mode=0o700)
        self.db = db
        self.sim = args.sim
        config = os.path.join(self.dir, "takt.yaml")
        lines = ["logging:", "  level: info", "metrics:", "  listen: 127.0.0.1:0",
                 "backend:", f"  database: {json.dumps(takt_db or db)}",
                 f"  sim_path: {json.dumps(sim_path or args.sim)}",
                 f"  sim_latency: {args.latency}", f"  sim_per_op: {args.per_op}",
                 f"  lock_dir: {json.dumps(os.path.join(self.dir, 'lock'))}",
                 "relay:", "  join: false"]
        sections = {"tools": [], "cache": ["  shared: false"]}
        for key, value in settings.items():
            section, _, leaf = key.partition(".")
            sections[section].append(f"  {leaf}: {value}")
        for section, body in sections.items():
            if body:
                lines += [f"{section}:"] + body
        with open(config, "w") as f:
            f.write("\n".join(lines) + "\n")
        env = dict(os.environ, XDG_CACHE_HOME=self.dir, XDG_RUNTIME_DIR=self.dir)
        self.stderr_path = os.path.join(self.dir, "stderr.txt")
        self.stderr = open(self.stderr_path, "w")
        self.proc = subprocess.Popen([args.takt, "--config", config], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self.stderr, env=env)
        self.buf = b""
        self.next_id = 0
        self.port = None
        deadline = time.monotonic() + 15
        while self.port is None:
            with open(self.stderr_path) as f:
                m = re.search(r"metrics: http://127\.0\.0\.1:(\d+)/metrics", f.read())
            if m:
                self.port = int(m.group(1))
            elif self.proc.poll() is not None or time.monotonic() > deadline:
                sys.exit(f"{name}: takt printed no metrics address:\n{open(self.stderr_path).read()}")
            else:
                time.sleep(0.05)
        self.call("initialize", {"protocolVersion": "2025-11-25", "capabilities": {},
                                 "clientInfo": {"name": "applescript-reads", "version": "1"}})
        self.send({"jsonrpc": "2.0", "method": "notifications/initialized"})

    def send(self, message):
        self.proc.stdin.write((json.dumps(message) + "\n").encode())
        self.proc.stdin.flush()

    def request(self, method, params):
        self.next_id += 1
        self.send({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params})
        return self.next_id

    def answer(self, timeout=120.0):
        """The next message from takt that has an id (notifications are skipped)."""
        end = time.monotonic() + timeout
        while True:
            while b"\n" not in self.buf:
                left = end - time.monotonic()
                if left <= 0 or not select.select([self.proc.stdout], [], [], left)[0]:
                    sys.exit(f"no answer from takt within {timeout:.0f} s (stderr: {self.stderr_path})")
                chunk = os.read(self.proc.stdout.fileno(), 1 << 16)
                if not chunk:
                    sys.exit(f"takt closed its output (stderr: {self.stderr_path})")
                self.buf += chunk
            line, self.buf = self.buf.split(b"\n", 1)
            message = json.loads(line)
            if "id" in message:
                return message

    def call(self, method, params):
        i = self.request(method, params)
        message = self.answer()
        if message.get("id") != i:
            sys.exit(f"answer to {message.get('id')} while waiting for {i}")
        return message

    def tool(self, name, arguments):
        """(wall ms, result, error text or None) of one tools/call."""
        t0 = time.monotonic()
        message = self.call("tools/call", {"name": name, "arguments": arguments})
        ms = (time.monotonic() - t0) * 1000
        return ms, message.get("result"), problem(message)

    def metrics(self):
        text = urllib.request.urlopen(f"http://127.0.0.1:{self.port}/metrics", timeout=10).read().decode()
        out = {}
        for line in text.splitlines():
            if line and not line.startswith("#"):
                key, _, value = line.rpartition(" ")
                out[key] = float(value)
        return out

    def scripts(self):
        out = subprocess.run([self.sim, "--db", self.db, "--stats"], check=True, capture_output=True, text=True)
        return json.loads(out.stdout)["calls"]

    def close(self):
        self.proc.stdin.close()
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.stderr.close()


def problem(message):
    if "error" in message:
        return f"JSON-RPC error {message['error']}"
    result = message.get("result") or {}
    if result.get("isError"):
        return " ".join(c.get("text", "") for c in result.get("content", []))
    return None


def fmt_ms(ms):
    return f"{ms:.0f}" if ms >= 100 else f"{ms:.1f}" if ms >= 10 else f"{ms:.2f}"


def pick(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, max(0, int(-(-q * len(values) // 1)) - 1))] if values else float("nan")


def copy_db(src, dst):
    shutil.copyfile(src, dst)
    return dst


def tool_names(takt, reads_only=True):
    tools = takt.call("tools/list", {})["result"]["tools"]
    return [t["name"] for t in tools
            if not reads_only or (t.get("annotations", {}).get("readOnlyHint") and t["name"] not in EXCLUDED)]


def per_tool(args, work, label, db, notes):
    """Part 1 on one database: {tool: {path: (median ms, scripts per call)}}."""
    paths = [("applescript", {"tools.reads_via": "applescript", "tools.mirror_max_age": "0s", "cache.enabled": "false"}),
             ("database", {"tools.reads_via": "database", "cache.enabled": "false"})]
    rows = {}
    for path, settings in paths:
        takt = Takt(args, work, f"tools-{label}-{path}", copy_db(db, os.path.join(work, f"tools-{label}-{path}.sqlite")),
                    settings)
        tools = tool_names(takt)
        _, result, error = takt.tool("get_projects", {})
        if error:
            notes.append(f"{label}, {path}: get_projects (warm-up) failed: {error}")
            project = None
        else:
            items = result["structuredContent"]["items"]
            project = items[0]["id"] if items else None
        for name in tools:
            arguments = {"get_headings": {"project": project}, "get_item": {"id": project},
                         "search": {"query": "the"}}.get(name, {})
            before, script_s = takt.scripts(), takt.metrics().get("takt_script_duration_seconds_sum", 0)
            times, errors = [], []
            for _ in range(args.reps):
                ms, _, error = takt.tool(name, arguments)
                times.append(ms)
                if error:
                    errors.append(error)
            scripts = (takt.scripts() - before) / args.reps
            script_s = takt.metrics().get("takt_script_duration_seconds_sum", 0) - script_s
            outside = statistics.mean(times) - script_s * 1000 / args.reps  # takt's own time per call, pipes included
            if errors:
                notes.append(f"{label}, {path}: {name} failed {len(errors)} of {args.reps} times: {errors[0]}")
            rows.setdefault(name, {})[path] = (statistics.median(times), scripts, len(errors), outside)
        takt.close()
    return rows


def print_tools(label, rows, reps):
    print(f"\n### Per read tool, {label}: median of {reps} calls, one at a time, cache off\n")
    print("| tool | AppleScript ms | scripts/call | of which outside the script, ms (mean) | database ms "
          "| scripts/call | AppleScript / database |")
    print("|---|---|---|---|---|---|---|")
    for name, by in rows.items():
        a, d = by.get("applescript"), by.get("database")
        err = lambda r: f" ({r[2]} errors)" if r and r[2] else ""
        ratio = f"{a[0] / d[0]:.0f}x" if a and d and d[0] > 0 else "-"
        print(f"| {name} | {fmt_ms(a[0])}{err(a)} | {a[1]:.1f} | {fmt_ms(a[3])} | {fmt_ms(d[0])}{err(d)} | {d[1]:.1f} "
              f"| {ratio} |")
    a_all = [by["applescript"][0] for by in rows.values() if "applescript" in by]
    o_all = [by["applescript"][3] for by in rows.values() if "applescript" in by]
    d_all = [by["database"][0] for by in rows.values() if "database" in by]
    if a_all and d_all:
        print(f"| median over tools | {fmt_ms(statistics.median(a_all))} | | {fmt_ms(statistics.median(o_all))} "
              f"| {fmt_ms(statistics.median(d_all))} | | |")
    print("\n(outside the script: the mean wall time of a call minus the mean time of its script, "
          "takt_script_duration_seconds: loading the mirror into SQLite, the query, the pipes)")


def mixed_plan(requests, seed):
    """The kinds of the requests, the same for every run: ('read', tool, r) or ('write', tool, r)."""
    rng = random.Random(seed)
    plan = []
    for _ in range(requests):
        if rng.random() < WRITE_SHARE:
            plan.append(("write", rng.choices([w[0] for w in WRITE_MIX], [w[1] for w in WRITE_MIX])[0], rng.random()))
        else:
            plan.append(("read", rng.choices([r[0] for r in READ_MIX], [r[1] for r in READ_MIX])[0], rng.random()))
    return plan


def no_access(args, work, tag, db):
    """(database path takt cannot open, wrapper for backend.sim_path that sends things-sim to db)."""
    blocked = os.path.join(work, f"{tag}-noaccess", "NoAccess.thingsdatabase", "main.sqlite")
    os.makedirs(blocked)  # a directory: SQLite cannot open it, as without Full Disk Access
    wrapper = os.path.join(work, f"{tag}-things-sim.sh")
    q = lambda s: "'" + s.replace("'", "'\\''") + "'"
    with open(wrapper, "w") as f:
        f.write("#!/bin/bash\n"
                "# things-sim on the real copy, whatever database takt names; stdin passes through.\n"
                "args=()\n"
                "while [ $# -gt 0 ]; do\n"
                f"  if [ \"$1\" = --db ]; then args+=(--db {q(db)}); shift 2; else args+=(\"$1\"); shift; fi\n"
                "done\n"
                f"exec {q(args.sim)} \"${{args[@]}}\"\n")
    os.chmod(wrapper, 0o700)
    return blocked, wrapper


def open_projects(db, n=10):
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        rows = con.execute('SELECT uuid FROM TMTask WHERE type = 1 AND status = 0 AND trashed = 0 '
                           'ORDER BY "index" LIMIT ?', (n,)).fetchall()
    finally:
        con.close()
    return [r[0] for r in rows]


def mixed(args, work, db, path, in_flight, plan, notes):
    """Part 2: one run of the mixed load; a dict of figures."""
    tag = f"mixed-{path}-{in_flight}"
    db = copy_db(db, os.path.join(work, f"{tag}.sqlite"))
    projects = open_projects(db)
    if path == "no-fda":
        blocked, wrapper = no_access(args, work, tag, db)
        takt = Takt(args, work, tag, db, {"tools.reads_via": "auto"}, takt_db=blocked, sim_path=wrapper)
        _, result, error = takt.tool("health_check", {})
        health = (result or {}).get("structuredContent") or {}
        if error or health.get("database_readable") is not False or health.get("reads_via") != "applescript":
            takt.close()
            sys.exit(f"{tag}: takt can read the database or does not read through AppleScript: "
                     f"{error or json.dumps(health)}")
    else:
        takt = Takt(args, work, tag, db, {"tools.reads_via": path})
    available = set(tool_names(takt, reads_only=False))
    m0, s0 = takt.metrics(), takt.scripts()
    created, done = [], set()  # to-dos this load added (answered), and those it completed
    outstanding = {}  # id -> (kind, tool, start, todo id of an add)
    lat = {"read": [], "write": []}
    counts = {"read": 0, "write": 0}
    errors = []
    sent = 0
    n = 0
    t0 = time.monotonic()

    def arguments(kind, tool, r):
        nonlocal n
        n += 1
        if kind == "write":
            live = [c for c in created if c not in done]
            if tool != "add_todo" and not live:
                tool = "add_todo"
            if tool == "add_todo":
                return tool, {"title": f"bench {path} {in_flight} {n} {time.time_ns()}"}
            todo = live[int(r * len(live))]
            if tool == "update_todo":
                return tool, {"id": todo, "notes": f"note {n}"}
            done.add(todo)
            return tool, {"ids": [todo]}
        ids = projects + created[-5:]
        if tool == "search":
            return tool, {"query": random.Random(r).choices([q[0] for q in QUERIES], [q[1] for q in QUERIES])[0]}
        if tool == "get_item":
            return tool, {"id": ids[int(r * len(ids))]}
        if tool == "get_headings":
            return tool, {"project": projects[int(r * len(projects))]}
        if tool == "get_todos":
            return tool, {"project": projects[int(r * len(projects))]} if r < 0.5 else {}
        if tool == "search_advanced":
            return tool, {"status": "completed"} if r < 0.5 else {"query": "meeting"}
        return tool, {}

    while sent < len(plan) or outstanding:
        while sent < len(plan) and len(outstanding) < in_flight:
            kind, tool, r = plan[sent]
            sent += 1
            if tool not in available:
                continue
            tool, args_ = arguments(kind, tool, r)
            i = takt.request("tools/call", {"name": tool, "arguments": args_})
            outstanding[i] = (kind, tool, time.monotonic())
            counts[kind] += 1
        if not outstanding:
            break
        message = takt.answer()
        kind, tool, start = outstanding.pop(message["id"])
        lat[kind].append((time.monotonic() - start) * 1000)
        error = problem(message)
        if error:
            errors.append(f"{tool}: {error}")
        elif tool == "add_todo":
            content = message["result"].get("structuredContent") or {}
            todo = content.get("id") or (content.get("item") or {}).get("id")
            if todo:
                created.append(todo)
            else:
                errors.append(f"add_todo: no id in {json.dumps(message['result'])[:300]}")
    wall = time.monotonic() - t0
    m1, s1 = takt.metrics(), takt.scripts()
    takt.close()
    d = lambda key: m1.get(key, 0) - m0.get(key, 0)
    reads, writes = counts["read"], counts["write"]
    scripts = s1 - s0
    write_scripts = d("takt_batch_size_count")
    lane = d('takt_edge_messages_total{from="write_priority",to="applescript"}')
    hits = d('takt_cache_lookups_total{result="hit"}')
    misses = d('takt_cache_lookups_total{result="miss"}')
    mirror_scripts = scripts - write_scripts
    lane_reads = lane - writes
    for e in errors[:5]:
        notes.append(f"mixed load, {path}, {in_flight} in flight: {e}")
    if len(errors) > 5:
        notes.append(f"mixed load, {path}, {in_flight} in flight: {len(errors) - 5} more errors")
    return {"path": path, "in_flight": in_flight, "requests": reads + writes, "reads": reads, "writes": writes,
            "wall": wall, "rps": (reads + writes) / wall, "scripts": scripts, "write_scripts": write_scripts,
            "mirror_scripts": mirror_scripts, "hits": hits, "lookups": hits + misses,
            "coalesced": d("takt_coalesced_total"), "lane_reads": lane_reads,
            "mirror_hits": lane_reads - mirror_scripts, "errors": len(errors),
            "read_p50": pick(lat["read"], 0.5), "read_p99": pick(lat["read"], 0.99),
            "write_p50": pick(lat["write"], 0.5), "write_p99": pick(lat["write"], 0.99)}


def print_mixed(runs, items):
    print(f"\n### Mixed load on the generated database (~{items} items), cache and mirror as shipped\n")
    print("| reads via | in flight | requests (reads/writes) | wall s | req/s | scripts (writes + mirror) "
          "| mirror scripts / read | reads from cache | reads from the mirror, no script of their own "
          "| read p50 / p99 ms | write p50 / p99 ms | errors |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in runs:
        pct = lambda x: f"{x:.0f} ({100 * x / r['reads']:.0f}%)" if r["reads"] else "-"
        mirror = pct(r["mirror_hits"]) if r["path"] != "database" else "-"
        print(f"| {VARIANTS[r['path']]} | {r['in_flight']} | {r['requests']} ({r['reads']}/{r['writes']}) | {r['wall']:.1f} "
              f"| {r['rps']:.2f} | {r['scripts']} ({r['write_scripts']:.0f} + {r['mirror_scripts']:.0f}) "
              f"| {r['mirror_scripts'] / max(1, r['reads']):.2f} | {pct(r['hits'])} | {mirror} "
              f"| {fmt_ms(r['read_p50'])} / {fmt_ms(r['read_p99'])} | {fmt_ms(r['write_p50'])} / {fmt_ms(r['write_p99'])} "
              f"| {r['errors']} |")
    print("\nreads from cache: takt_cache_lookups_total{result=\"hit\"} over the reads sent; reads from the mirror: "
          "reads that reached the AppleScript lane minus the mirror's scripts (a fresh mirror, or a script that "
          "answered several reads of one batch, or a write script's read-back); coalesced reads (answered by an "
          "identical read in flight): " + ", ".join(f"{r['path']}/{r['in_flight']}: {r['coalesced']:.0f}" for r in runs))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("takt")
    parser.add_argument("sim", metavar="THINGS_SIM")
    parser.add_argument("--reps", type=int, default=5, help="calls per read tool and path (default 5)")
    parser.add_argument("--items", type=int, default=5000, help="items of the generated database (default 5000)")
    parser.add_argument("--requests", type=int, default=200, help="requests of the mixed load (default 200)")
    parser.add_argument("--in-flight", default="1,4", help="requests outstanding in the mixed load (default 1,4)")
    parser.add_argument("--latency", default="200ms..800ms", help="backend.sim_latency (default 200ms..800ms)")
    parser.add_argument("--per-op", default="20ms..60ms", help="backend.sim_per_op (default 20ms..60ms)")
    parser.add_argument("--parts", default="tools,mixed", help="tools, mixed or both (default)")
    parser.add_argument("--variants", default="applescript,database,no-fda",
                        help="the mixed load's takts (default applescript,database,no-fda)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the mixed load's sequence (default 1)")
    parser.add_argument("--quick", action="store_true", help="R 2, 40 requests, 1 in flight, 1000 items")
    args = parser.parse_args()
    if args.quick:
        args.reps, args.requests, args.in_flight, args.items = 2, 40, "1", 1000
    args.takt, args.sim = os.path.abspath(args.takt), os.path.abspath(args.sim)
    parts = set(args.parts.split(","))
    unknown = set(args.variants.split(",")) - set(VARIANTS)
    if unknown:
        parser.error(f"--variants: unknown {', '.join(sorted(unknown))} (known: {', '.join(VARIANTS)})")
    notes = []
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="takt-asreads-") as work:
        demo = os.path.join(work, "demo.sqlite")
        subprocess.run([args.sim, "--db", demo, "--init"], check=True, stdout=subprocess.DEVNULL)
        generated = os.path.join(work, f"g{args.items}.sqlite")
        subprocess.run([args.sim, "--generate", str(args.items), "--seed", "7", "--today",
                        datetime.date.today().isoformat(), "--db", generated], check=True, stdout=subprocess.DEVNULL)
        print(f"things-sim latency model: {args.latency} per script, {args.per_op} per Apple event")
        if "tools" in parts:
            for label, db in (("demo database", demo), (f"generated database (~{args.items} items)", generated)):
                print_tools(label, per_tool(args, work, label, db, notes), args.reps)
                sys.stdout.flush()
        if "mixed" in parts:
            plan = mixed_plan(args.requests, args.seed)
            runs = []
            for c in (int(x) for x in args.in_flight.split(",")):
                for path in args.variants.split(","):
                    runs.append(mixed(args, work, generated, path, c, plan, notes))
            print_mixed(runs, args.items)
    if notes:
        print("\nnotes:")
        for note in notes:
            print(f"- {note}")
    print(f"\n(measured in {time.monotonic() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
