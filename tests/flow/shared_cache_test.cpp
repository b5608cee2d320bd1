// The cache shared by takt processes (flow/shared_cache.*, the second level of
// ResponseCache). Two ResponseCaches on one directory stand for two processes: they map
// the same generation file and read each other's entry files, as two processes do. The
// real two-process test is in tests/system/shared_cache_processes_test.cpp.

#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "base/config.hpp"
#include "flow/cache.hpp"

using namespace takt;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

class TempRoot {
 public:
  TempRoot() {
    char tmpl[] = "/tmp/takt-shared-cache-XXXXXX";
    path_ = ::mkdtemp(tmpl);
  }
  ~TempRoot() { fs::remove_all(path_); }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

struct Counts {
  std::array<int, 4> by_event{};
  ResponseCache::Events hook() {
    return [this](CacheEvent e) { ++by_event[static_cast<std::size_t>(e)]; };
  }
  int operator[](CacheEvent e) const { return by_event[static_cast<std::size_t>(e)]; }
};

std::unique_ptr<SharedCacheDir> open_dir(const std::string& root, const std::string& db = "/db/main.sqlite") {
  std::string why;
  auto d = SharedCacheDir::open(root, db, why);
  EXPECT_TRUE(d) << why;
  return d;
}

std::string refusal(const std::string& root) {
  std::string why;
  auto d = SharedCacheDir::open(root, "/db/main.sqlite", why);
  EXPECT_FALSE(d) << "opened " << root;
  return why;
}

std::string entry_path(const ResponseCache& c, const std::string& key) {
  return c.shared()->path() + "/" + SharedCacheDir::file_name(key);
}

const auto kNow = ResponseCache::Clock::now();

}  // namespace

TEST(SharedCache, AnEntryStoredByOneProcessIsAHitInAnother) {
  TempRoot root;
  Counts ca, cb;
  ResponseCache a(10, open_dir(root / "cache"), ca.hook());
  ResponseCache b(10, open_dir(root / "cache"), cb.hook());
  a.store("get_inbox:{}", "inbox", 10s, a.generation(), kNow);
  EXPECT_EQ(b.lookup("get_inbox:{}", kNow), "inbox");
  EXPECT_EQ(cb[CacheEvent::SharedHit], 1);
  // Now in b's memory: the next hit does not read the file (it is gone, still a hit).
  fs::remove(entry_path(b, "get_inbox:{}"));
  EXPECT_EQ(b.lookup("get_inbox:{}", kNow), "inbox");
  EXPECT_EQ(cb[CacheEvent::SharedHit], 1);
  EXPECT_FALSE(b.lookup("get_today:{}", kNow));
  EXPECT_EQ(cb[CacheEvent::SharedMiss], 1);
}

TEST(SharedCache, AWriteInOneProcessMakesEveryOtherProcessesEntriesStale) {
  TempRoot root;
  ResponseCache a(10, open_dir(root / "cache"));
  ResponseCache b(10, open_dir(root / "cache"));
  b.store("get_inbox:{}", "before", 10s, b.generation(), kNow);
  const auto read_started = b.generation();
  EXPECT_EQ(b.lookup("get_inbox:{}", kNow), "before");
  a.invalidate();  // a write in the other process
  EXPECT_NE(b.generation(), read_started);
  EXPECT_FALSE(b.lookup("get_inbox:{}", kNow, b.generation()));  // memory entry: stale
  // A read b began before the write does not store its answer, in memory or on disk.
  b.store("get_inbox:{}", "stale", 10s, read_started, kNow);
  EXPECT_FALSE(b.lookup("get_inbox:{}", kNow));
  EXPECT_FALSE(a.lookup("get_inbox:{}", kNow));
  b.store("get_inbox:{}", "after", 10s, b.generation(), kNow);
  EXPECT_EQ(a.lookup("get_inbox:{}", kNow), "after");
}

TEST(SharedCache, TheGenerationSurvivesTheProcessesAndIsPerDatabase) {
  TempRoot root;
  std::uint64_t g;
  {
    ResponseCache a(10, open_dir(root / "cache"));
    a.invalidate();
    a.invalidate();
    g = a.generation();
  }
  ResponseCache again(10, open_dir(root / "cache"));
  EXPECT_EQ(again.generation(), g);
  ResponseCache other_db(10, open_dir(root / "cache", "/db/other.sqlite"));
  EXPECT_EQ(other_db.generation(), 0u);
  again.store("k", "v", 10s, again.generation(), kNow);
  EXPECT_FALSE(other_db.lookup("k", kNow));
}

