#include "url_scheme.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <rapidjson/document.h>

#include <algorithm>
#include <chrono>
#include <cctype>
#include <map>
#include <set>
#include <thread>

#include "things_model.hpp"

namespace takt::sim::model {

namespace {

// A URL Things would ignore: unwinds to apply_url, which rolls its changes back.
struct Ignored {
  std::string why;
};

using ParamMap = std::map<std::string, std::string>;

int hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percent_decode(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%') {
      if (i + 2 >= text.size()) throw Ignored{"bad percent escape"};
      const int a = hex(text[i + 1]), b = hex(text[i + 2]);
      if (a < 0 || b < 0) throw Ignored{"bad percent escape"};
      out += static_cast<char>(a * 16 + b);
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t at = text.find(separator, start);
    parts.push_back(text.substr(start, at == std::string::npos ? std::string::npos : at - start));
    if (at == std::string::npos) break;
    start = at + 1;
  }
  return parts;
}

std::string trim(const std::string& text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string::npos) return "";
  const auto last = text.find_last_not_of(" \t");
  return text.substr(first, last - first + 1);
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  for (std::string line : split(text, '\n')) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

std::optional<std::int64_t> iso_day(const std::string& text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  for (int i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (!std::isdigit(static_cast<unsigned char>(text[static_cast<std::size_t>(i)]))) return std::nullopt;
  }
  const int y = std::stoi(text.substr(0, 4)), m = std::stoi(text.substr(5, 2)), d = std::stoi(text.substr(8, 2));
  const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (m < 1 || m > 12 || d < 1 || d > days[m - 1] + (m == 2 && leap ? 1 : 0)) return std::nullopt;
  return as::days_from_civil(y, m, d) * 86400;
}

bool flag(const std::string& value) {
  if (value == "true") return true;
  if (value == "false") return false;
  throw Ignored{"not true or false: " + value};
}

class UrlApplier {
 public:
  explicit UrlApplier(Sql& sql) : sql_(sql), now_(unix_now()), today_(today_naive()) {}

  void apply(const std::string& url) {
    const std::string prefix = "things:///";
    if (url.rfind(prefix, 0) != 0) throw Ignored{"not a things:/// URL"};
    const std::string rest = url.substr(prefix.size());
    const auto question = rest.find('?');
    const std::string command = rest.substr(0, question);
    ParamMap params;
    if (question != std::string::npos && question + 1 < rest.size()) {
      for (const std::string& pair : split(rest.substr(question + 1), '&')) {
        if (pair.empty()) continue;
        const auto equals = pair.find('=');
        const std::string key = percent_decode(pair.substr(0, equals));
        const std::string value = equals == std::string::npos ? "" : percent_decode(pair.substr(equals + 1));
        if (!params.emplace(key, value).second) throw Ignored{"parameter given twice: " + key};
      }
    }
    if (command == "add") add_todos(params);
    else if (command == "update") update_todo(params);
    else if (command == "add-project") add_project(params);
    else if (command == "update-project") update_project(params);
    else if (command == "json") json(params);
    else if (command == "show") only(params, {"id", "query", "filter"});
    else throw Ignored{"unknown command " + command};
  }

 private:
  static void only(const ParamMap& params, std::initializer_list<const char*> allowed) {
    for (const auto& [key, value] : params) {
      if (std::none_of(allowed.begin(), allowed.end(), [&](const char* a) { return key == a; })) {
        throw Ignored{"unknown parameter " + key};
      }
    }
  }

  static const std::string* find(const ParamMap& params, const char* key) {
    const auto it = params.find(key);
    return it == params.end() ? nullptr : &it->second;
  }

  void require_token(const ParamMap& params) {
    const std::string* token = find(params, "auth-token");
    const auto stored = sql_.one("SELECT uriSchemeAuthenticationToken FROM TMSettings LIMIT 1");
    if (!token || !stored || is_null(*stored) || as_text(*stored).empty() || as_text(*stored) != *token) {
      throw Ignored{"wrong auth-token"};
    }
  }

  std::optional<std::int64_t> task_type(const std::string& id) {
    const auto type = sql_.one("SELECT type FROM TMTask WHERE uuid = ?1 AND trashed = 0", {id});
    if (!type) return std::nullopt;
    return as_int(*type);
  }

