// The heavy database generator (generate.hpp): every row is drawn from one seeded
// generator in a fixed order, so a spec always writes the same database.
#include "generate.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>
#include <random>
#include <stdexcept>
#include <vector>

#include "database.hpp"
#include "init.hpp"
#include "takt_sim_schema.hpp"
#include "tasks.hpp"

namespace takt::sim {
namespace {

constexpr double kDay = 86'400.0;
constexpr int kYears = 5;

/// A portable seeded generator: std::mt19937_64's sequence is fixed by the standard, and
/// every draw below is made from its raw output (the standard distributions may differ
/// between library versions).
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : engine_(seed) {}
  /// A whole number in [lo, hi].
  std::int64_t between(std::int64_t lo, std::int64_t hi) {
    const auto span = static_cast<std::uint64_t>(hi - lo) + 1;
    return lo + static_cast<std::int64_t>(engine_() % span);
  }
  /// True with probability `p`.
  bool chance(double p) { return static_cast<double>(engine_() >> 11) * 0x1.0p-53 < p; }
  double unit() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  std::string uuid() {
    static constexpr std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    std::string id(22, ' ');
    for (char& c : id) c = alphabet[engine_() % alphabet.size()];
    return id;
  }
  template <class T>
  const T& pick(const std::vector<T>& v) {
    return v[static_cast<std::size_t>(between(0, static_cast<std::int64_t>(v.size()) - 1))];
  }

 private:
  std::mt19937_64 engine_;
};

const char* const kVerbs[] = {"Call", "Email", "Review", "Write", "Fix", "Plan", "Buy", "Book", "Read", "Check",
                              "Prepare", "Send", "Update", "Clean", "Order", "Draft", "Renew", "Pay", "Sort",
                              "Ask about"};
const char* const kThings[] = {"the report", "invoice", "dentist", "slides", "budget", "tickets", "contract",
                               "garden", "newsletter", "car service", "tax return", "groceries", "the roof",
                               "meeting notes", "passport", "backup", "website copy", "insurance", "birthday gift",
                               "quarterly review", "server logs", "the lease", "photos", "Ünïcode café menu"};
const char* const kAreaNames[] = {"Work", "Home", "Family", "Health", "Finance", "Learning", "Garden", "Travel",
                                  "Friends", "Side project", "Admin", "Car", "Volunteering", "Music"};
const char* const kTagNames[] = {"Errand", "Home", "Work", "Important", "Waiting", "Phone", "Computer", "Low energy",
                                 "Someday", "Urgent"};

template <std::size_t N>
std::string word(Rng& rng, const char* const (&words)[N]) {
  return words[rng.between(0, static_cast<std::int64_t>(N) - 1)];
}

/// A task with what goes beside it: tags (indexes into the tag list) and checklist items
/// (their statuses).
struct Item {
  TaskRow row;
  std::vector<std::size_t> tags;
  std::vector<TaskStatus> checklist;
};

std::string rule_plist(bool monthly, int interval, bool after_completion, std::int64_t anchor) {
  const std::string a = std::to_string(anchor);
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
         "<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" "
         "\"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n"
         "<plist version=\"1.0\">\n<dict>\n"
         "\t<key>ed</key>\n\t<real>64092211200</real>\n"
         "\t<key>fa</key>\n\t<integer>" + std::to_string(interval) + "</integer>\n"
         "\t<key>fu</key>\n\t<integer>" + (monthly ? "8" : "256") + "</integer>\n"
         "\t<key>ia</key>\n\t<real>" + a + "</real>\n"
         "\t<key>rc</key>\n\t<integer>0</integer>\n"
         "\t<key>rrv</key>\n\t<integer>4</integer>\n"
         "\t<key>sr</key>\n\t<real>" + a + "</real>\n"
         "\t<key>tp</key>\n\t<integer>" + (after_completion ? "1" : "0") + "</integer>\n"
         "</dict>\n</plist>\n";
}

class Generator {
 public:
  explicit Generator(const GenerateSpec& spec)
      : spec_(spec), rng_(spec.seed), now_(static_cast<double>(unix_midnight_utc(spec.today)) + 12 * 3600.0) {}

  void run(Database& db) {
    make_areas_and_tags();
    make_projects();
    make_templates();
    make_todos();
    // Things appends rows as they are created: insert in creation order (stable, so
    // equal dates keep the order they were drawn in).
    std::stable_sort(items_.begin(), items_.end(),
                     [](const Item& a, const Item& b) { return a.row.creation_date < b.row.creation_date; });
    write(db);
  }

 private:
  struct Project {
    std::string uuid;
    std::optional<std::string> area;
    std::vector<std::string> headings;
    bool open;
  };

  std::int64_t n() const { return std::max<std::int64_t>(spec_.items, 50); }

