#pragma once
/// Typed write operations on Things, and the dialect interface that turns them into a
/// script for the AppleScript lane. There is one dialect, AppleScript with the things:///
/// URL scheme (things/script/applescript.hpp): osascript on a Mac and things-sim on Linux
/// run the same script. Pure functions; thread-safe.

#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "things/data/dates.hpp"

namespace takt::things {

/// A field of an update: absent (leave it), cleared, or set to a value. Plain value.
struct Clearable {
  bool given = false;
  std::optional<std::string> value;  ///< nullopt when given to clear the field

  static Clearable set(std::string v) { return {true, std::move(v)}; }
  static Clearable clear() { return {true, std::nullopt}; }
  bool sets() const { return value.has_value(); }
  bool clears() const { return given && !value.has_value(); }
};

/// Create one to-do. `when`: today, evening, tomorrow, anytime, someday or YYYY-MM-DD;
/// `reminder`: HH:MM (needs a day from `when`).
struct AddTodo {
  std::string title;
  std::optional<std::string> notes, when, reminder, deadline, project, area, heading;
  std::vector<std::string> tags, checklist;
};

/// A checklist item with its state (Things' json command: checklist-items with `completed`).
struct ChecklistItem {
  std::string title;
  bool completed = false;
  bool operator==(const ChecklistItem&) const = default;
};

/// Change one to-do; fields left out stay as they are.
struct UpdateTodo {
  std::string id;
  std::optional<std::string> title, notes, append_notes, prepend_notes;
  Clearable when, reminder, deadline, project, area, heading;
  std::optional<std::string> list;  ///< inbox, today, evening, anytime or someday
  std::optional<std::vector<std::string>> tags;  ///< replaces every tag
  std::vector<std::string> add_tags, remove_tags;
  std::optional<std::vector<std::string>> checklist;  ///< replaces every checklist item
  std::vector<std::string> append_checklist;
  /// Replaces every checklist item, each open or completed.
  std::optional<std::vector<ChecklistItem>> checklist_items;
};

/// Create a project, with headings and to-dos in it.
struct AddProject {
  std::string title;
  std::optional<std::string> notes, when, reminder, deadline, area;
  std::vector<std::string> tags, headings, todos;
};

/// Change one project; fields left out stay as they are.
struct UpdateProject {
  std::string id;
  std::optional<std::string> title, notes, append_notes, prepend_notes;
  Clearable when, reminder, deadline, area;
  std::optional<std::vector<std::string>> tags;
  std::vector<std::string> add_tags, remove_tags;
};

/// A heading at the end of a project's headings.
struct AddHeading {
  std::string project, title;
};

/// What an id names, as TMTask.type stores it; Unknown when takt could not look it up.
enum class ItemKind { Unknown = -1, Todo = 0, Project = 1, Heading = 2 };

/// Things' status codes, as TMTask.status stores them.
enum class Status { Open = 0, Canceled = 2, Completed = 3 };

/// Complete, cancel or reopen a to-do, project or heading.
struct SetStatus {
  std::string id;
  Status status = Status::Completed;
  ItemKind kind = ItemKind::Unknown;  ///< Things' AppleScript reaches a project as `project id`
};

/// Move a to-do, project or heading to the Trash, or bring it back.
struct SetTrashed {
  std::string id;
  bool trashed = true;
  ItemKind kind = ItemKind::Unknown;
  /// Restoring: where the item goes back to, as a `when` (inbox, today, anytime, someday or
  /// YYYY-MM-DD). Things' AppleScript has no "put back": takt moves it to the list it was
  /// in when it went to the Trash, which the database still shows.
  std::string back_to = "anytime";
};

struct CreateTag {
  std::string title;
  std::optional<std::string> parent, shortcut;
};

struct CreateArea {
  std::string title;
  std::vector<std::string> tags;
};

/// Open Things at an item or a built-in list (AppleScript `show`): changes nothing.
struct Show {
  std::string id;                     ///< the item's id; empty for a list
  ItemKind kind = ItemKind::Unknown;  ///< Unknown: not a task, so an area
  std::string list;                   ///< a built-in list's id (TMTodayListSource, ...); empty for an item
  std::string list_title;             ///< its name in English, for the answer
};

/// A read run as a script (tools.reads_via: applescript): the tool and its arguments.
struct ReadOp {
  std::string tool;
  std::string args_json;
};

using Operation = std::variant<AddTodo, UpdateTodo, AddProject, UpdateProject, AddHeading, SetStatus, SetTrashed,
                               CreateTag, CreateArea, ReadOp, Show>;

/// A visitor made of lambdas, for std::visit over an Operation.
template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

/// The name of an operation as users read it (add_todo, complete, trash, ...).
std::string op_name(const Operation& op);

/// The outcome of one operation of a script.
struct OpResult {
  bool ok = false;
  std::string id;      ///< the item created or changed
  std::string error;   ///< why it failed, in words for the user
  std::string result;  ///< for reads: the structured result, JSON text
};

/// What running one script gave back.
struct ScriptOutput {
  int exit_code = 0;
  bool timed_out = false;
  bool abandoned = false;  ///< stopped because every request waiting for it was cancelled
  bool started = true;
  std::string out, err;
  int signal = 0;  ///< the signal that ended the script (a crash, or takt's kill), else 0
};

/// How takt speaks to a backend: the script text for a list of operations, and how to
/// read the program's output back into one result per op.
/// AppleScript that runs after a batch's operations, in the same script, and whose printed
/// result follows theirs: takt's mirror of Things (things/mirror), read back to confirm
/// writes when takt cannot read the database, at no extra call. `handlers`: top-level
/// text (handler definitions); `body`: statements that leave the text to print in the
/// variable named `result`. Plain value.
struct ReadBack {
  std::string handlers, body, result;
};

/// The line a script's read-back output begins with when its body failed (an Apple event
/// of it did not answer): the operations' own lines before it still stand.
inline constexpr const char* kReadBackFailed = "takt-read-back-failed ";

class Dialect {
 public:
  virtual ~Dialect() = default;
  virtual std::string render(const std::vector<Operation>& ops) const = 0;
  /// The operations, then `after` in the same script: its output is the operations' lines,
  /// then a line break and the read-back's text (or kReadBackFailed and why). A dialect
  /// that cannot do that renders the operations alone (the caller then reads back on its own).
  virtual std::string render(const std::vector<Operation>& ops, const ReadBack& after) const {
    (void)after;
    return render(ops);
  }
  virtual std::vector<OpResult> parse(const ScriptOutput& out, std::size_t op_count) const = 0;
  /// Why this backend cannot carry out `op` (naming the field), or nullopt when it can.
  virtual std::optional<std::string> unsupported(const Operation&) const { return std::nullopt; }
  /// `text` with every secret the scripts carry (the URL scheme's auth token) replaced, for
  /// whatever leaves takt: error texts, logs.
  virtual std::string redact(std::string text) const { return text; }
};

/// A script's output rendered with a ReadBack, cut in two after the operations' `op_count`
/// lines: those lines, and the read-back's text (empty when there is none). Plain function.
std::pair<std::string, std::string> split_read_back(const std::string& out, std::size_t op_count);

/// The message for a script that failed as a whole (did not start, timed out, or exited
/// non-zero), in words for the user.
std::string describe_failure(const ScriptOutput& out);

/// `s` without trailing line breaks and spaces.
std::string trim_end(std::string s);

/// One failed result per operation, each saying `why`.
std::vector<OpResult> all_failed(std::size_t n, const std::string& why);

}  // namespace takt::things
