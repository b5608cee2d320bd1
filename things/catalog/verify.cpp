#include "things/catalog/verify.hpp"

#include <algorithm>

#include "base/json.hpp"
#include "things/data/folding.hpp"
#include "things/catalog/tools.hpp"

namespace takt::things {
namespace {

/// The problems found with one item; empty when it shows everything asked for. Also
/// where it was read (the database, or Things through AppleScript), for the messages, and
/// what was asked that this reader cannot see.
class Findings {
 public:
  Findings(Sight sight, std::vector<std::string>* unconfirmed) : sight_(sight), unconfirmed_(unconfirmed) {}
  /// How the messages name where the item was read: "the database has ...".
  const char* src() const { return sight_ == Sight::Database ? "the database" : "Things"; }
  /// Whether the reader shows headings, checklists, reminder times and This Evening.
  bool sees_all() const { return sight_ == Sight::Database; }
  /// `field` was asked for, but Things' AppleScript does not show it: left unconfirmed.
  void unseen(const std::string& field) {
    if (unconfirmed_ && std::find(unconfirmed_->begin(), unconfirmed_->end(), field) == unconfirmed_->end())
      unconfirmed_->push_back(field);
  }
  void add(std::string problem) { problems_.push_back(std::move(problem)); }
  void expect(bool ok, const std::string& problem) {
    if (!ok) add(problem);
  }
  std::optional<std::string> result() const {
    if (problems_.empty()) return std::nullopt;
    std::string s;
    for (const auto& p : problems_) s += (s.empty() ? "" : "; ") + p;
    return s;
  }

 private:
  Sight sight_;
  std::vector<std::string>* unconfirmed_;
  std::vector<std::string> problems_;
};

std::string quoted(const std::string& s) { return "'" + s + "'"; }

std::string date_text(const std::optional<std::int64_t>& packed) {
  if (!packed) return "none";
  auto d = unpack_date(*packed);
  return d ? iso_date(*d) : "an invalid date";
}

std::string text_or_none(const std::optional<std::string>& v) { return v ? quoted(*v) : "none"; }

std::string joined(const std::vector<std::string>& v) {
  std::string s = "[";
  for (const auto& t : v) s += (s.size() > 1 ? ", " : "") + quoted(t);
  return s + "]";
}

/// Things keeps notes with whatever line breaks it likes: compare with \n only.
std::string unix_lines(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\r') {
      out += '\n';
      if (i + 1 < s.size() && s[i + 1] == '\n') ++i;
    } else {
      out += s[i];
    }
  }
  return out;
}

bool has_tag(const std::vector<std::string>& tags, const std::string& title) {
  const auto folded = fold_case(title);
  return std::any_of(tags.begin(), tags.end(), [&](const std::string& t) { return fold_case(t) == folded; });
}

bool same_tags(const std::vector<std::string>& have, const std::vector<std::string>& want) {
  return std::all_of(want.begin(), want.end(), [&](const auto& t) { return has_tag(have, t); }) &&
         std::all_of(have.begin(), have.end(), [&](const auto& t) { return has_tag(want, t); });
}

template <class V>
bool ends_with(const V& whole, const V& tail) {
  return whole.size() >= tail.size() && std::equal(tail.rbegin(), tail.rend(), whole.rbegin());
}
template <class V>
bool starts_with(const V& whole, const V& head) {
  return whole.size() >= head.size() && std::equal(head.begin(), head.end(), whole.begin());
}

