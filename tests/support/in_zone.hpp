#pragma once
// Test support: run a piece of a test under another local time zone (TZ), restoring the
// previous one afterwards; takt's "today" is the local date.

#include <cstdlib>
#include <ctime>
#include <string>

namespace takt::test {

/// Sets TZ for a scope and restores it.
class InZone {
 public:
  explicit InZone(const char* tz) {
    if (const char* old = std::getenv("TZ")) old_ = old;
    setenv("TZ", tz, 1);
    tzset();
  }
  ~InZone() {
    if (old_.empty()) unsetenv("TZ");
    else setenv("TZ", old_.c_str(), 1);
    tzset();
  }
  InZone(const InZone&) = delete;
  InZone& operator=(const InZone&) = delete;

 private:
  std::string old_;
};

}  // namespace takt::test