  std::string new_task(std::int64_t type, const std::string& title) {
    const std::string uuid = new_uuid();
    const std::int64_t index = as_int(sql_.one("SELECT COALESCE(MIN(\"index\"), 0) - 1 FROM TMTask").value_or(SqlValue{std::int64_t{-1}}));
    sql_.run(R"sql(INSERT INTO TMTask (uuid, leavesTombstone, creationDate, userModificationDate, type, status, stopDate,
        trashed, title, notes, notesSync, cachedTags, start, startDate, startBucket, reminderTime,
        lastReminderInteractionDate, deadline, deadlineSuppressionDate, t2_deadlineOffset, "index", todayIndex,
        todayIndexReferenceDate, area, project, heading, contact, untrashedLeafActionsCount,
        openUntrashedLeafActionsCount, checklistItemsCount, openChecklistItemsCount, rt1_repeatingTemplate,
        rt1_recurrenceRule, rt1_instanceCreationStartDate, rt1_instanceCreationPaused, rt1_instanceCreationCount,
        rt1_afterCompletionReferenceDate, rt1_nextInstanceStartDate, experimental, repeater, repeaterMigrationDate)
      VALUES (?1, 0, ?2, ?2, ?3, 0, NULL, 0, ?4, '', 1, X'', ?5, NULL, 0, NULL, NULL, NULL, NULL, 0, ?6, 0, NULL,
              NULL, NULL, NULL, NULL, 0, 0, 0, 0, NULL, NULL, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL))sql",
             {uuid, now_, type, title, type == 0 ? std::int64_t{0} : std::int64_t{1}, index});
    return uuid;
  }

  // when: today | tomorrow | evening | anytime | someday | YYYY-MM-DD, with @HH:MM for a
  // reminder on a dated value.
  void apply_when(const std::string& uuid, const std::string& when, bool in_container) {
    std::string day = when;
    std::optional<std::int64_t> reminder;
    const auto at = when.find('@');
    if (at != std::string::npos) {
      day = when.substr(0, at);
      const std::string time = when.substr(at + 1);
      const auto colon = time.find(':');
      if (colon == std::string::npos || colon == 0 || colon > 2 || time.size() - colon - 1 != 2) throw Ignored{"bad time"};
      for (char c : time) {
        if (c != ':' && !std::isdigit(static_cast<unsigned char>(c))) throw Ignored{"bad time"};
      }
      const int h = std::stoi(time.substr(0, colon)), m = std::stoi(time.substr(colon + 1));
      if (h > 23 || m > 59) throw Ignored{"bad time"};
      reminder = static_cast<std::int64_t>(h) << 26 | static_cast<std::int64_t>(m) << 20;
    }
    std::int64_t start = 1;
    std::optional<std::int64_t> date;
    int bucket = 0;
    if (day == "today") date = today_;
    else if (day == "evening") {
      date = today_;
      bucket = 1;
    } else if (day == "tomorrow") date = today_ + 86400;
    else if (day == "anytime") start = 1;
    else if (day == "someday") start = 2;
    else if (const auto d = iso_day(day)) date = *d;
    else throw Ignored{"bad when " + when};
    if (reminder && !date) throw Ignored{"a reminder needs a date"};
    if (date && *date > today_) start = 2;
    (void)in_container;
    sql_.run("UPDATE TMTask SET start = ?2, startDate = ?3, startBucket = ?4, reminderTime = ?5, "
             "todayIndexReferenceDate = ?3 WHERE uuid = ?1",
             {uuid, start, date ? SqlValue{pack_day(*date)} : SqlValue{nullptr}, std::int64_t{bucket},
              reminder ? SqlValue{*reminder} : SqlValue{nullptr}});
  }

  void apply_tags(const std::string& uuid, const std::string& names, bool replace) {
    // Things applies only tags that exist; other names are ignored.
    if (replace) sql_.run("DELETE FROM TMTaskTag WHERE tasks = ?1", {uuid});
    for (const std::string& raw : split(names, ',')) {
      const std::string name = trim(raw);
      if (name.empty()) continue;
      const auto tag = sql_.one("SELECT uuid FROM TMTag WHERE title = ?1 ORDER BY \"index\" LIMIT 1", {name});
      if (!tag) continue;
      if (!sql_.one("SELECT 1 FROM TMTaskTag WHERE tasks = ?1 AND tags = ?2", {uuid, *tag})) {
        sql_.run("INSERT INTO TMTaskTag (tasks, tags) VALUES (?1, ?2)", {uuid, *tag});
      }
    }
  }

  // `done`: one '1' (completed) or '0' per item, from the json command's checklist items;
  // the other commands make open items.
  void checklist(const std::string& uuid, const std::vector<std::string>& items, const std::string& mode,
                 const std::string& done = {}) {
    if (mode == "replace") sql_.run("DELETE FROM TMChecklistItem WHERE task = ?1", {uuid});
    std::int64_t index = 0;
    if (mode == "prepend") {
      index = as_int(sql_.one("SELECT COALESCE(MIN(\"index\"), 0) FROM TMChecklistItem WHERE task = ?1", {uuid}).value_or(SqlValue{std::int64_t{0}})) -
              static_cast<std::int64_t>(items.size());
    } else {
      index = as_int(sql_.one("SELECT COALESCE(MAX(\"index\"), -1) + 1 FROM TMChecklistItem WHERE task = ?1", {uuid}).value_or(SqlValue{std::int64_t{0}}));
    }
    for (std::size_t i = 0; i < items.size(); ++i) {
      const bool completed = i < done.size() && done[i] == '1';
      sql_.run("INSERT INTO TMChecklistItem (uuid, userModificationDate, creationDate, title, status, stopDate, \"index\", "
               "task, leavesTombstone, experimental) VALUES (?1, ?2, ?2, ?3, ?6, ?7, ?4, ?5, 0, NULL)",
               {new_uuid(), now_, items[i], index++, uuid, std::int64_t{completed ? 3 : 0},
                completed ? SqlValue{now_} : SqlValue{}});
    }
    sql_.run("UPDATE TMTask SET checklistItemsCount = (SELECT COUNT(*) FROM TMChecklistItem WHERE task = ?1), "
             "openChecklistItemsCount = (SELECT COUNT(*) FROM TMChecklistItem WHERE task = ?1 AND status = 0) WHERE uuid = ?1",
             {uuid});
  }

  void notes(const std::string& uuid, const ParamMap& p) {
    if (const auto* n = find(p, "notes")) sql_.run("UPDATE TMTask SET notes = ?2 WHERE uuid = ?1", {uuid, *n});
    if (const auto* n = find(p, "prepend-notes")) {
      sql_.run("UPDATE TMTask SET notes = CASE WHEN notes = '' OR notes IS NULL THEN ?2 ELSE ?2 || char(10) || notes END "
               "WHERE uuid = ?1",
               {uuid, *n});
    }
    if (const auto* n = find(p, "append-notes")) {
      sql_.run("UPDATE TMTask SET notes = CASE WHEN notes = '' OR notes IS NULL THEN ?2 ELSE notes || char(10) || ?2 END "
               "WHERE uuid = ?1",
               {uuid, *n});
    }
  }

  void status(const std::string& uuid, const ParamMap& p) {
    const std::string* completed = find(p, "completed");
    const std::string* canceled = find(p, "canceled");
    std::optional<std::int64_t> code;
    if (completed) code = flag(*completed) ? 3 : 0;
    if (canceled && flag(*canceled)) code = 2;
    if (!code) return;
    sql_.run("UPDATE TMTask SET status = ?2, stopDate = CASE WHEN ?2 = 0 THEN NULL ELSE ?3 END WHERE uuid = ?1 AND status != ?2",
             {uuid, *code, now_});
  }

  // list / list-id (a project or an area), heading / heading-id (a heading of the project).
  void place(const std::string& uuid, const ParamMap& p, bool is_project) {
    std::optional<std::string> project, area;
    const std::string* list_id = find(p, is_project ? "area-id" : "list-id");
    const std::string* list = find(p, is_project ? "area" : "list");
    if (list_id) {
      const auto type = task_type(*list_id);
      if (!is_project && type && *type == 1) project = *list_id;
      else if (sql_.one("SELECT 1 FROM TMArea WHERE uuid = ?1", {*list_id})) area = *list_id;
      else throw Ignored{"no such list-id"};
    } else if (list) {
      if (const auto id = is_project ? std::nullopt
                                     : sql_.one("SELECT uuid FROM TMTask WHERE type = 1 AND trashed = 0 AND title = ?1 LIMIT 1", {*list})) {
        project = as_text(*id);
      } else if (const auto a = sql_.one("SELECT uuid FROM TMArea WHERE title = ?1 LIMIT 1", {*list})) {
        area = as_text(*a);
      } else {
        throw Ignored{"no such list"};
      }
    }
    std::optional<std::string> heading;
    const std::string* heading_id = is_project ? nullptr : find(p, "heading-id");
    const std::string* heading_name = is_project ? nullptr : find(p, "heading");
    if (heading_id || heading_name) {
      std::string in_project;
      if (project) in_project = *project;
      else {
        const auto current = sql_.one("SELECT COALESCE(t.project, h.project) FROM TMTask AS t LEFT JOIN TMTask AS h "
                                      "ON h.uuid = t.heading WHERE t.uuid = ?1",
                                      {uuid});
        if (current && !is_null(*current)) in_project = as_text(*current);
      }
      std::optional<SqlValue> found;
      if (heading_id) {
        found = sql_.one("SELECT uuid FROM TMTask WHERE uuid = ?1 AND type = 2 AND trashed = 0", {*heading_id});
      } else if (!in_project.empty()) {
        found = sql_.one("SELECT uuid FROM TMTask WHERE type = 2 AND trashed = 0 AND project = ?1 AND title = ?2 LIMIT 1",
                         {in_project, *heading_name});
      }
      if (!found) throw Ignored{"no such heading"};
      const auto owner = sql_.one("SELECT project FROM TMTask WHERE uuid = ?1", {*found});
      if (!in_project.empty() && owner && as_text(*owner) != in_project) throw Ignored{"heading of another project"};
      heading = as_text(*found);
    }
    if (heading) {
      sql_.run("UPDATE TMTask SET heading = ?2, project = NULL, area = NULL, start = CASE WHEN start = 0 THEN 1 ELSE start END "
               "WHERE uuid = ?1",
               {uuid, *heading});
    } else if (project) {
      sql_.run("UPDATE TMTask SET project = ?2, heading = NULL, area = NULL, start = CASE WHEN start = 0 THEN 1 ELSE start END "
               "WHERE uuid = ?1",
               {uuid, *project});
    } else if (area) {
      sql_.run("UPDATE TMTask SET area = ?2, project = NULL, heading = NULL, start = CASE WHEN start = 0 THEN 1 ELSE start END "
               "WHERE uuid = ?1",
               {uuid, *area});
    }
  }

  void deadline(const std::string& uuid, const ParamMap& p, bool may_clear) {
    const std::string* d = find(p, "deadline");
    if (!d) return;
    if (d->empty()) {
      if (!may_clear) throw Ignored{"empty deadline"};
      sql_.run("UPDATE TMTask SET deadline = NULL WHERE uuid = ?1", {uuid});
      return;
    }
    const auto day = iso_day(*d);
    if (!day) throw Ignored{"bad deadline"};
    sql_.run("UPDATE TMTask SET deadline = ?2 WHERE uuid = ?1", {uuid, pack_day(*day)});
  }

  void todo_fields(const std::string& uuid, const ParamMap& p, bool updating) {
    if (const auto* t = find(p, "title")) sql_.run("UPDATE TMTask SET title = ?2 WHERE uuid = ?1", {uuid, *t});
    notes(uuid, p);
    place(uuid, p, false);
    if (const auto* w = find(p, "when")) {
      if (w->empty()) throw Ignored{"empty when"};
      apply_when(uuid, *w, true);
    }
    deadline(uuid, p, updating);
    if (const auto* t = find(p, "tags")) apply_tags(uuid, *t, true);
    if (const auto* t = find(p, "add-tags")) apply_tags(uuid, *t, false);
    const auto done = [&](const char* key) {
      const auto* d = find(p, (std::string(key) + "#completed").c_str());
      return d ? *d : std::string();
    };
    if (const auto* c = find(p, "checklist-items")) checklist(uuid, lines(*c), "replace", done("checklist-items"));
    if (const auto* c = find(p, "prepend-checklist-items"))
      checklist(uuid, lines(*c), "prepend", done("prepend-checklist-items"));
    if (const auto* c = find(p, "append-checklist-items"))
      checklist(uuid, lines(*c), "append", done("append-checklist-items"));
    status(uuid, p);
    if (const auto* r = find(p, "reveal")) flag(*r);
    sql_.run("UPDATE TMTask SET userModificationDate = ?2 WHERE uuid = ?1", {uuid, now_});
  }

  void add_todos(const ParamMap& p) {
    only(p, {"title", "titles", "notes", "when", "deadline", "tags", "checklist-items", "list", "list-id", "heading",
             "heading-id", "completed", "canceled", "reveal", "show-quick-entry"});
    std::vector<std::string> titles;
    if (const auto* t = find(p, "titles")) titles = lines(*t);
    else if (const auto* t1 = find(p, "title")) titles = {*t1};
    if (titles.empty()) throw Ignored{"no title"};
    if (const auto* q = find(p, "show-quick-entry"); q && flag(*q)) return;  // opens a window, adds nothing
    for (const std::string& title : titles) {
      ParamMap one = p;
      one.erase("titles");
      one["title"] = title;
      todo_fields(new_task(0, title), one, false);
    }
  }

  void update_todo(const ParamMap& p) {
    only(p, {"auth-token", "id", "title", "notes", "prepend-notes", "append-notes", "when", "deadline", "tags", "add-tags",
             "checklist-items", "prepend-checklist-items", "append-checklist-items", "list", "list-id", "heading",
             "heading-id", "completed", "canceled", "reveal"});
    require_token(p);
    const std::string* id = find(p, "id");
    if (!id) throw Ignored{"no id"};
    const auto type = task_type(*id);
    if (!type || *type != 0) throw Ignored{"no such to-do"};
    if (const auto* t = find(p, "title"); t && t->empty()) throw Ignored{"empty title"};
    todo_fields(*id, p, true);
  }

  void project_fields(const std::string& uuid, const ParamMap& p, bool updating) {
    if (const auto* t = find(p, "title")) sql_.run("UPDATE TMTask SET title = ?2 WHERE uuid = ?1", {uuid, *t});
    notes(uuid, p);
    place(uuid, p, true);
    if (const auto* w = find(p, "when")) {
      if (w->empty()) throw Ignored{"empty when"};
      apply_when(uuid, *w, true);
    }
    deadline(uuid, p, updating);
    if (const auto* t = find(p, "tags")) apply_tags(uuid, *t, true);
    if (const auto* t = find(p, "add-tags")) apply_tags(uuid, *t, false);
    status(uuid, p);
    if (const auto* r = find(p, "reveal")) flag(*r);
    sql_.run("UPDATE TMTask SET userModificationDate = ?2 WHERE uuid = ?1", {uuid, now_});
  }

  void add_project(const ParamMap& p) {
    only(p, {"title", "notes", "when", "deadline", "tags", "area", "area-id", "to-dos", "completed", "canceled", "reveal"});
    const std::string* title = find(p, "title");
    const std::string uuid = new_task(1, title ? *title : "New Project");
    project_fields(uuid, p, false);
    if (const auto* todos = find(p, "to-dos")) {
      for (const std::string& t : lines(*todos)) {
        const std::string child = new_task(0, t);
        sql_.run("UPDATE TMTask SET project = ?2, start = 1 WHERE uuid = ?1", {child, uuid});
      }
    }
  }

  void update_project(const ParamMap& p) {
    only(p, {"auth-token", "id", "title", "notes", "prepend-notes", "append-notes", "when", "deadline", "tags", "add-tags",
             "area", "area-id", "completed", "canceled", "reveal"});
    require_token(p);
    const std::string* id = find(p, "id");
    if (!id) throw Ignored{"no id"};
    const auto type = task_type(*id);
    if (!type || *type != 1) throw Ignored{"no such project"};
    if (const auto* t = find(p, "title"); t && t->empty()) throw Ignored{"empty title"};
    project_fields(*id, p, true);
  }

  // things:///json?data=[...]: to-dos and projects (with their to-dos and headings),
  // created or updated. Any update needs the auth-token.
  void json(const ParamMap& p) {
    only(p, {"data", "auth-token", "reveal"});
    const std::string* data = find(p, "data");
    if (!data) throw Ignored{"no data"};
    rapidjson::Document doc;
    doc.Parse(data->c_str(), data->size());
    if (doc.HasParseError() || !doc.IsArray()) throw Ignored{"data is not a JSON array"};
    for (const auto& item : doc.GetArray()) {
      if (item.IsObject() && item.HasMember("operation") && item["operation"].IsString() &&
          std::string(item["operation"].GetString()) == "update") {
        require_token(p);
        break;
      }
    }
    for (const auto& item : doc.GetArray()) json_item(item, std::nullopt);
  }

  ParamMap json_attributes(const rapidjson::Value& attributes, std::vector<const rapidjson::Value*>& children) {
    ParamMap out;
    if (!attributes.IsObject()) throw Ignored{"attributes is not an object"};
    for (const auto& member : attributes.GetObject()) {
      const std::string key = member.name.GetString();
      const rapidjson::Value& v = member.value;
      if (key == "items") {
        if (!v.IsArray()) throw Ignored{"items is not an array"};
        for (const auto& child : v.GetArray()) children.push_back(&child);
        continue;
      }
      if (key == "tags" || key == "add-tags") {
        if (!v.IsArray()) throw Ignored{key + " is not an array"};
        std::string joined;
        for (const auto& t : v.GetArray()) {
          if (!t.IsString()) throw Ignored{"a tag is not a string"};
          joined += (joined.empty() ? "" : ",") + std::string(t.GetString());
        }
        out[key] = joined;
        continue;
      }
      if (key == "checklist-items" || key == "prepend-checklist-items" || key == "append-checklist-items") {
        if (!v.IsArray()) throw Ignored{key + " is not an array"};
        std::string joined, done;
        for (const auto& c : v.GetArray()) {
          if (!c.IsObject() || !c.HasMember("attributes") || !c["attributes"].IsObject() ||
              !c["attributes"].HasMember("title") || !c["attributes"]["title"].IsString()) {
            throw Ignored{"a checklist item without a title"};
          }
          const auto& attributes = c["attributes"];
          if (attributes.HasMember("completed") && !attributes["completed"].IsBool())
            throw Ignored{"a checklist item's completed is not a boolean"};
          joined += std::string(attributes["title"].GetString()) + "\n";
          done += attributes.HasMember("completed") && attributes["completed"].GetBool() ? '1' : '0';
        }
        out[key] = joined;
        out[key + "#completed"] = done;
        continue;
      }
      if (v.IsString()) out[key] = v.GetString();
      else if (v.IsBool()) out[key] = v.GetBool() ? "true" : "false";
      else if (v.IsNull()) out[key] = "";
      else throw Ignored{key + " has a value of the wrong type"};
    }
    return out;
  }

  void json_item(const rapidjson::Value& item, const std::optional<std::string>& parent_project) {
    if (!item.IsObject() || !item.HasMember("type") || !item["type"].IsString()) throw Ignored{"an item without a type"};
    const std::string type = item["type"].GetString();
    const bool update = item.HasMember("operation") && item["operation"].IsString() &&
                        std::string(item["operation"].GetString()) == "update";
    std::vector<const rapidjson::Value*> children;
    static const rapidjson::Value empty(rapidjson::kObjectType);
    ParamMap attributes = json_attributes(item.HasMember("attributes") ? item["attributes"] : empty, children);
    if (type == "heading") {
      if (!parent_project || update) throw Ignored{"a heading outside a new project"};
      const std::string uuid = new_task(2, attributes.count("title") ? attributes["title"] : "");
      sql_.run("UPDATE TMTask SET project = ?2, start = 1 WHERE uuid = ?1", {uuid, *parent_project});
      current_heading_ = uuid;
      return;
    }
    if (type == "to-do") {
      if (update) {
        if (!item.HasMember("id") || !item["id"].IsString()) throw Ignored{"update without id"};
        const std::string id = item["id"].GetString();
        const auto t = task_type(id);
        if (!t || *t != 0) throw Ignored{"no such to-do"};
        todo_fields(id, attributes, true);
        return;
      }
      const std::string uuid = new_task(0, attributes.count("title") ? attributes["title"] : "");
      if (parent_project) {
        if (current_heading_) sql_.run("UPDATE TMTask SET heading = ?2, start = 1 WHERE uuid = ?1", {uuid, *current_heading_});
        else sql_.run("UPDATE TMTask SET project = ?2, start = 1 WHERE uuid = ?1", {uuid, *parent_project});
      }
      todo_fields(uuid, attributes, false);
      return;
    }
    if (type == "project") {
      if (parent_project) throw Ignored{"a project inside a project"};
      if (update) {
        if (!item.HasMember("id") || !item["id"].IsString()) throw Ignored{"update without id"};
        const std::string id = item["id"].GetString();
        const auto t = task_type(id);
        if (!t || *t != 1) throw Ignored{"no such project"};
        project_fields(id, attributes, true);
        return;
      }
      const std::string uuid = new_task(1, attributes.count("title") ? attributes["title"] : "");
      project_fields(uuid, attributes, false);
      current_heading_.reset();
      for (const rapidjson::Value* child : children) json_item(*child, uuid);
      current_heading_.reset();
      return;
    }
    throw Ignored{"unknown item type " + type};
  }

  Sql& sql_;
  double now_;
  std::int64_t today_;
  std::optional<std::string> current_heading_;
};

}  // namespace