/// Where `when` (or a list of the same name) puts an item, on `today`.
void check_when(Findings& f, const TaskState& t, const std::string& field, const std::string& when, Date today) {
  const auto today_p = pack_date(today);
  const auto where = [&] {
    return "start " + std::string(t.start == 0 ? "inbox" : t.start == 1 ? "anytime" : "someday") + ", date " +
           date_text(t.start_date) + (t.evening ? ", evening" : "");
  };
  const std::string problem = field + ": asked for " + quoted(when) + ", " + f.src() + " shows " + where();
  if (when == "inbox") {
    f.expect(t.start == 0 && !t.start_date && !t.project && !t.area && !t.heading, problem);
  } else if (when == "today") {
    f.expect(t.start == 1 && t.start_date == today_p, problem);
  } else if (when == "evening") {
    if (!f.sees_all()) f.unseen("This Evening");
    f.expect(t.start == 1 && t.start_date == today_p && (t.evening || !f.sees_all()), problem);
  } else if (when == "tomorrow") {
    f.expect(t.start == 2 && t.start_date == pack_date(add_days(today, 1)), problem);
  } else if (when == "anytime") {
    f.expect(t.start == 1 && !t.start_date, problem);
  } else if (when == "someday") {
    f.expect(t.start == 2 && !t.start_date, problem);
  } else if (auto d = parse_iso_date(when)) {
    const auto p = pack_date(*d);
    // A day already begun is Today: Things may keep the day asked for or make it today.
    if (p <= today_p) f.expect(t.start == 1 && t.start_date && *t.start_date <= today_p, problem);
    else f.expect(t.start == 2 && t.start_date == p, problem);
  }
}

void check_cleared_when(Findings& f, const TaskState& t) {
  f.expect(!t.start_date && t.start != 2, "when: asked to clear it, " + std::string(f.src()) + " shows date " +
                                              date_text(t.start_date) +
                                              (t.start == 2 ? " in Someday" : ""));
}

void check_date(Findings& f, const std::string& field, const std::optional<std::int64_t>& have,
                const std::optional<std::string>& want) {
  std::optional<std::int64_t> packed;
  if (want)
    if (auto d = parse_iso_date(*want)) packed = pack_date(*d);
  f.expect(have == packed, field + ": asked for " + (want ? *want : "none") + ", " + f.src() + " has " + date_text(have));
}

void check_reminder(Findings& f, const std::optional<std::int64_t>& have, const std::optional<std::string>& want) {
  if (!f.sees_all()) return f.unseen("reminder");
  const auto packed = want ? parse_reminder(*want) : std::nullopt;
  const auto shown = have ? reminder_text(*have).value_or("an invalid time") : std::string("none");
  f.expect(have == packed, "reminder: asked for " + (want ? *want : "none") + ", " + f.src() + " has " + shown);
}

void check_ref(Findings& f, const std::string& field, const std::optional<std::string>& have,
               const std::optional<std::string>& want) {
  if (field == "heading" && !f.sees_all()) return f.unseen("heading");
  f.expect(have == want, field + ": asked for " + text_or_none(want) + ", " + f.src() + " has " + text_or_none(have));
}

void check_type(Findings& f, const TaskState& t, int type) {
  static const char* names[] = {"to-do", "project", "heading"};
  f.expect(t.type == type, std::string("it is a ") + names[t.type % 3] + ", not a " + names[type]);
}

void check_title(Findings& f, const std::string& have, const std::string& want) {
  f.expect(have == want, "title: asked for " + quoted(want) + ", " + f.src() + " has " + quoted(have));
}

void check_notes(Findings& f, const TaskState& t, const std::optional<std::string>& notes,
                 const std::optional<std::string>& append, const std::optional<std::string>& prepend) {
  const auto have = unix_lines(t.notes);
  if (notes) f.expect(have == unix_lines(*notes), "notes: " + std::string(f.src()) + " holds other notes than asked for");
  if (append) f.expect(ends_with(have, unix_lines(*append)), "append_notes: the notes do not end with the text");
  if (prepend) f.expect(starts_with(have, unix_lines(*prepend)), "prepend_notes: the notes do not begin with the text");
}

