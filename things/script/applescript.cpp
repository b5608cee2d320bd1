#include "things/script/applescript.hpp"

#include <algorithm>
#include <cstdlib>
#include <sstream>

#include "things/script/osascript_errors.hpp"
#include "things/script/url.hpp"

namespace takt::things {

std::string applescript_string(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      case '\n': out += "\" & linefeed & \""; break;
      case '\r': out += "\" & return & \""; break;
      default: out += c;
    }
  }
  return out + "\"";
}

namespace {

/// Handlers every script may call (`my takt_...`): a message on one line, opening a
/// things:/// URL in the background, and a tag-name list after adding and removing tags
/// (Things' `tag names` is one comma-separated string; `contains` ignores case).
constexpr const char* kPreamble = R"(on takt_line(t)
  set AppleScript's text item delimiters to {return, linefeed}
  set parts to text items of t
  set AppleScript's text item delimiters to " "
  set t to parts as text
  set AppleScript's text item delimiters to ""
  return t
end takt_line
on takt_open(u)
  do shell script "open -g " & quoted form of u
end takt_open
on takt_tags(have, added, removed)
  set AppleScript's text item delimiters to ", "
  set names to {}
  if have is not "" then set names to text items of have
  set kept to {}
  repeat with n in names
    if removed does not contain (contents of n) then set end of kept to (contents of n)
  end repeat
  repeat with n in added
    if kept does not contain (contents of n) then set end of kept to (contents of n)
  end repeat
  set t to kept as text
  set AppleScript's text item delimiters to ""
  return t
end takt_tags
set takt_ids to {}
tell application "Things3"
)";

/// The number of the error a script raises for an operation that needs the URL scheme when
/// Things URLs are not enabled.
constexpr int kNoToken = 9001;
/// ... and when the auth token cannot be read from Things' database.
constexpr int kTokenUnreadable = 9002;

const char* const kNoTokenText =
    "Things URLs are not enabled, and this change needs them. Fix: in Things, Settings > General > Enable Things "
    "URLs, then try again.";

const char* const kTokenUnreadableText =
    "this change needs Things' URL scheme, whose auth token takt reads from Things' database, and the database "
    "cannot be read. Fix: give the app that starts takt (your AI client, or Terminal) Full Disk Access in System "
    "Settings > Privacy & Security > Full Disk Access, then restart it; health_check shows whether the database is "
    "readable.";

/// Errors that are Things' or macOS's, not the operation's: the script stops there (the
/// `on error` of each operation raises them again), so osascript fails as a whole and the
/// AppleScript lane retries what is proven not done (-600, -609, -1712) or tells the user
/// what to allow (-1743, -1744), instead of every later operation failing the same way.
constexpr const char* kRaisedWhole = "{-600, -609, -1712, -1743, -1744}";

/// Things' built-in lists by their ids, which do not change with Things' language (their
/// names do: "Inbox" is "Eingang" in German).
constexpr const char* kInbox = "TMInboxListSource";
constexpr const char* kToday = "TMTodayListSource";
constexpr const char* kAnytime = "TMNextListSource";
constexpr const char* kSomeday = "TMSomedayListSource";
constexpr const char* kTrash = "TMTrashListSource";

std::string list_id(const char* id) { return std::string("list id \"") + id + "\""; }

/// An AppleScript date for a calendar day at midnight, built field by field so it does
/// not depend on the Mac's date format. The day is set to 1 first so no month overflows.
std::string applescript_date(const std::string& var, const Date& d) {
  std::ostringstream s;
  s << "    set " << var << " to current date\n"
    << "    set day of " << var << " to 1\n"
    << "    set year of " << var << " to " << d.year << "\n"
    << "    set month of " << var << " to " << d.month << "\n"
    << "    set day of " << var << " to " << d.day << "\n"
    << "    set time of " << var << " to 0\n";
  return s.str();
}

std::string tag_list(const std::vector<std::string>& tags) {
  std::string joined;
  for (std::size_t i = 0; i < tags.size(); ++i) joined += (i ? ", " : "") + tags[i];
  return applescript_string(joined);
}

std::string string_list(const std::vector<std::string>& items) {
  std::string s = "{";
  for (const auto& i : items) s += (s.size() > 1 ? ", " : "") + applescript_string(i);
  return s + "}";
}

