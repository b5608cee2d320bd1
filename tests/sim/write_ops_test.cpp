// Tests of the write ops of the sim dialect (sim/json/script.hpp): for every op and field, the
// rows Things would hold, read straight from SQLite; every failing op leaves every row as
// it was; batches of many ops run as one call.
#include "harness.hpp"

namespace {

using namespace takt::sim_test;
using Rows = std::vector<std::vector<std::string>>;
using Row = std::vector<std::string>;

std::string packed_str(std::chrono::year_month_day date) { return std::to_string(packed(date)); }
std::string today_str() { return packed_str(local_today()); }
std::string reminder(int hours, int minutes) { return std::to_string((hours << 26) | (minutes << 20)); }

std::vector<std::string> ids_of(const std::vector<Result>& results) {
  std::vector<std::string> ids;
  for (const Result& result : results) {
    EXPECT_TRUE(result.ok) << result.error;
    ids.push_back(result.id);
  }
  return ids;
}

// userModificationDate was set by the last call (within the last minute), and differs
// from creationDate for a seeded row.
const std::string modified_now = "ABS(userModificationDate - strftime('%s','now')) < 60";

class WriteOpsTest : public SimTest {
 protected:
  void SetUp() override {
    SimTest::SetUp();
    init();
  }
};

// ---------------------------------------------------------------------------------------
// add_todo: reminder and list

TEST_F(WriteOpsTest, AddTodoListPutsTheToDoInThatList) {
  const auto ids = ids_of(run({J("add_todo").set("title", "i").set("list", "inbox"),
                               J("add_todo").set("title", "t").set("list", "today"),
                               J("add_todo").set("title", "e").set("list", "evening"),
                               J("add_todo").set("title", "a").set("list", "anytime"),
                               J("add_todo").set("title", "s").set("list", "someday"),
                               J("add_todo").set("title", "p").set("list", "someday").set("project",
                                                                                        uuid_of("Plan summer trip"))}));
  const std::string cols = "start, startDate, startBucket";
  EXPECT_EQ(task(ids[0], cols), (Row{"0", "<null>", "0"}));
  EXPECT_EQ(task(ids[1], cols), (Row{"1", today_str(), "0"}));
  EXPECT_EQ(task(ids[2], cols), (Row{"1", today_str(), "1"}));
  EXPECT_EQ(task(ids[3], cols), (Row{"1", "<null>", "0"}));
  EXPECT_EQ(task(ids[4], cols), (Row{"2", "<null>", "0"}));
  EXPECT_EQ(task(ids[5], cols + ", project"), (Row{"2", "<null>", "0", uuid_of("Plan summer trip")}));
}

TEST_F(WriteOpsTest, AddTodoReminderNeedsADate) {
  const auto ids = ids_of(run({J("add_todo").set("title", "r1").set("when", "today").set("reminder", "09:30"),
                               J("add_todo").set("title", "r2").set("when", "2031-01-02").set("reminder", "23:59"),
                               J("add_todo").set("title", "r3").set("list", "evening").set("reminder", "00:00"),
                               J("add_todo").set("title", "r4").set("when", "tomorrow").set("reminder", "18:05")}));
  EXPECT_EQ(task(ids[0], "reminderTime, startDate"), (Row{reminder(9, 30), today_str()}));
  EXPECT_EQ(task(ids[1], "reminderTime, start"), (Row{reminder(23, 59), "2"}));
  EXPECT_EQ(task(ids[2], "reminderTime, startBucket"), (Row{"0", "1"}));
  EXPECT_EQ(task(ids[3], "reminderTime"), (Row{reminder(18, 5)}));
  // As in a real Things database, where 12:34 is 840957952.
  EXPECT_EQ(reminder(12, 34), "840957952");
  EXPECT_EQ(task(uuid_of("Call the plumber"), "reminderTime"), (Row{"<null>"}));
}

TEST_F(WriteOpsTest, AddTodoRejectsBadRemindersAndLists) {
  const std::string trip = uuid_of("Plan summer trip");
  expect_rejected({
      {J("add_todo").set("title", "x").set("reminder", "09:00"), "reminder \"09:00\": a reminder needs a date"},
      {J("add_todo").set("title", "x").set("when", "anytime").set("reminder", "09:00"), "reminder \"09:00\""},
      {J("add_todo").set("title", "x").set("list", "someday").set("reminder", "09:00"), "reminder \"09:00\""},
      {J("add_todo").set("title", "x").set("when", "today").set("reminder", "24:00"), "reminder \"24:00\": expected"},
      {J("add_todo").set("title", "x").set("when", "today").set("reminder", "9:30"), "reminder \"9:30\""},
      {J("add_todo").set("title", "x").set("when", "today").set("reminder", "09:60"), "reminder \"09:60\""},
      {J("add_todo").set("title", "x").set("when", "today").set("reminder", "ab:cd"), "reminder \"ab:cd\""},
      {J("add_todo").set("title", "x").set("when", "today").set("reminder", "09:30:00"), "reminder \"09:30:00\""},
      {J("add_todo").set("title", "x").set("when", "today").set("list", "today"), "when and list"},
      {J("add_todo").set("title", "x").set("list", "upcoming"), "list \"upcoming\": expected inbox"},
      {J("add_todo").set("title", "x").set("list", "inbox").set("project", trip), "list \"inbox\": cannot go with"},
      {J("add_todo").set("title", "x").set("deadline", "2030-13-01"), "deadline \"2030-13-01\""},
      {J("add_todo").set("title", "x").list("tags", {"Fresh", ""}), "tags \"\""},
      {J("add_todo").set("title", "x").list("checklist", {"ok", ""}), "checklist \"\""},
  });
}

// ---------------------------------------------------------------------------------------
// update_todo: text

TEST_F(WriteOpsTest, UpdateTodoTitleAndNotes) {
  const std::string plumber = uuid_of("Call the plumber");                 // notes ''
  const std::string article = uuid_of("Read article on SQLite WAL mode");  // notes: a URL
  const std::string present = uuid_of("Buy a birthday present for Sam");
  const std::string passport = uuid_of("Renew passport");
  const auto results = run({J("update_todo").set("id", plumber).set("title", "Call Mario").set("append_notes", "ask"),
                            J("update_todo").set("id", article).set("append_notes", "read twice"),
                            J("update_todo").set("id", article).set("prepend_notes", "WAL:"),
                            J("update_todo").set("id", present).set("notes", "a book\nor two"),
                            J("update_todo").set("id", passport).set("prepend_notes", "p").set("append_notes", "a")});
  EXPECT_EQ(ids_of(results), (std::vector<std::string>{plumber, article, article, present, passport}));
  EXPECT_EQ(task(plumber, "title, notes, " + modified_now), (Row{"Call Mario", "ask", "1"}));
  EXPECT_EQ(task(article, "notes"), (Row{"WAL:\nhttps://sqlite.org/wal.html\nread twice"}));
  EXPECT_EQ(task(present, "title, notes"), (Row{"Buy a birthday present for Sam", "a book\nor two"}));
  EXPECT_EQ(task(passport, "notes"), (Row{"p\na"}));
  // Nothing else of the row moved.
  EXPECT_EQ(task(plumber, "start, startDate, area, project, heading, status, trashed"),
            (Row{"0", "<null>", "<null>", "<null>", "<null>", "0", "0"}));
  EXPECT_EQ(tags_of(plumber), (std::vector<std::string>{"Errand", "Home"}));
}

// ---------------------------------------------------------------------------------------
// update_todo: when and list

TEST_F(WriteOpsTest, UpdateTodoWhenMovesTheToDoLikeThings) {
  const std::string cols = "start, startDate, startBucket";
  const auto made = ids_of(run({J("add_todo").set("title", "a").set("when", "anytime"),
                                J("add_todo").set("title", "b").set("when", "anytime"),
                                J("add_todo").set("title", "c").set("when", "anytime"),
                                J("add_todo").set("title", "d").set("when", "anytime"),
                                J("add_todo").set("title", "e").set("when", "today"),
                                J("add_todo").set("title", "f").set("when", "anytime"),
                                J("add_todo").set("title", "g").set("when", "evening")}));
  const long long min_today_index = db().integer("SELECT MIN(todayIndex) FROM TMTask");
  run({J("update_todo").set("id", made[0]).set("when", "today"),
       J("update_todo").set("id", made[1]).set("when", "evening"),
       J("update_todo").set("id", made[2]).set("when", "tomorrow"),
       J("update_todo").set("id", made[3]).set("when", iso(today_plus(6))),
       J("update_todo").set("id", made[4]).set("when", "someday"),
       J("update_todo").set("id", made[5]).set("when", iso(today_plus(-4))),
       J("update_todo").set("id", made[6]).set("when", "anytime")});
  EXPECT_EQ(task(made[0], cols), (Row{"1", today_str(), "0"}));
  EXPECT_EQ(task(made[1], cols), (Row{"1", today_str(), "1"}));
  EXPECT_EQ(task(made[2], cols), (Row{"2", packed_str(today_plus(1)), "0"}));
  EXPECT_EQ(task(made[3], cols), (Row{"2", packed_str(today_plus(6)), "0"}));
  EXPECT_EQ(task(made[4], cols), (Row{"2", "<null>", "0"}));
  EXPECT_EQ(task(made[5], cols), (Row{"1", packed_str(today_plus(-4)), "0"}));
  EXPECT_EQ(task(made[6], cols), (Row{"1", "<null>", "0"}));
  // A new date puts the to-do on top of Today, with the date as its reference.
  EXPECT_LT(std::stoll(task(made[0], "todayIndex")[0]), min_today_index);
  EXPECT_EQ(task(made[0], "todayIndexReferenceDate"), (Row{today_str()}));
  EXPECT_EQ(task(made[0], modified_now), (Row{"1"}));
}

TEST_F(WriteOpsTest, UpdateTodoWhenNullClearsTheDateButKeepsInboxItemsInTheInbox) {
  const std::string dentist = uuid_of("Dentist appointment");   // Upcoming, in an area
  const std::string plants = uuid_of("Water the plants");       // This Evening
  const std::string ukulele = uuid_of("Learn to play the ukulele");  // Someday
  const std::string plumber = uuid_of("Call the plumber");      // Inbox
  const std::string sam = uuid_of("Buy a birthday present for Sam");  // Inbox, moved to a project
  const std::string trip = uuid_of("Plan summer trip");
  run({J("update_todo").set("id", dentist).null("when"), J("update_todo").set("id", plants).null("when"),
       J("update_todo").set("id", ukulele).null("when"), J("update_todo").set("id", plumber).null("when"),
       J("update_todo").set("id", sam).null("when").set("project", trip)});
  const std::string cols = "start, startDate, startBucket";
  EXPECT_EQ(task(dentist, cols), (Row{"1", "<null>", "0"}));
  EXPECT_EQ(task(plants, cols), (Row{"1", "<null>", "0"}));
  EXPECT_EQ(task(ukulele, cols), (Row{"1", "<null>", "0"}));
  EXPECT_EQ(task(plumber, cols + ", " + modified_now), (Row{"0", "<null>", "0", "1"}));
  EXPECT_EQ(task(sam, cols + ", project"), (Row{"1", "<null>", "0", trip}));
}

TEST_F(WriteOpsTest, UpdateTodoWhenTakesAnInboxItemOut) {
  const std::string plumber = uuid_of("Call the plumber");
  const std::string article = uuid_of("Read article on SQLite WAL mode");
  run({J("update_todo").set("id", plumber).set("when", "today"),
       J("update_todo").set("id", article).set("when", "anytime")});
  EXPECT_EQ(task(plumber, "start, startDate"), (Row{"1", today_str()}));
  EXPECT_EQ(task(article, "start, startDate"), (Row{"1", "<null>"}));
}

TEST_F(WriteOpsTest, UpdateTodoList) {
  const std::string plants = uuid_of("Water the plants");  // This Evening, area Personal, tag Home
  const std::string sketch = uuid_of("Sketch homepage layout");  // Anytime, under heading Design
  const std::string plumber = uuid_of("Call the plumber");       // Inbox
  const std::string novel = uuid_of("Write a novel");            // Someday
  const std::string flights = uuid_of("Book flights");           // Anytime, project
  ok(J("update_todo").set("id", plants).set("reminder", "20:00"));
  run({J("update_todo").set("id", plants).set("list", "inbox"),
       J("update_todo").set("id", sketch).set("list", "someday"),
       J("update_todo").set("id", plumber).set("list", "evening"),
       J("update_todo").set("id", novel).set("list", "today"),
       J("update_todo").set("id", flights).set("list", "anytime")});
  const std::string cols = "start, startDate, startBucket, reminderTime, area, project, heading";
  // Moving to the Inbox takes the to-do out of its area, date and reminder.
  EXPECT_EQ(task(plants, cols), (Row{"0", "<null>", "0", "<null>", "<null>", "<null>", "<null>"}));
  EXPECT_EQ(tags_of(plants), (std::vector<std::string>{"Home"}));
  EXPECT_EQ(task(sketch, cols), (Row{"2", "<null>", "0", "<null>", "<null>", "<null>", uuid_of("Design")}));
  EXPECT_EQ(task(plumber, cols), (Row{"1", today_str(), "1", "<null>", "<null>", "<null>", "<null>"}));
  EXPECT_EQ(task(novel, cols), (Row{"1", today_str(), "0", "<null>", area_uuid("Personal"), "<null>", "<null>"}));
  EXPECT_EQ(task(flights, cols),
            (Row{"1", "<null>", "0", "<null>", "<null>", uuid_of("Plan summer trip"), "<null>"}));
  expect_counts_consistent();
}

// ---------------------------------------------------------------------------------------
// update_todo: reminder and deadline

TEST_F(WriteOpsTest, UpdateTodoReminderFollowsTheDate) {
  const std::string anna = uuid_of("Reply to Anna's email");  // Today
  const std::string review = uuid_of("Review pull requests");  // Today
  const std::string plants = uuid_of("Water the plants");      // This Evening
  const std::string door = uuid_of("Fix the squeaky door");    // Anytime, no date
  run({J("update_todo").set("id", anna).set("reminder", "14:45"),
       J("update_todo").set("id", review).set("reminder", "08:00"),
       J("update_todo").set("id", plants).set("reminder", "19:30"),
       J("update_todo").set("id", door).set("when", "tomorrow").set("reminder", "07:15")});
  EXPECT_EQ(task(anna, "reminderTime, " + modified_now), (Row{reminder(14, 45), "1"}));
  EXPECT_EQ(task(door, "reminderTime, start, startDate"), (Row{reminder(7, 15), "2", packed_str(today_plus(1))}));
  // A new date keeps the reminder; losing the date loses it; null clears it.
  run({J("update_todo").set("id", anna).set("when", iso(today_plus(2))),
       J("update_todo").set("id", review).set("when", "someday"), J("update_todo").set("id", plants).null("reminder")});
  EXPECT_EQ(task(anna, "reminderTime, startDate"), (Row{reminder(14, 45), packed_str(today_plus(2))}));
  EXPECT_EQ(task(review, "reminderTime, start, startDate"), (Row{"<null>", "2", "<null>"}));
  EXPECT_EQ(task(plants, "reminderTime, startDate, startBucket"), (Row{"<null>", today_str(), "1"}));
}

TEST_F(WriteOpsTest, UpdateTodoDeadline) {
  const std::string door = uuid_of("Fix the squeaky door");  // deadline 2 days ago
  const std::string flights = uuid_of("Book flights");       // deadline tomorrow
  const std::string plumber = uuid_of("Call the plumber");
  // As if the user had dismissed the overdue deadline from Today.
  db().rows("UPDATE TMTask SET deadlineSuppressionDate = deadline WHERE uuid = ?1", {door});
  run({J("update_todo").set("id", door).set("deadline", "2031-06-30"), J("update_todo").set("id", flights).null("deadline"),
       J("update_todo").set("id", plumber).set("deadline", iso(today_plus(3)))});
  EXPECT_EQ(task(door, "deadline, deadlineSuppressionDate, " + modified_now),
            (Row{std::to_string((2031LL << 16) | (6 << 12) | (30 << 7)), "<null>", "1"}));
  EXPECT_EQ(task(flights, "deadline, deadlineSuppressionDate"), (Row{"<null>", "<null>"}));
  EXPECT_EQ(task(plumber, "deadline, start"), (Row{packed_str(today_plus(3)), "0"}));
}

// ---------------------------------------------------------------------------------------
// update_todo: tags

TEST_F(WriteOpsTest, UpdateTodoTags) {
  const std::string plumber = uuid_of("Call the plumber");         // Errand, Home
  const std::string anna = uuid_of("Reply to Anna's email");       // Important, Work
  const std::string door = uuid_of("Fix the squeaky door");        // Home
  const std::string article = uuid_of("Read article on SQLite WAL mode");  // none
  const long long tags_before = db().integer("SELECT COUNT(*) FROM TMTag");
  run({J("update_todo").set("id", plumber).list("tags", {"home", "Urgent", "URGENT"}),
       J("update_todo").set("id", anna).list("tags", {}),
       J("update_todo").set("id", door).list("add_tags", {"errand", "Later", "later"}).list("remove_tags", {"Home"}),
       J("update_todo").set("id", article).list("remove_tags", {"Errand"}).list("add_tags", {"Work"})});
  EXPECT_EQ(tags_of(plumber), (std::vector<std::string>{"Home", "Urgent"}));
  EXPECT_EQ(tags_of(anna), (std::vector<std::string>{}));
  EXPECT_EQ(task(anna, modified_now), (Row{"1"}));
  EXPECT_EQ(tags_of(door), (std::vector<std::string>{"Errand", "Later"}));
  EXPECT_EQ(tags_of(article), (std::vector<std::string>{"Work"}));
  // "Urgent" and "Later" were created once each; no link is duplicated.
  EXPECT_EQ(db().integer("SELECT COUNT(*) FROM TMTag"), tags_before + 2);
  EXPECT_EQ(db().integer("SELECT COUNT(*) FROM (SELECT tasks, tags FROM TMTaskTag GROUP BY 1, 2 HAVING COUNT(*) > 1)"),
            0);
  // A tag that was used now has a usedDate.
  EXPECT_EQ(db().integer("SELECT ABS(usedDate - strftime('%s','now')) < 60 FROM TMTag WHERE title = 'Later'"), 1);
}

TEST_F(WriteOpsTest, UpdateTodoRejectsBadTagEdits) {
  const std::string plumber = uuid_of("Call the plumber");
  expect_rejected({
      {J("update_todo").set("id", plumber).list("tags", {"A"}).list("add_tags", {"B"}), "tags: cannot go with"},
      {J("update_todo").set("id", plumber).list("tags", {"A"}).list("remove_tags", {"Home"}), "tags: cannot go with"},
      {J("update_todo").set("id", plumber).list("add_tags", {"Errand"}).list("remove_tags", {"errand"}),
       "add_tags \"Errand\": also in remove_tags"},
      {J("update_todo").set("id", plumber).list("add_tags", {"New One"}).list("remove_tags", {"Nope"}),
       "remove_tags \"Nope\": no such tag"},
      {J("update_todo").set("id", plumber).list("add_tags", {""}), "add_tags \"\""},
      {J("update_todo").set("id", plumber).list("tags", {"ok", ""}), "tags \"\""},
  });
}

// ---------------------------------------------------------------------------------------
// update_todo: checklist

TEST_F(WriteOpsTest, UpdateTodoChecklist) {
  const std::string passport = uuid_of("Renew passport");  // 3 items, 1 completed
  const std::string plumber = uuid_of("Call the plumber");
  const std::string article = uuid_of("Read article on SQLite WAL mode");
  const std::string checklist = R"(SELECT title, status, "index", stopDate IS NULL FROM TMChecklistItem
                                   WHERE task = ?1 ORDER BY "index")";
  run({J("update_todo").set("id", passport).list("append_checklist", {"Pay the fee", "Collect it"}),
       J("update_todo").set("id", plumber).list("checklist", {"find number", "call"}),
       J("update_todo").set("id", plumber).list("append_checklist", {"pay"})});
  EXPECT_EQ(task(passport, "checklistItemsCount, openChecklistItemsCount, " + modified_now), (Row{"5", "4", "1"}));
  const Rows passport_items = db().rows(checklist, {passport});
  ASSERT_EQ(passport_items.size(), 5u);
  EXPECT_EQ(passport_items[0], (Row{"Take a photo", "3", "0", "0"}));
  EXPECT_EQ(passport_items[3], (Row{"Pay the fee", "0", "3", "1"}));
  EXPECT_EQ(passport_items[4], (Row{"Collect it", "0", "4", "1"}));
  EXPECT_EQ(db().rows(checklist, {plumber}),
            (Rows{{"find number", "0", "0", "1"}, {"call", "0", "1", "1"}, {"pay", "0", "2", "1"}}));
  EXPECT_EQ(task(plumber, "checklistItemsCount, openChecklistItemsCount"), (Row{"3", "3"}));

