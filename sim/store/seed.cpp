// Demo data for a new things-sim database, relative to today, so that a newcomer sees a
// believable Things and every list query of things3.md returns something:
//   Areas "Work" and "Personal"; tags Errand, Home, Work, Important.
//   Projects "Website relaunch" (Work, headings "Design" and "Build"), "Plan summer trip"
//   (Personal) and "Learn Italian" (no area, in Someday, with one to-do).
//   Inbox: 4 open to-dos (one with a checklist). Today: 3 (one This Evening) plus the
//   instance of the weekly repeating "Weekly review" (its template is hidden from lists),
//   plus "Fix the squeaky door" whose deadline passed 2 days ago. Upcoming: in 3 and 10
//   days. Anytime: to-dos in projects, under headings and in areas, one due tomorrow.
//   Someday: 2. Logbook: 3 completed in the last week and 1 canceled. Trash: 1.
#include <string>
#include <vector>

#include "init.hpp"
#include "tasks.hpp"

namespace takt::sim {

namespace {

constexpr double day_seconds = 86'400.0;

struct TodoSpec {
  std::string title{};
  std::string notes{};
  Schedule schedule{};
  std::optional<std::string> area{};
  std::optional<std::string> project{};
  std::optional<std::string> heading{};
  std::optional<int> deadline_in_days{};
  std::vector<std::string> tags{};
  TaskStatus status = TaskStatus::open;
  double closed_days_ago = 0.0;
  bool trashed = false;
  double created_days_ago = 2.0;
};

class Seeder {
 public:
  Seeder(Database& db, const Clock& clock) : db_(db), clock_(clock) {}

  Schedule inbox() const { return {StartList::inbox, std::nullopt, 0}; }
  Schedule today() const { return {StartList::anytime, pack_date(clock_.today), 0}; }
  Schedule evening() const { return {StartList::anytime, pack_date(clock_.today), 1}; }
  Schedule anytime() const { return {StartList::anytime, std::nullopt, 0}; }
  Schedule someday() const { return {StartList::someday, std::nullopt, 0}; }
  Schedule upcoming(int days) const { return {StartList::someday, pack_date(add_days(clock_.today, days)), 0}; }

  std::string area(const std::string& title) {
    const std::string uuid = random_uuid();
    db_.run(R"sql(INSERT INTO TMArea (uuid, title, visible, "index", cachedTags, experimental)
                  VALUES (?1, ?2, NULL, ?3, X'', NULL))sql",
            uuid, title, area_index_++);
    return uuid;
  }

  void tag(const std::string& title) { ensure_tag(db_, title, clock_.now - 30 * day_seconds); }

  std::string project(const std::string& title, const std::optional<std::string>& area, Schedule schedule,
                      const std::string& notes = "") {
    TaskRow row = base_row(title, notes, 20.0);
    row.type = TaskType::project;
    row.area = area;
    place(row, schedule);
    insert_task(db_, row);
    return row.uuid;
  }

  std::string heading(const std::string& title, const std::string& project) {
    TaskRow row = base_row(title, "", 20.0);
    row.type = TaskType::heading;
    row.project = project;
    place(row, anytime());
    insert_task(db_, row);
    return row.uuid;
  }

  std::string todo(const TodoSpec& spec) {
    TaskRow row = base_row(spec.title, spec.notes, spec.created_days_ago);
    row.area = spec.area;
    row.project = spec.project;
    row.heading = spec.heading;
    place(row, spec.schedule);
    if (spec.deadline_in_days) row.deadline = pack_date(add_days(clock_.today, *spec.deadline_in_days));
    row.status = spec.status;
    if (spec.status != TaskStatus::open) {
      row.stop_date = clock_.now - spec.closed_days_ago * day_seconds;
      row.modification_date = *row.stop_date;
    }
    row.trashed = spec.trashed;
    insert_task(db_, row);
    for (const std::string& tag : spec.tags) link_tag(db_, row.uuid, ensure_tag(db_, tag, row.modification_date));
    return row.uuid;
  }

