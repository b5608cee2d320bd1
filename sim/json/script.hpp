// The sim dialect: the script takt sends to things-sim on stdin and the result it prints.
// This comment is the contract takt's SimDialect generates against.
//
//   stdin:  {"ops":[OP, ...]}
//   stdout: {"results":[RESULT, ...]}   one RESULT per OP, in order
//   RESULT: {"ok":true,"id":"<uuid>"}   the item a write op created or changed
//         | {"ok":true,"result":{...}}  what a read op found (no "id")
//         | {"ok":false,"error":"<message>"}
//
// The ops run in order in ONE transaction, each inside its own SAVEPOINT: a failing op
// ({"ok":false}) leaves no trace, later ops still run and see the earlier ones' changes
// (a read op included: it sees the writes before it in the same script).
// One script is one call: one lock, one --latency-ms draw plus one --per-op-ms draw per
// op, so batching many ops into one script is the cheap way to write.
//
// A call may also fail as a whole, with nothing on stdout: exit 1 with the reason on stderr
// ("Things3 got an error: AppleEvent timed out. (-1712)" or "... Application isn't running.
// (-600)", injected by --fail-rate and --down-file: nothing changed), exit 3 (OVERLAP:
// nothing changed), or death by SIGKILL (--crash-rate: before the ops or inside their
// transaction nothing changed; after the commit every op of the script applied, and only
// reading the database tells which). The ops of one script are all committed or none.
//
// Two kinds of failure of the script itself:
//  - The script is not valid dialect (a bug in takt's generator): bad JSON, a missing or
//    unknown "op", an unknown field, a missing required field, a field of the wrong JSON
//    type, or null where null is not allowed. things-sim exits 2, prints nothing on stdout
//    and changes nothing: "things-sim: malformed script: op 3 (update_todo): ...".
//  - A bad VALUE of the right type (an unknown id, an item of the wrong type, an empty
//    title, a date or time that does not parse, contradictory fields): that op alone
//    reports {"ok":false}. The message starts with the field's name and quotes the value:
//    `id "Xyz": no such item`, `when "2025-02-30": expected today, ...`. An id an op
//    cannot act on gets one wording whatever the op: `id "X": no such item` when nothing
//    has it, `id "X": a heading, not a to-do` (or `an area, not a ...`) for another kind.
//
// Null: in add_*/create_* ops a JSON null is the same as leaving the field out. In
// update_* ops null CLEARS the fields marked [null clears] below and is a script error on
// any other field (omit a field to leave it unchanged).
//
// Value formats:
//   DATE     "YYYY-MM-DD", a real calendar day.
//   WHEN     "today" | "evening" (This Evening) | "tomorrow" | "anytime" | "someday" | DATE.
//            today/evening: start 1 (Anytime) + startDate today (+ startBucket 1 for
//            evening); tomorrow or a future DATE: start 2 + startDate (Upcoming); a DATE
//            today or earlier: start 1 + startDate (Today); anytime: start 1, no date;
//            someday: start 2, no date.
//   LIST     "inbox" | "today" | "evening" | "anytime" | "someday": the named lists, the
//            same as the WHEN of that name; "inbox" is start 0 without a date.
//   TIME     "HH:MM", 24 h (00:00 .. 23:59), stored as reminderTime = h << 26 | min << 20.
//            A reminder needs a date: it is only valid on an item that has a startDate
//            once the op's when/list applied; an item that loses its date loses its
//            reminder (as in Things, where the reminder belongs to the date).
//   ID       a 22-character Things uuid. TITLE: a non-empty string.
//   TAGS     tag titles, matched case-insensitively (ASCII); missing tags are created.
//
// Ops (every field not marked required is optional):
//
// {"op":"add_todo", "title":TITLE (required), "notes":S, "when":WHEN, "list":LIST,
//  "reminder":TIME, "deadline":DATE, "tags":[S], "checklist":[S], "project":ID,
//  "area":ID, "heading":ID}
//   A new to-do (type 0), on top (index below every other item). Without when/list it
//   goes to the Inbox, or to Anytime when it has a project, area or heading. when and list
//   together, or list "inbox" with a project/area/heading, are errors. A heading must
//   belong to the project when both are given; under a heading the to-do's project is
//   NULL (its project is the heading's). An area cannot go with a project or heading.
//   Checklist items are created in order, all open.
//
// {"op":"update_todo", "id":ID (required, a to-do), "title":TITLE, "notes":S,
//  "append_notes":S, "prepend_notes":S, "when":WHEN [null clears], "list":LIST,
//  "reminder":TIME [null clears], "deadline":DATE [null clears], "tags":[S],
//  "add_tags":[S], "remove_tags":[S], "checklist":[S], "append_checklist":[S],
//  "checklist_items":[{"title":S (required), "completed":BOOL}],
//  "project":ID [null clears], "area":ID [null clears], "heading":ID [null clears]}
//   notes replaces the notes; append_notes/prepend_notes join with "\n" (no separator
//   when the notes were empty); notes cannot go with append_notes/prepend_notes.
//   when null: no date, start 1 (Anytime), except that an Inbox to-do that is not being
//   moved into a container stays in the Inbox. when and list together are an error.
//   list "inbox" also takes the to-do out of its project, heading and area (and cannot go
//   with project/area/heading). A to-do moved out of the Inbox by project/area/heading
//   (without when/list) goes to Anytime.
//   deadline (set or cleared) also clears deadlineSuppressionDate.
//   tags replaces the whole set (missing tags created; [] removes all) and cannot go
//   with add_tags/remove_tags; remove_tags names must be existing tags (one the to-do
//   does not carry is fine); a title in both add_tags and remove_tags is an error.
//   checklist replaces all items (new ones open, in order); append_checklist adds open
//   items after the existing ones; the two together are an error. checklist_items
//   replaces all items too, each open or completed (status 3, stopDate now), as Things'
//   json command does with checklist-items; it goes with neither of the other two.
//   project ID: into that project, clearing area and heading; project null: out of its
//   project (and out of its heading). heading ID: under that heading, which must be in
//   the project given in the same op or else in the to-do's current project; sets
//   heading and clears project and area. heading null: out of its heading, staying in
//   the heading's project. area ID: into that area, clearing project and heading;
//   area null: out of its area. An area cannot go with a project or heading ID, nor a
//   heading ID with project null.
//
// {"op":"add_project", "title":TITLE (required), "notes":S, "when":WHEN,
//  "reminder":TIME, "deadline":DATE, "tags":[S], "area":ID, "headings":[TITLE],
//  "todos":[TITLE]}
//   A project (type 1), Anytime without when (projects are never in the Inbox), with its
//   headings (type 2) and to-dos (type 0, Anytime, directly in the project) in the given
//   order. Returns the project's id.
//
// {"op":"update_project", "id":ID (required, a project), "title":TITLE, "notes":S,
//  "append_notes":S, "prepend_notes":S, "when":WHEN [null clears], "reminder":TIME
//  [null clears], "deadline":DATE [null clears], "tags":[S], "add_tags":[S],
//  "remove_tags":[S], "area":ID [null clears]}
//   As update_todo; when null puts the project in Anytime without a date.
//
// {"op":"add_heading", "project":ID (required), "title":TITLE (required)}
//   A heading (type 2) in the project, after its existing headings. Returns its id.
//
// {"op":"complete"|"cancel"|"reopen", "id":ID (required)}
//   To-dos, projects and headings. complete/cancel: status 3/2 and stopDate = now; a
//   project or heading also completes/cancels its open to-dos (and a project its open
//   headings and their to-dos). reopen: status 0, stopDate NULL, the item alone. An item
//   already in that status is left as it is.
//
// {"op":"trash"|"restore", "id":ID (required)}
//   trashed = 1 / 0 on the item. The to-dos and headings of a project, and the to-dos of
//   a heading, keep their own flag: they are hidden because their project or heading is
//   trashed, and restoring it brings back only those not trashed on their own. A trashed
//   heading's to-dos no longer count in its project's untrashedLeafActionsCount.
//   A project or heading in the Trash (or a heading whose project is) takes no new items:
//   add_todo, add_heading and update_todo into it fail with `project "P": is in the
//   Trash; restore it first` (or `heading "H": ...`, `heading "H": its project "P" is in
//   the Trash; ...`).
//
// {"op":"create_tag", "title":TITLE (required), "parent":S (a tag title), "shortcut":S}
//   A tag at the end of the tag list. Error if a tag with that title exists (ignoring
//   case) or the parent does not. A shortcut is one character. Returns the tag's id.
//
// {"op":"create_area", "title":TITLE (required), "tags":[S]}
//   An area (TMArea) on top of the area list, with its tags in TMAreaTag (missing tags
//   created). visible and cachedTags stay NULL, as in the areas of a real Things
//   database. Returns its id.
//
// {"op":"read", "tool":S (required), "args":OBJECT}
//   Runs one of takt's read tools (get_inbox, get_today, ..., search, get_item: the Read
//   tools of takt's catalogue, things/read_catalog.cpp) with takt's own code
//   (things::check_arguments, then things::run_read), so RESULT is {"ok":true,
//   "result":R} where R is exactly the structuredContent takt's database route answers
//   for the same tool and arguments. args is the tool's arguments object; absent means
//   {}, while null or any other JSON type is a script error, like a missing or non-string
//   tool. Failures of that op alone ({"ok":false}):
//     - a tool name that is not a read tool: `tool "get_inbx": not a read tool of takt
//       (read tools: get_inbox, ...)`; write and status tools (add_todo, health_check)
//       are not read tools;
//     - arguments the tool rejects: takt's own message, naming the field
//       (`limit: must be at most 1000`, `period: '7x' is not a period; ...`);
//     - an id or tag the database does not hold, or a database that cannot be read: the
//       message of takt's things::DbError (`id: no to-do, project or heading has the id
//       'X'`).
//   A read runs on the script's own connection inside its transaction, with the project
//   and heading counts brought up to date first, so it sees the earlier ops of the script
//   as a later script would. It changes nothing: SQLite's query_only is on while it runs,
//   and no date is touched. "today" is the local date (things::local_today), as in takt.
//   A script of read ops only takes no write lock: its reads share one read transaction
//   (one consistent snapshot) and it writes nothing but the --stats call counter. Batch
//   reads like writes: one call, one latency draw, plus one --per-op-ms draw per read.
//
// Every change sets the item's userModificationDate to now. After the ops of a script
// holding any write op, things-sim recomputes untrashedLeafActionsCount /
// openUntrashedLeafActionsCount of every project and heading (and before a read op that
// follows a write); checklistItemsCount / openChecklistItemsCount follow each checklist
// edit.
#pragma once

