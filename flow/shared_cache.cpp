#include "flow/shared_cache.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string_view>

namespace takt {
namespace {

namespace fs = std::filesystem;

constexpr char kMagic[8] = {'t', 'a', 'k', 't', 'c', 'a', 'c', '1'};
// magic, generation, expiry (ms since the epoch), key length, value length
constexpr std::size_t kHeader = 8 + 8 + 8 + 4 + 4;
constexpr std::size_t kChecksum = 8;
constexpr std::size_t kMaxValue = 64u << 20;  ///< larger results are not shared
constexpr std::size_t kMaxKey = 1u << 20;
constexpr auto kTempFileAge = std::chrono::seconds(60);  ///< older temporaries were left by a dead process

/// FNV-1a, 64 bits: names files by key and checks their content. Not cryptographic: the
/// directory is private, this only has to catch truncation and damage.
std::uint64_t fnv1a(std::string_view bytes, std::uint64_t h = 0xcbf29ce484222325ull) {
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return h;
}

std::string hex16(std::uint64_t v) {
  static const char digits[] = "0123456789abcdef";
  std::string s(16, '0');
  for (int i = 15; i >= 0; --i, v >>= 4) s[static_cast<std::size_t>(i)] = digits[v & 15];
  return s;
}

template <class T>
void put(std::string& out, T v) {
  out.append(reinterpret_cast<const char*>(&v), sizeof v);
}
template <class T>
T get(const std::string& in, std::size_t at) {
  T v;
  std::memcpy(&v, in.data() + at, sizeof v);
  return v;
}

std::string errno_text(int e) { return std::strerror(e); }

/// Refuses a directory that is not the user's own and private.
bool private_dir(int fd, const std::string& path, std::string& why) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    why = "cannot stat the cache directory " + path + ": " + errno_text(errno);
    return false;
  }
  if (st.st_uid != ::geteuid()) {
    why = "the cache directory " + path + " belongs to uid " + std::to_string(st.st_uid) + ", not to this user (uid " +
          std::to_string(::geteuid()) + ")";
    return false;
  }
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%03o", static_cast<unsigned>(st.st_mode & 0777));
    why = "the cache directory " + path + " has mode " + mode + "; it must be private (chmod 700 " + path + ")";
    return false;
  }
  return true;
}

/// Opens `name` inside `parent` (AT_FDCWD: a path), creating it 0700 if missing, without
/// following a symbolic link, and checks it is private. -1 with `why` set otherwise.
int open_private_dir(int parent, const std::string& name, const std::string& shown, std::string& why) {
  if (::mkdirat(parent, name.c_str(), 0700) != 0 && errno != EEXIST) {
    why = "cannot create the cache directory " + shown + ": " + errno_text(errno);
    return -1;
  }
  const int fd = ::openat(parent, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    const int e = errno;
    why = (e == ELOOP || e == ENOTDIR)
              ? "the cache directory " + shown + " is a symbolic link or not a directory; refusing to follow it"
              : "cannot open the cache directory " + shown + ": " + errno_text(e);
    return -1;
  }
  if (!private_dir(fd, shown, why)) {
    ::close(fd);
    return -1;
  }
  return fd;
}

/// Removes `name` if it is still the file `fd` has open (another process may have renamed
/// a fresh entry over it meanwhile; that one stays).
void remove_if_same(int dir_fd, const char* name, int fd) {
  struct stat open_st {}, now_st {};
  if (::fstat(fd, &open_st) != 0) return;
  if (::fstatat(dir_fd, name, &now_st, AT_SYMLINK_NOFOLLOW) != 0) return;
  if (open_st.st_dev == now_st.st_dev && open_st.st_ino == now_st.st_ino) ::unlinkat(dir_fd, name, 0);
}

bool read_all(int fd, std::string& out, std::size_t size) {
  out.resize(size);
  std::size_t got = 0;
  while (got < size) {
    const auto n = ::pread(fd, out.data() + got, size - got, static_cast<off_t>(got));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    got += static_cast<std::size_t>(n);
  }
  return true;
}