void check_tag_edits(Findings& f, const std::vector<std::string>& have,
                     const std::optional<std::vector<std::string>>& replace, const std::vector<std::string>& add,
                     const std::vector<std::string>& remove) {
  if (replace)
    f.expect(same_tags(have, *replace), "tags: asked for " + joined(*replace) + ", " + f.src() + " has " + joined(have));
  for (const auto& t : add) f.expect(has_tag(have, t), "add_tags: " + quoted(t) + " is not on it");
  for (const auto& t : remove) f.expect(!has_tag(have, t), "remove_tags: " + quoted(t) + " is still on it");
}

void check_clearable_date(Findings& f, const std::string& field, const std::optional<std::int64_t>& have,
                          const Clearable& c) {
  if (c.given) check_date(f, field, have, c.value);
}

struct Checks {
  ThingsDb& db;
  const std::string& id;
  Sight sight;
  std::vector<std::string>* unconfirmed;

  Findings findings() const { return Findings(sight, unconfirmed); }
  /// "is in the database" or "is in Things".
  std::string in_src() const { return std::string(" is in ") + findings().src(); }

  std::optional<TaskState> task(Findings& f) const {
    auto t = db.task_state(id);
    if (!t) f.add("no item with the id " + quoted(id) + in_src());
    return t;
  }

  /// A checklist asked for: compared where the reader shows checklists.
  void check_checklist(Findings& f, bool asked, bool ok, const std::string& problem) const {
    if (!asked) return;
    if (!f.sees_all()) return f.unseen("checklist");
    f.expect(ok, problem);
  }

  std::optional<std::string> operator()(const AddTodo& a) const {
    Findings f = findings();
    auto t = task(f);
    if (!t) return f.result();
    check_type(f, *t, 0);
    check_title(f, t->title, a.title);
    check_notes(f, *t, a.notes.value_or(""), std::nullopt, std::nullopt);
    if (a.when) check_when(f, *t, "when", *a.when, db.today());
    if (a.reminder) check_reminder(f, t->reminder, a.reminder);
    if (a.deadline) check_date(f, "deadline", t->deadline, a.deadline);
    if (a.heading) check_ref(f, "heading", t->heading, a.heading);
    else if (a.project) check_ref(f, "project", t->project, a.project);
    if (a.area) check_ref(f, "area", t->area, a.area);
    check_tag_edits(f, t->tags, std::nullopt, a.tags, {});
    check_checklist(f, !a.checklist.empty() || f.sees_all(), t->checklist == a.checklist,
                    "checklist: asked for " + joined(a.checklist) + ", " + f.src() + " has " + joined(t->checklist));
    return f.result();
  }

  std::optional<std::string> operator()(const UpdateTodo& u) const {
    Findings f = findings();
    auto t = task(f);
    if (!t) return f.result();
    check_type(f, *t, 0);
    if (u.title) check_title(f, t->title, *u.title);
    check_notes(f, *t, u.notes, u.append_notes, u.prepend_notes);
    if (u.list) check_when(f, *t, "list", *u.list, db.today());
    if (u.when.sets()) check_when(f, *t, "when", *u.when.value, db.today());
    if (u.when.clears()) check_cleared_when(f, *t);
    if (u.reminder.given) check_reminder(f, t->reminder, u.reminder.value);
    check_clearable_date(f, "deadline", t->deadline, u.deadline);
    check_tag_edits(f, t->tags, u.tags, u.add_tags, u.remove_tags);
    if (u.checklist)
      check_checklist(f, true, t->checklist == *u.checklist,
                      "checklist: asked for " + joined(*u.checklist) + ", " + f.src() + " has " + joined(t->checklist));
    check_checklist(f, !u.append_checklist.empty(), ends_with(t->checklist, u.append_checklist),
                    "append_checklist: the checklist does not end with " + joined(u.append_checklist));
    if (u.checklist_items && !f.sees_all()) {
      f.unseen("checklist");
    } else if (u.checklist_items) {
      std::vector<std::string> titles, asked, has;
      for (const auto& item : *u.checklist_items) {
        titles.push_back(item.title);
        asked.push_back(item.title + (item.completed ? " (completed)" : ""));
      }
      for (std::size_t i = 0; i < t->checklist.size(); ++i)
        has.push_back(t->checklist[i] +
                      (i < t->checklist_completed.size() && t->checklist_completed[i] ? " (completed)" : ""));
      f.expect(asked == has, "checklist_items: asked for " + joined(asked) + ", " + f.src() + " has " + joined(has));
    }
    if (u.heading.sets()) check_ref(f, "heading", t->heading, u.heading.value);
    else if (u.project.sets()) check_ref(f, "project", t->project, u.project.value);
    if (u.heading.clears()) check_ref(f, "heading", t->heading, std::nullopt);
    if (u.project.clears()) {
      check_ref(f, "project", t->project, std::nullopt);
      check_ref(f, "heading", t->heading, std::nullopt);
    }
    if (u.area.given) check_ref(f, "area", t->area, u.area.value);
    return f.result();
  }

