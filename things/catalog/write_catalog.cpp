// The write tools of the catalogue: what each takes and returns, and how a client may
// treat it. Every one runs in the AppleScript lane, one script at a time, and answers only
// once the database shows the change (things/verify.hpp).

#include <string>

#include "things/catalog/catalog_parts.hpp"

namespace takt::things {
namespace {

// ---- input properties -----------------------------------------------------------------------

const std::string kWhenText =
    "today, evening (This Evening), tomorrow, anytime, someday, or a day YYYY-MM-DD (a future day puts it in "
    "Upcoming).";

std::string string_prop(const std::string& name, const std::string& description, int min_length = 0,
                        int max_length = 4000) {
  return "\"" + name + R"(":{"type":"string",)" + (min_length ? "\"minLength\":" + std::to_string(min_length) + "," : "") +
         R"("maxLength":)" + std::to_string(max_length) + R"(,"description":")" + description + "\"}";
}

std::string list_prop(const std::string& name, const std::string& description, int max_items = 100,
                      int min_items = 0) {
  return "\"" + name +
         R"(":{"type":"array","items":{"type":"string","minLength":1,"maxLength":4000},)" +
         (min_items ? "\"minItems\":" + std::to_string(min_items) + "," : "") + R"("maxItems":)" +
         std::to_string(max_items) + R"(,"description":")" + description + "\"}";
}

const std::string kIds = R"("ids":{"type":"array","items":{"type":"string","minLength":1,"maxLength":64},
  "minItems":1,"maxItems":250,"description":"Ids of the items (from the read tools), 1 to 250."})";

const std::string kTitle = string_prop("title", "Title.", 1);
const std::string kNotes = string_prop("notes", "Notes (plain text); replaces the notes.", 0, 100000);
const std::string kAppendNotes =
    string_prop("append_notes", "Text to add after the notes, on a new line.", 1, 100000);
const std::string kPrependNotes =
    string_prop("prepend_notes", "Text to put before the notes, on a line of its own.", 1, 100000);
// The lengths of when, reminder and deadline are loose on purpose: a value of the wrong
// form ("next monday", "9:00") then hears which form is expected (things/write_tools.cpp),
// not a length.
const std::string kWhenAdd = string_prop("when", kWhenText, 1, 64);
const std::string kWhenUpdate = string_prop("when", kWhenText + " An empty string removes the date (Anytime).", 0, 64);
const std::string kReminderAdd =
    string_prop("reminder", "A reminder time HH:MM (24 h) on the day 'when' gives (needs a day: today, evening, "
                            "tomorrow or a date).", 1, 64);
const std::string kReminderUpdate = string_prop(
    "reminder", "A reminder time HH:MM (24 h) on the item's day; an empty string removes the reminder.", 0, 64);
const std::string kDeadlineAdd = R"("deadline":{"type":"string","format":"date","description":"Deadline, YYYY-MM-DD."})";
const std::string kDeadlineUpdate = string_prop("deadline", "Deadline YYYY-MM-DD; an empty string removes it.", 0, 64);
const std::string kListText =
    R"("list":{"type":"string","enum":["inbox","today","evening","anytime","someday"],"description":"Move it to this list (inbox also takes it out of its project, heading and area).)";
const std::string kList = kListText + R"( Not with 'when'."})";
/// move's list: move has no `when` to contradict.
const std::string kMoveList = kListText + R"("})";
const std::string kTagsAdd = list_prop("tags", "Tag titles; missing tags are created.", 50);
const std::string kTagsReplace = list_prop("tags", "Tag titles that replace all its tags ([] removes every tag); "
                                                   "missing tags are created.", 50);
const std::string kAddTags = list_prop("add_tags", "Tag titles to add; missing tags are created.", 50);
const std::string kRemoveTags = list_prop("remove_tags", "Tag titles to take off.", 50);
const std::string kChecklistAdd = list_prop("checklist", "Checklist items, in order.");
const std::string kChecklistReplace =
    list_prop("checklist", "Checklist items that replace the whole checklist ([] empties it), all open.");
const std::string kAppendChecklist = list_prop("append_checklist", "Checklist items to add after the existing ones.");
const std::string kChecklistItems = R"("checklist_items":{"type":"array","maxItems":100,"items":{"type":"object",
  "properties":{"title":{"type":"string","minLength":1,"maxLength":4000},"completed":{"type":"boolean"}},
  "required":["title"],"additionalProperties":false},
  "description":"The whole checklist, in order, each item open or completed: [{\"title\": \"Outline\", \"completed\": true}, {\"title\": \"Screenshots\"}]. Replaces the checklist (as Things' json command does), so to check off one item give the checklist get_item shows with that item completed. Not with checklist or append_checklist."})";