  /// Things' index: spread out, with ties (index 0 is common after a sync).
  std::int64_t index() { return rng_.chance(0.03) ? 0 : rng_.between(-3 * n(), 3 * n()); }
  double days_ago(double d) { return now_ - d * kDay; }
  /// A finished moment within the last five years, more of them recent.
  double stop_moment() {
    const double u = rng_.unit();
    return days_ago(u * u * 365.0 * kYears + rng_.unit());
  }
  std::int64_t date_in(int days) { return pack_date(add_days(spec_.today, days)); }
  std::string title() { return word(rng_, kVerbs) + " " + word(rng_, kThings) + " " + std::to_string(++serial_); }

  Item base(TaskType type, double created) {
    Item it;
    it.row.uuid = rng_.uuid();
    it.row.type = type;
    it.row.title = title();
    if (rng_.chance(0.2)) it.row.notes = "Notes for " + it.row.title + ": see the thread, then follow up.";
    it.row.creation_date = created;
    it.row.modification_date = created + rng_.unit() * kDay;
    it.row.index = index();
    if (!tags_.empty() && rng_.chance(0.25)) {
      const auto k = rng_.between(1, 3);
      for (std::int64_t i = 0; i < k; ++i) {
        const auto t = static_cast<std::size_t>(rng_.between(0, static_cast<std::int64_t>(tags_.size()) - 1));
        if (std::find(it.tags.begin(), it.tags.end(), t) == it.tags.end()) it.tags.push_back(t);
      }
    }
    return it;
  }

  void finish(Item& it, double stop) {
    it.row.status = rng_.chance(0.1) ? TaskStatus::canceled : TaskStatus::completed;
    it.row.stop_date = stop;
    it.row.creation_date = std::min(it.row.creation_date, stop - rng_.unit() * 60 * kDay);
    it.row.modification_date = stop;
  }

  void make_areas_and_tags() {
    const std::int64_t areas = std::max<std::int64_t>(3, n() / 800);
    for (std::int64_t i = 0; i < areas; ++i) {
      const std::string name = i < 14 ? kAreaNames[i] : word(rng_, kAreaNames) + " " + std::to_string(i);
      areas_.push_back({rng_.uuid(), name});
    }
    const std::int64_t tags = std::clamp<std::int64_t>(n() / 500, 8, 100);
    for (std::int64_t i = 0; i < tags; ++i) {
      const std::string name = i < 10 ? kTagNames[i] : word(rng_, kTagNames) + " " + std::to_string(i);
      std::optional<std::size_t> parent;
      if (i >= 10 && rng_.chance(0.2)) parent = static_cast<std::size_t>(rng_.between(0, 9));
      tags_.push_back({rng_.uuid(), name, parent});
    }
  }

  void make_projects() {
    const std::int64_t count = n() * 6 / 100;
    for (std::int64_t i = 0; i < count; ++i) {
      Item p = base(TaskType::project, days_ago(rng_.unit() * 365.0 * kYears));
      p.row.start = StartList::anytime;
      if (rng_.chance(0.8)) p.row.area = rng_.pick(areas_).uuid;
      const double u = rng_.unit();
      const bool open = u < 0.2;
      if (!open) {
        finish(p, stop_moment());
      } else if (rng_.chance(0.15)) {
        p.row.start = StartList::someday;
        if (rng_.chance(0.3)) p.row.start_date = date_in(static_cast<int>(rng_.between(1, 90)));
      }
      if (rng_.chance(0.04)) p.row.trashed = true;
      if (open && rng_.chance(0.1)) p.row.deadline = date_in(static_cast<int>(rng_.between(-10, 120)));
      Project project{p.row.uuid, p.row.area, {}, open && !p.row.trashed};
      if (rng_.chance(0.33)) {
        const auto k = rng_.between(1, 3);
        for (std::int64_t h = 0; h < k; ++h) {
          Item head = base(TaskType::heading, p.row.creation_date + rng_.unit() * kDay);
          head.tags.clear();
          head.row.notes.clear();
          head.row.start = StartList::anytime;
          head.row.project = p.row.uuid;
          if (p.row.status != TaskStatus::open) {
            head.row.status = TaskStatus::completed;
            head.row.stop_date = p.row.stop_date;
          }
          project.headings.push_back(head.row.uuid);
          items_.push_back(std::move(head));
        }
      }
      (project.open ? open_projects_ : projects_).push_back(project);
      items_.push_back(std::move(p));
    }
    projects_.insert(projects_.end(), open_projects_.begin(), open_projects_.end());
  }

  /// Puts a to-do into a project (maybe under a heading), an area, or nowhere.
  void place(Item& it, const std::vector<Project>& projects) {
    const double u = rng_.unit();
    if (u < 0.55 && !projects.empty()) {
      const Project& p = rng_.pick(projects);
      if (!p.headings.empty() && rng_.chance(0.5)) {
        it.row.heading = rng_.pick(p.headings);  // under a heading: Things leaves project NULL
      } else {
        it.row.project = p.uuid;
      }
    } else if (u < 0.8) {
      it.row.area = rng_.pick(areas_).uuid;
    }
  }

