#include "ops.hpp"

#include <algorithm>
#include <optional>

#include "op_handlers.hpp"
#include "reads.hpp"
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
  std::string operator()(const ReadTool&) const { throw std::logic_error("a read op is not a write"); }
};

OpResult apply_one(Database& db, const Op& op, const Clock& clock) {
  Savepoint savepoint(db);
  try {
    std::string id = std::visit(OpVisitor{db, clock}, op);
    savepoint.release();
    return OpResult::written(std::move(id));
  } catch (const OpError& error) {
    return OpResult::failed(error.what());  // the savepoint's destructor rolls the op back
  }
}

bool is_read(const Op& op) { return std::holds_alternative<ReadTool>(op); }

}  // namespace

std::vector<OpResult> apply_ops(Database& db, const std::vector<Op>& ops, const Clock& clock,
                                const std::function<void()>& before_commit) {
  // A script of reads only writes nothing, so it takes no write lock: its reads share
  // one read transaction, one consistent snapshot.
  const bool writes = !std::all_of(ops.begin(), ops.end(), is_read);
  Transaction transaction(db, writes ? Transaction::Kind::write : Transaction::Kind::read);
  Reader reader(db);
  bool counts_stale = false;  // a write applied since the leaf counts were last computed
  std::vector<OpResult> results;
  results.reserve(ops.size());
  for (const Op& op : ops) {
    if (const auto* read = std::get_if<ReadTool>(&op)) {
      // A read sees the script's earlier writes exactly as a later script would.
      if (counts_stale) refresh_leaf_counts(db);
      counts_stale = false;
      results.push_back(reader.read(*read));
    } else {
      results.push_back(apply_one(db, op, clock));
      counts_stale = counts_stale || results.back().ok;
    }
  }
  if (writes) refresh_leaf_counts(db);
  if (before_commit) before_commit();
  transaction.commit();
  return results;
}

}  // namespace takt::sim
