#!/usr/bin/env python3
"""Writes the seed corpora of takt's fuzz targets into fuzz/corpus/<target>/.

The seeds are committed; this script documents where they came from and regenerates them
(python3 fuzz/seeds.py). Each seed is a small, realistic input, or one of the hostile cases
issue 6 names (deep nesting, huge numbers, long strings, invalid UTF-8, a BOM, NUL bytes,
overlong sequences, lone surrogates), so the fuzzer starts next to the interesting edges.
"""
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
# Indexes into things::tool_catalog() (the fuzz targets take the tool index modulo its size).
TOOLS = ["get_inbox", "get_today", "get_upcoming", "get_anytime", "get_someday", "get_logbook", "get_trash",
         "get_projects", "get_areas", "get_tags", "get_headings", "get_todos", "get_item", "search",
         "search_advanced", "get_recent", "get_due", "get_summary", "get_repeating", "add_todo",
         "health_check", "queue_status"]


def tool(name):
    return bytes([TOOLS.index(name)])


def write(target, seeds):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    # Inputs the fuzzers found (finding_*) stay: they are the regressions of fixed bugs.
    for old in os.listdir(d):
        if not old.startswith("finding_"):
            os.remove(os.path.join(d, old))
    for name, data in seeds.items():
        with open(os.path.join(d, name), "wb") as f:
            f.write(data if isinstance(data, bytes) else data.encode())


def rpc(method, params=None, id_=1):
    m = {"jsonrpc": "2.0", "id": id_, "method": method}
    if params is not None:
        m["params"] = params
    return json.dumps(m, separators=(",", ":"))


HOSTILE_LINES = {
    "deep_array": "[" * 200 + "]" * 200,
    "deep_object": '{"a":' * 100 + "1" + "}" * 100,
    "deep_in_params": '{"jsonrpc":"2.0","id":1,"method":"ping","params":{"x":' + "[" * 70 + "]" * 70 + "}}",
    "brackets_in_string": '{"jsonrpc":"2.0","id":1,"method":"ping","params":{"x":"[[[[{{{{\\"]]]"}}',
    "huge_int": '{"jsonrpc":"2.0","id":123456789012345678901234567890,"method":"ping"}',
    "huge_float": '{"jsonrpc":"2.0","id":1,"method":"ping","params":{"n":1e400}}',
    "tiny_float": '{"jsonrpc":"2.0","id":1,"method":"ping","params":{"n":-1e-400}}',
    "float_id": '{"jsonrpc":"2.0","id":1.5,"method":"ping"}',
    "negative_id": '{"jsonrpc":"2.0","id":-9223372036854775808,"method":"ping"}',
    "long_string": '{"jsonrpc":"2.0","id":1,"method":"' + "m" * 3000 + '"}',
    "lone_high_surrogate": '{"jsonrpc":"2.0","id":"\\ud800","method":"ping"}',
    "lone_low_surrogate": '{"jsonrpc":"2.0","id":1,"method":"\\udc00"}',
    "surrogate_pair": '{"jsonrpc":"2.0","id":"\\ud83d\\ude00","method":"ping"}',
    "nul_escape": '{"jsonrpc":"2.0","id":"a\\u0000b","method":"ping\\u0000"}',
    "batch": '[{"jsonrpc":"2.0","id":1,"method":"ping"}]',
    "duplicate_keys": '{"jsonrpc":"2.0","id":1,"id":2,"method":"ping","method":"x"}',
    "trailing_garbage": '{"jsonrpc":"2.0","id":1,"method":"ping"} x',
    "response": '{"jsonrpc":"2.0","id":1,"result":{}}',
}
HOSTILE_BYTES = {
    "bom": b"\xef\xbb\xbf" + rpc("ping").encode(),
    "nul_byte": b'{"jsonrpc":"2.0","id":1,"method":"pi\x00ng"}',
    "overlong_slash": b'{"jsonrpc":"2.0","id":"\xc0\xaf","method":"ping"}',
    "overlong_nul": b'{"jsonrpc":"2.0","id":"\xc0\x80","method":"ping"}',
    "encoded_surrogate": b'{"jsonrpc":"2.0","id":"\xed\xa0\x80","method":"ping"}',
    "invalid_utf8": b'{"jsonrpc":"2.0","id":"\xff\xfe","method":"ping"}',
    "truncated_utf8": b'{"jsonrpc":"2.0","id":"\xe2\x82","method":"ping"}',
    "utf16": '{"jsonrpc":"2.0","id":1,"method":"ping"}'.encode("utf-16"),
    "above_u10ffff": b'{"jsonrpc":"2.0","id":"\xf4\x90\x80\x80","method":"ping"}',
}