/// The URL scheme's auth token for a script, or why there is none to use.
struct Token {
  std::optional<std::string> value;
  std::string unreadable;  ///< set when the database could not be read to find it
};

/// Renders one operation's AppleScript statements (inside `tell application "Things3"`).
class OpScript {
 public:
  OpScript(std::size_t n, const Date& today) : v_("t" + std::to_string(n)), n_(n), today_(today) {}

  std::string str() const { return s_.str(); }

  void line(const std::string& text) { s_ << "    " << text << "\n"; }

  void text_edits(const std::optional<std::string>& title, const std::optional<std::string>& notes,
                  const std::optional<std::string>& append, const std::optional<std::string>& prepend) {
    if (title) line("set name of " + v_ + " to " + applescript_string(*title));
    if (notes) line("set notes of " + v_ + " to " + applescript_string(*notes));
    if (append) {
      const auto text = applescript_string(*append);
      line("if notes of " + v_ + " is \"\" then");
      line("  set notes of " + v_ + " to " + text);
      line("else");
      line("  set notes of " + v_ + " to (notes of " + v_ + ") & linefeed & " + text);
      line("end if");
    }
    if (prepend) {
      const auto text = applescript_string(*prepend);
      line("if notes of " + v_ + " is \"\" then");
      line("  set notes of " + v_ + " to " + text);
      line("else");
      line("  set notes of " + v_ + " to " + text + " & linefeed & (notes of " + v_ + ")");
      line("end if");
    }
  }

  /// when (or a list of the same name) as far as AppleScript goes: evening and reminders
  /// are left to the URL part.
  void schedule(const std::string& when, bool reminder) {
    if (when == "evening" || reminder) return;
    if (when == "inbox") return move_to(kInbox);
    if (when == "today") return move_to(kToday);
    if (when == "anytime" || when.empty()) return move_to(kAnytime);
    if (when == "someday") return move_to(kSomeday);
    const auto day = when == "tomorrow" ? std::optional<Date>(add_days(today_, 1)) : parse_iso_date(when);
    if (!day) return;
    if (pack_date(*day) <= pack_date(today_)) return move_to(kToday);
    s_ << applescript_date("w" + std::to_string(n_), *day);
    line("schedule " + v_ + " for w" + std::to_string(n_));
  }

  void deadline(const Clearable& d) {
    if (d.clears()) line("delete due date of " + v_);
    if (!d.sets()) return;
    if (auto day = parse_iso_date(*d.value)) {
      s_ << applescript_date("d" + std::to_string(n_), *day);
      line("set due date of " + v_ + " to d" + std::to_string(n_));
    }
  }

  void tags(const std::optional<std::vector<std::string>>& replace, const std::vector<std::string>& add,
            const std::vector<std::string>& remove) {
    if (replace) line("set tag names of " + v_ + " to " + tag_list(*replace));
    if (!add.empty() || !remove.empty())
      line("set tag names of " + v_ + " to my takt_tags(tag names of " + v_ + ", " + string_list(add) + ", " +
           string_list(remove) + ")");
  }

  /// The tags of an item just made (it has none yet).
  void new_tags(const std::vector<std::string>& tags) {
    if (!tags.empty()) line("set tag names of " + v_ + " to " + tag_list(tags));
  }

  void container(const char* kind, const Clearable& c) {
    if (c.sets()) line("set " + std::string(kind) + " of " + v_ + " to " + kind + " id " + applescript_string(*c.value));
    if (c.clears()) line("delete " + std::string(kind) + " of " + v_);
  }

  /// The URL-scheme part, on the item's id as the script learns it.
  void url(const UrlCall& call, const std::optional<std::string>& token) {
    if (call.empty()) return;
    uses_url_ = true;
    line("my takt_open(" + applescript_string(call.prefix(token.value_or(""))) + " & (id of " + v_ + ") & " +
         applescript_string(call.suffix()) + ")");
  }

  void move_to(const char* list) { line("move " + v_ + " to " + list_id(list)); }
  const std::string& var() const { return v_; }
  bool uses_url() const { return uses_url_; }

 private:
  std::ostringstream s_;
  std::string v_;
  std::size_t n_;
  Date today_;
  bool uses_url_ = false;
};

