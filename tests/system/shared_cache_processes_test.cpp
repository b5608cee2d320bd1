// The cache shared by takt processes, with real binaries: two takt processes on one
// things-sim database and one cache directory, as two desktop clients start them.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <regex>

#include "base/json.hpp"
#include "flow/shared_cache.hpp"
#include "support/takt_process.hpp"

using namespace takt;
using namespace takt::test;
namespace fs = std::filesystem;

namespace {

/// One database and one cache directory in `shared`; each process's config file in its own
/// directory. The TTL is long: only invalidation can make a cached read fresh again.
std::string config(const TempDir& shared, const std::string& cache_dir) {
  return "backend:\n  database: " + shared.file("things.sqlite") +
         "\n  sim_per_op: 0ms\n  sim_latency: 1ms..5ms\n  script_timeout: 10s\nmetrics:\n  listen: 127.0.0.1:0\n"
         "cache:\n  ttl: 60s\n  dir: " + cache_dir + "\n";
}

std::string inbox(Takt& t, int id) {
  auto r = t.tool(id, "get_inbox");
  EXPECT_TRUE(r.HasMember("result")) << json::dump(r);
  return r.HasMember("result") ? json::dump(r["result"]["structuredContent"]) : "";
}

void add_todo(Takt& t, int id, const std::string& title) {
  auto r = t.tool(id, "add_todo", R"({"title":")" + title + R"("})");
  ASSERT_TRUE(r.HasMember("result")) << json::dump(r);
  ASSERT_FALSE(r["result"]["isError"].GetBool()) << json::dump(r);
}

/// takt_cache_events_total{event=...} of a process, from a scrape.
long cache_events(Takt& t, const std::string& event) {
  const auto text = http_get(t.metrics_port(), "/metrics");
  std::smatch m;
  const std::regex re("takt_cache_events_total\\{event=\"" + event + "\"\\} ([0-9]+)");
  return std::regex_search(text, m, re) ? std::stol(m[1]) : -1;
}

/// The entry file of `key` in the one database directory under `cache_dir`.
std::string entry_file(const std::string& cache_dir, const std::string& key) {
  for (const auto& sub : fs::directory_iterator(cache_dir)) return (sub.path() / SharedCacheDir::file_name(key)).string();
  return "";
}

class SharedCache : public ::testing::Test {
 protected:
  TempDir shared, dir_a, dir_b;
  std::string cache_dir = shared.file("cache");
};

}  // namespace

TEST_F(SharedCache, AWriteInOneProcessIsSeenByTheNextReadInTheOther) {
  Takt a(dir_a, config(shared, cache_dir));
  a.handshake();
  Takt b(dir_b, config(shared, cache_dir));
  b.handshake();

  const auto before = inbox(a, 2);
  EXPECT_EQ(inbox(b, 2), before);  // b's first read: a's entry file
  EXPECT_EQ(cache_events(b, "shared_hit"), 1);
  EXPECT_EQ(inbox(b, 3), before);  // now from b's memory

  add_todo(a, 4, "Written by A");
  const auto after_a = inbox(b, 5);
  EXPECT_NE(after_a.find("Written by A"), std::string::npos) << after_a;

  add_todo(b, 6, "Written by B");  // and the other way round, with a's memory warm
  const auto after_b = inbox(a, 7);
  EXPECT_NE(after_b.find("Written by B"), std::string::npos) << after_b;
  EXPECT_NE(after_b.find("Written by A"), std::string::npos) << after_b;
  EXPECT_EQ(cache_events(a, "corrupt"), 0);
}

TEST_F(SharedCache, ATruncatedEntryFileIsACountedMiss) {
  Takt a(dir_a, config(shared, cache_dir));
  a.handshake();
  const auto expected = inbox(a, 2);
  const auto file = entry_file(cache_dir, "get_inbox:{}");
  ASSERT_TRUE(fs::exists(file));
  fs::resize_file(file, fs::file_size(file) / 2);  // as a crash of the machine mid-write might leave it

  Takt b(dir_b, config(shared, cache_dir));
  b.handshake();
  EXPECT_EQ(inbox(b, 2), expected);  // read from the database instead
  EXPECT_EQ(cache_events(b, "corrupt"), 1);
  EXPECT_EQ(cache_events(b, "shared_hit"), 0);
  // b stored its own answer in its place: a whole entry again.
  Takt c(dir_a, config(shared, cache_dir));
  c.handshake();
  EXPECT_EQ(inbox(c, 2), expected);
  EXPECT_EQ(cache_events(c, "shared_hit"), 1);
  EXPECT_EQ(cache_events(c, "corrupt"), 0);
}

TEST_F(SharedCache, ASymbolicLinkPlantedAsTheCacheDirectoryIsRefused) {
  const auto elsewhere = shared.file("elsewhere");
  fs::create_directory(elsewhere);
  ::chmod(elsewhere.c_str(), 0700);
  fs::create_directory_symlink(elsewhere, cache_dir);
  Takt a(dir_a, config(shared, cache_dir));
  a.handshake();
  EXPECT_FALSE(inbox(a, 2).empty());  // takt serves, caching for itself only
  EXPECT_FALSE(inbox(a, 3).empty());
  EXPECT_NE(a.process().stderr_text().find("shared cache refused: the cache directory " + cache_dir +
                                           " is a symbolic link or not a directory; refusing to follow it"),
            std::string::npos)
      << a.process().stderr_text();
  EXPECT_TRUE(fs::is_empty(elsewhere));
  EXPECT_EQ(cache_events(a, "shared_miss"), 0);
}