  std::optional<std::string> operator()(const AddProject& a) const {
    Findings f = findings();
    auto t = task(f);
    if (!t) return f.result();
    check_type(f, *t, 1);
    check_title(f, t->title, a.title);
    check_notes(f, *t, a.notes.value_or(""), std::nullopt, std::nullopt);
    check_when(f, *t, "when", a.when.value_or("anytime"), db.today());
    if (a.reminder) check_reminder(f, t->reminder, a.reminder);
    if (a.deadline) check_date(f, "deadline", t->deadline, a.deadline);
    if (a.area) check_ref(f, "area", t->area, a.area);
    check_tag_edits(f, t->tags, std::nullopt, a.tags, {});
    if (f.sees_all() || a.headings.empty())
      f.expect(t->headings == a.headings, "headings: asked for " + joined(a.headings) + ", " + f.src() + " has " +
                                              joined(t->headings));
    else
      f.unseen("headings");
    f.expect(t->todos == a.todos, "todos: asked for " + joined(a.todos) + ", " + f.src() + " has " + joined(t->todos));
    return f.result();
  }

  std::optional<std::string> operator()(const UpdateProject& u) const {
    Findings f = findings();
    auto t = task(f);
    if (!t) return f.result();
    check_type(f, *t, 1);
    if (u.title) check_title(f, t->title, *u.title);
    check_notes(f, *t, u.notes, u.append_notes, u.prepend_notes);
    if (u.when.sets()) check_when(f, *t, "when", *u.when.value, db.today());
    if (u.when.clears()) check_cleared_when(f, *t);
    if (u.reminder.given) check_reminder(f, t->reminder, u.reminder.value);
    check_clearable_date(f, "deadline", t->deadline, u.deadline);
    check_tag_edits(f, t->tags, u.tags, u.add_tags, u.remove_tags);
    if (u.area.given) check_ref(f, "area", t->area, u.area.value);
    return f.result();
  }

  std::optional<std::string> operator()(const AddHeading& h) const {
    Findings f = findings();
    auto t = task(f);
    if (!t) return f.result();
    check_type(f, *t, 2);
    check_title(f, t->title, h.title);
    check_ref(f, "project", t->project, h.project);
    return f.result();
  }

  std::optional<std::string> operator()(const SetStatus& s) const {
    Findings f = findings();
    auto t = task(f);
    if (!t) return f.result();
    static const char* names[] = {"open", "?", "canceled", "completed"};
    const int want = static_cast<int>(s.status);
    f.expect(t->status == want, std::string("status: asked for ") + names[want] + ", " + f.src() + " has " +
                                    (t->status >= 0 && t->status <= 3 ? names[t->status] : "an unknown status"));
    return f.result();
  }

