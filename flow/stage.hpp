#pragma once
/// The stages of takt's request graph, by name. Edges are counted per (from, to) pair.

#include <cstddef>

namespace takt {

enum class Stage : unsigned char {
  Ingress,        ///< the transport hands a line to the graph
  Parse,          ///< JSON-RPC framing and validation
  Classify,       ///< method look-up, lifecycle, argument validation, lane choice
  CacheLookup,    ///< answered from the cache, or routed to a lane
  Fast,           ///< in-process answers: protocol methods, status tools
  DbRead,         ///< reads of the Things database (several at a time)
  WritePriority,  ///< the ordered queue in front of the AppleScript lane
  AppleScript,    ///< exactly one script at a time
  CacheStore,     ///< fresh read results enter the cache
  Serialize,      ///< the reply as wire text
  Egress,         ///< handed back to the transport
  Count_
};

inline constexpr std::size_t kStageCount = static_cast<std::size_t>(Stage::Count_);

constexpr const char* stage_name(Stage s) {
  constexpr const char* names[] = {"ingress",       "parse",       "classify",    "cache_lookup",
                                   "fast",          "db_read",     "write_priority", "applescript",
                                   "cache_store",   "serialize",   "egress"};
  return names[static_cast<std::size_t>(s)];
}

}  // namespace takt
