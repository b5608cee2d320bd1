#include "things_model.hpp"

#include <chrono>
#include <algorithm>
#include <ctime>
#include <thread>

#include "url_scheme.hpp"

namespace takt::sim::model {

using as::Kind;
using as::ScriptError;
using as::Value;

namespace {

const std::string apostrophe = "\xE2\x80\x99";

[[noreturn]] void cant_get(const std::string& what) { throw ScriptError{"Can" + apostrophe + "t get " + what + ".", -1728}; }
[[noreturn]] void cant_set(const std::string& what) { throw ScriptError{"Can" + apostrophe + "t set " + what + ".", -10006}; }
[[noreturn]] void failed(const std::string& what) { throw ScriptError{what, -10000}; }

std::string quoted(const std::string& text) { return "\"" + text + "\""; }

std::string spec(const Value& object) {
  if (object.kind != Kind::object) return as::describe(object);
  if (object.s == "application") return "application " + quoted(object.id);
  return object.s + " id " + quoted(object.id);
}

const char* status_name(std::int64_t status) {
  if (status == 3) return "completed";
  if (status == 2) return "canceled";
  return "open";
}

Value optional_date(const SqlValue& v, bool packed) {
  if (is_null(v)) return Value::missing_value();
  if (packed) return Value::date(unpack_day(as_int(v)));
  return Value::date(naive_from_unix(as_real(v)));
}

}  // namespace

const std::vector<BuiltinList>& builtin_lists() {
  // es and ru: Things' own names are not verified here (see sim/README.md); what the
  // tests rely on is that they differ from the English ones.
  static const std::vector<BuiltinList> lists = {
      {"TMInboxListSource", "Inbox", "Eingang", "Entrada", "\xD0\x92\xD1\x85\xD0\xBE\xD0\xB4\xD1\x8F\xD1\x89\xD0\xB8\xD0\xB5"},
      {"TMTodayListSource", "Today", "Heute", "Hoy", "\xD0\xA1\xD0\xB5\xD0\xB3\xD0\xBE\xD0\xB4\xD0\xBD\xD1\x8F"},
      {"TMNextListSource", "Anytime", "Jederzeit", "En cualquier momento",
       "\xD0\x92 \xD0\xBB\xD1\x8E\xD0\xB1\xD0\xBE\xD0\xB5 \xD0\xB2\xD1\x80\xD0\xB5\xD0\xBC\xD1\x8F"},
      {"TMCalendarListSource", "Upcoming", "Geplant", "Pr\xC3\xB3ximos",
       "\xD0\x9F\xD0\xBB\xD0\xB0\xD0\xBD\xD1\x8B"},
      {"TMSomedayListSource", "Someday", "Irgendwann", "Alg\xC3\xBAn d\xC3\xAD" "a",
       "\xD0\x9A\xD0\xBE\xD0\xB3\xD0\xB4\xD0\xB0-\xD0\xBD\xD0\xB8\xD0\xB1\xD1\x83\xD0\xB4\xD1\x8C"},
      {"TMLogbookListSource", "Logbook", "Logbuch", "Registro", "\xD0\x96\xD1\x83\xD1\x80\xD0\xBD\xD0\xB0\xD0\xBB"},
      {"TMTrashListSource", "Trash", "Papierkorb", "Papelera", "\xD0\x9A\xD0\xBE\xD1\x80\xD0\xB7\xD0\xB8\xD0\xBD\xD0\xB0"},
  };
  return lists;
}

std::string list_name(const BuiltinList& list, const std::string& locale) {
  if (locale == "de") return list.de;
  if (locale == "es") return list.es;
  if (locale == "ru") return list.ru;
  return list.en;
}

bool known_locale(const std::string& locale) {
  return locale == "en" || locale == "de" || locale == "es" || locale == "ru";
}

std::string new_uuid() {
  static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  static thread_local std::mt19937_64 engine{std::random_device{}()};
  std::uniform_int_distribution<int> pick(0, 61);
  std::string id;
  for (int i = 0; i < 22; ++i) id += alphabet[pick(engine)];
  return id;
}

std::int64_t pack_day(std::int64_t naive_seconds) {
  const as::CivilTime civil = as::civil_from_seconds(naive_seconds);
  return static_cast<std::int64_t>(civil.year) << 16 | static_cast<std::int64_t>(civil.month) << 12 |
         static_cast<std::int64_t>(civil.day) << 7;
}

std::int64_t unpack_day(std::int64_t packed) {
  const int year = static_cast<int>(packed >> 16);
  const int month = static_cast<int>((packed >> 12) & 0xF);
  const int day = static_cast<int>((packed >> 7) & 0x1F);
  return as::days_from_civil(year, month, day) * 86400;
}

double unix_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::int64_t today_naive() {
  const std::int64_t now = as::local_now_seconds();
  return now - as::civil_from_seconds(now).seconds;
}

std::int64_t naive_from_unix(double unix_seconds) {
  const auto t = static_cast<std::time_t>(unix_seconds);
  std::tm local{};
  localtime_r(&t, &local);
  return as::seconds_from_civil(local.tm_year + 1900, local.tm_mon + 1, local.tm_mday,
                                local.tm_hour * 3600 + local.tm_min * 60 + local.tm_sec);
}

struct ThingsApp::Task {
  std::string uuid;
  std::int64_t type = 0;
  std::int64_t status = 0;
  bool trashed = false;
  std::int64_t start = 0;
  SqlValue start_date;
  SqlValue area;
  SqlValue project;
  SqlValue heading;
};

ThingsApp::ThingsApp(sqlite3* db, ModelConfig config)
    : sql_(db), config_(std::move(config)), rng_(config_.seed ? *config_.seed : std::random_device{}()) {
  ensure_pending_table(sql_);
}

void ThingsApp::begin() {
  if (!in_transaction_) {
    sql_.exec("BEGIN IMMEDIATE");
    in_transaction_ = true;
  }
}

void ThingsApp::commit() {
  if (in_transaction_) {
    refresh_counts();
    sql_.exec("COMMIT");
    in_transaction_ = false;
  }
}

void ThingsApp::rollback() {
  if (in_transaction_) {
    sql_.exec("ROLLBACK");
    in_transaction_ = false;
  }
}

void ThingsApp::refresh_counts() {
  sql_.run(R"sql(
    UPDATE TMTask AS container SET
      untrashedLeafActionsCount = (
        SELECT COUNT(*) FROM TMTask AS leaf
        WHERE leaf.type = 0 AND leaf.trashed = 0
          AND (leaf.project = container.uuid OR leaf.heading = container.uuid
               OR leaf.heading IN (SELECT h.uuid FROM TMTask AS h WHERE h.type = 2 AND h.project = container.uuid))),
      openUntrashedLeafActionsCount = (
        SELECT COUNT(*) FROM TMTask AS leaf
        WHERE leaf.type = 0 AND leaf.trashed = 0 AND leaf.status = 0
          AND (leaf.project = container.uuid OR leaf.heading = container.uuid
               OR leaf.heading IN (SELECT h.uuid FROM TMTask AS h WHERE h.type = 2 AND h.project = container.uuid)))
    WHERE container.type IN (1, 2))sql");
}

std::optional<ThingsApp::Task> ThingsApp::load(const std::string& uuid) {
  const auto rows = sql_.rows(
      "SELECT uuid, type, status, trashed, start, startDate, area, project, heading FROM TMTask WHERE uuid = ?1",
      {uuid});
  if (rows.empty()) return std::nullopt;
  const auto& r = rows[0];
  Task task;
  task.uuid = as_text(r[0]);
  task.type = as_int(r[1]);
  task.status = as_int(r[2]);
  task.trashed = as_int(r[3]) != 0;
  task.start = as_int(r[4]);
  task.start_date = r[5];
  task.area = r[6];
  task.project = r[7];
  task.heading = r[8];
  return task;
}

ThingsApp::Task ThingsApp::require_task(const Value& object) {
  if (object.kind != Kind::object || (object.s != "to do" && object.s != "project")) {
    failed("Can" + apostrophe + "t use " + spec(object) + " as a to do.");
  }
  auto task = load(object.id);
  if (!task || task->type == 2) cant_get(spec(object));
  return *task;
}

Value ThingsApp::object_for(const std::string& uuid, std::int64_t type) const {
  return Value::object(type == 1 ? "project" : "to do", uuid);
}

void ThingsApp::touch(const std::string& uuid) {
  sql_.run("UPDATE TMTask SET userModificationDate = ?2 WHERE uuid = ?1", {uuid, unix_now()});
}

std::int64_t ThingsApp::top_index() {
  return as_int(sql_.one("SELECT COALESCE(MIN(\"index\"), 0) - 1 FROM TMTask").value_or(SqlValue{std::int64_t{-1}}));
}

// ---- elements and specifiers

namespace {

// The SQL condition (on TMTask t) of the to dos in a built-in list. Projects are to dos
// too: they appear in the lists as Things shows them. Trashing a project or heading flags
// it alone, not its to dos, yet they leave every list but the Trash with it (as Things
// shows them, and as things.py reads the lists); the Trash lists only what was trashed
// itself.
std::string list_condition(const std::string& id, std::int64_t today_packed) {
  const std::string today = std::to_string(today_packed);
  const std::string visible =
      "t.trashed = 0 AND t.rt1_recurrenceRule IS NULL AND NOT EXISTS (SELECT 1 FROM TMTask AS c WHERE c.trashed = 1 AND (c.uuid = t.project OR "
      "c.uuid = t.heading OR c.uuid = (SELECT h.project FROM TMTask AS h WHERE h.uuid = t.heading))) AND ";
  if (id == "TMInboxListSource") return visible + "t.type = 0 AND t.status = 0 AND t.start = 0";
  if (id == "TMTodayListSource") {
    // Also what is due by today and has no start date, unless moved out of Today.
    return visible + "t.type IN (0, 1) AND t.status = 0 AND ((t.start IN (1, 2) AND t.startDate IS NOT NULL "
           "AND t.startDate <= " + today + ") OR (t.startDate IS NULL AND t.deadline IS NOT NULL "
           "AND t.deadline <= " + today + " AND t.deadlineSuppressionDate IS NULL))";
  }
  if (id == "TMNextListSource") return visible + "t.type IN (0, 1) AND t.status = 0 AND t.start = 1";
  if (id == "TMCalendarListSource") {
    return visible + "t.type IN (0, 1) AND t.status = 0 AND t.startDate IS NOT NULL AND t.startDate > " + today;
  }
  if (id == "TMSomedayListSource") {
    return visible + "t.type IN (0, 1) AND t.status = 0 AND t.start = 2 AND t.startDate IS NULL";
  }
  if (id == "TMLogbookListSource") return visible + "t.type IN (0, 1) AND t.status IN (2, 3)";
  return "t.type IN (0, 1) AND t.trashed = 1";  // TMTrashListSource
}

}  // namespace

std::vector<Value> ThingsApp::elements(const Value& container, const std::string& cls) {
  event();
  std::vector<Value> out;
  auto tasks = [&](const std::string& where, const std::vector<SqlValue>& args, const char* order = "t.\"index\"") {
    for (const auto& row : sql_.rows("SELECT t.uuid, t.type FROM TMTask AS t WHERE " + where + " ORDER BY " + order, args)) {
      out.push_back(object_for(as_text(row[0]), as_int(row[1])));
    }
  };
  const std::string& kind = container.s;
  if (kind == "application") {
    // A repeating template is no item Things shows (its instances are): in no list, and
    // not among every to do either (reached by its id alone).
    if (cls == "to do") tasks("t.type IN (0, 1) AND t.trashed = 0 AND t.rt1_recurrenceRule IS NULL", {});
    else if (cls == "project") tasks("t.type = 1 AND t.trashed = 0 AND t.rt1_recurrenceRule IS NULL", {});
    else if (cls == "area") {
      for (const auto& row : sql_.rows("SELECT uuid FROM TMArea ORDER BY \"index\"")) out.push_back(Value::object("area", as_text(row[0])));
    } else if (cls == "tag") {
      for (const auto& row : sql_.rows("SELECT uuid FROM TMTag ORDER BY \"index\"")) out.push_back(Value::object("tag", as_text(row[0])));
    } else if (cls == "list") {
      for (const BuiltinList& list : builtin_lists()) out.push_back(Value::object("list", list.id));
    } else if (cls == "selected to do") {
      // Nothing is selected in a window no one sees.
    } else {
      cant_get("every " + cls);
    }
    return out;
  }
  if (kind == "list" && cls == "to do") {
    // Today as Things shows it: This Evening's items after the rest.
    // Upcoming by day, and within a day in the order the user gave it.
    const std::string order = container.id == "TMTodayListSource"      ? "COALESCE(t.startBucket, 0), t.todayIndex, t.startDate, t.\"index\""
                              : container.id == "TMCalendarListSource" ? "t.startDate, t.todayIndex, t.\"index\""
                                                                       : "t.\"index\"";
    tasks(list_condition(container.id, pack_day(today_naive())), {}, order.c_str());
    return out;
  }
  if (kind == "project" && cls == "to do") {
    tasks("t.type = 0 AND t.trashed = 0 AND (t.project = ?1 OR t.heading IN "
          "(SELECT h.uuid FROM TMTask AS h WHERE h.type = 2 AND h.project = ?1))",
          {container.id});
    return out;
  }
  if (kind == "area" && (cls == "to do" || cls == "project")) {
    tasks(std::string("t.type = ") + (cls == "project" ? "1" : "0") + " AND t.trashed = 0 AND t.area = ?1", {container.id});
    return out;
  }
  if ((kind == "to do" || kind == "project" || kind == "area") && cls == "tag") {
    const bool area = kind == "area";
    const std::string sql = area ? "SELECT g.uuid FROM TMAreaTag AS l JOIN TMTag AS g ON g.uuid = l.tags WHERE l.areas = ?1 ORDER BY g.\"index\""
                                 : "SELECT g.uuid FROM TMTaskTag AS l JOIN TMTag AS g ON g.uuid = l.tags WHERE l.tasks = ?1 ORDER BY g.\"index\"";
    for (const auto& row : sql_.rows(sql, {container.id})) out.push_back(Value::object("tag", as_text(row[0])));
    return out;
  }
  if (kind == "tag" && cls == "to do") {
    tasks("t.type IN (0, 1) AND t.trashed = 0 AND t.uuid IN (SELECT tasks FROM TMTaskTag WHERE tags = ?1)", {container.id});
    return out;
  }
  if (kind == "tag" && cls == "tag") {
    for (const auto& row : sql_.rows("SELECT uuid FROM TMTag WHERE parent = ?1 ORDER BY \"index\"", {container.id})) {
      out.push_back(Value::object("tag", as_text(row[0])));
    }
    return out;
  }
  cant_get("every " + cls + " of " + spec(container));
}

Value ThingsApp::by_id(const Value& container, const std::string& cls, const Value& id_value) {
  event();
  const std::string id = id_value.kind == Kind::text ? id_value.s : as::to_text(id_value, {""});
  const std::string what = cls + " id " + quoted(id) + (container.s == "application" ? "" : " of " + spec(container));
  if (cls == "to do" || cls == "project") {
    // `to do id` of a project's id yields the project: a project is a kind of to do.
    const auto task = load(id);
    if (!task || task->type == 2 || (cls == "project" && task->type != 1)) cant_get(what);
    return object_for(id, task->type);
  }
  if (cls == "area") {
    if (!sql_.one("SELECT 1 FROM TMArea WHERE uuid = ?1", {id})) cant_get(what);
    return Value::object("area", id);
  }
  if (cls == "tag") {
    if (!sql_.one("SELECT 1 FROM TMTag WHERE uuid = ?1", {id})) cant_get(what);
    return Value::object("tag", id);
  }
  if (cls == "list") {
    for (const BuiltinList& list : builtin_lists()) {
      if (id == list.id) return Value::object("list", id);
    }
    cant_get(what);
  }
  cant_get(what);
}

Value ThingsApp::by_name(const Value& container, const std::string& cls, const std::string& name) {
  event();
  const std::string what = cls + " " + quoted(name) + (container.s == "application" ? "" : " of " + spec(container));
  if (cls == "list") {
    // Names as this Things shows them, in its language; exact match.
    for (const BuiltinList& list : builtin_lists()) {
      if (list_name(list, config_.locale) == name) return Value::object("list", list.id);
    }
    cant_get(what);
  }
  if (cls == "area") {
    const auto id = sql_.one("SELECT uuid FROM TMArea WHERE title = ?1 ORDER BY \"index\" LIMIT 1", {name});
    if (!id) cant_get(what);
    return Value::object("area", as_text(*id));
  }
  if (cls == "tag") {
    const auto id = sql_.one("SELECT uuid FROM TMTag WHERE title = ?1 ORDER BY \"index\" LIMIT 1", {name});
    if (!id) cant_get(what);
    return Value::object("tag", as_text(*id));
  }
  if (cls == "to do" || cls == "project") {
    for (const Value& item : elements(container, cls)) {
      const auto title = sql_.one("SELECT title FROM TMTask WHERE uuid = ?1", {item.id});
      if (title && as_text(*title) == name && (cls != "project" || item.s == "project")) return item;
    }
    cant_get(what);
  }
  cant_get(what);
}

// ---- properties

std::string ThingsApp::tag_names(const std::string& table, const std::string& owner_column, const std::string& uuid) {
  std::string out;
  for (const auto& row : sql_.rows("SELECT g.title FROM " + table + " AS l JOIN TMTag AS g ON g.uuid = l.tags WHERE l." +
                                       owner_column + " = ?1 ORDER BY g.\"index\", g.title",
                                   {uuid})) {
    if (!out.empty()) out += ", ";
    out += as_text(row[0]);
  }
  return out;
}

std::string ThingsApp::tag_for(const std::string& title, bool create) {
  if (const auto id = sql_.one("SELECT uuid FROM TMTag WHERE title = ?1 ORDER BY \"index\" LIMIT 1", {title})) {
    return as_text(*id);
  }
  if (!create) return "";
  const std::string uuid = new_uuid();
  const std::int64_t index = as_int(sql_.one("SELECT COALESCE(MAX(\"index\"), -1) + 1 FROM TMTag").value_or(SqlValue{std::int64_t{0}}));
  sql_.run("INSERT INTO TMTag (uuid, title, shortcut, usedDate, parent, \"index\", experimental) VALUES (?1, ?2, NULL, ?3, NULL, ?4, NULL)",
           {uuid, title, unix_now(), index});
  return uuid;
}

void ThingsApp::set_tag_names(const std::string& table, const std::string& owner_column, const std::string& uuid,
                              const std::string& names) {
  // Things splits at commas and trims; a name no tag has creates that tag.
  std::vector<std::string> titles;
  std::size_t start = 0;
  while (start <= names.size()) {
    const std::size_t comma = names.find(',', start);
    std::string part = names.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    const auto first = part.find_first_not_of(" \t");
    const auto last = part.find_last_not_of(" \t");
    part = first == std::string::npos ? "" : part.substr(first, last - first + 1);
    if (!part.empty()) titles.push_back(part);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  sql_.run("DELETE FROM " + table + " WHERE " + owner_column + " = ?1", {uuid});
  for (const std::string& title : titles) {
    const std::string tag = tag_for(title, true);
    if (!sql_.one("SELECT 1 FROM " + table + " WHERE " + owner_column + " = ?1 AND tags = ?2", {uuid, tag})) {
      sql_.run("INSERT INTO " + table + " (" + owner_column + ", tags) VALUES (?1, ?2)", {uuid, tag});
    }
  }
}

void ThingsApp::begin_specifier() {
  if (specifier_depth_++ == 0) specifier_sent_ = false;
}

void ThingsApp::end_specifier() { --specifier_depth_; }

void ThingsApp::event() {
  if (specifier_depth_ > 0) {  // the specifier's one event: counted (and failed) once
    if (specifier_sent_) return;
    specifier_sent_ = true;
  }
  ++events_;
  if (config_.event_fail_rate > 0 && std::uniform_real_distribution<double>(0, 1)(rng_) < config_.event_fail_rate)
    throw ScriptError{"AppleEvent timed out.", -1712};
}

Value ThingsApp::get(const Value& object, const std::string& property) {
  event();
  const std::string& kind = object.s;
  if (kind == "application") {
    if (property == "name") return Value::text("Things3");
    if (property == "version") return Value::text("3.21.13");
    if (property == "frontmost") return Value::boolean(false);
    cant_get(property);
  }
  if (kind == "list") {
    for (const BuiltinList& list : builtin_lists()) {
      if (object.id == list.id) {
        if (property == "id") return Value::text(list.id);
        if (property == "name") return Value::text(list_name(list, config_.locale));
        if (property == "properties") {
          return Value::make_record({{"class", Value::constant("list")}, {"id", Value::text(list.id)},
                                     {"name", Value::text(list_name(list, config_.locale))}});
        }
      }
    }
    cant_get(property + " of " + spec(object));
  }
  if (kind == "area") {
    const auto rows = sql_.rows("SELECT title FROM TMArea WHERE uuid = ?1", {object.id});
    if (rows.empty()) cant_get(spec(object));
    if (property == "id") return Value::text(object.id);
    if (property == "name") return Value::text(as_text(rows[0][0]));
    if (property == "tag names") return Value::text(tag_names("TMAreaTag", "areas", object.id));
    if (property == "collapsed") return Value::boolean(false);
    if (property == "properties") {
      return Value::make_record({{"class", Value::constant("area")},
                                 {"id", Value::text(object.id)},
                                 {"name", Value::text(as_text(rows[0][0]))},
                                 {"tag names", Value::text(tag_names("TMAreaTag", "areas", object.id))},
                                 {"collapsed", Value::boolean(false)}});
    }
    cant_get(property + " of " + spec(object));
  }
  if (kind == "tag") {
    const auto rows = sql_.rows("SELECT title, parent, shortcut FROM TMTag WHERE uuid = ?1", {object.id});
    if (rows.empty()) cant_get(spec(object));
    const auto& r = rows[0];
    const Value parent = is_null(r[1]) ? Value::missing_value() : Value::object("tag", as_text(r[1]));
    const Value shortcut = Value::text(is_null(r[2]) ? "" : as_text(r[2]));
    if (property == "id") return Value::text(object.id);
    if (property == "name") return Value::text(as_text(r[0]));
    if (property == "parent tag") return parent;
    if (property == "keyboard shortcut") return shortcut;
    if (property == "properties") {
      return Value::make_record({{"class", Value::constant("tag")},
                                 {"id", Value::text(object.id)},
                                 {"name", Value::text(as_text(r[0]))},
                                 {"parent tag", parent},
                                 {"keyboard shortcut", shortcut}});
    }
    cant_get(property + " of " + spec(object));
  }
  if (kind == "to do" || kind == "project") {
    const auto rows = sql_.rows(
        "SELECT t.title, t.notes, t.status, t.stopDate, t.deadline, t.startDate, t.creationDate, "
        "t.userModificationDate, COALESCE(t.project, h.project), t.area, t.type FROM TMTask AS t "
        "LEFT JOIN TMTask AS h ON h.uuid = t.heading WHERE t.uuid = ?1 AND t.type IN (0, 1)",
        {object.id});
    if (rows.empty()) cant_get(spec(object));
    const auto& r = rows[0];
    const std::int64_t status = as_int(r[2]);
    auto value_of = [&](const std::string& p) -> Value {
      if (p == "id") return Value::text(object.id);
      if (p == "name") return Value::text(as_text(r[0]));
      if (p == "notes") return Value::text(as_text(r[1]));
      if (p == "status") return Value::constant(status_name(status));
      if (p == "tag names") return Value::text(tag_names("TMTaskTag", "tasks", object.id));
      if (p == "due date") return optional_date(r[4], true);
      if (p == "activation date") return optional_date(r[5], true);
      if (p == "completion date") return status == 3 ? optional_date(r[3], false) : Value::missing_value();
      if (p == "cancellation date") return status == 2 ? optional_date(r[3], false) : Value::missing_value();
      if (p == "creation date") return optional_date(r[6], false);
      if (p == "modification date") return optional_date(r[7], false);
      if (p == "project") return is_null(r[8]) || as_int(r[10]) == 1 ? Value::missing_value() : Value::object("project", as_text(r[8]));
      if (p == "area") return is_null(r[9]) ? Value::missing_value() : Value::object("area", as_text(r[9]));
      if (p == "contact") return Value::missing_value();
      cant_get(p + " of " + spec(object));
    };
    if (property == "properties") {
      as::Record fields{{"class", Value::constant(as_int(r[10]) == 1 ? "project" : "to do")}};
      for (const char* p : {"id", "name", "notes", "status", "tag names", "due date", "activation date", "completion date",
                            "cancellation date", "creation date", "modification date", "project", "area", "contact"}) {
        if (as_int(r[10]) == 1 && std::string(p) == "project") continue;
        fields.push_back({p, value_of(p)});
      }
      return Value::make_record(std::move(fields));
    }
    return value_of(property);
  }
  cant_get(property + " of " + spec(object));
}

std::vector<Value> ThingsApp::get_many(const std::vector<Value>& objects, const std::string& property) {
  if (property != "id") return as::Application::get_many(objects, property);
  // One event, as Things answers `id of every to do of list "Trash"`: the ids of objects
  // just listed, without a query per object.
  event();
  std::vector<Value> out;
  out.reserve(objects.size());
  for (const Value& object : objects) {
    if (object.s == "application") cant_get("id of " + spec(object));
    out.push_back(Value::text(object.id));
  }
  return out;
}

void ThingsApp::set_status(const Task& task, const std::string& status) {
  const std::int64_t code = status == "completed" ? 3 : status == "canceled" ? 2 : status == "open" ? 0 : -1;
  if (code < 0) throw ScriptError{"Can" + apostrophe + "t make " + status + " into type status.", -1700};
  if (task.status == code) return;
  const double now = unix_now();
  if (code == 0) {
    sql_.run("UPDATE TMTask SET status = 0, stopDate = NULL, userModificationDate = ?2 WHERE uuid = ?1", {task.uuid, now});
    return;
  }
  sql_.run("UPDATE TMTask SET status = ?2, stopDate = ?3, userModificationDate = ?3 WHERE uuid = ?1", {task.uuid, code, now});
  if (task.type == 1) {
    // A project completes (cancels) its open to dos and headings with it, as in Things.
    sql_.run("UPDATE TMTask SET status = ?2, stopDate = ?3, userModificationDate = ?3 WHERE status = 0 AND "
             "(project = ?1 OR heading IN (SELECT uuid FROM TMTask WHERE type = 2 AND project = ?1))",
             {task.uuid, code, now});
  }
}

void ThingsApp::set(const Value& object, const std::string& property, const Value& value) {
  event();
  const std::string what = property + " of " + spec(object) + " to " + as::describe(value);
  const std::string& kind = object.s;
  auto text_value = [&]() -> std::string {
    if (value.kind == Kind::text) return value.s;
    if (value.kind == Kind::integer || value.kind == Kind::real) return as::to_text(value, {""});
    throw ScriptError{"Can" + apostrophe + "t make " + as::describe(value) + " into type text.", -1700};
  };
  if (kind == "to do" || kind == "project") {
    const Task task = require_task(object);
    if (property == "name") {
      sql_.run("UPDATE TMTask SET title = ?2 WHERE uuid = ?1", {task.uuid, text_value()});
    } else if (property == "notes") {
      sql_.run("UPDATE TMTask SET notes = ?2 WHERE uuid = ?1", {task.uuid, text_value()});
    } else if (property == "status") {
      if (value.kind != Kind::constant) throw ScriptError{"Can" + apostrophe + "t make " + as::describe(value) + " into type status.", -1700};
      set_status(task, value.s);
    } else if (property == "tag names") {
      set_tag_names("TMTaskTag", "tasks", task.uuid, text_value());
    } else if (property == "due date") {
      if (value.kind == Kind::missing) {
        sql_.run("UPDATE TMTask SET deadline = NULL, deadlineSuppressionDate = NULL WHERE uuid = ?1", {task.uuid});
      } else if (value.kind == Kind::date) {
        sql_.run("UPDATE TMTask SET deadline = ?2, deadlineSuppressionDate = NULL WHERE uuid = ?1", {task.uuid, pack_day(value.i)});
      } else {
        throw ScriptError{"Can" + apostrophe + "t make " + as::describe(value) + " into type date.", -1700};
      }
    } else if (property == "project" || property == "area") {
      if (value.kind == Kind::missing) {
        clear_property(object, property);
        return;
      }
      if (value.kind != Kind::object || value.s != property) cant_set(what);
      move_into(task, value);
    } else {
      // id, activation date (use schedule), completion / cancellation / creation /
      // modification date: read-only in this model.
      cant_set(what);
    }
    touch(task.uuid);
    return;
  }
  if (kind == "area") {
    if (!sql_.one("SELECT 1 FROM TMArea WHERE uuid = ?1", {object.id})) cant_get(spec(object));
    if (property == "name") sql_.run("UPDATE TMArea SET title = ?2 WHERE uuid = ?1", {object.id, text_value()});
    else if (property == "tag names") set_tag_names("TMAreaTag", "areas", object.id, text_value());
    else if (property == "collapsed") (void)as::to_boolean(value);
    else cant_set(what);
    return;
  }
  if (kind == "tag") {
    if (!sql_.one("SELECT 1 FROM TMTag WHERE uuid = ?1", {object.id})) cant_get(spec(object));
    if (property == "name") {
      const std::string title = text_value();
      if (sql_.one("SELECT 1 FROM TMTag WHERE title = ?1 AND uuid != ?2", {title, object.id})) {
        failed("A tag named " + quoted(title) + " already exists.");
      }
      sql_.run("UPDATE TMTag SET title = ?2 WHERE uuid = ?1", {object.id, title});
    } else if (property == "parent tag") {
      if (value.kind == Kind::missing) {
        sql_.run("UPDATE TMTag SET parent = NULL WHERE uuid = ?1", {object.id});
      } else if (value.kind == Kind::object && value.s == "tag" && value.id != object.id) {
        // No cycles: the new parent must not descend from the tag.
        std::string walk = value.id;
        for (int guard = 0; guard < 1000 && !walk.empty(); ++guard) {
          if (walk == object.id) cant_set(what);
          const auto parent = sql_.one("SELECT parent FROM TMTag WHERE uuid = ?1", {walk});
          walk = parent && !is_null(*parent) ? as_text(*parent) : "";
        }
        sql_.run("UPDATE TMTag SET parent = ?2 WHERE uuid = ?1", {object.id, value.id});
      } else {
        cant_set(what);
      }
    } else if (property == "keyboard shortcut") {
      sql_.run("UPDATE TMTag SET shortcut = ?2 WHERE uuid = ?1", {object.id, text_value()});
    } else {
      cant_set(what);
    }
    return;
  }
  cant_set(what);
}

// ---- moving and scheduling

void ThingsApp::move_to_list(const Task& task, const std::string& list_id) {
  const std::int64_t today = pack_day(today_naive());
  if (list_id == "TMTrashListSource") {
    sql_.run("UPDATE TMTask SET trashed = 1 WHERE uuid = ?1", {task.uuid});
    return;
  }
  if (list_id == "TMCalendarListSource" || list_id == "TMLogbookListSource") {
    // Upcoming needs a date (schedule), the Logbook a completion (status): this model
    // refuses the move rather than guess what Things does.
    failed("Can" + apostrophe + "t move " + spec(object_for(task.uuid, task.type)) + " to that list.");
  }
  if (list_id == "TMInboxListSource") {
    if (task.type == 1) failed("Can" + apostrophe + "t move a project to the Inbox.");
    sql_.run("UPDATE TMTask SET trashed = 0, start = 0, startDate = NULL, startBucket = 0, reminderTime = NULL, "
             "project = NULL, area = NULL, heading = NULL WHERE uuid = ?1",
             {task.uuid});
  } else if (list_id == "TMTodayListSource") {
    sql_.run("UPDATE TMTask SET trashed = 0, start = 1, startDate = ?2, startBucket = 0, todayIndexReferenceDate = ?2 "
             "WHERE uuid = ?1",
             {task.uuid, today});
  } else if (list_id == "TMNextListSource") {
    sql_.run("UPDATE TMTask SET trashed = 0, start = 1, startDate = NULL, startBucket = 0, reminderTime = NULL WHERE uuid = ?1",
             {task.uuid});
  } else if (list_id == "TMSomedayListSource") {
    sql_.run("UPDATE TMTask SET trashed = 0, start = 2, startDate = NULL, startBucket = 0, reminderTime = NULL WHERE uuid = ?1",
             {task.uuid});
  }
}

// A project items can go into: it exists and is not in the Trash. What real Things does
// with an item put into a project in the Trash is not known; the model refuses it (the
// item would be in no list, not even the Trash).
void ThingsApp::require_open_project(const Value& container) {
  const auto target = load(container.id);
  if (!target || target->type != 1) cant_get(spec(container));
  if (target->trashed) failed("Can" + apostrophe + "t put an item into " + spec(container) + ": it is in the Trash.");
}

void ThingsApp::move_into(const Task& task, const Value& container) {
  if (container.s == "project") {
    if (task.type == 1) failed("Can" + apostrophe + "t move a project into a project.");
    require_open_project(container);
    sql_.run("UPDATE TMTask SET project = ?2, heading = NULL, area = NULL, start = CASE WHEN start = 0 THEN 1 ELSE start END "
             "WHERE uuid = ?1",
             {task.uuid, container.id});
  } else if (container.s == "area") {
    if (!sql_.one("SELECT 1 FROM TMArea WHERE uuid = ?1", {container.id})) cant_get(spec(container));
    sql_.run("UPDATE TMTask SET area = ?2, project = NULL, heading = NULL, start = CASE WHEN start = 0 THEN 1 ELSE start END "
             "WHERE uuid = ?1",
             {task.uuid, container.id});
  } else if (container.s == "list") {
    move_to_list(task, container.id);
  } else {
    failed("Can" + apostrophe + "t move " + spec(object_for(task.uuid, task.type)) + " to " + spec(container) + ".");
  }
}

void ThingsApp::clear_property(const Value& object, const std::string& property) {
  const Task task = require_task(object);
  if (property == "due date") {
    sql_.run("UPDATE TMTask SET deadline = NULL, deadlineSuppressionDate = NULL WHERE uuid = ?1", {task.uuid});
  } else if (property == "area") {
    sql_.run("UPDATE TMTask SET area = NULL WHERE uuid = ?1", {task.uuid});
  } else if (property == "project") {
    sql_.run("UPDATE TMTask SET project = NULL, heading = NULL WHERE uuid = ?1", {task.uuid});
  } else if (property == "activation date") {
    sql_.run("UPDATE TMTask SET startDate = NULL, startBucket = 0, reminderTime = NULL, "
             "start = CASE WHEN start = 0 THEN 0 ELSE 1 END WHERE uuid = ?1",
             {task.uuid});
  } else if (property == "tag names") {
    sql_.run("DELETE FROM TMTaskTag WHERE tasks = ?1", {task.uuid});
  } else if (property == "notes") {
    sql_.run("UPDATE TMTask SET notes = '' WHERE uuid = ?1", {task.uuid});
  } else {
    failed("Can" + apostrophe + "t delete " + property + " of " + spec(object) + ".");
  }
  touch(task.uuid);
}

void ThingsApp::delete_object(const Value& object) {
  if (object.kind == Kind::list) {
    for (const Value& item : *object.list) delete_object(as::deref(item));
    return;
  }
  if (object.kind != Kind::object) failed("Can" + apostrophe + "t delete " + as::describe(object) + ".");
  if (object.s == "to do" || object.s == "project") {
    const Task task = require_task(object);
    sql_.run("UPDATE TMTask SET trashed = 1 WHERE uuid = ?1", {task.uuid});
    touch(task.uuid);
  } else if (object.s == "area") {
    if (!sql_.one("SELECT 1 FROM TMArea WHERE uuid = ?1", {object.id})) cant_get(spec(object));
    // The area goes; its to dos and projects go to the Trash, as in Things.
    sql_.run("UPDATE TMTask SET trashed = 1, area = NULL WHERE area = ?1", {object.id});
    sql_.run("DELETE FROM TMAreaTag WHERE areas = ?1", {object.id});
    sql_.run("DELETE FROM TMArea WHERE uuid = ?1", {object.id});
  } else if (object.s == "tag") {
    if (!sql_.one("SELECT 1 FROM TMTag WHERE uuid = ?1", {object.id})) cant_get(spec(object));
    sql_.run("UPDATE TMTag SET parent = NULL WHERE parent = ?1", {object.id});
    sql_.run("DELETE FROM TMTaskTag WHERE tags = ?1", {object.id});
    sql_.run("DELETE FROM TMAreaTag WHERE tags = ?1", {object.id});
    sql_.run("DELETE FROM TMTag WHERE uuid = ?1", {object.id});
  } else {
    failed("Can" + apostrophe + "t delete " + spec(object) + ".");
  }
}

// The container `make new CLS ... at AT` puts the new to do or project into: the
// application (none given), a list, a project or an area. Fails, before anything is
// written, where the item cannot go.
Value ThingsApp::make_target(const std::string& cls, const Value& at) {
  if (at.kind == Kind::nothing) return Value::none();
  if (at.kind != Kind::object) failed("Can" + apostrophe + "t make a new " + cls + " at " + as::describe(at) + ".");
  Value container = at;
  if (at.s == "insertion") container = at.list && !at.list->empty() ? as::deref(at.list->front()) : Value::none();
  if (container.kind != Kind::object) failed("Can" + apostrophe + "t make a new " + cls + " there.");
  if (container.s == "application") return container;
  if (container.s == "list") {
    if (container.id == "TMTrashListSource" || container.id == "TMLogbookListSource" || container.id == "TMCalendarListSource") {
      failed("Can" + apostrophe + "t make a new " + cls + " in " + spec(container) + ".");
    }
  } else if (container.s == "project") {
    if (cls == "project") failed("Can" + apostrophe + "t move a project into a project.");
    require_open_project(container);
  } else if (container.s == "area") {
    if (!sql_.one("SELECT 1 FROM TMArea WHERE uuid = ?1", {container.id})) cant_get(spec(container));
  } else {
    failed("Can" + apostrophe + "t make a new " + cls + " at " + spec(container) + ".");
  }
  return container;
}

Value ThingsApp::make(const std::string& cls, const Value& properties, const Value& at) {
  if (properties.kind != Kind::nothing && properties.kind != Kind::record) {
    throw ScriptError{"Can" + apostrophe + "t make " + as::describe(properties) + " into type record.", -1700};
  }
  const as::Record fields = properties.kind == Kind::record ? *properties.record : as::Record{};
  auto field = [&](const char* key) -> const Value* {
    for (const as::RecordField& f : fields) {
      if (f.key == key) return &f.value;
    }
    return nullptr;
  };
  const double now = unix_now();
  if (cls == "area" || cls == "tag") {
    for (const as::RecordField& f : fields) {
      if (f.key != "name" && f.key != "tag names" && !(cls == "tag" && (f.key == "parent tag" || f.key == "keyboard shortcut"))) {
        failed("Can" + apostrophe + "t make a new " + cls + " with the property " + f.key + ".");
      }
    }
    const Value* name = field("name");
    const std::string title = name ? as::to_text(*name, {""}) : (cls == "area" ? "New Area" : "New Tag");
    const std::string uuid = new_uuid();
    if (cls == "area") {
      const std::int64_t index = as_int(sql_.one("SELECT COALESCE(MIN(\"index\"), 0) - 1 FROM TMArea").value_or(SqlValue{std::int64_t{0}}));
      sql_.run("INSERT INTO TMArea (uuid, title, visible, \"index\", cachedTags, experimental) VALUES (?1, ?2, NULL, ?3, NULL, NULL)",
               {uuid, title, index});
    } else {
      if (!tag_for(title, false).empty()) failed("A tag named " + quoted(title) + " already exists.");
      tag_for(title, true);
      const std::string id = tag_for(title, false);
      Value object = Value::object("tag", id);
      for (const as::RecordField& f : fields) {
        if (f.key != "name") set(object, f.key, f.value);
      }
      return object;
    }
    Value object = Value::object(cls, uuid);
    if (const Value* tags = field("tag names")) set(object, "tag names", *tags);
    return object;
  }
  if (cls != "to do" && cls != "project") failed("Can" + apostrophe + "t make a new " + cls + ".");
  for (const as::RecordField& f : fields) {
    static const std::vector<std::string> allowed = {"name", "notes", "due date", "tag names", "status", "area", "project"};
    if (std::find(allowed.begin(), allowed.end(), f.key) == allowed.end()) {
      failed("Can" + apostrophe + "t make a new " + cls + " with the property " + f.key + ".");
    }
  }
  const std::int64_t type = cls == "project" ? 1 : 0;
  // Where it goes is checked before the row is written: a make that fails makes nothing.
  const Value container = make_target(cls, at);
  if (const Value* project = field("project"); project && project->kind == Kind::object && project->s == "project") {
    if (type == 1) failed("Can" + apostrophe + "t move a project into a project.");
    require_open_project(*project);
  }
  const std::string uuid = new_uuid();
  const Value* name = field("name");
  const Value* notes = field("notes");
  sql_.run(R"sql(INSERT INTO TMTask (uuid, leavesTombstone, creationDate, userModificationDate, type, status, stopDate,
      trashed, title, notes, notesSync, cachedTags, start, startDate, startBucket, reminderTime,
      lastReminderInteractionDate, deadline, deadlineSuppressionDate, t2_deadlineOffset, "index", todayIndex,
      todayIndexReferenceDate, area, project, heading, contact, untrashedLeafActionsCount,
      openUntrashedLeafActionsCount, checklistItemsCount, openChecklistItemsCount, rt1_repeatingTemplate,
      rt1_recurrenceRule, rt1_instanceCreationStartDate, rt1_instanceCreationPaused, rt1_instanceCreationCount,
      rt1_afterCompletionReferenceDate, rt1_nextInstanceStartDate, experimental, repeater, repeaterMigrationDate)
    VALUES (?1, 0, ?2, ?2, ?3, 0, NULL, 0, ?4, ?5, 1, X'', ?6, NULL, 0, NULL, NULL, NULL, NULL, 0, ?7, 0, NULL,
            NULL, NULL, NULL, NULL, 0, 0, 0, 0, NULL, NULL, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL))sql",
           {uuid, now, type, name ? as::to_text(*name, {""}) : std::string(type == 1 ? "New Project" : "New To-Do"),
            notes ? as::to_text(*notes, {""}) : std::string(), type == 1 ? std::int64_t{1} : std::int64_t{0}, top_index()});
  Value object = object_for(uuid, type);
  for (const char* key : {"due date", "tag names", "area", "project", "status"}) {
    if (const Value* v = field(key)) set(object, key, *v);
  }
  if (container.kind == Kind::object && container.s != "application") {
    const Task task = *load(uuid);
    if (container.s == "list") move_to_list(task, container.id);
    else move_into(task, container);
  }
  return object;
}

