// create_tag and create_area.
#include "edits.hpp"
#include "op_handlers.hpp"
#include "tasks.hpp"

namespace takt::sim {

namespace {

std::string quoted(const std::string& text) { return "\"" + text + "\""; }

// Code points in valid UTF-8 (the script parser has validated the encoding).
std::size_t utf8_length(const std::string& text) {
  std::size_t count = 0;
  for (const char c : text) {
    if ((static_cast<unsigned char>(c) & 0xC0U) != 0x80U) ++count;
  }
  return count;
}

}  // namespace

std::string create_tag(Database& db, const CreateTag& op, const Clock&) {
  require_title("title", op.title);
  if (find_tag(db, op.title)) throw OpError("title " + quoted(op.title) + ": a tag with this title exists");
  std::optional<std::string> parent;
  if (op.parent) {
    parent = find_tag(db, *op.parent);
    if (!parent) throw OpError("parent " + quoted(*op.parent) + ": no such tag");
  }
  if (op.shortcut && utf8_length(*op.shortcut) != 1) {
    throw OpError("shortcut " + quoted(*op.shortcut) + ": expected one character");
  }
  return insert_tag(db, op.title, parent, op.shortcut);
}

std::string create_area(Database& db, const CreateArea& op, const Clock& clock) {
  require_title("title", op.title);
  require_item_titles("tags", op.tags, "tag title");
  const std::string uuid = random_uuid();
  // On top of the area list. Things leaves `visible` and `cachedTags` NULL on the areas it
  // creates (as in a real database), whatever `visible` once meant.
  const std::int64_t index =
      db.query_int64(R"sql(SELECT COALESCE(MIN("index"), 0) - 1 FROM TMArea)sql").value_or(-1);
  db.run(R"sql(INSERT INTO TMArea (uuid, title, visible, "index", cachedTags, experimental)
               VALUES (?1, ?2, NULL, ?3, NULL, NULL))sql",
         uuid, op.title, index);
  for (const std::string& title : op.tags) {
    db.run(R"sql(INSERT INTO TMAreaTag (areas, tags) SELECT ?1, ?2
                 WHERE NOT EXISTS (SELECT 1 FROM TMAreaTag WHERE areas = ?1 AND tags = ?2))sql",
           uuid, ensure_tag(db, title, clock.now));
  }
  return uuid;
}

}  // namespace takt::sim