#include <rapidjson/fwd.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace takt::sim {

// A field of an update op: absent (leave it), null (clear it) or a value (set it).
struct Clearable {
  bool given = false;
  std::optional<std::string> value;  // nullopt when given as null

  bool sets() const { return value.has_value(); }
  bool clears() const { return given && !value.has_value(); }
};

struct AddTodo {
  std::string title;
  std::optional<std::string> notes;
  std::optional<std::string> when;
  std::optional<std::string> list;
  std::optional<std::string> reminder;
  std::optional<std::string> deadline;
  std::vector<std::string> tags;
  std::optional<std::string> project;
  std::optional<std::string> area;
  std::optional<std::string> heading;
  std::vector<std::string> checklist;
};

// The fields update_todo and update_project share.
struct TaskEdits {
  std::string id;
  std::optional<std::string> title;
  std::optional<std::string> notes;
  std::optional<std::string> append_notes;
  std::optional<std::string> prepend_notes;
  Clearable when;
  Clearable reminder;
  Clearable deadline;
  std::optional<std::vector<std::string>> tags;  // nullopt: leave the set alone
  std::vector<std::string> add_tags;
  std::vector<std::string> remove_tags;
  Clearable area;
};

// A checklist item with its state, as Things' json command takes it.
struct ChecklistEntry {
  std::string title;
  bool completed = false;
};

