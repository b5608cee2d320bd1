#pragma once
/// Confirming writes by reading the database afterwards: a write counts as done only when
/// the database shows what it asked for. Every check reads through the ThingsDb it is
/// given (thread-safe, blocking on SQLite: call it off the TBB workers, as the AppleScript
/// lane does). Stateless apart from that.

#include <optional>
#include <string>
#include <vector>

#include "things/catalog/catalog.hpp"
#include "things/db/db.hpp"
#include "things/script/ops.hpp"

namespace takt::things {

/// What a write is checked through: Things' database, which shows every field, or Things'
/// AppleScript (`db` over takt's mirror of Things, things/mirror, when takt cannot read the
/// database), which shows no headings, checklists, reminder times or This Evening: those
/// parts of a write are then left unconfirmed and named, never reported as not done.
enum class Sight { Database, AppleScript };

/// Checks that `op`, which the backend reported done on the item `id`, took effect.
/// Returns nullopt when `db` shows it, otherwise what did not happen, naming the field
/// (`deadline: asked for 2026-01-05, the database has none`). What was asked that `sight`
/// cannot see is added to `unconfirmed` when given. Throws DbError when the database
/// cannot be read. A caller that wants to know whether a write already happened (before
/// retrying it) can call this with the id it knows.
std::optional<std::string> verify(ThingsDb& db, const Operation& op, const std::string& id,
                                  Sight sight = Sight::Database, std::vector<std::string>* unconfirmed = nullptr);

/// The id of the existing item `op` changes, or nullopt for an operation that creates one
/// (add_*, create_*) or reads.
std::optional<std::string> target_id(const Operation& op);

/// A write tool's answer: the MCP tool result (JSON text) and whether it is a success.
struct WriteAnswer {
  bool ok = false;
  std::string result;
};

/// The answer to a write tool call whose operations `ops` ran with `results` (one per op):
/// a success listing the ids touched (structuredContent matching the tool's output
/// schema, plus a sentence) when every op was reported done and is confirmed by the
/// database; otherwise an isError result naming each op that did not take effect (and the
/// ids that did).
/// `not_yet[i]` marks an operation whose change went through Things' URL scheme and has not
/// shown in the database by the end of the settle time: it is reported as sent and not
/// applied yet (Things may still apply it), never as not done. With Sight::AppleScript the
/// answer says it was confirmed through Things' AppleScript, and names what it could not
/// see ("unconfirmed").
WriteAnswer confirm_write(ThingsDb& db, const ToolSpec& tool, const std::vector<Operation>& ops,
                          const std::vector<OpResult>& results, const std::vector<bool>& not_yet = {},
                          Sight sight = Sight::Database);

}  // namespace takt::things
