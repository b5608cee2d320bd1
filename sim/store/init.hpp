// Creating a things-sim database and its bookkeeping (internal to takt_sim_core).
#pragma once

#include <string>

#include "database.hpp"
#include "dates.hpp"

namespace takt::sim {

// Things' plist encoding of Meta values: <?xml ...?><!DOCTYPE plist ...><plist version="1.0">
// VALUE</plist>, byte for byte as Things writes it (e.g. VALUE = "<integer>24</integer>").
std::string plist_document(const std::string& value_xml);

// Adds the TaktSim table (and its counters) to a database that lacks it, e.g. a copy of a
// real Things database someone pointed things-sim at.
void ensure_bookkeeping(Database& db);

// +1 on a TaktSim counter ("calls", "overlaps", "failures"), committed at once.
void bump_counter(Database& db, const char* key);

// A TaktSim flag kept between calls (not shown by --stats): set() raises it, take()
// lowers it and says whether it was raised. Each commits at once.
void set_flag(Database& db, const char* key);
bool take_flag(Database& db, const char* key);

// Seeds believable demo data relative to today (see seed.cpp).
void seed_demo_data(Database& db, const Clock& clock);

}  // namespace takt::sim