const char* status_name(Status s) {
  return s == Status::Completed ? "completed" : s == Status::Canceled ? "canceled" : "open";
}

/// The statements of each operation; the item ends up in the variable t<n>.
struct Body {
  OpScript& o;
  const Date& today;
  const std::optional<std::string>& token;

  void operator()(const AddTodo& a) const {
    std::string where = list_id(kInbox);
    if (a.project) where = "project id " + applescript_string(*a.project);
    else if (a.area) where = "area id " + applescript_string(*a.area);
    std::string props = "{name:" + applescript_string(a.title);
    if (a.notes) props += ", notes:" + applescript_string(*a.notes);
    o.line("set " + o.var() + " to make new to do with properties " + props + "} at beginning of " + where);
    o.new_tags(a.tags);
    o.deadline(a.deadline ? Clearable::set(*a.deadline) : Clearable{});
    if (a.when) o.schedule(*a.when, a.reminder.has_value());
    o.url(url_part(a, today), token);
  }
  void operator()(const UpdateTodo& u) const {
    o.line("set " + o.var() + " to to do id " + applescript_string(u.id));
    o.text_edits(u.title, u.notes, u.append_notes, u.prepend_notes);
    o.container("project", u.project);
    o.container("area", u.area);
    if (u.list) o.schedule(*u.list, u.reminder.sets());
    if (u.when.given) o.schedule(u.when.value.value_or(""), u.reminder.sets());
    o.deadline(u.deadline);
    o.tags(u.tags, u.add_tags, u.remove_tags);
    o.url(url_part(u, today), token);
  }
  void operator()(const AddProject& a) const {
    std::string props = "{name:" + applescript_string(a.title);
    if (a.notes) props += ", notes:" + applescript_string(*a.notes);
    o.line("set " + o.var() + " to make new project with properties " + props + "}");
    if (a.area) o.container("area", Clearable::set(*a.area));
    o.new_tags(a.tags);
    o.deadline(a.deadline ? Clearable::set(*a.deadline) : Clearable{});
    o.schedule(a.when.value_or("anytime"), a.reminder.has_value());
    // Each at the beginning, the last first: the order asked for whether Things puts a new
    // to-do where `at` says or always on top (things-sim does the latter).
    for (auto todo = a.todos.rbegin(); todo != a.todos.rend(); ++todo)
      o.line("make new to do with properties {name:" + applescript_string(*todo) + "} at beginning of " + o.var());
    o.url(url_part(a, today), token);
  }
  void operator()(const UpdateProject& u) const {
    o.line("set " + o.var() + " to project id " + applescript_string(u.id));
    o.text_edits(u.title, u.notes, u.append_notes, u.prepend_notes);
    o.container("area", u.area);
    if (u.when.given) o.schedule(u.when.value.value_or(""), u.reminder.sets());
    o.deadline(u.deadline);
    o.tags(u.tags, u.add_tags, u.remove_tags);
    o.url(url_part(u, today), token);
  }
  /// A to-do or project by id: a project through `project id`, as Things' guide reaches
  /// projects (`to do id` finds one too, but `delete` of it is not known to trash it).
  static std::string item(const std::string& id, ItemKind kind) {
    return std::string(kind == ItemKind::Project ? "project id " : "to do id ") + applescript_string(id);
  }
  void operator()(const SetStatus& s) const {
    o.line("set " + o.var() + " to " + item(s.id, s.kind));
    o.line("set status of " + o.var() + " to " + status_name(s.status));
  }
  void operator()(const SetTrashed& t) const {
    o.line("set " + o.var() + " to " + item(t.id, t.kind));
    // `delete` on an item already in the Trash would delete it for good: only once. Things
    // filters the Trash by id itself (one event, not every id in the Trash).
    o.line("set takt_trashed to (count of (to dos of " + list_id(kTrash) + " whose id is (id of " + o.var() +
           "))) > 0");
    if (t.trashed) {
      o.line("if not takt_trashed then delete " + o.var());
    } else {
      o.line("if takt_trashed then");
      o.schedule(t.back_to, false);
      o.line("end if");
    }
  }
  void operator()(const CreateTag& c) const {
    o.line("set " + o.var() + " to make new tag with properties {name:" + applescript_string(c.title) + "}");
    if (c.parent) o.line("set parent tag of " + o.var() + " to tag " + applescript_string(*c.parent));
  }
  void operator()(const CreateArea& c) const {
    o.line("set " + o.var() + " to make new area with properties {name:" + applescript_string(c.title) + "}");
    if (!c.tags.empty()) o.line("set tag names of " + o.var() + " to " + tag_list(c.tags));
  }
  void operator()(const Show& sh) const {
    if (!sh.list.empty()) o.line("set " + o.var() + " to " + list_id(sh.list.c_str()));
    else if (sh.kind == ItemKind::Unknown) o.line("set " + o.var() + " to area id " + applescript_string(sh.id));
    else o.line("set " + o.var() + " to " + item(sh.id, sh.kind));
    o.line("show " + o.var());
  }
  // unsupported() turns these away before they are queued.
  void operator()(const AddHeading&) const {}
  void operator()(const ReadOp&) const {}
};

