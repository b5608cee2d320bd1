#pragma once
// A test that needs a file it does not make (the real Things database of things.py's test
// suite, shared/fixtures/) skips with the reason when the file is missing, everywhere
// alike: `TAKT_NEEDS_FIXTURE(path);` at the top of the test or its SetUp.

#include <gtest/gtest.h>

#include <filesystem>

#define TAKT_NEEDS_FIXTURE(path)                                                                  \
  do {                                                                                            \
    if (!std::filesystem::exists(path))                                                           \
      GTEST_SKIP() << "fixture missing: " << (path) << " (the real Things database, shared/fixtures)"; \
  } while (0)
