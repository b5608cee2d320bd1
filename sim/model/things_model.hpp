// Things 3's AppleScript object model over its SQLite database (sim/model).
//
// ThingsApp is the `application "Things3"` a script tells: the classes to do, project (a
// kind of to do), area, tag and list (the seven built-in lists, by their name in the
// sim's locale or by id), their properties and elements, and the commands make, move,
// schedule, delete, empty trash, show. It also takes the things:/// URLs a script opens
// with `do shell script "open -g ..."`: they are queued in TaktSimPendingURL and land
// after the URL lag (url_scheme.hpp). See sim/README.md for what is modelled and where
// the model is stricter than real Things.
//
// May use: sim/applescript (the Application interface, values), SQLite, standard C++.
// Not takt's Things code: the sim must not mirror a bug of the code it tests.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <random>
#include <string>

#include "interpreter.hpp"
#include "sql.hpp"

namespace takt::sim::model {

// The built-in lists: id, and their names per locale.
struct BuiltinList {
  const char* id;
  const char* en;
  const char* de;
  const char* es;
  const char* ru;
};
const std::vector<BuiltinList>& builtin_lists();
// The list's name in `locale` (en, de, es, ru).
std::string list_name(const BuiltinList& list, const std::string& locale);
bool known_locale(const std::string& locale);

struct ModelConfig {
  std::string locale = "en";
  int url_lag_min_ms = 500;
  int url_lag_max_ms = 3000;
  std::optional<std::uint64_t> seed;
  // Each Apple event (command, get, set) fails with -1712 with this probability.
  double event_fail_rate = 0.0;
  // Sleeps for `delay` (tests replace it).
  std::function<void(double seconds)> sleep;
};

class ThingsApp : public as::Application {
 public:
  // `db` must stay open while the app is used. Creates the sim's pending-URL table if
  // missing.
  ThingsApp(sqlite3* db, ModelConfig config);

  std::string name() const override { return "Things3"; }
  std::vector<as::Value> elements(const as::Value& container, const std::string& cls) override;
  as::Value by_id(const as::Value& container, const std::string& cls, const as::Value& id) override;
  as::Value by_name(const as::Value& container, const std::string& cls, const std::string& name) override;
  as::Value get(const as::Value& object, const std::string& property) override;
  void set(const as::Value& object, const std::string& property, const as::Value& value) override;
  std::vector<as::Value> get_many(const std::vector<as::Value>& objects, const std::string& property) override;
  as::Value command(const std::string& command, const as::Value& direct, const as::Params& params) override;
  void open_url(const std::string& url) override;
  void delay(double seconds) override;
  void begin_specifier() override;
  void end_specifier() override;

  // Apple events the script sent to Things (for the per-op latency model).
  std::int64_t events() const { return events_; }
  // The script's changes are made in one transaction, committed around each `delay` (so
  // no lock is held while sleeping) and by commit(). rollback() drops what is not
  // committed yet.
  void begin();
  void commit();
  void rollback();
  // Recomputes the projects' and headings' leaf counts, as Things keeps them.
  void refresh_counts();

 private:
  // One Apple event reaches Things: counted, and failed with -1712 at the event fail rate.
  void event();
  struct Task;
  std::optional<Task> load(const std::string& uuid);
  Task require_task(const as::Value& object);
  void touch(const std::string& uuid);
  void set_status(const Task& task, const std::string& status);
  void set_tag_names(const std::string& table, const std::string& owner_column, const std::string& uuid,
                     const std::string& names);
  std::string tag_names(const std::string& table, const std::string& owner_column, const std::string& uuid);
  void move_to_list(const Task& task, const std::string& list_id);
  void move_into(const Task& task, const as::Value& container);
  void require_open_project(const as::Value& container);
  as::Value make_target(const std::string& cls, const as::Value& at);
  void delete_object(const as::Value& object);
  void clear_property(const as::Value& object, const std::string& property);
  as::Value make(const std::string& cls, const as::Value& properties, const as::Value& at);
  as::Value object_for(const std::string& uuid, std::int64_t type) const;
  std::int64_t top_index();
  std::string tag_for(const std::string& title, bool create);

  Sql sql_;
  ModelConfig config_;
  std::mt19937_64 rng_;
  std::int64_t events_ = 0;
  int specifier_depth_ = 0;      // > 0 while a specifier written out is resolved
  bool specifier_sent_ = false;  // its one Apple event is counted already
  bool in_transaction_ = false;
};

// 22 characters from [A-Za-z0-9], like Things' ids.
std::string new_uuid();
// Things' packed day (year << 16 | month << 12 | day << 7) of a naive local date.
std::int64_t pack_day(std::int64_t naive_seconds);
std::int64_t unpack_day(std::int64_t packed);  // to naive local seconds at midnight
double unix_now();
std::int64_t today_naive();  // local midnight, naive seconds
// Unix seconds (REAL columns) <-> naive local seconds (AppleScript dates).
std::int64_t naive_from_unix(double unix_seconds);

}  // namespace takt::sim::model