TEST(SharedCache, ATruncatedOrCorruptEntryIsACountedMissAndRemoved) {
  TempRoot root;
  Counts cb;
  ResponseCache a(10, open_dir(root / "cache"));
  ResponseCache b(10, open_dir(root / "cache"), cb.hook());
  const auto file = entry_path(a, "k");

  a.store("k", std::string(1000, 'v'), 10s, a.generation(), kNow);
  fs::resize_file(file, fs::file_size(file) - 1);  // truncated
  EXPECT_FALSE(b.lookup("k", kNow));
  EXPECT_EQ(cb[CacheEvent::Corrupt], 1);
  EXPECT_FALSE(fs::exists(file));

  a.store("k", std::string(1000, 'v'), 10s, a.generation(), kNow);
  {
    std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(600);
    f.put('X');  // one byte of the value changed: the checksum catches it
  }
  EXPECT_FALSE(b.lookup("k", kNow));
  EXPECT_EQ(cb[CacheEvent::Corrupt], 2);
  EXPECT_FALSE(fs::exists(file));

  std::ofstream(file) << "not an entry";
  EXPECT_FALSE(b.lookup("k", kNow));
  EXPECT_EQ(cb[CacheEvent::Corrupt], 3);
  std::ofstream(file).close();  // empty
  EXPECT_FALSE(b.lookup("k", kNow));
  EXPECT_EQ(cb[CacheEvent::Corrupt], 4);
  EXPECT_EQ(cb[CacheEvent::SharedHit], 0);
}

TEST(SharedCache, ExpiredEntriesAreMissesAndRemoved) {
  TempRoot root;
  Counts cb;
  ResponseCache a(10, open_dir(root / "cache"));
  ResponseCache b(10, open_dir(root / "cache"), cb.hook());
  a.store("k", "v", 1ms, a.generation(), kNow);
  std::this_thread::sleep_for(5ms);
  EXPECT_FALSE(b.lookup("k", ResponseCache::Clock::now()));
  EXPECT_FALSE(fs::exists(entry_path(a, "k")));
  EXPECT_EQ(cb[CacheEvent::Corrupt], 0);
}

TEST(SharedCache, EntriesOfAnOlderGenerationAndLeftoversAreSweptAtStart) {
  TempRoot root;
  std::string dir;
  {
    ResponseCache a(10, open_dir(root / "cache"));
    dir = a.shared()->path();
    a.store("old", "v", 10s, a.generation(), kNow);
    a.invalidate();
    a.store("new", "v", 10s, a.generation(), kNow);
    std::ofstream(dir + "/" + SharedCacheDir::file_name("broken")) << "x";
    std::ofstream(dir + "/.tmp.1.1") << "a process died mid-write";
    std::ofstream(dir + "/.tmp.2.2") << "a process writing now";
    const timespec old[2] = {{0, 0}, {0, 0}};  // 1970: long dead
    ASSERT_EQ(::utimensat(AT_FDCWD, (dir + "/.tmp.1.1").c_str(), old, 0), 0);
  }
  Counts c;
  ResponseCache b(10, open_dir(root / "cache"), c.hook());
  EXPECT_EQ(c[CacheEvent::Corrupt], 1);
  EXPECT_FALSE(fs::exists(dir + "/" + SharedCacheDir::file_name("old")));
  EXPECT_FALSE(fs::exists(dir + "/" + SharedCacheDir::file_name("broken")));
  EXPECT_FALSE(fs::exists(dir + "/.tmp.1.1"));
  EXPECT_TRUE(fs::exists(dir + "/.tmp.2.2"));
  EXPECT_EQ(b.lookup("new", kNow), "v");
}