const std::string kProjectAdd = string_prop("project", "Id of the project to put it in.", 1, 64);
const std::string kAreaAdd = string_prop("area", "Id of the area to put it in.", 1, 64);
const std::string kHeadingAdd = string_prop("heading", "Id of a heading of the project to put it under.", 1, 64);
const std::string kProjectMove =
    string_prop("project", "Id of the project to move it into; an empty string takes it out of its project.", 0, 64);
const std::string kAreaMove =
    string_prop("area", "Id of the area to move it into; an empty string takes it out of its area.", 0, 64);
const std::string kHeadingMove = string_prop(
    "heading", "Id of a heading to move it under (in its project, or the project given); an empty string takes it "
               "out of its heading.", 0, 64);

/// The fields update_todo and bulk_update share.
const std::string kTodoChanges = kTitle + "," + kNotes + "," + kAppendNotes + "," + kPrependNotes + "," + kWhenUpdate +
                                 "," + kList + "," + kReminderUpdate + "," + kDeadlineUpdate + "," + kTagsReplace +
                                 "," + kAddTags + "," + kRemoveTags + "," + kChecklistReplace + "," + kAppendChecklist + "," + kChecklistItems +
                                 "," + kProjectMove + "," + kAreaMove + "," + kHeadingMove;

std::string input(const std::string& props, const std::string& required) {
  return R"({"type":"object","properties":{)" + props + R"(},"required":[)" + required +
         R"(],"additionalProperties":false})";
}

// ---- output schemas ---------------------------------------------------------------------------

const std::string kUnconfirmed = R"("unconfirmed":{"type":"array","items":{"type":"string"},
  "description":"Parts of the change that could not be confirmed: Things' AppleScript, which takt reads when it cannot read the database, does not show them."})";

const std::string kOneOutput = R"({"type":"object","properties":{
  "id":{"type":"string","description":"The item created or changed."},
  "title":{"type":"string","description":"Its title, as the database holds it now."},
  "ids":{"type":"array","items":{"type":"string"},"description":"Every id touched (here: id)."},)" + kUnconfirmed + R"(},
  "required":["id","title","ids"]})";

const std::string kManyOutput = R"({"type":"object","properties":{
  "ids":{"type":"array","items":{"type":"string"},"description":"Every id touched, in the order given."},
  "count":{"type":"integer","minimum":0},
  "items":{"type":"array","items":{"type":"object","properties":{
    "id":{"type":"string"},"type":{"type":"string","enum":["to-do","project","heading"]},"title":{"type":"string"},
    "status":{"type":"string","enum":["open","completed","canceled"]},"trashed":{"type":"boolean"}},
    "required":["id","type","title","status","trashed"]},"description":"Each item as the database shows it now."},)" +
                                   kUnconfirmed + R"(},
  "required":["ids","count","items"]})";

const std::string kConfirmed =
    " The change is confirmed by reading the Things database afterwards (through Things' AppleScript when takt "
    "cannot read the database); if it did not take effect the call fails and says what did not happen.";

struct Hints {
  bool destructive = false, idempotent = false;
};

void add(std::vector<ToolSpec>& tools, const char* name, const char* title, const std::string& description,
         const std::string& in, bool bulk, Hints hints) {
  tools.push_back(make_tool(name, title, description + kConfirmed, ToolKind::Write, CostClass::Slow, in,
                            bulk ? kManyOutput : kOneOutput));
  tools.back().bulk = bulk;
  tools.back().destructive = hints.destructive;
  tools.back().idempotent = hints.idempotent;
}

void add_creators(std::vector<ToolSpec>& tools) {
  add(tools, "add_todo", "Add a to-do",
      "Create a to-do in Things and return its id. Without 'when', 'project', 'area' or 'heading' it goes to the Inbox.",
      input(kTitle + "," + string_prop("notes", "Notes (plain text).", 0, 100000) + "," + kWhenAdd + "," +
                kReminderAdd + "," + kDeadlineAdd + "," + kTagsAdd + "," + kChecklistAdd + "," + kProjectAdd + "," +
                kAreaAdd + "," + kHeadingAdd,
            R"("title")"),
      false, {});
  add(tools, "add_project", "Add a project",
      "Create a project (in Anytime unless 'when' says otherwise), with to-dos in it, and return its id.",
      input(kTitle + "," + string_prop("notes", "Notes (plain text).", 0, 100000) + "," + kWhenAdd + "," +
                kReminderAdd + "," + kDeadlineAdd + "," + kTagsAdd + "," + kAreaAdd + "," +
                list_prop("headings", "Not possible through Things' scripting (it has no headings): a call with "
                                      "headings is refused; add them in Things.") + "," +
                list_prop("todos", "Titles of to-dos to create in the project, in order."),
            R"("title")"),
      false, {});
  add(tools, "add_heading", "Add a heading",
      "Things' scripting has no headings: this call is refused, saying to add the heading in Things. Kept so a "
      "client that asks hears why.",
      input(string_prop("project", "Id of the project.", 1, 64) + "," + kTitle, R"("project","title")"), false, {});
  add(tools, "create_tag", "Create a tag",
      "Create a tag (at the end of the tag list) and return its id. Fails if a tag with that title exists.",
      input(string_prop("title", "Title of the tag.", 1, 4000) + "," +
                string_prop("parent", "Title of an existing tag to nest it under.", 1, 4000) + "," +
                string_prop("shortcut", "A one-character keyboard shortcut.", 1, 4),
            R"("title")"),
      false, {});
  // Changes nothing in the database: described without the confirmation sentence.
  tools.push_back(make_tool(
      "show", "Show in Things",
      "Open Things at an item (to-do, project, heading or area, by id) or at one of its lists, so the user sees it "
      "there: \"show me that project\". Give exactly one of id and list. Nothing is changed; the answer names "
      "what is shown.",
      ToolKind::Write, CostClass::Fast,
      input(string_prop("id", "Id of a to-do, project, heading or area.", 1, 64) +
                R"(,"list":{"type":"string","enum":["inbox","today","upcoming","anytime","someday","logbook","trash"],"description":"One of Things' lists."})",
            ""),
      kOneOutput));
  tools.back().idempotent = true;
  add(tools, "create_area", "Create an area", "Create an area (on top of the area list) and return its id.",
      input(string_prop("title", "Title of the area.", 1, 4000) + "," + kTagsAdd, R"("title")"), false, {});
}