# ---- jsonrpc: 3 bytes (size limit, depth limit, bytes per read), then the stream ---------
streams = {
    "session": "\n".join([
        rpc("initialize", {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "c", "version": "1"}}),
        '{"jsonrpc":"2.0","method":"notifications/initialized"}',
        rpc("tools/list", {}, 2),
        rpc("tools/call", {"name": "get_today", "arguments": {"limit": 5}}, 3),
        rpc("tools/call", {"name": "add_todo", "arguments": {"title": "Milk", "tags": ["errand"]}}, 4),
        '{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":4}}',
    ]) + "\n",
    "crlf": rpc("ping") + "\r\n" + rpc("ping", id_=2) + "\r\n\r\n",
    "no_final_newline": rpc("ping"),
    "over_limit_then_ok": "x" * 3000 + "\n" + rpc("ping") + "\n",
    "empty_lines": "\n\n\r\n" + rpc("ping") + "\n\n",
}
jsonrpc = {}
for name, s in streams.items():
    jsonrpc[name] = bytes([255, 63, 255]) + s.encode()
    jsonrpc[name + "_small_reads"] = bytes([255, 63, 6]) + s.encode()
jsonrpc["tight_limit"] = bytes([4, 3, 16]) + streams["session"].encode()
for name, s in HOSTILE_LINES.items():
    jsonrpc["hostile_" + name] = bytes([255, 63, 255]) + s.encode() + b"\n"
for name, b in HOSTILE_BYTES.items():
    jsonrpc["hostile_" + name] = bytes([255, 63, 255]) + b + b"\n"
write("jsonrpc", jsonrpc)

# ---- tool_args: a byte choosing the tool, then the JSON text of its arguments -----------
args = {
    "add_todo_full": ("add_todo", {"title": "Call Anna", "notes": "about\nthe \"plan\"", "when": "2025-07-01",
                                   "deadline": "2025-07-04", "tags": ["phone", "work"], "checklist": ["a", "b"],
                                   "project": "P1aaaaaaaaaaaaaaaaaaaa", "heading": "H1aaaaaaaaaaaaaaaaaaaa"}),
    "add_todo_min": ("add_todo", {"title": "x"}),
    "add_todo_evening": ("add_todo", {"title": "x", "when": "evening", "area": "A1"}),
    "add_todo_bad_when": ("add_todo", {"title": "x", "when": "2025-02-30"}),
    "add_todo_unknown": ("add_todo", {"title": "x", "colour": "red"}),
    "add_todo_empty_title": ("add_todo", {"title": ""}),
    "get_today_page": ("get_today", {"limit": 10, "offset": 5, "compact": True}),
    "get_today_big_limit": ("get_today", {"limit": 18446744073709551615}),
    "get_logbook_period": ("get_logbook", {"period": "2w"}),
    "get_logbook_bad_period": ("get_logbook", {"period": "7x"}),
    "search_full": ("search_advanced", {"query": "milk eggs", "status": "completed", "type": "project", "tag": "t",
                                        "start_date": {"after": "2025-01-01", "before": "2025-02-01"},
                                        "deadline": {"on": "2025-03-03"}, "created_within": "1m"}),
    "search_bad_range": ("search_advanced", {"start_date": {"after": "2025-01-02", "before": "2025-01-03"}}),
    "search_punct": ("search", {"query": "!!! ..."}),
    "get_item": ("get_item", {"id": "abc"}),
    "get_due": ("get_due", {"days": 30}),
    "get_recent": ("get_recent", {"period": "3d"}),
    "get_headings": ("get_headings", {"project": "P"}),
    "get_todos": ("get_todos", {"project": "P", "tag": "x"}),
    "health": ("health_check", {}),
}
tool_args = {name: tool(t) + json.dumps(a, separators=(",", ":")).encode() for name, (t, a) in args.items()}
tool_args["nul_member"] = tool("add_todo") + b'{"title":"x","title\\u0000":5}'
tool_args["huge_number"] = tool("get_today") + b'{"limit":1e308}'
tool_args["negative"] = tool("get_today") + b'{"limit":-1,"offset":-9223372036854775808}'
tool_args["long_title"] = tool("add_todo") + ('{"title":"' + "\u00e9" * 5000 + '"}').encode()
tool_args["deep"] = tool("search_advanced") + b'{"start_date":' + b"[" * 80 + b"]" * 80 + b"}"
tool_args["surrogate_title"] = tool("add_todo") + b'{"title":"\\ud83d\\ude00 \\ud800"}'
tool_args["comma_tag"] = tool("add_todo") + b'{"title":"x","tags":["a, b","c"]}'
write("tool_args", tool_args)