TEST(SharedCache, ASymbolicLinkPlantedAsTheDirectoryIsRefused) {
  TempRoot root;
  fs::create_directory(root / "elsewhere");
  ::chmod((root / "elsewhere").c_str(), 0700);
  fs::create_directory_symlink(root / "elsewhere", root / "cache");
  EXPECT_NE(refusal(root / "cache").find("is a symbolic link or not a directory; refusing to follow it"),
            std::string::npos);
  // A trailing slash would make open() follow the link: still refused.
  EXPECT_NE(refusal(root / "cache/").find("symbolic link"), std::string::npos);
  EXPECT_TRUE(fs::is_empty(root / "elsewhere"));
  // A link planted as the database's subdirectory is refused the same way.
  fs::create_directory(root / "real");
  ::chmod((root / "real").c_str(), 0700);
  std::string sub;
  {
    auto d = open_dir(root / "real");
    sub = d->path();
  }
  fs::remove_all(sub);
  fs::create_directory_symlink(root / "elsewhere", sub);
  EXPECT_NE(refusal(root / "real").find("symbolic link"), std::string::npos);
  EXPECT_TRUE(fs::is_empty(root / "elsewhere"));
}

TEST(SharedCache, ADirectoryOthersCanReadIsRefused) {
  TempRoot root;
  fs::create_directory(root / "cache");
  ::chmod((root / "cache").c_str(), 0755);
  EXPECT_NE(refusal(root / "cache").find("has mode 755; it must be private (chmod 700 "), std::string::npos);
  ::chmod((root / "cache").c_str(), 0700);
  EXPECT_TRUE(open_dir(root / "cache"));
  // Created by takt: private.
  struct stat st {};
  ASSERT_EQ(::stat((root / "new").c_str(), &st), -1);
  open_dir(root / "new");
  ASSERT_EQ(::stat((root / "new").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
}

TEST(SharedCache, ASymbolicLinkPlantedAsAnEntryIsNeverFollowed) {
  TempRoot root;
  Counts c;
  ResponseCache a(10, open_dir(root / "cache"), c.hook());
  std::ofstream(root / "secret") << "not for the cache";
  const auto file = entry_path(a, "k");
  fs::create_symlink(root / "secret", file);
  EXPECT_FALSE(a.lookup("k", kNow));
  EXPECT_EQ(c[CacheEvent::Corrupt], 1);
  EXPECT_FALSE(fs::is_symlink(file));
  // Writing an entry replaces a planted link; it does not write through it.
  fs::create_symlink(root / "secret", file);
  a.store("k", "v", 10s, a.generation(), kNow);
  EXPECT_FALSE(fs::is_symlink(file));
  std::ifstream secret(root / "secret");
  std::string text;
  std::getline(secret, text);
  EXPECT_EQ(text, "not for the cache");
}

TEST(SharedCache, TheConfigTurnsItOffOrPointsItElsewhere) {
  TempRoot root;
  CacheConfig cfg;
  cfg.dir = root / "configured";
  auto d = open_shared_cache(cfg, "/db/main.sqlite");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->path().rfind(root / "configured/", 0), 0u);
  cfg.shared = false;
  EXPECT_FALSE(open_shared_cache(cfg, "/db/main.sqlite"));
  EXPECT_TRUE(Config{}.cache.shared);
}

TEST(SharedCache, ConcurrentReadersWritersAndInvalidationsInTwoCaches) {
  TempRoot root;
  ResponseCache a(64, open_dir(root / "cache"));
  ResponseCache b(64, open_dir(root / "cache"));
  std::atomic<bool> stop{false};
  std::atomic<int> wrong{0};
  auto reader = [&](ResponseCache& c, int seed) {
    for (int i = 0; !stop.load(); ++i) {
      const auto key = "k" + std::to_string((i + seed) % 16);
      const auto g = c.generation();
      if (auto v = c.lookup(key, ResponseCache::Clock::now(), g)) {
        // A value is the key and the generation it was stored at: never another's.
        if (*v != key + "@" + std::to_string(g)) ++wrong;
      } else {
        c.store(key, key + "@" + std::to_string(g), 10s, g, ResponseCache::Clock::now());
      }
    }
  };
  std::thread t1(reader, std::ref(a), 0), t2(reader, std::ref(b), 7), t3(reader, std::ref(b), 3);
  for (int i = 0; i < 50; ++i) {
    std::this_thread::sleep_for(1ms);
    (i % 2 ? a : b).invalidate();
  }
  stop = true;
  t1.join();
  t2.join();
  t3.join();
  EXPECT_EQ(wrong.load(), 0);
}