void add_updaters(std::vector<ToolSpec>& tools) {
  add(tools, "update_todo", "Update a to-do",
      "Change a to-do: title, notes (replace, append or prepend), when (with evening and a reminder time), "
      "deadline, tags (replace, add, remove), checklist (replace or append), and where it lives (list, project, "
      "area, heading). Fields left out stay as they are.",
      input(string_prop("id", "Id of the to-do.", 1, 64) + "," + kTodoChanges, R"("id")"), false,
      {true, false});
  add(tools, "update_project", "Update a project",
      "Change a project: title, notes (replace, append or prepend), when, reminder, deadline, tags (replace, add, "
      "remove) and its area. Fields left out stay as they are.",
      input(string_prop("id", "Id of the project.", 1, 64) + "," + kTitle + "," + kNotes + "," + kAppendNotes + "," +
                kPrependNotes + "," + kWhenUpdate + "," + kReminderUpdate + "," + kDeadlineUpdate + "," +
                kTagsReplace + "," + kAddTags + "," + kRemoveTags + "," + kAreaMove,
            R"("id")"),
      false, {true, false});
  add(tools, "bulk_update", "Update many to-dos",
      "Apply the same changes to many to-dos in one call (one script): the fields of update_todo, for every id. "
      "Ids of projects take the fields projects have (title, notes, when, reminder, deadline, tags, area).",
      input(kIds + "," + kTodoChanges, R"("ids")"), true, {true, false});
  add(tools, "move", "Move items",
      "Move to-dos to a list (inbox, today, evening, anytime, someday), into a project, under a heading, or into "
      "an area; projects to a list or an area. Give exactly one destination.",
      input(kIds + "," + kMoveList + "," + string_prop("project", "Id of the project to move them into.", 1, 64) + "," +
                string_prop("heading", "Id of the heading to move them under.", 1, 64) + "," +
                string_prop("area", "Id of the area to move them into.", 1, 64),
            R"("ids")"),
      true, {false, true});
}

void add_state_changes(std::vector<ToolSpec>& tools) {
  const std::string ids = input(kIds, R"("ids")");
  add(tools, "complete", "Complete items",
      "Mark to-dos or projects completed. Completing a project also completes its open to-dos. Headings cannot be "
      "reached through Things' scripting.",
      ids, true, {true, true});
  add(tools, "cancel", "Cancel items",
      "Mark to-dos or projects canceled. Canceling a project also cancels its open to-dos.", ids,
      true, {true, true});
  add(tools, "reopen", "Reopen items",
      "Mark completed or canceled to-dos or projects open again (the item alone: a project's to-dos stay "
      "as they are).",
      ids, true, {false, true});
  add(tools, "trash", "Move to Trash",
      "Move to-dos or projects to the Trash (a project takes its to-dos with it). restore brings them back.",
      ids, true, {true, true});
  add(tools, "restore", "Restore from Trash",
      "Bring to-dos or projects back from the Trash, to the list they were in.", ids, true,
      {false, true});
  const std::string tag_input = input(kIds + "," + list_prop("tags", "Tag titles.", 50, 1), R"("ids","tags")");
  add(tools, "add_tags", "Add tags",
      "Add tags to to-dos and projects, keeping the tags they have; missing tags are created.", tag_input, true,
      {false, true});
  add(tools, "remove_tags", "Remove tags", "Take tags off to-dos and projects; the tags themselves stay.", tag_input,
      true, {true, true});
}

}  // namespace

void add_write_tools(std::vector<ToolSpec>& tools) {
  add_creators(tools);
  add_updaters(tools);
  add_state_changes(tools);
}

}  // namespace takt::things
