// The read op: takt's own read code answering on the script's connection (internal to
// takt_sim_core). script.hpp states what a read op does.
#pragma once

#include <optional>

#include "database.hpp"
#include "script.hpp"
#include "things/db/db.hpp"

namespace takt::sim {

// Answers the read ops of one script. Reads go through the script's own connection, in
// the transaction apply_ops holds, so they see the script's earlier writes; takt's
// ThingsDb borrows that connection (it neither writes through it nor closes it).
class Reader {
 public:
  explicit Reader(Database& db) : db_(db) {}
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;

  // {"ok":true,"result":...} with exactly what takt's database route answers, or
  // {"ok":false} naming why (not a read tool, bad arguments, a things::DbError).
  OpResult read(const ReadTool& op);

 private:
  Database& db_;
  std::optional<things::ThingsDb> things_;  // set up at the script's first read
};

}  // namespace takt::sim