/// One operation in a try block of its own: it prints its item's id, or its error.
std::string render_one(const Operation& op, std::size_t n, const Date& today, const Token& token, bool& uses_url) {
  OpScript o(n, today);
  if (!url_part(op, today).empty() && !token.value) {
    const bool unreadable = !token.unreadable.empty();
    o.line("error " + applescript_string(unreadable ? kTokenUnreadableText : kNoTokenText) + " number " +
           std::to_string(unreadable ? kTokenUnreadable : kNoToken));
  }
  std::visit(Body{o, today, token.value}, op);
  uses_url |= o.uses_url();
  return "  try\n" + o.str() + "    set end of takt_ids to (id of " + o.var() + ")\n" +
         "  on error takt_message number takt_number\n" +
         "    if takt_number is in " + kRaisedWhole + " then error takt_message number takt_number\n" +
         "    set end of takt_ids to \"takt-error \" & takt_number & \" \" & my takt_line(takt_message)\n" +
         "  end try\n";
}

/// Things applies a things:/// URL in the background, after the script has ended: takt
/// reads the change back until it shows (the AppleScript lane's URL settle time), so the
/// script does not wait for it.
/// With `after`: its handlers first, its body after the operations in a try block of its
/// own (an Apple event of it that fails leaves the operations' lines standing, followed by
/// kReadBackFailed and the error), and its result printed after theirs.
std::string render_script(const std::vector<Operation>& ops, const Date& today, const Token& token,
                          const ReadBack* after = nullptr) {
  std::string s = after ? after->handlers + kPreamble : kPreamble;
  bool uses_url = false;
  for (std::size_t n = 0; n < ops.size(); ++n) s += render_one(ops[n], n, today, token, uses_url);
  s += "end tell\n";
  if (!after) return s + "set AppleScript's text item delimiters to linefeed\nreturn takt_ids as text\n";
  return s + "try\n" + after->body + "on error takt_message number takt_number\n  set " + after->result + " to \"" +
         kReadBackFailed + "\" & takt_number & \" \" & my takt_line(takt_message)\nend try\n" +
         "set AppleScript's text item delimiters to linefeed\nreturn (takt_ids as text) & linefeed & " + after->result +
         "\n";
}

bool has_comma(const std::vector<std::string>& tags, std::string* which) {
  for (const auto& t : tags)
    if (t.find(',') != std::string::npos) {
      *which = t;
      return true;
    }
  return false;
}

std::optional<std::string> comma_in_tags(std::initializer_list<const std::vector<std::string>*> lists) {
  std::string which;
  for (const auto* l : lists)
    if (l && has_comma(*l, &which))
      return "tags: '" + which + "' holds a comma, which Things' AppleScript reads as two tags";
  return std::nullopt;
}

const char* const kReminderNeedsWhen =
    "reminder: through Things on macOS a reminder is set together with its day: give 'when' too";