struct UpdateTodo {
  TaskEdits edits;
  std::optional<std::string> list;
  std::optional<std::vector<std::string>> checklist;
  std::optional<std::vector<ChecklistEntry>> checklist_items;
  std::vector<std::string> append_checklist;
  Clearable project;
  Clearable heading;
};

struct AddProject {
  std::string title;
  std::optional<std::string> notes;
  std::optional<std::string> when;
  std::optional<std::string> reminder;
  std::optional<std::string> deadline;
  std::vector<std::string> tags;
  std::optional<std::string> area;
  std::vector<std::string> headings;
  std::vector<std::string> todos;
};

struct UpdateProject {
  TaskEdits edits;
};

struct AddHeading {
  std::string project;
  std::string title;
};

// complete (status 3), cancel (status 2) or reopen (status 0).
struct SetStatus {
  std::string id;
  int status = 3;
};

// trash (trashed = 1) or restore (trashed = 0).
struct Trash {
  std::string id;
  bool trashed = true;
};

struct CreateTag {
  std::string title;
  std::optional<std::string> parent;
  std::optional<std::string> shortcut;
};

struct CreateArea {
  std::string title;
  std::vector<std::string> tags;
};

// read: one of takt's read tools, answered by takt's own read code.
struct ReadTool {
  std::string tool;
  // The arguments object, inside the parsed script (which this pointer keeps alive), or
  // an empty object when the op gave none.
  std::shared_ptr<const rapidjson::Value> args;
};

using Op = std::variant<AddTodo, UpdateTodo, AddProject, UpdateProject, AddHeading, SetStatus, Trash, CreateTag,
                        CreateArea, ReadTool>;

// Throws ScriptError naming the problem (and the op's position).
std::vector<Op> parse_script(std::string_view text);

struct OpResult {
  bool ok = false;
  std::string value;   // the uuid of a write, or the error message when not ok
  std::string result;  // a read's structured result (a JSON object), empty for writes

  static OpResult written(std::string id) { return {true, std::move(id), {}}; }
  static OpResult failed(std::string error) { return {false, std::move(error), {}}; }
  static OpResult read(std::string result_json) { return {true, {}, std::move(result_json)}; }
  bool is_read() const { return ok && !result.empty(); }
};

std::string results_json(const std::vector<OpResult>& results);

}  // namespace takt::sim