void ensure_pending_table(Sql& sql) {
  sql.exec("CREATE TABLE IF NOT EXISTS TaktSimPendingURL (seq INTEGER PRIMARY KEY AUTOINCREMENT, due REAL NOT NULL, "
           "url TEXT NOT NULL)");
}

void queue_url(Sql& sql, const std::string& url, double due_unix) {
  sql.run("INSERT INTO TaktSimPendingURL (due, url) VALUES (?1, ?2)", {due_unix, url});
}

bool apply_url(Sql& sql, const std::string& url) {
  sql.exec("SAVEPOINT takt_url");
  try {
    UrlApplier(sql).apply(url);
    sql.exec("RELEASE takt_url");
    return true;
  } catch (const Ignored&) {
    sql.exec("ROLLBACK TO takt_url");
    sql.exec("RELEASE takt_url");
    return false;
  } catch (...) {
    sql.exec("ROLLBACK TO takt_url");
    sql.exec("RELEASE takt_url");
    throw;
  }
}

std::optional<double> apply_due_urls(Sql& sql) {
  ensure_pending_table(sql);
  while (true) {
    sql.exec("BEGIN IMMEDIATE");
    try {
      const auto rows = sql.rows("SELECT seq, due, url FROM TaktSimPendingURL ORDER BY seq LIMIT 1");
      if (rows.empty()) {
        sql.exec("COMMIT");
        return std::nullopt;
      }
      const double due = as_real(rows[0][1]);
      // URLs land in the order they were opened: a later one waits for an earlier one.
      if (due > unix_now()) {
        sql.exec("COMMIT");
        return due;
      }
      apply_url(sql, as_text(rows[0][2]));
      sql.run("DELETE FROM TaktSimPendingURL WHERE seq = ?1", {rows[0][0]});
      sql.exec("COMMIT");
    } catch (...) {
      sql.exec("ROLLBACK");
      throw;
    }
  }
}

