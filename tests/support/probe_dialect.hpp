#pragma once
// A dialect for graph tests whose runner is a fake Things (no script runs): each operation
// is one line, `read TOOL ARGS` or `write NAME TITLE`, and the fake answers one line per
// operation, `ok ID` or `ok-read JSON` or `error MESSAGE`. The order and grouping of
// scripts is what those tests look at, and it does not depend on the script's language.
// Reads through the lane need it until reads through AppleScript exist (Things has no
// AppleScript read that takt renders yet); every test that runs a script, on things-sim,
// runs the AppleScript that takt sends to Things (things::AppleScriptDialect).

#include <sstream>
#include <string>
#include <vector>

#include "things/script/ops.hpp"

namespace takt::test {

class ProbeDialect final : public things::Dialect {
 public:
  std::string render(const std::vector<things::Operation>& ops) const override {
    std::string s;
    for (const auto& op : ops) {
      if (const auto* r = std::get_if<things::ReadOp>(&op)) {
        s += "read " + r->tool + " " + r->args_json + "\n";
      } else {
        std::string title;
        if (const auto* a = std::get_if<things::AddTodo>(&op)) title = a->title;
        s += "write " + things::op_name(op) + " " + title + "\n";
      }
    }
    return s;
  }
  std::vector<things::OpResult> parse(const things::ScriptOutput& out, std::size_t op_count) const override {
    if (!out.started || out.timed_out || out.abandoned || out.exit_code != 0 || out.signal != 0)
      return things::all_failed(op_count, things::describe_failure(out));
    std::vector<things::OpResult> rs;
    std::istringstream lines(out.out);
    std::string line;
    while (std::getline(lines, line) && rs.size() < op_count) {
      const auto space = line.find(' ');
      const auto word = line.substr(0, space), rest = space == std::string::npos ? "" : line.substr(space + 1);
      if (word == "ok") rs.push_back({true, rest, {}, {}});
      else if (word == "ok-read") rs.push_back({true, {}, {}, rest});
      else rs.push_back({false, {}, rest, {}});
    }
    while (rs.size() < op_count) rs.push_back({false, {}, "the fake Things gave no answer", {}});
    return rs;
  }
};

}  // namespace takt::test