  void checklist(const std::string& task, const std::vector<std::pair<std::string, TaskStatus>>& items) {
    std::int64_t index = 0;
    int open = 0;
    for (const auto& [title, status] : items) {
      insert_checklist_item(db_, task, title, index++, status, clock_.now - day_seconds);
      if (status == TaskStatus::open) ++open;
    }
    db_.run("UPDATE TMTask SET checklistItemsCount = ?2, openChecklistItemsCount = ?3 WHERE uuid = ?1", task,
            static_cast<int>(items.size()), open);
  }

  // A weekly repeating to-do: the template (rt1_recurrenceRule set, hidden from every
  // list) and today's instance (rt1_repeatingTemplate = the template).
  void repeating(const std::string& title, const std::optional<std::string>& area) {
    TaskRow templ = base_row(title, "Inbox zero, calendar, projects.", 30.0);
    templ.area = area;
    place(templ, someday());  // Things keeps templates at start 2 without a date
    templ.recurrence_rule = weekly_rule();
    templ.instance_creation_start_date = pack_date(clock_.today);
    templ.instance_creation_count = 1;
    templ.next_instance_start_date = pack_date(add_days(clock_.today, 7));
    insert_task(db_, templ);

    TaskRow instance = base_row(title, templ.notes, 0.0);
    instance.area = area;
    instance.leaves_tombstone = true;
    place(instance, today());
    instance.repeating_template = templ.uuid;
    insert_task(db_, instance);
  }

 private:
  TaskRow base_row(const std::string& title, const std::string& notes, double created_days_ago) {
    TaskRow row;
    row.uuid = random_uuid();
    row.title = title;
    row.notes = notes;
    row.creation_date = clock_.now - created_days_ago * day_seconds;
    row.modification_date = row.creation_date;
    row.index = index_++;
    return row;
  }

  // Seeds are listed in display order: indexes grow, unlike script-added items which go
  // on top.
  void place(TaskRow& row, const Schedule& schedule) {
    row.start = schedule.start;
    row.start_date = schedule.start_date;
    row.start_bucket = schedule.start_bucket;
    if (schedule.start_date) {
      row.today_index = today_index_++;
      row.today_index_reference_date = schedule.start_date;
    }
  }

  // Weekly (fu 256 = NSWeekCalendarUnit, fa 1 = every week), shaped like the rule in a
  // real Things database.
  std::string weekly_rule() const {
    const std::string anchor = std::to_string(unix_midnight_utc(clock_.today));
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
           "<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" "
           "\"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n"
           "<plist version=\"1.0\">\n<dict>\n"
           "\t<key>ed</key>\n\t<real>64092211200</real>\n"
           "\t<key>fa</key>\n\t<integer>1</integer>\n"
           "\t<key>fu</key>\n\t<integer>256</integer>\n"
           "\t<key>ia</key>\n\t<real>" + anchor + "</real>\n"
           "\t<key>rc</key>\n\t<integer>0</integer>\n"
           "\t<key>rrv</key>\n\t<integer>4</integer>\n"
           "\t<key>sr</key>\n\t<real>" + anchor + "</real>\n"
           "\t<key>tp</key>\n\t<integer>0</integer>\n"
           "</dict>\n</plist>\n";
  }

