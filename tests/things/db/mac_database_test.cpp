// Where a Mac keeps the Things database, and what takt says when it cannot open it.

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <utime.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "things/db/db.hpp"

using namespace takt::things;
namespace fs = std::filesystem;

namespace {
const Date kToday{2026, 11, 22};
}  // namespace

TEST(MacDatabase, FoundWhereThingsKeepsIt) {
  const fs::path home = fs::temp_directory_path() / ("takt-home-" + std::to_string(::getpid()));
  fs::remove_all(home);
  const fs::path base = home / "Library/Group Containers/JLMPQHK86H.com.culturedcode.ThingsMac";
  // No database yet: the older path, which opening then reports as missing.
  EXPECT_EQ(find_things_database(home.string()), (base / "Things Database.thingsdatabase/main.sqlite").string());
  auto make = [&](const std::string& dir, long mtime) {
    const auto file = base / dir / "Things Database.thingsdatabase/main.sqlite";
    fs::create_directories(file.parent_path());
    std::ofstream(file) << "x";
    struct utimbuf t{mtime, mtime};
    ::utime(file.c_str(), &t);
    return file.string();
  };
  const auto old_one = make("ThingsData-AAAA1", 1000000);
  EXPECT_EQ(find_things_database(home.string()), old_one);
  const auto new_one = make("ThingsData-ZZZZ9", 2000000);
  make("ThingsData-BBBB2", 1500000);
  EXPECT_EQ(find_things_database(home.string()), new_one);

  // A database takt cannot open: the message names the cause and the fix.
  auto error_of = [](const std::string& path) {
    try {
      ThingsDb(path, 1, [] { return kToday; }).check_readable();
    } catch (const DbError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  const auto missing = error_of((home / "nowhere/main.sqlite").string());
  EXPECT_NE(missing.find("no Things database at"), std::string::npos) << missing;
  EXPECT_NE(missing.find("Things 3 has been opened once"), std::string::npos) << missing;
  std::ofstream(home / "garbage.sqlite") << "this is not a database, but long enough to be read as one......";
  const auto unreadable = error_of((home / "garbage.sqlite").string());
  EXPECT_NE(unreadable.find("cannot open the Things database"), std::string::npos) << unreadable;
  EXPECT_NE(unreadable.find("Full Disk Access"), std::string::npos) << unreadable;
  fs::remove_all(home);
}
