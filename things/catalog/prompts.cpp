// Prompts that bring Things' current data along (as embedded resources, read by the same
// code as resources/read), and the completion of their arguments and of the resource
// templates' ids.

#include <rapidjson/document.h>

#include <algorithm>
#include <stdexcept>
#include <tuple>

#include "base/json.hpp"
#include "things/catalog/resources.hpp"
#include "things/data/folding.hpp"

namespace takt::things {
namespace {

struct PromptSpec {
  std::string_view name, title, description;
  std::string_view argument;  ///< its one required argument, or empty
  std::string_view argument_description;
  std::string_view ask;  ///< what the prompt asks, before the data
  std::vector<std::string_view> resources;  ///< embedded, in order ({id} filled from the argument)
};

const std::vector<PromptSpec>& prompts() {
  static const std::vector<PromptSpec> list = {
      {"plan_day", "Plan the day",
       "Plan today from Things' Today list, the Inbox and what is coming up.", "", "",
       "Help me plan my day in Things 3. Below are my Today list, my Inbox and my Upcoming list as Things "
       "shows them now (JSON). Suggest what to do today and in which order, point out anything overdue or due "
       "soon, and propose which Inbox items belong in Today. Say which changes you would make in Things "
       "(with the takt tools: update_todo, move, complete) and make them only once I agree.",
       {"things://lists/today", "things://lists/inbox", "things://lists/upcoming"}},
      {"weekly_review", "Weekly review",
       "A GTD weekly review over the Logbook, the open projects, Upcoming, Someday and the Inbox.", "", "",
       "Lead me through my weekly review in Things 3. Below are my Logbook (latest first), my open projects, "
       "Upcoming, Someday and Inbox as Things shows them now (JSON). Summarise what got done, find projects "
       "without a next action or that look stalled, Someday items worth activating, and Inbox items to "
       "process. Ask before changing anything in Things.",
       {"things://lists/logbook", "things://projects", "things://lists/upcoming", "things://lists/someday",
        "things://lists/inbox"}},
      {"process_inbox", "Process the inbox",
       "Go through the Inbox and file each item into a project or area, with tags and dates.", "", "",
       "Help me process my Things 3 Inbox to zero. Below are the Inbox, my open projects, my areas and my tags "
       "as Things shows them now (JSON). For each Inbox item propose one of: do it now (under two minutes), "
       "move it to a project or area, schedule it (when, deadline), tag it, put it in Someday, or delete it. "
       "Give the proposal as a short list; once I confirm, carry it out with the takt tools (move, "
       "update_todo, add_tags, bulk_update).",
       {"things://lists/inbox", "things://projects", "things://areas", "things://tags"}},
      {"review_project", "Review a project",
       "Review one project: its headings, open to-dos, what is missing and what to do next.", "project",
       "The project: its title or its id.",
       "Review this Things 3 project with me. Below is the project as Things shows it now (JSON): its notes, "
       "headings and open to-dos. Check that its outcome is clear, that it has a next action, and that its "
       "to-dos are concrete; propose to-dos to add, split or drop, and any deadline it needs. Ask before "
       "changing anything in Things.",
       {"things://projects/{id}"}},
  };
  return list;
}

const PromptSpec* find_prompt(std::string_view name) {
  for (const auto& p : prompts())
    if (p.name == name) return &p;
  return nullptr;
}

constexpr ListArgs kEverything{{1'000'000'000, 0}, true};

/// (id, title) of every item of a list answer.
std::vector<std::pair<std::string, std::string>> entries(const std::string& answer) {
  rapidjson::Document d;
  d.Parse(answer.c_str(), answer.size());
  std::vector<std::pair<std::string, std::string>> out;
  if (d.HasParseError() || !d.IsObject() || !d.HasMember("items")) return out;
  for (const auto& item : d["items"].GetArray()) out.emplace_back(item["id"].GetString(), item["title"].GetString());
  return out;
}

std::vector<std::pair<std::string, std::string>> entries_of(const std::string& kind, ThingsDb& db) {
  if (kind == "project") return entries(db.projects(kEverything));
  if (kind == "area") return entries(db.areas(kEverything));
  return entries(db.tags(kEverything));
}

/// The id of the open project `wanted` names (its id, or its title in any case).
std::string project_id(const std::string& wanted, ThingsDb& db) {
  if (db.task_type(wanted) == 1) return wanted;
  const auto folded = fold_case(wanted);
  for (const auto& [id, title] : entries(db.projects(kEverything)))
    if (fold_case(title) == folded) return id;
  throw NotFound("project: no open project is titled or has the id '" + wanted + "'");
}

std::string text_message(std::string_view text) {
  return R"({"role":"user","content":{"type":"text","text":)" + json::quote(text) + "}}";
}

std::string resource_message(const std::string& uri, const std::string& content) {
  return R"({"role":"user","content":{"type":"resource","resource":{"uri":)" + json::quote(uri) +
         R"(,"mimeType":"application/json","text":)" + json::quote(content) + "}}}";
}

/// How well `title` matches what was typed: 0 starts with it, 1 a word starts with it,
/// 2 holds it; nullopt: no match. Both folded.
std::optional<int> rank(const std::string& title, const std::string& typed) {
  if (typed.empty()) return 0;
  const auto at = title.find(typed);
  if (at == std::string::npos) return std::nullopt;
  if (at == 0) return 0;
  for (auto pos = at; pos != std::string::npos; pos = title.find(typed, pos + 1))
    if (title[pos - 1] == ' ' || title[pos - 1] == '-' || title[pos - 1] == '/') return 1;
  return 2;
}

}  // namespace

const std::string& prompts_list_json() {
  static const std::string text = [] {
    std::string s = "[";
    for (const auto& p : prompts()) {
      if (s.size() > 1) s += ",";
      s += R"({"name":)" + json::quote(p.name) + R"(,"title":)" + json::quote(p.title) + R"(,"description":)" +
           json::quote(p.description) + R"(,"arguments":[)";
      if (!p.argument.empty())
        s += R"({"name":)" + json::quote(p.argument) + R"(,"description":)" + json::quote(p.argument_description) +
             R"(,"required":true})";
      s += "]}";
    }
    return s + "]";
  }();
  return text;
}

bool is_prompt(std::string_view name) { return find_prompt(name) != nullptr; }

std::optional<std::vector<std::string>> prompt_arguments(std::string_view name) {
  const auto* p = find_prompt(name);
  if (!p) return std::nullopt;
  std::vector<std::string> out;
  if (!p->argument.empty()) out.emplace_back(p->argument);
  return out;
}

std::string prompt_get_result(std::string_view name, const std::vector<std::pair<std::string, std::string>>& args,
                              ThingsDb& db) {
  const auto* p = find_prompt(name);
  if (!p) throw std::invalid_argument("name: takt has no prompt '" + std::string(name) + "'");
  std::string id;
  if (!p->argument.empty()) {
    auto it = std::find_if(args.begin(), args.end(), [&](const auto& a) { return a.first == p->argument; });
    if (it == args.end() || it->second.empty())
      throw std::invalid_argument("arguments: prompt " + std::string(name) + " needs '" + std::string(p->argument) + "'");
    id = project_id(it->second, db);
  }
  std::string messages = text_message(p->ask);
  for (auto uri_form : p->resources) {
    std::string uri(uri_form);
    if (auto at = uri.find("{id}"); at != std::string::npos) uri.replace(at, 4, id);
    messages += "," + resource_message(uri, resource_content(uri, db));
  }
  return R"({"description":)" + json::quote(p->description) + R"(,"messages":[)" + messages + "]}";
}

std::optional<std::string> completion_kind(std::string_view ref_type, std::string_view ref_name,
                                           std::string_view argument) {
  if (ref_type == "ref/prompt") {
    const auto* p = find_prompt(ref_name);
    if (p && argument == p->argument && argument == "project") return "project";
    return std::nullopt;
  }
  if (ref_type == "ref/resource" && argument == "id") {
    if (ref_name == "things://projects/{id}") return "project";
    if (ref_name == "things://areas/{id}") return "area";
    if (ref_name == "things://tags/{id}") return "tag";
  }
  return std::nullopt;
}

std::string completion_result(const std::string& kind, std::string_view typed, bool ids, ThingsDb& db) {
  const auto want = fold_case(typed);
  struct Match {
    int rank;
    std::size_t order;
    std::string value;
  };
  std::vector<Match> found;
  std::size_t order = 0;
  for (auto& [id, title] : entries_of(kind, db)) {
    auto r = rank(fold_case(title), want);
    if (ids && !r && id.rfind(std::string(typed), 0) == 0) r = 0;  // an id being typed
    if (r) found.push_back({*r, order, ids ? id : title});
    ++order;
  }
  std::stable_sort(found.begin(), found.end(),
                   [](const Match& a, const Match& b) { return std::tie(a.rank, a.order) < std::tie(b.rank, b.order); });
  constexpr std::size_t kMax = 100;
  std::string values = "[";
  for (std::size_t i = 0; i < found.size() && i < kMax; ++i) values += (i ? "," : "") + json::quote(found[i].value);
  return R"({"completion":{"values":)" + values + R"(],"total":)" + std::to_string(found.size()) + R"(,"hasMore":)" +
         (found.size() > kMax ? "true" : "false") + "}}";
}

}  // namespace takt::things