  // Replacing drops every old item, completed ones too; [] empties the list.
  run({J("update_todo").set("id", passport).list("checklist", {"Start over"}),
       J("update_todo").set("id", plumber).list("checklist", {}),
       J("update_todo").set("id", article).list("checklist", {})});
  EXPECT_EQ(db().rows(checklist, {passport}), (Rows{{"Start over", "0", "0", "1"}}));
  EXPECT_EQ(task(passport, "checklistItemsCount, openChecklistItemsCount"), (Row{"1", "1"}));
  EXPECT_EQ(db().integer("SELECT COUNT(*) FROM TMChecklistItem WHERE task = ?1", {plumber}), 0);
  EXPECT_EQ(task(plumber, "checklistItemsCount, openChecklistItemsCount"), (Row{"0", "0"}));
  const auto item = db().rows("SELECT typeof(creationDate), creationDate = userModificationDate, leavesTombstone "
                              "FROM TMChecklistItem WHERE task = ?1",
                              {passport});
  EXPECT_EQ(item[0], (Row{"real", "1", "0"}));
  expect_counts_consistent();
}

// issue 16: replacing the checklist reopened every item; checklist_items (Things' json
// command's checklist-items) carries each item's state.
TEST_F(WriteOpsTest, UpdateTodoChecklistItemsKeepTheirState) {
  const std::string passport = uuid_of("Renew passport");  // 3 items, 1 completed
  const std::string checklist = R"(SELECT title, status, stopDate IS NULL FROM TMChecklistItem
                                   WHERE task = ?1 ORDER BY "index")";
  const Rows before = db().rows(checklist, {passport});
  ASSERT_EQ(before.size(), 3u);
  std::string items = "[";
  for (std::size_t i = 0; i < before.size(); ++i)
    items += std::string(i ? "," : "") + R"({"title":")" + before[i][0] + R"(","completed":)" +
             (i == 0 || i == 1 ? "true" : "false") + "}";
  items += "]";
  ok(J("update_todo").set("id", passport).raw("checklist_items", items));
  EXPECT_EQ(db().rows(checklist, {passport}), (Rows{{before[0][0], "3", "0"}, {before[1][0], "3", "0"}, {before[2][0], "0", "1"}}));
  EXPECT_EQ(task(passport, "checklistItemsCount, openChecklistItemsCount"), (Row{"3", "1"}));
  ok(J("update_todo").set("id", passport).raw("checklist_items", R"([{"title":"Only one"}])"));
  EXPECT_EQ(db().rows(checklist, {passport}), (Rows{{"Only one", "0", "1"}}));
  expect_counts_consistent();
  expect_rejected({
      {J("update_todo").set("id", passport).raw("checklist_items", "[]").list("checklist", {"x"}),
       "checklist_items: cannot go with checklist or append_checklist"},
      {J("update_todo").set("id", passport).raw("checklist_items", R"([{"title":""}])"), "empty checklist item"},
  });
}

