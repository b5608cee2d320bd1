// A heavy Things database of a chosen size, for read benchmarks and scale tests
// (`things-sim --generate N --db PATH [--seed S] [--today YYYY-MM-DD]`). Internal to
// takt_sim_core.
#pragma once

#include <cstdint>
#include <string>

#include "dates.hpp"

namespace takt::sim {

// What to generate. Plain value.
struct GenerateSpec {
  std::int64_t items = 5000;  // TMTask rows (to-dos, projects, headings, templates), about
  std::uint64_t seed = 1;
  Date today{};               // the day the data is relative to
};

// The shape of a heavy user's database, scaled to `items` (figures for 50,000):
//   about 63 areas and 100 tags; 6% projects (3,000; about a fifth open), a third of them
//   with 1-3 headings; 0.1% repeating templates (weekly or monthly, some after completion,
//   some paused), each with completed instances over the last months and one open one;
//   about 70% of all items in the logbook (completed or canceled over five years), 3% in
//   the Trash (with a trashed project and its to-dos), and a few thousand open to-dos
//   spread over Inbox, Today (some This Evening), Upcoming, Anytime and Someday, most in a
//   project or area. A tenth of the open items have a deadline (some overdue), some a
//   reminder; a quarter of all items carry 1-3 tags, a tenth of the to-dos a checklist.
//   Things' index has ties (like a real database after syncs), so order tie-breaks matter.
// Deterministic: the same spec writes the same rows (ids included) in the same order.
// Refuses (std::runtime_error) when `path` exists; builds under a temporary name and moves
// it into place, so `path` is either absent or complete.
void generate_database(const std::string& path, const GenerateSpec& spec);

}  // namespace takt::sim
