// One function per op of the sim dialect (internal to takt_sim_core). Each runs inside the
// op's savepoint, returns the id of the item it created or changed, and throws OpError
// for a bad value (the savepoint then undoes whatever it had written). script.hpp states
// what each op does.
#pragma once

#include <string>

#include "database.hpp"
#include "ops.hpp"
#include "script.hpp"

namespace takt::sim {

// op_todos.cpp
std::string add_todo(Database& db, const AddTodo& op, const Clock& clock);
std::string update_todo(Database& db, const UpdateTodo& op, const Clock& clock);

// op_projects.cpp
std::string add_project(Database& db, const AddProject& op, const Clock& clock);
std::string update_project(Database& db, const UpdateProject& op, const Clock& clock);
std::string add_heading(Database& db, const AddHeading& op, const Clock& clock);

// op_states.cpp
std::string set_status(Database& db, const SetStatus& op, const Clock& clock);
std::string set_trashed(Database& db, const Trash& op, const Clock& clock);

// op_tags.cpp
std::string create_tag(Database& db, const CreateTag& op, const Clock& clock);
std::string create_area(Database& db, const CreateArea& op, const Clock& clock);

}  // namespace takt::sim