  std::optional<std::string> operator()(const SetTrashed& s) const {
    Findings f = findings();
    auto t = task(f);
    if (!t) return f.result();
    f.expect(t->trashed == s.trashed, s.trashed ? "it is not in the Trash" : "it is still in the Trash");
    return f.result();
  }

  std::optional<std::string> operator()(const CreateTag& c) const {
    Findings f = findings();
    auto tag = db.tag_state(id);
    if (!tag) return "no tag with the id " + quoted(id) + in_src();
    check_title(f, tag->title, c.title);
    if (c.parent)
      f.expect(tag->parent && fold_case(*tag->parent) == fold_case(*c.parent),
               "parent: asked for " + quoted(*c.parent) + ", " + f.src() + " has " + text_or_none(tag->parent));
    return f.result();
  }

  std::optional<std::string> operator()(const CreateArea& c) const {
    Findings f = findings();
    auto area = db.area_state(id);
    if (!area) return "no area with the id " + quoted(id) + in_src();
    check_title(f, area->title, c.title);
    check_tag_edits(f, area->tags, std::nullopt, c.tags, {});
    return f.result();
  }

  std::optional<std::string> operator()(const ReadOp&) const { return std::nullopt; }
  /// Nothing changes; what was shown must exist (Things' `show` fails otherwise too).
  std::optional<std::string> operator()(const Show& sh) const {
    if (!sh.list.empty() || db.task_state(id) || db.area_state(id)) return std::nullopt;
    return "no item or area with the id " + quoted(id) + in_src();
  }
};

std::string item_of(const std::string& id, const Operation& op) { return op_name(op) + " of " + quoted(id); }

}  // namespace

std::optional<std::string> target_id(const Operation& op) {
  return std::visit(Overloaded{[](const UpdateTodo& u) -> std::optional<std::string> { return u.id; },
                               [](const UpdateProject& u) -> std::optional<std::string> { return u.id; },
                               [](const SetStatus& st) -> std::optional<std::string> { return st.id; },
                               [](const SetTrashed& st) -> std::optional<std::string> { return st.id; },
                               [](const auto&) -> std::optional<std::string> { return std::nullopt; }},
                    op);
}

std::optional<std::string> verify(ThingsDb& db, const Operation& op, const std::string& id, Sight sight,
                                  std::vector<std::string>* unconfirmed) {
  if (id.empty()) return "Things returned no id";
  return std::visit(Checks{db, id, sight, unconfirmed}, op);
}