// ---------------------------------------------------------------------------------------
// update_todo: project, heading, area

TEST_F(WriteOpsTest, UpdateTodoMovesBetweenProjectsHeadingsAndAreas) {
  const std::string website = uuid_of("Website relaunch");
  const std::string trip = uuid_of("Plan summer trip");
  const std::string design = uuid_of("Design");
  const std::string build = uuid_of("Build");
  const std::string personal = area_uuid("Personal");
  const std::string work = area_uuid("Work");
  const std::string door = uuid_of("Fix the squeaky door");     // area Personal
  const std::string sketch = uuid_of("Sketch homepage layout");  // heading Design
  const std::string palette = uuid_of("Pick a colour palette");  // heading Design
  const std::string deploy = uuid_of("Write the deployment script");  // heading Build
  const std::string flights = uuid_of("Book flights");          // project trip
  const std::string novel = uuid_of("Write a novel");           // area Personal, Someday
  const std::string review = uuid_of("Review pull requests");   // heading Build, Today
  run({J("update_todo").set("id", door).set("project", trip),
       J("update_todo").set("id", sketch).set("heading", build),
       J("update_todo").set("id", flights).set("project", website).set("heading", design),
       J("update_todo").set("id", palette).null("heading"),
       J("update_todo").set("id", deploy).null("project"),
       J("update_todo").set("id", review).set("area", work),
       J("update_todo").set("id", novel).null("area")});
  const std::string cols = "project, heading, area, start";
  EXPECT_EQ(task(door, cols + ", " + modified_now), (Row{trip, "<null>", "<null>", "1", "1"}));
  EXPECT_EQ(task(sketch, cols), (Row{"<null>", build, "<null>", "1"}));
  EXPECT_EQ(task(flights, cols), (Row{"<null>", design, "<null>", "1"}));
  EXPECT_EQ(task(palette, cols), (Row{website, "<null>", "<null>", "1"}));
  EXPECT_EQ(task(deploy, cols), (Row{"<null>", "<null>", "<null>", "1"}));
  EXPECT_EQ(task(review, cols + ", startDate"), (Row{"<null>", "<null>", work, "1", today_str()}));
  EXPECT_EQ(task(novel, cols), (Row{"<null>", "<null>", "<null>", "2"}));
  (void)personal;
  // Counts follow: website had 5 (4 open); sketch and palette stay in it, deploy and
  // review left, flights came in.
  EXPECT_EQ(task(website, "untrashedLeafActionsCount, openUntrashedLeafActionsCount"), (Row{"4", "3"}));
  EXPECT_EQ(task(trip, "untrashedLeafActionsCount, openUntrashedLeafActionsCount"), (Row{"1", "1"}));
  EXPECT_EQ(task(design, "untrashedLeafActionsCount"), (Row{"1"}));
  expect_counts_consistent();
}

