// Things' URL scheme (things:///add, update, add-project, update-project, json, show) as
// things-sim applies it, and the URL lag: a URL a script opens is queued in the sim's
// TaktSimPendingURL table with the time it becomes due (now + a draw from --url-lag-ms)
// and lands in the database only then. Due URLs are applied, in the order they were
// opened, at the start of every things-sim call, after every `delay` inside a script,
// and by a small background process that things-sim leaves behind while URLs are pending
// (it sleeps until the next one is due, applies it and exits when none are left), so a
// reader of the database sees the change land after the lag even when no other script
// runs. A URL with a wrong or missing auth-token (where Things needs one), an unknown
// command or parameter, or a value Things would reject changes nothing, silently, as
// Things does. May use: SQLite, RapidJSON, standard C++; not takt's code.
#pragma once

#include <optional>
#include <string>

#include "sql.hpp"

namespace takt::sim::model {

void ensure_pending_table(Sql& sql);
void queue_url(Sql& sql, const std::string& url, double due_unix);
// Applies every queued URL whose time has come, each in its own transaction (the caller
// must not hold one). Returns the due time of the next URL still queued, if any.
std::optional<double> apply_due_urls(Sql& sql);
// Applies one URL now, inside the caller's transaction. Returns false (changing nothing)
// when Things would ignore it.
bool apply_url(Sql& sql, const std::string& url);

// Starts the background applier for `db_path` when URLs are queued: a detached process
// (own session, stdio on /dev/null, no lock held) that applies them as they come due.
void spawn_url_applier(const std::string& db_path);
// The applier's loop (also usable in-process by tests): until no URL is queued, sleeps
// until the next is due and applies it. Gives up quietly when the database is gone.
void run_url_applier(const std::string& db_path);

}  // namespace takt::sim::model