Value ThingsApp::command(const std::string& command, const Value& direct, const as::Params& params) {
  event();
  auto param = [&](const char* key) -> Value {
    for (const auto& [k, v] : params) {
      if (k == key) return v;
    }
    return Value::none();
  };
  if (command == "make") return make(param("new").s, param("with properties"), param("at"));
  if (command == "move") {
    const Value to = param("to");
    if (to.kind != Kind::object) failed("Can" + apostrophe + "t move to " + as::describe(to) + ".");
    std::vector<Value> items = direct.kind == Kind::list ? *direct.list : std::vector<Value>{direct};
    for (const Value& item : items) {
      const Task task = require_task(as::deref(item));
      move_into(task, to);
      touch(task.uuid);
    }
    return Value::none();
  }
  if (command == "schedule") {
    const Value when = param("for");
    if (when.kind != Kind::date) {
      throw ScriptError{"Can" + apostrophe + "t make " + as::describe(when) + " into type date.", -1700};
    }
    const Task task = require_task(direct);
    const std::int64_t day = pack_day(when.i);
    const std::int64_t today = pack_day(today_naive());
    sql_.run("UPDATE TMTask SET startDate = ?2, start = ?3, startBucket = 0, todayIndexReferenceDate = ?2 WHERE uuid = ?1",
             {task.uuid, day, day <= today ? std::int64_t{1} : std::int64_t{2}});
    touch(task.uuid);
    return Value::none();
  }
  if (command == "delete") {
    delete_object(direct);
    return Value::none();
  }
  if (command == "delete property") {
    clear_property(direct, param("property").s);
    return Value::none();
  }
  if (command == "empty trash") {
    sql_.run("DELETE FROM TMChecklistItem WHERE task IN (SELECT uuid FROM TMTask WHERE trashed = 1)");
    sql_.run("DELETE FROM TMTaskTag WHERE tasks IN (SELECT uuid FROM TMTask WHERE trashed = 1)");
    // The contents of a trashed project go with it.
    sql_.run("DELETE FROM TMTask WHERE project IN (SELECT uuid FROM TMTask WHERE trashed = 1 AND type = 1) "
             "OR heading IN (SELECT h.uuid FROM TMTask AS h JOIN TMTask AS p ON p.uuid = h.project "
             "WHERE p.trashed = 1 AND p.type = 1)");
    sql_.run("DELETE FROM TMTask WHERE trashed = 1");
    return Value::none();
  }
  if (command == "show" || command == "activate" || command == "launch" || command == "reopen" ||
      command == "log completed now" || command == "quit") {
    if (command == "show" && direct.kind == Kind::object && direct.s != "application") {
      (void)get(direct, "id");  // showing something that is not there fails
      // What Things would now show, for tests (things-sim --stats: "shown"): it has no window.
      sql_.run("CREATE TABLE IF NOT EXISTS TaktSimShown(n INTEGER PRIMARY KEY, class TEXT NOT NULL, id TEXT NOT NULL)");
      sql_.run("INSERT INTO TaktSimShown (class, id) VALUES (?1, ?2)", {direct.s, direct.id});
    }
    return Value::none();
  }
  failed(command + " is not supported by this model of Things.");
}

// ---- URL scheme and delay

void ThingsApp::open_url(const std::string& url) {
  event();
  std::uniform_int_distribution<int> lag(config_.url_lag_min_ms, config_.url_lag_max_ms);
  const int ms = lag(rng_);
  if (ms == 0) {
    apply_url(sql_, url);
    return;
  }
  queue_url(sql_, url, unix_now() + ms / 1000.0);
}

void ThingsApp::delay(double seconds) {
  // Things keeps running while the script waits: commit, sleep without a lock, let the
  // URLs that came due land, and go on.
  const bool was_open = in_transaction_;
  commit();
  if (config_.sleep) config_.sleep(seconds);
  else std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  apply_due_urls(sql_);
  if (was_open) begin();
}

}  // namespace takt::sim::model