bool write_all(int fd, const std::string& data) {
  std::size_t done = 0;
  while (done < data.size()) {
    const auto n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

using Outcome = SharedCacheDir::Outcome;

/// Reads and checks the entry file `name`, removing it when stale or corrupt. With `key`
/// (a look-up) the whole file is read and checked, and a file for another key is a Miss;
/// without (a sweep) only its header and size are, which stays cheap for large entries.
Outcome examine(int dir_fd, const char* name, const std::string* key, std::uint64_t generation,
                SharedCacheDir::WallClock::time_point now, SharedCacheDir::Found* found) {
  const int fd = ::openat(dir_fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    if (errno != ELOOP) return Outcome::Miss;
    ::unlinkat(dir_fd, name, 0);  // a symbolic link planted in the cache: never followed, removed
    return Outcome::Corrupt;
  }
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  const auto corrupt = [&] {
    remove_if_same(dir_fd, name, fd);
    return Outcome::Corrupt;
  };
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != ::geteuid()) return corrupt();
  const auto size = static_cast<std::size_t>(st.st_size);
  if (size < kHeader + kChecksum || size > kHeader + kMaxKey + kMaxValue + kChecksum) return corrupt();
  std::string bytes;
  if (!read_all(fd, bytes, key ? size : kHeader)) return corrupt();
  if (std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0) return corrupt();
  const auto gen = get<std::uint64_t>(bytes, 8);
  const auto expires_ms = get<std::int64_t>(bytes, 16);
  const auto key_len = get<std::uint32_t>(bytes, 24);
  const auto value_len = get<std::uint32_t>(bytes, 28);
  if (kHeader + std::size_t{key_len} + value_len + kChecksum != size) return corrupt();
  if (key && fnv1a(std::string_view(bytes.data(), size - kChecksum)) != get<std::uint64_t>(bytes, size - kChecksum))
    return corrupt();
  // An expiry no clock can reach is damage, not data (and would overflow the time point).
  constexpr auto kMaxExpiresMs =
      std::chrono::duration_cast<std::chrono::milliseconds>(SharedCacheDir::WallClock::duration::max()).count() / 2;
  if (expires_ms < 0 || expires_ms > kMaxExpiresMs) return corrupt();
  if (key && std::string_view(bytes.data() + kHeader, key_len) != *key) return Outcome::Miss;  // a hash collision
  const auto expires = SharedCacheDir::WallClock::time_point(std::chrono::milliseconds(expires_ms));
  if (gen < generation || expires <= now) {
    remove_if_same(dir_fd, name, fd);
    return Outcome::Stale;
  }
  if (gen > generation) return Outcome::Miss;  // filled after a write this reader has not seen yet
  if (found) {
    found->value.assign(bytes.data() + kHeader + key_len, value_len);
    found->expires = expires;
  }
  return Outcome::Hit;
}

bool is_entry_name(std::string_view n) {
  return n.size() == 16 && n.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

}  // namespace

std::string SharedCacheDir::file_name(const std::string& key) { return hex16(fnv1a(key)); }

std::unique_ptr<SharedCacheDir> SharedCacheDir::open(const std::string& root_in, const std::string& database,
                                                     std::string& why) {
  std::string root = root_in;
  // "dir/" would make open() follow a symbolic link despite O_NOFOLLOW.
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  if (root.empty()) {
    why = "no cache directory: set cache.dir, or HOME or XDG_CACHE_HOME";
    return nullptr;
  }
  std::error_code ec;
  const auto parent = fs::path(root).parent_path();
  if (!parent.empty()) fs::create_directories(parent, ec);  // ~/.cache and such: ordinary directories
  const int top = open_private_dir(AT_FDCWD, root, root, why);
  if (top < 0) return nullptr;
  // One subdirectory per Things database: processes on another database share nothing.
  const auto db_path = fs::weakly_canonical(fs::absolute(database, ec), ec).string();
  const auto sub = hex16(fnv1a(db_path.empty() ? database : db_path));
  const auto path = root + "/" + sub;
  const int dir = open_private_dir(top, sub, path, why);
  ::close(top);
  if (dir < 0) return nullptr;

  const int g = ::openat(dir, "generation", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
  struct stat st {};
  void* map = MAP_FAILED;
  if (g < 0) {
    why = "cannot open " + path + "/generation: " + errno_text(errno);
  } else if (::fstat(g, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != ::geteuid()) {
    why = path + "/generation is not a regular file of this user";
  } else if (st.st_size < 8 && ::ftruncate(g, 8) != 0) {  // zero-filled: generation 0
    why = "cannot size " + path + "/generation: " + errno_text(errno);
  } else {
    map = ::mmap(nullptr, 8, PROT_READ | PROT_WRITE, MAP_SHARED, g, 0);
    if (map == MAP_FAILED) why = "cannot map " + path + "/generation: " + errno_text(errno);
  }
  if (g >= 0) ::close(g);
  if (map == MAP_FAILED) {
    ::close(dir);
    return nullptr;
  }
  static_assert(std::atomic_ref<std::uint64_t>::required_alignment <= 8);
  static_assert(std::atomic<std::uint64_t>::is_always_lock_free, "the generation word is shared between processes");
  return std::unique_ptr<SharedCacheDir>(new SharedCacheDir(dir, static_cast<std::uint64_t*>(map), path));
}

SharedCacheDir::SharedCacheDir(int dir_fd, std::uint64_t* generation, std::string path)
    : dir_fd_(dir_fd), generation_(generation), path_(std::move(path)) {}

SharedCacheDir::~SharedCacheDir() {
  ::munmap(generation_, 8);
  ::close(dir_fd_);
}

std::optional<SharedCacheDir::Found> SharedCacheDir::read(const std::string& key, std::uint64_t generation,
                                                          WallClock::time_point now, Outcome& outcome) const {
  Found found;
  outcome = examine(dir_fd_, file_name(key).c_str(), &key, generation, now, &found);
  if (outcome != Outcome::Hit) return std::nullopt;
  return found;
}

bool SharedCacheDir::write(const std::string& key, const std::string& value, std::uint64_t generation,
                           WallClock::time_point expires) const {
  if (value.size() > kMaxValue || key.size() > kMaxKey) return false;
  std::string bytes;
  bytes.reserve(kHeader + key.size() + value.size() + kChecksum);
  bytes.append(kMagic, sizeof kMagic);
  put<std::uint64_t>(bytes, generation);
  put<std::int64_t>(bytes, std::chrono::duration_cast<std::chrono::milliseconds>(expires.time_since_epoch()).count());
  put<std::uint32_t>(bytes, static_cast<std::uint32_t>(key.size()));
  put<std::uint32_t>(bytes, static_cast<std::uint32_t>(value.size()));
  bytes += key;
  bytes += value;
  put<std::uint64_t>(bytes, fnv1a(bytes));

  static std::atomic<std::uint64_t> counter{0};
  const auto tmp = ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter.fetch_add(1));
  const int fd = ::openat(dir_fd_, tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return false;
  const bool written = write_all(fd, bytes);
  ::close(fd);
  // No fsync: a killed process loses nothing the kernel has; a machine crash may leave a
  // short file, which the checksum catches.
  // Removed first: ext4 flushes a file renamed over another (auto_da_alloc), which made a
  // store cost half a millisecond; a reader in between just misses.
  const auto name = file_name(key);
  if (written) ::unlinkat(dir_fd_, name.c_str(), 0);
  if (written && ::renameat(dir_fd_, tmp.c_str(), dir_fd_, name.c_str()) == 0) return true;
  ::unlinkat(dir_fd_, tmp.c_str(), 0);
  return false;
}

std::size_t SharedCacheDir::sweep(std::uint64_t generation, WallClock::time_point now) const {
  const int fd = ::openat(dir_fd_, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return 0;
  DIR* d = ::fdopendir(fd);
  if (!d) {
    ::close(fd);
    return 0;
  }
  std::size_t corrupt = 0;
  while (const dirent* e = ::readdir(d)) {
    const std::string_view name(e->d_name);
    if (name.starts_with(".tmp.")) {
      struct stat st {};
      if (::fstatat(dir_fd_, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
          WallClock::from_time_t(st.st_mtime) + kTempFileAge < now)
        ::unlinkat(dir_fd_, e->d_name, 0);
    } else if (is_entry_name(name)) {
      if (examine(dir_fd_, e->d_name, nullptr, generation, now, nullptr) == Outcome::Corrupt) ++corrupt;
    }
  }
  ::closedir(d);
  return corrupt;
}

}  // namespace takt