TEST_F(WriteOpsTest, MovingAnInboxToDoIntoAContainerTakesItToAnytime) {
  const std::string plumber = uuid_of("Call the plumber");
  const std::string article = uuid_of("Read article on SQLite WAL mode");
  const std::string sam = uuid_of("Buy a birthday present for Sam");
  const std::string passport = uuid_of("Renew passport");
  run({J("update_todo").set("id", plumber).set("project", uuid_of("Plan summer trip")),
       J("update_todo").set("id", article).set("area", area_uuid("Work")),
       J("update_todo").set("id", sam).set("project", uuid_of("Website relaunch")).set("heading", uuid_of("Build")),
       J("update_todo").set("id", passport).set("area", area_uuid("Personal")).set("when", "someday")});
  EXPECT_EQ(task(plumber, "start"), (Row{"1"}));
  EXPECT_EQ(task(article, "start"), (Row{"1"}));
  EXPECT_EQ(task(sam, "start, heading"), (Row{"1", uuid_of("Build")}));
  EXPECT_EQ(task(passport, "start"), (Row{"2"}));
  expect_counts_consistent();
}

TEST_F(WriteOpsTest, UpdateTodoRejectsBadMoves) {
  const std::string website = uuid_of("Website relaunch");
  const std::string trip = uuid_of("Plan summer trip");
  const std::string design = uuid_of("Design");
  const std::string door = uuid_of("Fix the squeaky door");  // in an area, no project
  const std::string flights = uuid_of("Book flights");       // project trip
  const std::string work = area_uuid("Work");
  expect_rejected({
      {J("update_todo").set("id", door).set("project", "NoSuchProject000000000"),
       "project \"NoSuchProject000000000\": no such project"},
      {J("update_todo").set("id", door).set("project", flights), "project \"" + flights + "\": no such project"},
      {J("update_todo").set("id", flights).set("heading", design), "heading \"" + design + "\": not in project \"" + trip},
      {J("update_todo").set("id", flights).set("project", trip).set("heading", design), "not in project"},
      {J("update_todo").set("id", door).set("heading", design), "the to-do is in no project"},
      {J("update_todo").set("id", flights).set("heading", website), "heading \"" + website + "\": no such heading"},
      {J("update_todo").set("id", flights).set("heading", design).null("project"), "cannot go with project null"},
      {J("update_todo").set("id", flights).set("area", work).set("project", website), "area \"" + work + "\": cannot go"},
      {J("update_todo").set("id", flights).set("area", "NoSuchArea"), "area \"NoSuchArea\": no such area"},
      {J("update_todo").set("id", flights).set("list", "inbox").set("project", website), "list \"inbox\": cannot go"},
  });
}

// ---------------------------------------------------------------------------------------
// update_todo: what it refuses

TEST_F(WriteOpsTest, UpdateTodoRejectsBadValuesAndChangesNothing) {
  const std::string plumber = uuid_of("Call the plumber");
  const std::string passport = uuid_of("Renew passport");
  expect_rejected({
      {J("update_todo").set("id", "NoSuchToDo000000000000").set("title", "x"), "id \"NoSuchToDo000000000000\": no such item"},
      {J("update_todo").set("id", uuid_of("Website relaunch")).set("title", "x"), "a project, not a to-do"},
      {J("update_todo").set("id", uuid_of("Design")).set("title", "x"), "a heading, not a to-do"},
      {J("update_todo").set("id", plumber).set("title", ""), "title: empty"},
      {J("update_todo").set("id", plumber).set("when", "soon"), "when \"soon\": expected"},
      {J("update_todo").set("id", plumber).set("when", "2025-02-30"), "when \"2025-02-30\""},
      {J("update_todo").set("id", plumber).set("when", "today").set("list", "today"), "when and list"},
      {J("update_todo").set("id", plumber).null("when").set("list", "today"), "when and list"},
      {J("update_todo").set("id", plumber).set("list", "logbook"), "list \"logbook\""},
      {J("update_todo").set("id", plumber).set("reminder", "10:00"), "reminder \"10:00\": a reminder needs a date"},
      {J("update_todo").set("id", plumber).set("when", "anytime").set("reminder", "10:00"), "reminder \"10:00\""},
      {J("update_todo").set("id", plumber).set("when", "today").set("reminder", "25:00"), "reminder \"25:00\""},
      {J("update_todo").set("id", plumber).set("deadline", "tomorrow"), "deadline \"tomorrow\": expected a date"},
      {J("update_todo").set("id", plumber).set("notes", "n").set("append_notes", "a"), "notes: cannot go with"},
      {J("update_todo").set("id", plumber).set("notes", "n").set("prepend_notes", "p"), "notes: cannot go with"},
      {J("update_todo").set("id", passport).list("checklist", {"a"}).list("append_checklist", {"b"}),
       "checklist: cannot go with append_checklist"},
      {J("update_todo").set("id", passport).list("checklist", {"a", ""}), "checklist \"\""},
      // Fails late, after the row, its tags and its checklist were written: all undone.
      {J("update_todo")
           .set("id", passport)
           .set("title", "changed")
           .set("when", "today")
           .list("tags", {"Brand new tag"})
           .list("append_checklist", {"fine", ""}),
       "append_checklist \"\""},
  });
}