struct Unsupported {
  std::optional<std::string> operator()(const Show&) const { return std::nullopt; }
  // Reads through AppleScript run one script of their own: takt's mirror of Things
  // (things/mirror), not an operation of a batch.
  std::optional<std::string> operator()(const ReadOp&) const { return std::nullopt; }
  std::optional<std::string> operator()(const AddHeading&) const {
    return "add_heading: Things on macOS offers no way to add a heading to an existing project from a script; add "
           "it in Things";
  }
  std::optional<std::string> operator()(const AddTodo& a) const { return comma_in_tags({&a.tags}); }
  std::optional<std::string> operator()(const UpdateTodo& u) const {
    if (u.heading.clears())
      return "heading: Things on macOS cannot take a to-do out of its heading from a script; move it to its project "
             "with 'project' instead";
    if (u.reminder.given && !u.when.sets() && !u.list) return kReminderNeedsWhen;
    const std::vector<std::string> none;
    return comma_in_tags({u.tags ? &*u.tags : &none, &u.add_tags, &u.remove_tags});
  }
  std::optional<std::string> operator()(const AddProject& a) const {
    if (!a.headings.empty())
      return "headings: Things on macOS cannot create headings from a script; create the project, then add its "
             "headings in Things";
    return comma_in_tags({&a.tags});
  }
  std::optional<std::string> operator()(const UpdateProject& u) const {
    if (u.reminder.given && !u.when.sets()) return kReminderNeedsWhen;
    const std::vector<std::string> none;
    return comma_in_tags({u.tags ? &*u.tags : &none, &u.add_tags, &u.remove_tags});
  }
  std::optional<std::string> operator()(const CreateTag& c) const {
    if (c.shortcut) return "shortcut: Things' AppleScript cannot set a tag's keyboard shortcut";
    if (c.title.find(',') != std::string::npos) return "title: a tag title with a comma cannot be used through AppleScript";
    return std::nullopt;
  }
  std::optional<std::string> operator()(const CreateArea& c) const { return comma_in_tags({&c.tags}); }
  std::optional<std::string> operator()(const SetStatus& s) const { return heading(s.id, s.kind); }
  std::optional<std::string> operator()(const SetTrashed& t) const { return heading(t.id, t.kind); }
  static std::optional<std::string> heading(const std::string& id, ItemKind kind) {
    if (kind != ItemKind::Heading) return std::nullopt;
    return "ids: '" + id + "' is a heading; Things' AppleScript has no headings, so takt cannot change one: change it "
           "in Things (or complete, trash or move its to-dos)";
  }
};

/// The error number osascript puts at the end of its message, `(-1743)`.
std::optional<long> error_number(std::string_view text) {
  const auto close = text.rfind(')');
  if (close == std::string_view::npos) return std::nullopt;
  const auto open = text.rfind('(', close);
  if (open == std::string_view::npos) return std::nullopt;
  const std::string digits(text.substr(open + 1, close - open - 1));
  if (digits.empty() || digits.find_first_not_of("-0123456789") != std::string::npos) return std::nullopt;
  return std::strtol(digits.c_str(), nullptr, 10);
}

std::string explain(long code, std::string_view text) {
  const std::string said = " (osascript: " + std::string(text) + ")";
  switch (code) {
    case osa::kNotAuthorized:
    case osa::kNeedsConsent:
      return "macOS does not allow takt to control Things (automation permission denied, " + std::to_string(code) + "). Fix: System "
             "Settings > Privacy & Security > Automation, and allow the app that starts takt (your AI client, or "
             "Terminal) to control Things3; if it is not listed, run `tccutil reset AppleEvents` and allow it when "
             "asked." + said;
    case osa::kNotRunning:
    case osa::kConnectionInvalid:
      return "Things 3 is not running and could not be reached (" + std::to_string(code) +
             "). Fix: open Things 3 and try again; keep it in /Applications." + said;
    case osa::kLaunchFailed:
    case osa::kAppNotFound:
    case osa::kNotFound:
      return "Things 3 could not be found or started (" + std::to_string(code) +
             "). Fix: install Things 3 from the Mac App Store or Cultured Code and open it once." + said;
    case osa::kNoSuchObject:
    case osa::kCantGet:
      return "Things has no such item (" + std::to_string(code) +
             "): the id is wrong, or the item was deleted; headings cannot be reached through AppleScript." + said;
    case osa::kTimedOut:
      return "Things did not answer in time (AppleEvent timed out, -1712): it may be busy or showing a dialog, and "
             "it may still carry the change out. Fix: bring Things to the front, close any dialog, and check the "
             "item in Things before trying again (a second try could make a duplicate)." + said;
    case osa::kNotUnderstood:
    case osa::kEventFailed:
      return "Things did not understand the command (" + std::to_string(code) +
             "): this Things version may be too old. Fix: update Things 3." + said;
    case osa::kCancelled:
      return "the script was cancelled on the Mac (-128)." + said;
    case osa::kSyntaxError:
    case osa::kSyntaxError2:
      return "AppleScript could not compile the script takt generated (" + std::to_string(code) +
             "): a bug in takt, please report it." + said;
    case kNoToken:
      return kNoTokenText;
    case kTokenUnreadable:
      return kTokenUnreadableText;
    default:
      return "Things refused the change: " + std::string(text);
  }
}

}  // namespace