  Database& db_;
  const Clock& clock_;
  std::int64_t index_ = 0;
  std::int64_t today_index_ = 0;
  std::int64_t area_index_ = 0;
};

struct Containers {
  std::string work, personal;
  std::string website, design, build, trip, italian;
};

Containers seed_containers(Seeder& s) {
  Containers c;
  c.work = s.area("Work");
  c.personal = s.area("Personal");
  for (const char* tag : {"Errand", "Home", "Work", "Important"}) s.tag(tag);
  c.website = s.project("Website relaunch", c.work, s.anytime(), "New design and a faster site.");
  c.design = s.heading("Design", c.website);
  c.build = s.heading("Build", c.website);
  c.trip = s.project("Plan summer trip", c.personal, s.anytime());
  c.italian = s.project("Learn Italian", std::nullopt, s.someday());
  return c;
}

void seed_open_todos(Seeder& s, const Containers& c) {
  // Inbox
  s.todo({.title = "Call the plumber", .schedule = s.inbox(), .tags = {"Home", "Errand"}});
  s.todo({.title = "Read article on SQLite WAL mode",
          .notes = "https://sqlite.org/wal.html",
          .schedule = s.inbox()});
  s.todo({.title = "Buy a birthday present for Sam", .schedule = s.inbox(), .tags = {"Errand"}});
  const std::string passport = s.todo({.title = "Renew passport", .schedule = s.inbox()});
  s.checklist(passport, {{"Take a photo", TaskStatus::completed},
                         {"Fill in the form", TaskStatus::open},
                         {"Book an appointment", TaskStatus::open}});
  // Today (one This Evening); the repeating instance joins them below.
  s.todo({.title = "Reply to Anna's email", .schedule = s.today(), .area = c.work, .tags = {"Work", "Important"}});
  s.todo({.title = "Review pull requests", .schedule = s.today(), .heading = c.build});
  s.todo({.title = "Water the plants", .schedule = s.evening(), .area = c.personal, .tags = {"Home"}});
  // Upcoming
  s.todo({.title = "Dentist appointment", .schedule = s.upcoming(3), .area = c.personal});
  s.todo({.title = "Submit expense report",
          .schedule = s.upcoming(10),
          .area = c.work,
          .deadline_in_days = 12,
          .tags = {"Important"}});
  // Anytime (one with a deadline tomorrow, one overdue: Today shows it by its deadline)
  s.todo({.title = "Sketch homepage layout", .schedule = s.anytime(), .heading = c.design});
  s.todo({.title = "Pick a colour palette", .schedule = s.anytime(), .heading = c.design});
  s.todo({.title = "Write the deployment script", .schedule = s.anytime(), .heading = c.build});
  s.todo({.title = "Book flights", .schedule = s.anytime(), .project = c.trip, .deadline_in_days = 1});
  s.todo({.title = "Fix the squeaky door",
          .schedule = s.anytime(),
          .area = c.personal,
          .deadline_in_days = -2,
          .tags = {"Home"}});
  // Someday (and a to-do of the Someday project: start 1, hidden by its project)
  s.todo({.title = "Learn to play the ukulele", .schedule = s.someday()});
  s.todo({.title = "Write a novel", .schedule = s.someday(), .area = c.personal});
  s.todo({.title = "Practise verb conjugations", .schedule = s.anytime(), .project = c.italian});
  s.repeating("Weekly review", c.work);
}

void seed_closed_todos(Seeder& s, const Containers& c) {
  s.todo({.title = "Set up the staging server",
          .schedule = s.anytime(),
          .heading = c.build,
          .status = TaskStatus::completed,
          .closed_days_ago = 1.2,
          .created_days_ago = 9});
  s.todo({.title = "Pay the electricity bill",
          .schedule = s.anytime(),
          .area = c.personal,
          .tags = {"Home"},
          .status = TaskStatus::completed,
          .closed_days_ago = 3.5,
          .created_days_ago = 6});
  s.todo({.title = "Send the meeting notes",
          .schedule = s.anytime(),
          .area = c.work,
          .status = TaskStatus::completed,
          .closed_days_ago = 5.1,
          .created_days_ago = 7});
  s.todo({.title = "Order a new office chair",
          .schedule = s.anytime(),
          .area = c.work,
          .status = TaskStatus::canceled,
          .closed_days_ago = 2.3,
          .created_days_ago = 10});
  s.todo({.title = "Start a podcast", .schedule = s.inbox(), .trashed = true, .created_days_ago = 12});
}

}  // namespace

void seed_demo_data(Database& db, const Clock& clock) {
  Seeder seeder(db, clock);
  const Containers containers = seed_containers(seeder);
  seed_open_todos(seeder, containers);
  seed_closed_todos(seeder, containers);
  refresh_leaf_counts(db);
}

}  // namespace takt::sim