# ---- script_render: lines of (tool byte, JSON arguments); one script per dialect ----------
def line(t, a):
    return tool(t) + json.dumps(a, separators=(",", ":")).encode()

script_render = {
    "batch_of_writes": b"\n".join([line("add_todo", {"title": "a \"quoted\" \\ title", "notes": "l1\nl2\r\nl3"}),
                                   line("add_todo", {"title": "b", "when": "today", "tags": ["x", "y"]}),
                                   line("add_todo", {"title": "c", "when": "2030-01-01", "deadline": "2030-01-02",
                                                     "project": "P", "checklist": ["one"]})]),
    "reads": b"\n".join([line("get_today", {"limit": 3}), line("search", {"query": "x \" y"}),
                         line("get_item", {"id": "I"})]),
    "mixed": b"\n".join([line("add_todo", {"title": "t", "area": "A", "when": "someday"}), line("get_inbox", {})]),
    "escapes": line("add_todo", {"title": "\" & linefeed & \"", "notes": "\\\" & return & \"\t", "tags": ["\\"]}),
    "unicode": line("add_todo", {"title": "\u00e9\u4e2d\U0001F600", "notes": "\u2028\u2029"}),
    "nul_in_title": tool("add_todo") + b'{"title":"a\\u0000b"}',
    "comma_tag": line("add_todo", {"title": "x", "tags": ["a, b"]}),
}
write("script_render", script_render)

# ---- config: the YAML file ---------------------------------------------------------------
with open(os.path.join(HERE, "..", "config", "takt.yaml")) as f:
    shipped = f.read()
config = {
    "shipped": shipped,
    "small": "server:\n  max_message_size: 64KiB\n  max_in_flight: 8\ncache:\n  ttl: 1m\n  shared: false\n"
             "  tool_ttl:\n    get_today: 500ms\n",
    "flow": "lane: {weights: {fast: 8, medium: 3, slow: 1}, batch_max: 25}\ntools: {cost: {add_todo: fast}, timeout: {add_todo: 3s}}\n",
    "huge_duration": "cache:\n  ttl: 999999999999h\n",
    "huge_size": "server:\n  max_message_size: 999999999999GiB\n",
    "range": "backend:\n  sim_latency: 800ms..200ms\n  sim_per_op: 5s\n",
    "fraction": "backend:\n  sim_fail_rate: 1e-3\n  sim_hang_rate: nan\n",
    "duplicate": "cache:\n  ttl: 1s\n  ttl: 2s\n",
    "anchors": "a: &x {ttl: 1s}\ncache: *x\n",
    "deep_flow": "cache: " + "[" * 500 + "]" * 500 + "\n",
    "deep_block": "".join("  " * i + "k%d:\n" % i for i in range(200)),
    "tags": "server:\n  max_in_flight: !!int 8\n  on_overload: !custom reject\n",
    "bom": "\ufeffserver:\n  max_in_flight: 4\n",
    "nul": b"server:\n  max_in_flight: 4\x00\n",
    "invalid_utf8": b"logging:\n  level: \xff\xfe\n",
    "empty": "",
}
write("config", config)

# ---- applescript: the scripts things-sim runs -------------------------------------------
# takt's golden scripts (tests/golden/applescript) and a few hostile or odd ones.
golden_dir = os.path.join(HERE, "..", "tests", "golden", "applescript")
applescript = {}
for name in sorted(os.listdir(golden_dir)):
    with open(os.path.join(golden_dir, name)) as f:
        applescript["golden_" + name.replace(".applescript", "")] = f.read()
applescript.update({
    "whose": 'tell application "Things3"\n  set l to name of every to do whose name contains "a"\n'
             '  repeat with x in l\n    log (contents of x)\n  end repeat\nend tell\n',
    "dates": 'set d to current date\nset day of d to 31\nset month of d to 2\nreturn date string of (d + 3 * days)\n',
    "tids": 'set AppleScript\'s text item delimiters to {", ", return}\nreturn text items of "a, b" as text\n',
    "recursion": 'on f(n)\n  return f(n + 1)\nend f\nf(0)\n',
    "forever": "repeat\nend repeat\n",
    "grow": 'set s to "x"\nrepeat 64 times\n  set s to s & s\nend repeat\n',
    "nest": "set l to {}\nrepeat 200 times\n  set l to {l}\nend repeat\n",
    "deep_parens": "(" * 3000 + "1" + ")" * 3000,
    "shell": 'do shell script "open -g \'things:///add?title=x\'; rm -rf /"\n',
    "invalid_utf8": b'set x to "\xff\xfe"\n',
    "continuation": 'set x to 1 + \xc2\xac\n 2\n',
})
write("applescript", applescript)
