#include "ops.hpp"

#include "op_handlers.hpp"
#include "tasks.hpp"

namespace takt::sim {

namespace {

struct OpVisitor {
  Database& db;
  const Clock& clock;
  std::string operator()(const AddTodo& op) const { return add_todo(db, op, clock); }
  std::string operator()(const UpdateTodo& op) const { return update_todo(db, op, clock); }
  std::string operator()(const AddProject& op) const { return add_project(db, op, clock); }
  std::string operator()(const UpdateProject& op) const { return update_project(db, op, clock); }
  std::string operator()(const AddHeading& op) const { return add_heading(db, op, clock); }
  std::string operator()(const SetStatus& op) const { return set_status(db, op, clock); }
  std::string operator()(const Trash& op) const { return set_trashed(db, op, clock); }
  std::string operator()(const CreateTag& op) const { return create_tag(db, op, clock); }
  std::string operator()(const CreateArea& op) const { return create_area(db, op, clock); }
};

OpResult apply_one(Database& db, const Op& op, const Clock& clock) {
  Savepoint savepoint(db);
  try {
    std::string id = std::visit(OpVisitor{db, clock}, op);
    savepoint.release();
    return {true, std::move(id)};
  } catch (const OpError& error) {
    return {false, error.what()};  // the savepoint's destructor rolls the op back
  }
}

}  // namespace

std::vector<OpResult> apply_ops(Database& db, const std::vector<Op>& ops, const Clock& clock) {
  Transaction transaction(db);
  std::vector<OpResult> results;
  results.reserve(ops.size());
  for (const Op& op : ops) {
    results.push_back(apply_one(db, op, clock));
  }
  refresh_leaf_counts(db);
  transaction.commit();
  return results;
}

}  // namespace takt::sim
