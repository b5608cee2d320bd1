// The syntax tree the parser builds and the evaluator walks. One node type with a kind,
// a few strings and child slots keeps the tree small; the comments on NodeKind say what
// each slot holds. Part of sim/applescript: standard C++ only.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "value.hpp"

namespace takt::sim::as {

enum class NodeKind {
  // Expressions
  literal,   // value
  variable,  // name
  list,      // kids: items
  record,    // keys + kids: values
  unary,     // name: "not" | "-" ; kids[0]
  binary,    // name: operator ("or", "and", "=", "!=", "<", "<=", ">", ">=", "contains",
             // "!contains", "in", "!in", "starts", "ends", "&", "+", "-", "*", "/", "div",
             // "mod", "^"); kids[0], kids[1]
  coerce,    // kids[0] as name
  call,      // handler call: name, kids: arguments; flag: `my` / `of me`
  property,  // name of kids[0] (kids[0] null: of the current target, `it`)
  element,   // an element specifier: name = class, aux = selector (every, index, id, name,
             // first, last, middle, some, range, beginning, end); kids[0] container (or
             // null), kids[1] argument / range start, kids[2] range end, kids[3] whose test
  command,   // name: command; kids[0] direct parameter (or null); keys: labels of kids[1..]
  me,
  it,
  // Statements
  block,       // kids: statements
  tell,        // kids[0] target, kids[1] block
  if_,         // kids: cond, block, cond, block, ... [, else block]; flag: has else
  repeat,      // aux: forever | times | while | until | from | in; name: loop variable;
               // forever: [body]; times/while/until: [expr, body]; from: [from, to, by, body];
               // in: [list, body]
  try_,        // kids[0] body, kids[1] handler block (or null); keys[0] message var, keys[1] number var
  error_,      // kids[0] message (or null), kids[1] number (or null)
  return_,     // kids[0] (or null)
  set,         // kids[0] target, kids[1] value
  copy,        // kids[0] value, kids[1] target
  exit_,
  expression,  // kids[0]
  nothing,
};

struct Node;
using NodeP = std::unique_ptr<Node>;

struct Node {
  NodeKind kind = NodeKind::nothing;
  int line = 0;
  std::string name;
  std::string aux;
  Value value;
  bool flag = false;
  std::vector<NodeP> kids;
  std::vector<std::string> keys;

  Node* kid(std::size_t i) const { return i < kids.size() ? kids[i].get() : nullptr; }
};

struct Handler {
  std::string name;
  std::vector<std::string> params;
  NodeP body;
};

struct Script {
  std::map<std::string, Handler> handlers;
  std::vector<std::pair<std::string, NodeP>> properties;  // `property x : value`
  NodeP body;  // the implicit run handler
};

}  // namespace takt::sim::as
