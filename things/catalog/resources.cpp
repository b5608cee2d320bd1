// Things' lists, projects, areas and tags as MCP resources. Each resource's content is
// the answer of the read tool it mirrors, read through run_read: the same code, the same
// arguments, so a resource and its tool cannot disagree.

#include "things/catalog/resources.hpp"

#include <rapidjson/document.h>

#include "base/json.hpp"
#include "things/catalog/catalog.hpp"
#include "things/catalog/tools.hpp"

namespace takt::things {
namespace {

/// Runs read tool `name` with `args_json` (an object) on `db`.
std::string read_tool(const char* name, const std::string& args_json, ThingsDb& db) {
  rapidjson::Document args;
  args.Parse(args_json.c_str(), args_json.size());
  return run_read(*find_tool(name), args, db);
}

/// The four templates: the part of the uri before the id, and what the id names.
struct Template {
  std::string_view prefix, name, title, description;
};
constexpr Template kTemplates[] = {
    {"things://items/", "item", "One item",
     "A to-do, project or heading by id, as get_item shows it: a to-do with its checklist, a project with its "
     "headings and open to-dos."},
    {"things://projects/", "project", "One project",
     "A project by id, as get_item shows it: its headings and open to-dos."},
    {"things://areas/", "area", "One area",
     "An area by id: the area, its open projects (get_projects) and its open to-dos (get_todos)."},
    {"things://tags/", "tag", "One tag",
     "A tag by id: the tag, and the open items carrying it (search_advanced with the tag)."},
};

/// The template `uri` is of, with its id; nullptr when it is none.
const Template* template_of(std::string_view uri, std::string& id) {
  for (const auto& t : kTemplates) {
    if (uri.size() > t.prefix.size() && uri.substr(0, t.prefix.size()) == t.prefix) {
      id = std::string(uri.substr(t.prefix.size()));
      if (id.find('/') != std::string::npos || id.find('?') != std::string::npos) return nullptr;
      return &t;
    }
  }
  return nullptr;
}

const ResourceSpec* fixed_resource(std::string_view uri) {
  for (const auto& r : fixed_resources())
    if (r.uri == uri) return &r;
  return nullptr;
}

std::string id_args(const char* name, const std::string& id, const std::string& more = "") {
  return "{" + json::quote(name) + ":" + json::quote(id) + more + "}";
}

std::string area_content(const std::string& id, ThingsDb& db) {
  auto area = db.area_state(id);
  if (!area) throw NotFound("area: no area has the id '" + id + "'");
  std::string tags = "[";
  for (const auto& t : area->tags) tags += (tags.size() > 1 ? "," : "") + json::quote(t);
  tags += "]";
  return R"({"area":{"id":)" + json::quote(area->id) + R"(,"type":"area","title":)" + json::quote(area->title) +
         R"(,"tags":)" + tags + R"(},"projects":)" + read_tool("get_projects", id_args("area", id), db) +
         R"(,"todos":)" + read_tool("get_todos", id_args("area", id), db) + "}";
}

std::string tag_content(const std::string& id, ThingsDb& db) {
  auto tag = db.tag_state(id);
  if (!tag) throw NotFound("tag: no tag has the id '" + id + "'");
  std::string head = R"({"tag":{"id":)" + json::quote(tag->id) + R"(,"type":"tag","title":)" + json::quote(tag->title);
  if (tag->parent) head += R"(,"parent_title":)" + json::quote(*tag->parent);
  return head + R"(},"items":)" + read_tool("search_advanced", id_args("tag", id, R"(,"status":"open")"), db) + "}";
}

/// (id, title) of every item of a list answer.
std::vector<std::pair<std::string, std::string>> ids_and_titles(const std::string& answer) {
  rapidjson::Document d;
  d.Parse(answer.c_str(), answer.size());
  std::vector<std::pair<std::string, std::string>> out;
  if (d.HasParseError() || !d.IsObject() || !d.HasMember("items")) return out;
  for (const auto& item : d["items"].GetArray())
    out.emplace_back(item["id"].GetString(), item["title"].GetString());
  return out;
}

constexpr ListArgs kEverything{{1'000'000'000, 0}, true};

}  // namespace

const std::vector<ResourceSpec>& fixed_resources() {
  static const std::vector<ResourceSpec> list = [] {
    std::vector<ResourceSpec> r;
    auto add = [&r](const char* uri, const char* tool, const char* name) {
      const auto* spec = find_tool(tool);
      r.push_back({uri, name, spec->title, spec->description + " The answer of " + tool + " without arguments.", tool});
    };
    add("things://lists/inbox", "get_inbox", "inbox");
    add("things://lists/today", "get_today", "today");
    add("things://lists/upcoming", "get_upcoming", "upcoming");
    add("things://lists/anytime", "get_anytime", "anytime");
    add("things://lists/someday", "get_someday", "someday");
    add("things://lists/logbook", "get_logbook", "logbook");
    add("things://lists/trash", "get_trash", "trash");
    add("things://projects", "get_projects", "projects");
    add("things://areas", "get_areas", "areas");
    add("things://tags", "get_tags", "tags");
    return r;
  }();
  return list;
}

const std::string& resource_templates_json() {
  static const std::string text = [] {
    std::string s = "[";
    for (const auto& t : kTemplates) {
      if (s.size() > 1) s += ",";
      s += R"({"uriTemplate":)" + json::quote(std::string(t.prefix) + "{id}") + R"(,"name":)" + json::quote(t.name) +
           R"(,"title":)" + json::quote(t.title) + R"(,"description":)" + json::quote(t.description) +
           R"(,"mimeType":"application/json"})";
    }
    return s + "]";
  }();
  return text;
}

bool is_resource_uri(std::string_view uri) {
  std::string id;
  return fixed_resource(uri) || template_of(uri, id);
}

std::string resource_content(std::string_view uri, ThingsDb& db) {
  if (const auto* fixed = fixed_resource(uri)) return read_tool(fixed->tool.c_str(), "{}", db);
  std::string id;
  const auto* t = template_of(uri, id);
  if (!t) throw NotFound("uri: takt has no resource " + std::string(uri));
  if (t->name == "item") return read_tool("get_item", id_args("id", id), db);
  if (t->name == "project") {
    if (db.task_type(id) != 1) throw NotFound("project: no project has the id '" + id + "'");
    return read_tool("get_item", id_args("id", id), db);
  }
  if (t->name == "area") return area_content(id, db);
  return tag_content(id, db);
}

std::string resource_read_result(std::string_view uri, const std::string& content) {
  return R"({"contents":[{"uri":)" + json::quote(uri) + R"(,"mimeType":"application/json","text":)" +
         json::quote(content) + "}]}";
}

std::string resources_cursor(std::size_t offset) { return "resources:" + std::to_string(offset); }

std::optional<std::size_t> parse_resources_cursor(std::string_view cursor) {
  constexpr std::string_view prefix = "resources:";
  if (cursor.substr(0, prefix.size()) != prefix || cursor.size() == prefix.size() || cursor.size() > prefix.size() + 12)
    return std::nullopt;
  std::size_t n = 0;
  for (char c : cursor.substr(prefix.size())) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<std::size_t>(c - '0');
  }
  return n;
}

std::string resources_list_page(ThingsDb& db, std::size_t offset, std::size_t page) {
  struct Entry {
    std::string uri, name, title, description;
  };
  std::vector<Entry> all;
  for (const auto& r : fixed_resources()) all.push_back({r.uri, r.name, r.title, r.description});
  const auto add = [&all](const char* prefix, const char* what, const std::string& answer) {
    for (auto& [id, title] : ids_and_titles(answer))
      all.push_back({prefix + id, title, title, std::string("The ") + what + " '" + title + "' (" + id + ")."});
  };
  add("things://projects/", "project", db.projects(kEverything));
  add("things://areas/", "area", db.areas(kEverything));
  add("things://tags/", "tag", db.tags(kEverything));
  std::string s = R"({"resources":[)";
  const auto end = std::min(all.size(), offset + page);
  for (auto i = offset; i < end; ++i) {
    const auto& e = all[i];
    if (i > offset) s += ",";
    s += R"({"uri":)" + json::quote(e.uri) + R"(,"name":)" + json::quote(e.name) + R"(,"title":)" +
         json::quote(e.title) + R"(,"description":)" + json::quote(e.description) +
         R"(,"mimeType":"application/json"})";
  }
  s += "]";
  if (end < all.size()) s += R"(,"nextCursor":)" + json::quote(resources_cursor(end));
  return s + "}";
}

}  // namespace takt::things