  void make_templates() {
    const std::int64_t count = std::max<std::int64_t>(2, n() / 1000);
    for (std::int64_t i = 0; i < count; ++i) {
      Item t = base(TaskType::todo, days_ago(400 + rng_.unit() * 600));
      const bool monthly = rng_.chance(0.3);
      const int interval = static_cast<int>(rng_.between(1, 2));
      const int step = (monthly ? 30 : 7) * interval;
      const bool after = rng_.chance(0.25);
      t.row.start = StartList::someday;
      if (rng_.chance(0.4)) t.row.area = rng_.pick(areas_).uuid;
      t.row.recurrence_rule =
          rule_plist(monthly, interval, after, unix_midnight_utc(add_days(spec_.today, -step * 20)));
      t.row.instance_creation_start_date = date_in(-step * 20);
      t.row.next_instance_start_date = date_in(step);
      t.row.deadline = pack_date(Date{std::chrono::year{4001}, std::chrono::month{1}, std::chrono::day{1}});
      const std::int64_t done = rng_.between(5, 20);
      t.row.instance_creation_count = static_cast<int>(done + 1);
      const std::string tpl = t.row.uuid;
      const auto area = t.row.area;
      const auto base_title = t.row.title;
      items_.push_back(std::move(t));
      for (std::int64_t k = done; k >= 0; --k) {
        Item inst = base(TaskType::todo, days_ago(static_cast<double>(k * step)));
        inst.row.title = base_title;
        inst.row.area = area;
        inst.row.repeating_template = tpl;
        inst.row.leaves_tombstone = true;
        inst.row.start = StartList::anytime;
        inst.row.start_date = date_in(static_cast<int>(-k * step));
        if (k > 0) {
          finish(inst, days_ago(static_cast<double>(k * step) - 0.3));
        } else {
          inst.row.today_index = rng_.between(-1000, 1000);
          inst.row.today_index_reference_date = inst.row.start_date;
        }
        items_.push_back(std::move(inst));
      }
    }
  }

  void make_todos() {
    const std::int64_t count = n() - static_cast<std::int64_t>(items_.size());
    for (std::int64_t i = 0; i < count; ++i) {
      Item it = base(TaskType::todo, days_ago(rng_.unit() * 365.0 * kYears));
      const double u = rng_.unit();
      if (u < 0.82) {
        place(it, projects_);
        it.row.start = StartList::anytime;
        finish(it, stop_moment());
      } else if (u < 0.85) {
        place(it, projects_);
        it.row.start = rng_.chance(0.5) ? StartList::anytime : StartList::someday;
        it.row.trashed = true;
        if (rng_.chance(0.5)) finish(it, stop_moment());
      } else {
        open_todo(it);
      }
      if (rng_.chance(0.1)) {
        const auto k = rng_.between(1, 6);
        for (std::int64_t c = 0; c < k; ++c)
          it.checklist.push_back(it.row.status != TaskStatus::open || rng_.chance(0.3) ? TaskStatus::completed
                                                                                      : TaskStatus::open);
      }
      items_.push_back(std::move(it));
    }
  }

  void open_todo(Item& it) {
    it.row.creation_date = days_ago(rng_.unit() * rng_.unit() * 365.0 * 2);
    const double u = rng_.unit();
    if (u < 0.06) {  // Inbox
      it.row.start = StartList::inbox;
    } else {
      place(it, open_projects_);
      if (u < 0.14) {  // Today (some This Evening), some scheduled days ago
        it.row.start = StartList::anytime;
        it.row.start_date = date_in(-static_cast<int>(rng_.between(0, 3)));
        it.row.start_bucket = rng_.chance(0.25) ? 1 : 0;
      } else if (u < 0.22) {  // Upcoming
        it.row.start = StartList::someday;
        it.row.start_date = date_in(static_cast<int>(rng_.between(1, 120)));
      } else if (u < 0.37) {  // Someday
        it.row.start = StartList::someday;
      } else {  // Anytime
        it.row.start = StartList::anytime;
      }
      if (it.row.start_date) {
        it.row.today_index = rng_.between(-2000, 2000);
        it.row.today_index_reference_date = it.row.start_date;
        if (rng_.chance(0.3))
          it.row.reminder_time = (rng_.between(7, 20) << 26) | (rng_.between(0, 3) * 15 << 20);
      }
    }
    if (rng_.chance(0.1)) {
      it.row.deadline = date_in(static_cast<int>(rng_.between(-20, 60)));
      if (!it.row.start_date && rng_.chance(0.1)) it.row.deadline_suppression_date = date_in(-1);
    }
  }