WriteAnswer confirm_write(ThingsDb& db, const ToolSpec& tool, const std::vector<Operation>& ops,
                          const std::vector<OpResult>& results, const std::vector<bool>& not_yet, Sight sight) {
  std::vector<std::string> done_ids, failures, unconfirmed;
  bool pending = false;
  std::vector<std::optional<TaskState>> states;
  std::string first_title;
  for (std::size_t i = 0; i < ops.size(); ++i) {
    const auto& r = results[i];
    if (!r.ok) {
      failures.push_back(r.error);
      continue;
    }
    if (auto problem = verify(db, ops[i], r.id, sight, &unconfirmed)) {
      if (i < not_yet.size() && not_yet[i]) {
        pending = true;
        failures.push_back(item_of(r.id, ops[i]) + " was sent to Things and is not applied yet: " + *problem);
      } else {
        failures.push_back(item_of(r.id, ops[i]) + " did not take effect: " + *problem);
      }
      continue;
    }
    done_ids.push_back(r.id);
    if (tool.bulk) states.push_back(db.task_state(r.id));
    if (done_ids.size() == 1) {
      // Read again: the item may have gone since it was verified (deleted in Things).
      std::optional<std::string> title;
      if (std::holds_alternative<CreateTag>(ops[i])) {
        if (auto t = db.tag_state(r.id)) title = t->title;
      } else if (const auto* shown = std::get_if<Show>(&ops[i])) {
        if (!shown->list.empty()) title = shown->list_title;
        else if (auto a = db.area_state(r.id)) title = a->title;
        else if (auto t = db.task_state(r.id)) title = t->title;
      } else if (std::holds_alternative<CreateArea>(ops[i])) {
        if (auto a = db.area_state(r.id)) title = a->title;
      } else if (!tool.bulk) {
        if (auto t = db.task_state(r.id)) title = t->title;
      }
      if (title) first_title = *title;
    }
  }
  if (!failures.empty()) {
    std::string text = tool.name + " failed: ";
    if (ops.size() == 1) {
      text += failures.front();
    } else {
      text += std::to_string(failures.size()) + " of " + std::to_string(ops.size()) + " did not take effect: ";
      for (std::size_t i = 0; i < failures.size(); ++i) text += (i ? "; " : "") + failures[i];
      text += ". ";
      if (done_ids.empty()) {
        text += "None was done.";
      } else {
        text += "Done: ";
        for (std::size_t i = 0; i < done_ids.size(); ++i) text += (i ? ", " : "") + done_ids[i];
        text += ".";
      }
    }
    if (pending)
      text += " Part of this change went through Things' URL scheme, which Things applies in the background after "
              "the script (usually within 1-3 s); it has not shown in Things' database yet and may still. Do not "
              "send it again (that could add it twice): look at the item with get_item in a little while.";
    return {false, tool_error(text)};
  }

  rapidjson::StringBuffer sb;
  json::Writer w(sb);
  w.StartObject();
  std::string summary;
  const std::string confirmed = sight == Sight::Database ? "confirmed in the database" : "confirmed through Things' AppleScript";
  if (!tool.bulk) {
    w.Key("id");
    w.String(done_ids.front().c_str(), static_cast<rapidjson::SizeType>(done_ids.front().size()));
    w.Key("title");
    w.String(first_title.c_str(), static_cast<rapidjson::SizeType>(first_title.size()));
    summary = tool.name + ": '" + first_title + "' (" + done_ids.front() + "), " + confirmed + ".";
  }
  w.Key("ids");
  w.StartArray();
  for (const auto& id : done_ids) w.String(id.c_str(), static_cast<rapidjson::SizeType>(id.size()));
  w.EndArray();
  if (tool.bulk) {
    static const char* types[] = {"to-do", "project", "heading"};
    static const char* statuses[] = {"open", "open", "canceled", "completed"};
    w.Key("count");
    w.Int64(static_cast<std::int64_t>(done_ids.size()));
    w.Key("items");
    w.StartArray();
    summary = tool.name + ": " + std::to_string(done_ids.size()) + " item(s), " + confirmed + ":";
    for (const auto& st : states) {
      if (!st) continue;
      w.StartObject();
      w.Key("id");
      w.String(st->id.c_str(), static_cast<rapidjson::SizeType>(st->id.size()));
      w.Key("type");
      w.String(types[st->type % 3]);
      w.Key("title");
      w.String(st->title.c_str(), static_cast<rapidjson::SizeType>(st->title.size()));
      w.Key("status");
      w.String(statuses[st->status & 3]);
      w.Key("trashed");
      w.Bool(st->trashed);
      w.EndObject();
      summary += std::string(summary.back() == ':' ? " '" : ", '") + st->title + "' (" + st->id + ")";
    }
    w.EndArray();
  }
  if (!unconfirmed.empty()) {
    w.Key("unconfirmed");
    w.StartArray();
    summary += " Not confirmed, as Things' AppleScript does not show it: ";
    for (std::size_t i = 0; i < unconfirmed.size(); ++i) {
      w.String(unconfirmed[i].c_str(), static_cast<rapidjson::SizeType>(unconfirmed[i].size()));
      summary += (i ? ", " : "") + unconfirmed[i];
    }
    summary += ".";
    w.EndArray();
  }
  w.EndObject();
  return {true, tool_result(std::string(sb.GetString(), sb.GetSize()), summary)};
}

}  // namespace takt::things