std::string render_applescript(const Operation& op, const Date& today, const std::optional<std::string>& auth_token) {
  return render_script({op}, today, Token{auth_token, {}});
}

std::string AppleScriptDialect::render(const std::vector<Operation>& ops) const { return render_with(ops, nullptr); }

std::string AppleScriptDialect::render(const std::vector<Operation>& ops, const ReadBack& after) const {
  return render_with(ops, &after);
}

std::string AppleScriptDialect::render_with(const std::vector<Operation>& ops, const ReadBack* after) const {
  const Date today = today_();
  Token token;
  const bool needs_token = std::any_of(ops.begin(), ops.end(), [&](const Operation& op) { return !url_part(op, today).empty(); });
  if (needs_token && token_) {
    try {
      token.value = token_();
    } catch (const std::exception& e) {
      token.unreadable = e.what();
    }
    if (token.value && !token.value->empty()) {
      std::lock_guard lock(mu_);
      if (std::find(secrets_.begin(), secrets_.end(), *token.value) == secrets_.end()) secrets_.push_back(*token.value);
    }
  }
  return render_script(ops, today, token, after);
}

std::string AppleScriptDialect::redact(std::string text) const {
  std::lock_guard lock(mu_);
  for (const auto& secret : secrets_) {
    // As the script has it, and as the URL carries it (percent-encoded).
    for (const auto& form : {secret, percent_encode(secret)}) {
      for (auto at = text.find(form); at != std::string::npos; at = text.find(form, at))
        text.replace(at, form.size(), "<auth-token>");
    }
  }
  return text;
}

std::optional<std::string> AppleScriptDialect::unsupported(const Operation& op) const {
  return std::visit(Unsupported{}, op);
}

std::string explain_osascript_error(std::string_view text) {
  std::string trimmed = trim_end(std::string(text));
  if (auto code = error_number(trimmed)) return explain(*code, trimmed);
  return trimmed.empty() ? "osascript failed without saying why" : "osascript failed: " + trimmed;
}

std::vector<OpResult> AppleScriptDialect::parse(const ScriptOutput& raw, std::size_t op_count) const {
  ScriptOutput out = raw;
  out.out = redact(std::move(out.out));
  out.err = redact(std::move(out.err));
  if (!out.started || out.timed_out || out.abandoned) return all_failed(op_count, describe_failure(out));
  if (out.exit_code != 0) return all_failed(op_count, explain_osascript_error(out.err));
  std::vector<OpResult> rs;
  std::istringstream lines(out.out);
  std::string line;
  constexpr std::string_view kError = "takt-error ";
  while (std::getline(lines, line) && rs.size() < op_count) {
    line = trim_end(line);
    if (line.rfind(kError, 0) == 0) {
      // takt-error NUMBER MESSAGE: the operation's own error, caught in its try block.
      const auto rest = line.substr(kError.size());
      const auto space = rest.find(' ');
      const auto number = rest.substr(0, space);
      const auto message = space == std::string::npos ? std::string() : rest.substr(space + 1);
      rs.push_back(OpResult{false, {}, explain_osascript_error(message + " (" + number + ")"), {}});
      continue;
    }
    // Things may answer an event it rejected with an error text while osascript exits 0.
    const bool looks_like_id = !line.empty() && line.find(' ') == std::string::npos;
    rs.push_back(looks_like_id ? OpResult{true, line, {}, {}} : OpResult{false, {}, "Things answered: " + line, {}});
  }
  while (rs.size() < op_count) rs.push_back(OpResult{false, {}, "Things returned no id for this operation", {}});
  return rs;
}

}  // namespace takt::things