  void write(Database& db) {
    Statement area = db.prepare(R"sql(INSERT INTO TMArea (uuid, title, visible, "index", cachedTags, experimental)
                                      VALUES (?1, ?2, NULL, ?3, X'', NULL))sql");
    for (std::size_t i = 0; i < areas_.size(); ++i) area.bind(areas_[i].uuid, areas_[i].title, i).run();
    Statement tag = db.prepare(R"sql(INSERT INTO TMTag (uuid, title, shortcut, usedDate, parent, "index", experimental)
                                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, NULL))sql");
    for (std::size_t i = 0; i < tags_.size(); ++i) {
      const auto& t = tags_[i];
      std::optional<std::string> parent, shortcut;
      if (t.parent) parent = tags_[*t.parent].uuid;
      if (i < 3) shortcut = std::string(1, static_cast<char>('a' + i));
      tag.bind(t.uuid, t.title, shortcut, now_ - rng_.unit() * 30 * kDay, parent, i).run();
    }
    Statement area_tag = db.prepare("INSERT INTO TMAreaTag (areas, tags) VALUES (?1, ?2)");
    for (std::size_t i = 0; i < areas_.size(); i += 3) area_tag.bind(areas_[i].uuid, tags_[i % tags_.size()].uuid).run();

    Statement task_tag = db.prepare("INSERT INTO TMTaskTag (tasks, tags) VALUES (?1, ?2)");
    Statement check = db.prepare(R"sql(INSERT INTO TMChecklistItem (uuid, userModificationDate, creationDate, title,
                                         status, stopDate, "index", task, leavesTombstone, experimental)
                                       VALUES (?1, ?2, ?2, ?3, ?4, ?5, ?6, ?7, 0, NULL))sql");
    for (auto& it : items_) {
      it.row.checklist_items = static_cast<int>(it.checklist.size());
      it.row.open_checklist_items =
          static_cast<int>(std::count(it.checklist.begin(), it.checklist.end(), TaskStatus::open));
      insert_task(db, it.row);
      for (auto t : it.tags) task_tag.bind(it.row.uuid, tags_[t].uuid).run();
      for (std::size_t c = 0; c < it.checklist.size(); ++c) {
        std::optional<double> stop;
        if (it.checklist[c] != TaskStatus::open) stop = it.row.modification_date;
        check.bind(rng_.uuid(), it.row.creation_date, "Step " + std::to_string(c + 1),
                   static_cast<int>(it.checklist[c]), stop, c, it.row.uuid)
            .run();
      }
    }
    refresh_leaf_counts(db);
  }

  struct Named {
    std::string uuid, title;
  };
  struct Tag {
    std::string uuid, title;
    std::optional<std::size_t> parent;
  };

  GenerateSpec spec_;
  Rng rng_;
  double now_;
  std::int64_t serial_ = 0;
  std::vector<Named> areas_;
  std::vector<Tag> tags_;
  std::vector<Project> projects_, open_projects_;
  std::vector<Item> items_;
};

bool exists(const std::string& path) {
  struct stat info{};
  return ::stat(path.c_str(), &info) == 0;
}

void remove_with_side_files(const std::string& path) {
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) ::unlink((path + suffix).c_str());
}

}  // namespace

void generate_database(const std::string& path, const GenerateSpec& spec) {
  if (spec.items < 50) throw std::runtime_error("--generate needs at least 50 items");
  if (exists(path)) throw std::runtime_error(path + " already exists; --generate writes a new database only");
  const std::string temporary = path + ".sim-generate-tmp";
  remove_with_side_files(temporary);
  try {
    {
      Database db(temporary, Database::OpenMode::create);
      db.exec("PRAGMA journal_mode=WAL");
      Transaction transaction(db);
      db.exec(generated::schema_sql);
      db.run("INSERT INTO Meta (key, value) VALUES ('databaseVersion', ?1)", plist_document("<integer>24</integer>"));
      db.run(R"sql(INSERT INTO TMSettings (uuid, logInterval, manualLogDate, groupTodayByParent,
                     uriSchemeAuthenticationToken, experimental)
                   VALUES ('RhAzEf6qDxCD5PmnZVtBZR', 4, NULL, 0, 'takt-generated-token', NULL))sql");
      ensure_bookkeeping(db);
      Generator(spec).run(db);
      transaction.commit();
    }  // closing checkpoints the WAL into the file
    for (const char* suffix : {"-wal", "-shm", "-journal"}) ::unlink((temporary + suffix).c_str());
    if (std::rename(temporary.c_str(), path.c_str()) != 0)
      throw std::runtime_error("cannot move the new database to " + path + ": " + std::strerror(errno));
  } catch (...) {
    remove_with_side_files(temporary);
    throw;
  }
}

}  // namespace takt::sim