// ---------------------------------------------------------------------------------------
// add_project, update_project, add_heading

TEST_F(WriteOpsTest, AddProjectWithEverything) {
  const std::string work = area_uuid("Work");
  const std::string id = ok(J("add_project")
                                .set("title", "Conference talk")
                                .set("notes", "30 minutes")
                                .set("when", "today")
                                .set("reminder", "10:15")
                                .set("deadline", "2031-03-04")
                                .list("tags", {"important", "Talks"})
                                .set("area", work)
                                .list("headings", {"Research", "Slides", "Rehearse"})
                                .list("todos", {"Pick a topic", "Submit the abstract"}));
  EXPECT_TRUE(is_things_uuid(id));
  EXPECT_EQ(task(id, "type, status, title, notes, start, startDate, startBucket, reminderTime, deadline, area, "
                     "project, heading, checklistItemsCount, typeof(creationDate), " + modified_now),
            (Row{"1", "0", "Conference talk", "30 minutes", "1", today_str(), "0", reminder(10, 15),
                 std::to_string((2031LL << 16) | (3 << 12) | (4 << 7)), work, "<null>", "<null>", "-1", "real", "1"}));
  EXPECT_EQ(tags_of(id), (std::vector<std::string>{"Important", "Talks"}));
  auto d = db();
  EXPECT_EQ(d.rows(R"(SELECT title, start, startDate, status, area, heading, untrashedLeafActionsCount,
                             checklistItemsCount FROM TMTask WHERE type = 2 AND project = ?1 ORDER BY "index")",
                   {id}),
            (Rows{{"Research", "1", "<null>", "0", "<null>", "<null>", "0", "-1"},
                  {"Slides", "1", "<null>", "0", "<null>", "<null>", "0", "-1"},
                  {"Rehearse", "1", "<null>", "0", "<null>", "<null>", "0", "-1"}}));
  EXPECT_EQ(d.rows(R"(SELECT title, start, startDate, status, area, heading, checklistItemsCount,
                             untrashedLeafActionsCount FROM TMTask WHERE type = 0 AND project = ?1 ORDER BY "index")",
                   {id}),
            (Rows{{"Pick a topic", "1", "<null>", "0", "<null>", "<null>", "0", "-1"},
                  {"Submit the abstract", "1", "<null>", "0", "<null>", "<null>", "0", "-1"}}));
  EXPECT_EQ(task(id, "untrashedLeafActionsCount, openUntrashedLeafActionsCount"), (Row{"2", "2"}));
  // The project and its items went on top of every other item.
  EXPECT_EQ(d.integer(R"(SELECT COUNT(*) FROM TMTask WHERE "index" < (SELECT "index" FROM TMTask WHERE uuid = ?1))",
                      {id}),
            0);
  expect_counts_consistent();
}

TEST_F(WriteOpsTest, AddProjectRejectsBadValues) {
  expect_rejected({
      {J("add_project").set("title", ""), "title: empty"},
      {J("add_project").set("title", "p").list("headings", {"ok", ""}), "headings \"\""},
      {J("add_project").set("title", "p").list("todos", {""}).list("tags", {"Fresh"}), "todos \"\""},
      {J("add_project").set("title", "p").set("area", "NoSuchArea"), "area \"NoSuchArea\": no such area"},
      {J("add_project").set("title", "p").set("when", "later"), "when \"later\""},
      {J("add_project").set("title", "p").set("reminder", "08:00"), "reminder \"08:00\": a reminder needs a date"},
      {J("add_project").set("title", "p").set("when", "someday").set("reminder", "08:00"), "reminder \"08:00\""},
      {J("add_project").set("title", "p").set("deadline", "31.12.2030"), "deadline \"31.12.2030\""},
      {J("add_project").set("title", "p").list("headings", {"h"}).list("tags", {"x", ""}), "tags \"\""},
  });
}

TEST_F(WriteOpsTest, UpdateProjectFields) {
  const std::string website = uuid_of("Website relaunch");  // area Work, Anytime
  const std::string trip = uuid_of("Plan summer trip");     // area Personal
  const std::string italian = uuid_of("Learn Italian");     // Someday, no area
  const std::string personal = area_uuid("Personal");
  run({J("update_project")
           .set("id", website)
           .set("title", "Website 2.0")
           .set("append_notes", "Launch in May.")
           .set("when", iso(today_plus(8)))
           .set("reminder", "09:00")
           .set("deadline", "2031-01-31")
           .list("add_tags", {"Work", "Q2"})
           .set("area", personal),
       J("update_project").set("id", trip).set("notes", "").null("area").list("tags", {"Summer"}).set("when", "someday"),
       J("update_project").set("id", italian).null("when").set("prepend_notes", "Buongiorno")});
  EXPECT_EQ(task(website, "title, notes, start, startDate, reminderTime, deadline, area, " + modified_now),
            (Row{"Website 2.0", "New design and a faster site.\nLaunch in May.", "2", packed_str(today_plus(8)),
                 reminder(9, 0), std::to_string((2031LL << 16) | (1 << 12) | (31 << 7)), personal, "1"}));
  EXPECT_EQ(tags_of(website), (std::vector<std::string>{"Q2", "Work"}));
  EXPECT_EQ(task(trip, "notes, area, start, startDate"), (Row{"", "<null>", "2", "<null>"}));
  EXPECT_EQ(tags_of(trip), (std::vector<std::string>{"Summer"}));
  EXPECT_EQ(task(italian, "notes, start, startDate"), (Row{"Buongiorno", "1", "<null>"}));
  // The project's to-dos stay where they are.
  EXPECT_EQ(task(uuid_of("Book flights"), "project, area"), (Row{trip, "<null>"}));

  run({J("update_project").set("id", website).null("reminder").null("deadline").list("remove_tags", {"q2"}),
       J("update_project").set("id", trip).null("when")});
  EXPECT_EQ(task(website, "reminderTime, deadline, startDate"), (Row{"<null>", "<null>", packed_str(today_plus(8))}));
  EXPECT_EQ(tags_of(website), (std::vector<std::string>{"Work"}));
  EXPECT_EQ(task(trip, "start, startDate"), (Row{"1", "<null>"}));
}

TEST_F(WriteOpsTest, UpdateProjectRejectsBadValues) {
  const std::string website = uuid_of("Website relaunch");
  expect_rejected({
      {J("update_project").set("id", uuid_of("Book flights")).set("title", "x"), "a to-do, not a project"},
      {J("update_project").set("id", uuid_of("Design")).set("title", "x"), "a heading, not a project"},
      {J("update_project").set("id", "NoSuchProject000000000"), "id \"NoSuchProject000000000\": no such item"},
      {J("update_project").set("id", website).set("title", ""), "title: empty"},
      {J("update_project").set("id", website).set("area", "NoSuchArea"), "area \"NoSuchArea\""},
      {J("update_project").set("id", website).set("reminder", "09:00"), "reminder \"09:00\": a reminder needs a date"},
      {J("update_project").set("id", website).set("when", "2031-02-29"), "when \"2031-02-29\""},
      {J("update_project").set("id", website).list("tags", {"A"}).list("add_tags", {"B"}), "tags: cannot go with"},
      {J("update_project").set("id", website).set("title", "changed").list("remove_tags", {"Nope"}),
       "remove_tags \"Nope\""},
  });
}

