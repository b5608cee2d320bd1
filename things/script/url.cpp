#include "things/script/url.hpp"

#include "base/json.hpp"

namespace takt::things {
namespace {

bool unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~';
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

std::string joined_lines(const std::vector<std::string>& items) {
  std::string s;
  for (std::size_t i = 0; i < items.size(); ++i) s += (i ? "\n" : "") + items[i];
  return s;
}

/// `when` for the URL scheme: a day, with the reminder time when there is one.
std::string url_when(const std::string& when, const std::optional<std::string>& reminder, const Date& today) {
  std::string day = when;
  if (when == "tomorrow") day = iso_date(add_days(today, 1));
  return reminder ? day + "@" + *reminder : day;
}

struct UrlPart {
  const Date& today;

  /// when=evening, or a day with a reminder time: what AppleScript cannot schedule.
  static bool needs_url(const std::optional<std::string>& when, const std::optional<std::string>& reminder) {
    return (when && *when == "evening") || reminder;
  }

  UrlCall operator()(const AddTodo& a) const {
    UrlCall c{"update", {}, {}};
    if (needs_url(a.when, a.reminder)) c.params.emplace_back("when", url_when(*a.when, a.reminder, today));
    if (!a.checklist.empty()) c.params.emplace_back("checklist-items", joined_lines(a.checklist));
    if (a.heading) c.params.emplace_back("heading-id", *a.heading);
    return c;
  }
  UrlCall operator()(const UpdateTodo& u) const {
    UrlCall c{"update", {}, {}};
    const auto when = u.when.value ? u.when.value : u.list;
    if (needs_url(when, u.reminder.value)) c.params.emplace_back("when", url_when(*when, u.reminder.value, today));
    else if (u.reminder.clears() && when) c.params.emplace_back("when", url_when(*when, std::nullopt, today));
    if (u.checklist) c.params.emplace_back("checklist-items", joined_lines(*u.checklist));
    if (!u.append_checklist.empty()) c.params.emplace_back("append-checklist-items", joined_lines(u.append_checklist));
    if (u.heading.sets()) c.params.emplace_back("heading-id", *u.heading.value);
    if (u.checklist_items) {
      c.command = "json";
      std::string items = "[";
      for (const auto& item : *u.checklist_items)
        items += std::string(items.size() > 1 ? "," : "") + R"({"type":"checklist-item","attributes":{"title":)" +
                 json::quote(item.title) + R"(,"completed":)" + (item.completed ? "true" : "false") + "}}";
      c.checklist_items_json = items + "]";
    }
    return c;
  }
  UrlCall operator()(const AddProject& a) const {
    UrlCall c{"update-project", {}, {}};
    if (needs_url(a.when, a.reminder)) c.params.emplace_back("when", url_when(*a.when, a.reminder, today));
    return c;
  }
  UrlCall operator()(const UpdateProject& u) const {
    UrlCall c{"update-project", {}, {}};
    if (needs_url(u.when.value, u.reminder.value)) c.params.emplace_back("when", url_when(*u.when.value, u.reminder.value, today));
    else if (u.reminder.clears() && u.when.sets()) c.params.emplace_back("when", *u.when.value);
    return c;
  }
  template <class Op>
  UrlCall operator()(const Op&) const {
    return {};
  }
};

}  // namespace

std::string percent_encode(std::string_view text) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() * 3);
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (unreserved(c)) {
      out += ch;
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

std::optional<std::string> percent_decode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    const int hi = hex_value(text[i + 1]), lo = hex_value(text[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

std::string UrlCall::prefix(const std::string& auth_token) const {
  if (command == "json")
    return "things:///json?auth-token=" + percent_encode(auth_token) + "&data=" +
           percent_encode(R"([{"type":"to-do","operation":"update","id":")");
  return "things:///" + command + "?auth-token=" + percent_encode(auth_token) + "&id=";
}

std::string UrlCall::suffix() const {
  std::string s;
  if (command == "json") {
    // Ids are Things' 22 letters and digits: inside the JSON string they need no escaping.
    std::string attributes;
    for (const auto& [key, value] : params) attributes += json::quote(key) + ":" + json::quote(value) + ",";
    attributes += R"("checklist-items":)" + checklist_items_json;
    return percent_encode(R"(","attributes":{)" + attributes + "}}]");
  }
  for (const auto& [key, value] : params) s += "&" + key + "=" + percent_encode(value);
  return s;
}

UrlCall url_part(const Operation& op, const Date& today) { return std::visit(UrlPart{today}, op); }

std::optional<std::string> render_url(const Operation& op, const std::string& id, const std::string& auth_token,
                                      const Date& today) {
  const auto call = url_part(op, today);
  if (call.empty()) return std::nullopt;
  return call.prefix(auth_token) + percent_encode(id) + call.suffix();
}

}  // namespace takt::things
