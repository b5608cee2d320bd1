#pragma once
/// The things:/// URL scheme, for what Things' AppleScript cannot do (checklist items,
/// headings, reminders, This Evening). Every value is percent-encoded: only RFC 3986's
/// unreserved characters stay as they are. Pure functions; thread-safe.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "things/data/dates.hpp"
#include "things/script/ops.hpp"

namespace takt::things {

/// `text` with every byte but A-Z a-z 0-9 - . _ ~ written as %XX (upper-case hex).
std::string percent_encode(std::string_view text);
/// The inverse of percent_encode; nullopt when a % is not followed by two hex digits.
std::optional<std::string> percent_decode(std::string_view text);

/// One call of the URL scheme on an existing item: `things:///COMMAND?auth-token=T&id=ID&...`.
/// A to-do update with checklist items in a state (`checklist_items`) goes through the
/// `json` command instead, the only one whose checklist items take `completed`:
/// `things:///json?auth-token=T&data=[{"type":"to-do","operation":"update","id":"ID",
/// "attributes":{...params..., "checklist-items":[...]}}]`, the JSON percent-encoded.
struct UrlCall {
  std::string command;  ///< update, update-project or json
  std::vector<std::pair<std::string, std::string>> params;  ///< after auth-token and id, in order
  std::string checklist_items_json;  ///< json: the checklist-items array, as JSON text

  bool empty() const { return params.empty() && checklist_items_json.empty(); }
  /// The URL up to the item's id (so a script can append an id it learns while running).
  std::string prefix(const std::string& auth_token) const;
  /// The URL after the item's id.
  std::string suffix() const;
};

/// The part of `op` that only the URL scheme can carry out (an empty call when AppleScript
/// does it all); `today` resolves dates. Fields AppleScript handles are not in it.
UrlCall url_part(const Operation& op, const Date& today);

/// The complete things:/// URL for the URL part of `op` on the item `id`, or nullopt when
/// AppleScript does it all. For tests and the fuzzer: every parameter value decodes back
/// to exactly the text it came from.
std::optional<std::string> render_url(const Operation& op, const std::string& id, const std::string& auth_token,
                                      const Date& today);

}  // namespace takt::things