TEST_F(WriteOpsTest, AddHeadingGoesAfterTheProjectsHeadings) {
  const std::string trip = uuid_of("Plan summer trip");  // no headings yet
  const std::string website = uuid_of("Website relaunch");  // Design, Build
  const auto ids = ids_of(run({J("add_heading").set("project", trip).set("title", "Travel"),
                               J("add_heading").set("project", trip).set("title", "Stay"),
                               J("add_heading").set("project", website).set("title", "Launch")}));
  EXPECT_EQ(task(ids[0], "type, project, title, start, status, trashed, heading, area, untrashedLeafActionsCount, " +
                             modified_now),
            (Row{"2", trip, "Travel", "1", "0", "0", "<null>", "<null>", "0", "1"}));
  auto d = db();
  EXPECT_EQ(d.rows(R"(SELECT title FROM TMTask WHERE type = 2 AND project = ?1 ORDER BY "index")", {trip}),
            (Rows{{"Travel"}, {"Stay"}}));
  EXPECT_EQ(d.rows(R"(SELECT title FROM TMTask WHERE type = 2 AND project = ?1 ORDER BY "index")", {website}),
            (Rows{{"Design"}, {"Build"}, {"Launch"}}));
  // A to-do can go under the new heading at once.
  const std::string todo = ok(J("add_todo").set("title", "Book the hotel").set("heading", ids[1]));
  EXPECT_EQ(task(todo, "heading, project"), (Row{ids[1], "<null>"}));
  EXPECT_EQ(task(trip, "untrashedLeafActionsCount"), (Row{"2"}));
  expect_counts_consistent();
}

TEST_F(WriteOpsTest, AddHeadingRejectsBadValues) {
  expect_rejected({
      {J("add_heading").set("project", "NoSuchProject000000000").set("title", "h"), "project \"NoSuchProject000000000\""},
      {J("add_heading").set("project", uuid_of("Book flights")).set("title", "h"), "no such project"},
      {J("add_heading").set("project", uuid_of("Plan summer trip")).set("title", ""), "title: empty"},
  });
}

// ---------------------------------------------------------------------------------------
// complete, cancel, reopen

TEST_F(WriteOpsTest, CompleteCancelAndReopenToDos) {
  const std::string plumber = uuid_of("Call the plumber");
  const std::string door = uuid_of("Fix the squeaky door");
  const std::string bill = uuid_of("Pay the electricity bill");  // completed days ago
  const std::string stop_before = task(bill, "stopDate")[0];
  run({J("complete").set("id", plumber), J("cancel").set("id", door), J("complete").set("id", bill)});
  EXPECT_EQ(task(plumber, "status, ABS(stopDate - strftime('%s','now')) < 60, " + modified_now), (Row{"3", "1", "1"}));
  EXPECT_EQ(task(door, "status, stopDate IS NOT NULL"), (Row{"2", "1"}));
  // Already completed: left as it was.
  EXPECT_EQ(task(bill, "status, stopDate"), (Row{"3", stop_before}));

  run({J("reopen").set("id", plumber), J("reopen").set("id", door), J("reopen").set("id", bill)});
  for (const std::string& id : {plumber, door, bill}) {
    EXPECT_EQ(task(id, "status, stopDate, " + modified_now), (Row{"0", "<null>", "1"}));
  }
  // Reopening keeps the to-do where it was.
  EXPECT_EQ(task(plumber, "start"), (Row{"0"}));
}

TEST_F(WriteOpsTest, ClosingAProjectClosesItsOpenItemsAndReopeningBringsBackTheProjectAlone) {
  const std::string website = uuid_of("Website relaunch");
  const std::string staging = uuid_of("Set up the staging server");  // completed, under Build
  const std::string staging_stop = task(staging, "stopDate")[0];
  ok(J("cancel").set("id", website));
  auto d = db();
  // Every open to-do of the project (under its headings too) and its headings: canceled.
  EXPECT_EQ(d.rows(R"(SELECT t.title, t.status FROM TMTask t LEFT JOIN TMTask h ON h.uuid = t.heading
                      WHERE (t.project = ?1 OR h.project = ?1) ORDER BY t.title)",
                   {website}),
            (Rows{{"Build", "2"},
                  {"Design", "2"},
                  {"Pick a colour palette", "2"},
                  {"Review pull requests", "2"},
                  {"Set up the staging server", "3"},
                  {"Sketch homepage layout", "2"},
                  {"Write the deployment script", "2"}}));
  EXPECT_EQ(task(staging, "stopDate"), (Row{staging_stop}));
  EXPECT_EQ(task(website, "status, openUntrashedLeafActionsCount, untrashedLeafActionsCount"), (Row{"2", "0", "5"}));

  ok(J("reopen").set("id", website));
  EXPECT_EQ(task(website, "status, stopDate"), (Row{"0", "<null>"}));
  EXPECT_EQ(task(uuid_of("Design"), "status"), (Row{"2"}));
  EXPECT_EQ(task(uuid_of("Sketch homepage layout"), "status"), (Row{"2"}));
  expect_counts_consistent();
}

TEST_F(WriteOpsTest, CompletingAHeadingCompletesItsOpenToDos) {
  const std::string build = uuid_of("Build");
  ok(J("complete").set("id", build));
  auto d = db();
  EXPECT_EQ(d.rows("SELECT title, status FROM TMTask WHERE heading = ?1 OR uuid = ?1 ORDER BY title", {build}),
            (Rows{{"Build", "3"},
                  {"Review pull requests", "3"},
                  {"Set up the staging server", "3"},
                  {"Write the deployment script", "3"}}));
  // The other heading of the project is untouched.
  EXPECT_EQ(task(uuid_of("Sketch homepage layout"), "status"), (Row{"0"}));
  EXPECT_EQ(task(uuid_of("Website relaunch"), "status, openUntrashedLeafActionsCount"), (Row{"0", "2"}));
  expect_counts_consistent();
}

TEST_F(WriteOpsTest, StatusOpsRejectUnknownIds) {
  expect_rejected({
      {J("complete").set("id", "Nope"), "id \"Nope\": no such item"},
      {J("cancel").set("id", "Nope"), "id \"Nope\""},
      {J("reopen").set("id", "Nope"), "id \"Nope\""},
      {J("trash").set("id", "Nope"), "id \"Nope\""},
      {J("restore").set("id", "Nope"), "id \"Nope\""},
  });
}

// issue 16: wrong-kind ids got three wordings ("no such item", "no such to-do" for a tool
// that takes projects too, "a heading, not a to-do"); one rule now: nothing has the id, or
// it names another kind.
TEST_F(WriteOpsTest, IdsAnOpCannotActOnGetOneWording) {
  const std::string work = area_uuid("Work");
  expect_rejected({
      {J("complete").set("id", work), "id \"" + work + "\": an area, not a to-do, project or heading"},
      {J("trash").set("id", work), "id \"" + work + "\": an area, not a to-do, project or heading"},
      {J("update_todo").set("id", work).set("title", "x"), "id \"" + work + "\": an area, not a to-do"},
      {J("update_project").set("id", work).set("title", "x"), "id \"" + work + "\": an area, not a project"},
      {J("update_todo").set("id", "NoSuchIdAtAll000000000").list("add_tags", {"Home"}),
       "id \"NoSuchIdAtAll000000000\": no such item"},
      {J("update_project").set("id", "NoSuchIdAtAll000000000").list("add_tags", {"Home"}),
       "id \"NoSuchIdAtAll000000000\": no such item"},
      {J("complete").set("id", "NoSuchIdAtAll000000000"), "id \"NoSuchIdAtAll000000000\": no such item"},
  });
}

// ---------------------------------------------------------------------------------------
// trash, restore

TEST_F(WriteOpsTest, TrashingAProjectHidesItsToDosWithoutFlaggingThem) {
  const std::string website = uuid_of("Website relaunch");
  const std::string visible = "SELECT COUNT(*)" + list_base + " AND (p.uuid = ?1)";
  ASSERT_EQ(db().integer(visible, {website}), 4);
  ok(J("trash").set("id", website));
  EXPECT_EQ(task(website, "trashed, " + modified_now), (Row{"1", "1"}));
  EXPECT_EQ(db().integer("SELECT COUNT(*) FROM TMTask t LEFT JOIN TMTask h ON h.uuid = t.heading "
                         "WHERE (t.project = ?1 OR h.project = ?1) AND t.trashed = 1",
                         {website}),
            0);
  EXPECT_EQ(db().integer(visible, {website}), 0);
  ok(J("restore").set("id", website));
  EXPECT_EQ(task(website, "trashed"), (Row{"0"}));
  EXPECT_EQ(db().integer(visible, {website}), 4);
}

