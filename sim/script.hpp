// The sim dialect: the script takt sends on stdin and the result things-sim prints.
//
//   stdin:  {"ops":[OP, ...]}
//   stdout: {"results":[{"ok":true,"id":"<uuid>"} | {"ok":false,"error":"<message>"}, ...]}
//
// Parsing is strict: bad JSON, a missing or unknown "op", an unknown field, a missing
// required field or a field of the wrong type is a ScriptError (exit 2, nothing changed),
// because it is a bug in takt's script generator. A JSON null counts as an absent optional
// field. Bad *values* of the right type (an empty title, an unknown uuid, a date that does
// not exist) only fail that op: {"ok":false,...}.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace takt::sim {

struct AddTodo {
  std::string title;
  std::optional<std::string> notes;
  std::optional<std::string> when;  // today | evening | tomorrow | anytime | someday | YYYY-MM-DD
  std::optional<std::string> deadline;  // YYYY-MM-DD
  std::vector<std::string> tags;
  std::optional<std::string> project;
  std::optional<std::string> area;
  std::optional<std::string> heading;
  std::vector<std::string> checklist;
};

struct AddProject {
  std::string title;
  std::optional<std::string> notes;
  std::optional<std::string> area;
  std::optional<std::string> when;
};

// complete (status 3) or cancel (status 2).
struct SetStatus {
  std::string id;
  int status = 3;
};

struct Trash {
  std::string id;
};

struct UpdateTodo {
  std::string id;
  std::optional<std::string> title;
  std::optional<std::string> notes;
};

using Op = std::variant<AddTodo, AddProject, SetStatus, Trash, UpdateTodo>;

// Throws ScriptError naming the problem (and the op's position).
std::vector<Op> parse_script(std::string_view text);

struct OpResult {
  bool ok = false;
  std::string value;  // the uuid when ok, the error message otherwise
};

std::string results_json(const std::vector<OpResult>& results);

}  // namespace takt::sim