void run_url_applier(const std::string& db_path) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    return;
  }
  sqlite3_busy_timeout(db, 10000);
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::minutes(10);
  try {
    Sql sql(db);
    while (std::chrono::steady_clock::now() < give_up) {
      const auto next = apply_due_urls(sql);
      if (!next) break;
      const double wait = std::clamp(*next - unix_now(), 0.01, 5.0);
      std::this_thread::sleep_for(std::chrono::duration<double>(wait));
    }
  } catch (...) {
    // The database went away (a test's temporary directory) or is broken: nothing to do.
  }
  sqlite3_close(db);
}

void spawn_url_applier(const std::string& db_path) {
  const pid_t child = ::fork();
  if (child < 0) return;  // the next call applies them instead
  if (child > 0) {
    int status = 0;
    ::waitpid(child, &status, 0);
    return;
  }
  // First child: new session, then fork again so the applier is nobody's zombie.
  ::setsid();
  const pid_t grandchild = ::fork();
  if (grandchild != 0) ::_exit(0);
  const int null = ::open("/dev/null", O_RDWR);
  if (null >= 0) {
    ::dup2(null, 0);
    ::dup2(null, 1);
    ::dup2(null, 2);
  }
  // Hold nothing of the parent: no pipe end of the caller, no script lock.
  for (int fd = 3; fd < 1024; ++fd) ::close(fd);
  run_url_applier(db_path);
  ::_exit(0);
}

}  // namespace takt::sim::model