TEST_F(WriteOpsTest, TrashingAHeadingHidesItsToDosWithoutFlaggingThem) {
  const std::string design = uuid_of("Design");
  const std::string website = uuid_of("Website relaunch");
  ok(J("trash").set("id", design));
  EXPECT_EQ(db().rows("SELECT title, trashed FROM TMTask WHERE heading = ?1 OR uuid = ?1 ORDER BY title", {design}),
            (Rows{{"Design", "1"}, {"Pick a colour palette", "0"}, {"Sketch homepage layout", "0"}}));
  EXPECT_EQ(db().integer("SELECT COUNT(*)" + list_base + " AND t.heading = ?1", {design}), 0);
  EXPECT_EQ(task(website, "untrashedLeafActionsCount, openUntrashedLeafActionsCount"), (Row{"3", "2"}));
  ok(J("restore").set("id", design));
  EXPECT_EQ(db().integer("SELECT COUNT(*) FROM TMTask WHERE (heading = ?1 OR uuid = ?1) AND trashed = 1", {design}), 0);
  EXPECT_EQ(db().integer("SELECT COUNT(*)" + list_base + " AND t.heading = ?1", {design}), 2);
  EXPECT_EQ(task(website, "untrashedLeafActionsCount, openUntrashedLeafActionsCount"), (Row{"5", "4"}));
  expect_counts_consistent();
}

// issue 16: trashing to-do A, then its heading, then restoring the heading brought A back
// (a project kept it in the Trash); now the heading behaves like the project.
TEST_F(WriteOpsTest, RestoringAHeadingLeavesAToDoTrashedOnItsOwnInTheTrash) {
  const std::string design = uuid_of("Design");
  const std::string palette = uuid_of("Pick a colour palette");
  const std::string sketch = uuid_of("Sketch homepage layout");
  ok(J("trash").set("id", palette));
  ok(J("trash").set("id", design));
  ok(J("restore").set("id", design));
  EXPECT_EQ(task(palette, "trashed"), (Row{"1"}));
  EXPECT_EQ(task(sketch, "trashed"), (Row{"0"}));
  EXPECT_EQ(db().integer("SELECT COUNT(*)" + list_base + " AND t.heading = ?1", {design}), 1);
  expect_counts_consistent();
}

// issue 16: adding into a trashed project or heading succeeded, and the new item was in
// no list, no search and not flagged trashed.
TEST_F(WriteOpsTest, ATrashedProjectOrHeadingTakesNoNewItems) {
  const std::string website = uuid_of("Website relaunch");
  const std::string design = uuid_of("Design");
  const std::string flights = uuid_of("Book flights");
  const std::string trip = uuid_of("Plan summer trip");
  ok(J("trash").set("id", website));
  const std::string in_trash = "project \"" + website + "\": is in the Trash; restore it first";
  const std::string via_heading =
      "heading \"" + design + "\": its project \"" + website + "\" is in the Trash; restore it first";
  expect_rejected({
      {J("add_todo").set("title", "t").set("project", website), in_trash},
      {J("add_heading").set("project", website).set("title", "h"), in_trash},
      {J("add_todo").set("title", "t").set("heading", design), via_heading},
      {J("update_todo").set("id", flights).set("project", website), in_trash},
  });
  ok(J("restore").set("id", website));
  ok(J("trash").set("id", design));
  expect_rejected({
      {J("add_todo").set("title", "t").set("heading", design), "heading \"" + design + "\": is in the Trash"},
      {J("update_todo").set("id", uuid_of("Book flights")).set("project", website).set("heading", design),
       "heading \"" + design + "\": is in the Trash"},
  });
  ok(J("add_todo").set("title", "fine").set("project", trip));
}

TEST_F(WriteOpsTest, TrashAndRestoreAToDo) {
  const std::string flights = uuid_of("Book flights");
  const std::string podcast = uuid_of("Start a podcast");  // already trashed
  run({J("trash").set("id", flights), J("restore").set("id", podcast)});
  EXPECT_EQ(task(flights, "trashed, status, " + modified_now), (Row{"1", "0", "1"}));
  EXPECT_EQ(task(podcast, "trashed, start"), (Row{"0", "0"}));
  EXPECT_EQ(task(uuid_of("Plan summer trip"), "untrashedLeafActionsCount"), (Row{"0"}));
  ok(J("restore").set("id", flights));
  EXPECT_EQ(task(flights, "trashed"), (Row{"0"}));
  EXPECT_EQ(task(uuid_of("Plan summer trip"), "untrashedLeafActionsCount"), (Row{"1"}));
}

// ---------------------------------------------------------------------------------------
// create_tag, create_area

TEST_F(WriteOpsTest, CreateTag) {
  const std::string home = db().text("SELECT uuid FROM TMTag WHERE title = 'Home'");
  const long long last_index = db().integer(R"(SELECT MAX("index") FROM TMTag)");
  const auto ids = ids_of(run({J("create_tag").set("title", "Garden").set("parent", "home").set("shortcut", "g"),
                               J("create_tag").set("title", "Çà et là").set("shortcut", "ç"),
                               J("create_tag").set("title", "Plain")}));
  const std::string tag = R"(SELECT title, shortcut, parent, "index", usedDate FROM TMTag WHERE uuid = ?1)";
  EXPECT_EQ(db().rows(tag, {ids[0]})[0], (Row{"Garden", "g", home, std::to_string(last_index + 1), "<null>"}));
  EXPECT_EQ(db().rows(tag, {ids[1]})[0], (Row{"Çà et là", "ç", "<null>", std::to_string(last_index + 2), "<null>"}));
  EXPECT_EQ(db().rows(tag, {ids[2]})[0], (Row{"Plain", "<null>", "<null>", std::to_string(last_index + 3), "<null>"}));
  // A to-do tagged with it links the same tag.
  const std::string todo = ok(J("add_todo").set("title", "Mow").list("tags", {"garden"}));
  EXPECT_EQ(tags_of(todo), (std::vector<std::string>{"Garden"}));
}

TEST_F(WriteOpsTest, CreateTagRejectsBadValues) {
  expect_rejected({
      {J("create_tag").set("title", "errand"), "title \"errand\": a tag with this title exists"},
      {J("create_tag").set("title", ""), "title: empty"},
      {J("create_tag").set("title", "New").set("parent", "Nope"), "parent \"Nope\": no such tag"},
      {J("create_tag").set("title", "New").set("shortcut", "ab"), "shortcut \"ab\": expected one character"},
      {J("create_tag").set("title", "New").set("shortcut", ""), "shortcut \"\""},
  });
}

TEST_F(WriteOpsTest, CreateArea) {
  const long long tags_before = db().integer("SELECT COUNT(*) FROM TMTag");
  const long long top = db().integer(R"(SELECT MIN("index") FROM TMArea)");
  const std::string id = ok(J("create_area").set("title", "Health").list("tags", {"important", "Sport", "sport"}));
  const std::string bare = ok(J("create_area").set("title", "Family"));
  EXPECT_TRUE(is_things_uuid(id));
  auto d = db();
  EXPECT_EQ(d.rows(R"(SELECT title, visible, "index", cachedTags FROM TMArea WHERE uuid = ?1)", {id})[0],
            (Row{"Health", "<null>", std::to_string(top - 1), "<null>"}));
  EXPECT_EQ(d.rows(R"(SELECT title, "index" FROM TMArea WHERE uuid = ?1)", {bare})[0],
            (Row{"Family", std::to_string(top - 2)}));
  EXPECT_EQ(d.rows("SELECT g.title FROM TMAreaTag l JOIN TMTag g ON g.uuid = l.tags WHERE l.areas = ?1 ORDER BY 1",
                   {id}),
            (Rows{{"Important"}, {"Sport"}}));
  EXPECT_EQ(d.integer("SELECT COUNT(*) FROM TMTag"), tags_before + 1);
  EXPECT_EQ(d.integer("SELECT COUNT(*) FROM TMAreaTag WHERE areas = ?1", {bare}), 0);
  // The new area takes to-dos and projects.
  const std::string todo = ok(J("add_todo").set("title", "Run").set("area", id));
  EXPECT_EQ(task(todo, "area, start"), (Row{id, "1"}));
}

