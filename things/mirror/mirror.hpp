#pragma once
/// takt's mirror of Things, read through AppleScript: for a Mac whose Things database takt
/// may not read (no Full Disk Access). One script (mirror_script) asks Things for every
/// to-do, project, area and tag in a few Apple events, each a property of every element of
/// a kind at once, and prints them in a line format no title or note can forge (every text
/// escaped in the script). Mirror::load parses that text into an in-memory SQLite database
/// with Things' own schema, so the database reads (things/db) answer from it exactly as
/// they answer from Things' file, for every field AppleScript shows.
///
/// What AppleScript does not show is left empty and said so (kUnavailable): headings,
/// checklists, reminders, This Evening, repeat rules, and where an item that is no longer
/// open was started (Inbox, Anytime or Someday). Mirror is move-only; one thread at a time.

#include <sqlite3.h>

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

namespace takt::things {

/// The script's output could not be read as a mirror (truncated, not takt's format, or a
/// field that is not what it should be). The message says where.
class MirrorError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The AppleScript that reads the mirror. Fixed text: nothing of the user's is spliced in.
const std::string& mirror_script();

/// The same script in parts, to run after other statements in one script (the writes of a
/// batch, read back at no extra call): its handlers (top-level text), its body, which
/// leaves the mirror's text in the variable named `result`. Handlers + body + printing
/// `result` prints what mirror_script() prints.
struct MirrorScriptParts {
  std::string handlers, body, result;
};
const MirrorScriptParts& mirror_script_parts();

/// Fields of takt's items that a mirror cannot know, by their names in the tools' answers.
inline constexpr const char* kUnavailable[] = {"heading", "heading_title", "evening", "reminder_time",
                                                "checklist", "repeat", "repeating_template"};

class Mirror {
 public:
  /// Parses the script's printed result. Throws MirrorError.
  static Mirror load(std::string_view output);
  Mirror(Mirror&& other) noexcept;
  Mirror& operator=(Mirror&& other) noexcept;
  Mirror(const Mirror&) = delete;
  Mirror& operator=(const Mirror&) = delete;
  ~Mirror();

  /// The in-memory database, with Things' schema: a things::ThingsDb may borrow it.
  sqlite3* connection() const { return db_; }
  /// To-dos and projects held (the Trash's included).
  std::size_t tasks() const { return tasks_; }

 private:
  Mirror() = default;
  sqlite3* db_ = nullptr;
  std::size_t tasks_ = 0;
};

}  // namespace takt::things