TEST_F(WriteOpsTest, CreateAreaRejectsBadValues) {
  expect_rejected({
      {J("create_area").set("title", ""), "title: empty"},
      {J("create_area").set("title", "A").list("tags", {"Fresh", ""}), "tags \"\""},
  });
}

// ---------------------------------------------------------------------------------------
// Batches

TEST_F(WriteOpsTest, AHundredOpsRunAsOneCallUnderOneLock) {
  std::vector<J> adds;
  for (int i = 0; i < 100; ++i) adds.push_back(J("add_todo").set("title", "batch " + std::to_string(i)));
  const Outcome added = script(script_of(adds));
  ASSERT_EQ(added.exit_code, 0) << added.err;
  const auto ids = ids_of(parse_results(added.out));
  ASSERT_EQ(ids.size(), 100u);

  std::vector<J> updates;
  for (int i = 0; i < 100; ++i) {
    updates.push_back(J("update_todo")
                          .set("id", ids[static_cast<std::size_t>(i)])
                          .set("title", "updated " + std::to_string(i))
                          .set("when", i % 2 == 0 ? "today" : "someday")
                          .list("add_tags", {"Batch"}));
  }
  // --per-op-ms applies to each op: 100 ops at 3 ms cost at least 300 ms.
  const Outcome updated = script(script_of(updates), {"--per-op-ms", "3:3"});
  ASSERT_EQ(updated.exit_code, 0) << updated.err;
  EXPECT_GE(updated.elapsed, 300ms);
  const auto results = parse_results(updated.out);
  ASSERT_EQ(results.size(), 100u);
  for (std::size_t i = 0; i < results.size(); ++i) {
    EXPECT_TRUE(results[i].ok) << i << ": " << results[i].error;
    EXPECT_EQ(results[i].id, ids[i]);
  }
  auto d = db();
  EXPECT_EQ(d.integer("SELECT COUNT(*) FROM TMTask WHERE title LIKE 'updated %'"), 100);
  EXPECT_EQ(d.integer("SELECT COUNT(*) FROM TMTask WHERE title LIKE 'updated %' AND start = 1 AND startDate = " +
                      today_str()),
                50);
  EXPECT_EQ(d.integer("SELECT COUNT(*) FROM TMTaskTag l JOIN TMTag g ON g.uuid = l.tags WHERE g.title = 'Batch'"),
            100);
  // Two scripts, two calls: each took the lock once, and nothing overlapped.
  EXPECT_EQ(stats(), "{\"calls\":2,\"overlaps\":0,\"failures\":0}\n");
}

TEST_F(WriteOpsTest, AFailingOpInABatchLeavesTheOthersApplied) {
  const std::string plumber = uuid_of("Call the plumber");
  const auto results = run({J("update_todo").set("id", plumber).set("title", "first"),
                            J("update_todo").set("id", plumber).set("title", "second").set("when", "never"),
                            J("update_todo").set("id", plumber).set("append_notes", "third")});
  EXPECT_TRUE(results[0].ok);
  EXPECT_FALSE(results[1].ok);
  EXPECT_TRUE(results[2].ok);
  EXPECT_EQ(task(plumber, "title, notes, start"), (Row{"first", "third", "0"}));
}

// ---------------------------------------------------------------------------------------
// Malformed update scripts

TEST_F(WriteOpsTest, MalformedWriteOpsExitTwoAndChangeNothing) {
  const std::string before = snapshot();
  const std::string id = uuid_of("Call the plumber");
  const std::vector<std::pair<J, std::string>> cases = {
      {J("update_todo").set("id", id).null("title"), "\"title\" cannot be null"},
      {J("update_todo").set("id", id).null("notes"), "\"notes\" cannot be null"},
      {J("update_todo").set("id", id).null("append_notes"), "append_notes"},
      {J("update_todo").set("id", id).null("tags"), "\"tags\" cannot be null"},
      {J("update_todo").set("id", id).null("add_tags"), "add_tags"},
      {J("update_todo").set("id", id).null("checklist"), "checklist"},
      {J("update_todo").set("id", id).null("list"), "\"list\" cannot be null"},
      {J("update_todo").null("id"), "missing required field \"id\""},
      {J("update_todo").set("title", "x"), "missing required field \"id\""},
      {J("update_todo").set("id", id).raw("reminder", "930"), "\"reminder\" must be a string"},
      {J("update_todo").set("id", id).raw("when", "true"), "\"when\" must be a string"},
      {J("update_todo").set("id", id).set("tags", "Home"), "\"tags\" must be an array"},
      {J("update_todo").set("id", id).raw("append_checklist", "[1]"), "append_checklist"},
      {J("update_todo").set("id", id).set("due", "2030-01-01"), "unknown field \"due\""},
      {J("update_todo").set("id", id).set("checklist_items", "x"), "\"checklist_items\" must be an array of objects"},
      {J("update_todo").set("id", id).raw("checklist_items", R"([{"name":"x"}])"),
       "\"checklist_items\" must be an array of objects"},
      {J("update_todo").set("id", id).raw("checklist_items", R"([{"completed":true}])"),
       "\"checklist_items\" must be an array of objects"},
      {J("update_todo").set("id", id).null("checklist_items"), "\"checklist_items\" cannot be null"},
      {J("update_project").set("id", id).set("project", "x"), "unknown field \"project\""},
      {J("update_project").set("id", id).set("list", "today"), "unknown field \"list\""},
      {J("update_project").set("id", id).null("title"), "\"title\" cannot be null"},
      {J("add_project").set("title", "p").set("headings", "h"), "\"headings\" must be an array"},
      {J("add_project").set("title", "p").set("heading", "h"), "unknown field \"heading\""},
      {J("add_heading").set("title", "h"), "missing required field \"project\""},
      {J("add_heading").set("project", id), "missing required field \"title\""},
      {J("reopen"), "missing required field \"id\""},
      {J("restore").set("id", id).set("title", "x"), "unknown field \"title\""},
      {J("create_tag").set("name", "x"), "missing required field \"title\""},
      {J("create_tag").set("title", "x").raw("parent", "1"), "\"parent\" must be a string"},
      {J("create_area").set("title", "x").raw("tags", "{}"), "\"tags\" must be an array"},
      {J("add_todo").set("title", "x").raw("list", "0"), "\"list\" must be a string"},
      {J("delete").set("id", id), "unknown op \"delete\" (known: add_todo, update_todo,"},
  };
  for (const auto& [op, needle] : cases) {
    // A valid op first: the malformed one must still stop the whole script.
    const Outcome outcome = script(script_of({J("add_todo").set("title", "valid"), op}));
    EXPECT_EQ(outcome.exit_code, 2) << op.str();
    EXPECT_TRUE(outcome.out.empty()) << op.str();
    EXPECT_NE(outcome.err.find("malformed script: op 1"), std::string::npos) << op.str() << " -> " << outcome.err;
    EXPECT_NE(outcome.err.find(needle), std::string::npos) << op.str() << " -> " << outcome.err;
  }
  EXPECT_EQ(snapshot(), before);
}

TEST_F(WriteOpsTest, NullInAddOpsMeansAbsent) {
  const std::string id = ok(J("add_project").set("title", "p").null("when").null("reminder").null("headings").null(
      "area"));
  EXPECT_EQ(task(id, "start, startDate, reminderTime, area"), (Row{"1", "<null>", "<null>", "<null>"}));
  const std::string todo = ok(J("add_todo").set("title", "t").null("list").null("reminder"));
  EXPECT_EQ(task(todo, "start"), (Row{"0"}));
  const std::string tag = ok(J("create_tag").set("title", "T").null("parent").null("shortcut"));
  EXPECT_TRUE(is_things_uuid(tag));
}

}  // namespace
