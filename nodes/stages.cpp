// The stages built from the Services: each takes the parts it names in its Uses.
#include "nodes/stages.hpp"

#include "flow/services.hpp"

namespace takt {

ParseStage::ParseStage(Services& all) : s{all.edges, all.config, all.lane_metrics} {}
CacheLookupStage::CacheLookupStage(Services& all)
    : s{all.edges, all.config, all.cache, all.inflight, all.lane, all.lane_metrics} {}
DbReadStage::DbReadStage(Services& all)
    : s{all.edges, all.config, all.db, all.db_access, all.inflight, all.lane, all.lane_metrics} {}
CacheStoreStage::CacheStoreStage(Services& all) : s{all.edges, all.config, all.cache, all.inflight} {}
WritePriorityStage::WritePriorityStage(Services& all)
    : s{all.edges, all.config, all.leveling, all.inflight, all.lane, all.lane_metrics} {}
SerializeStage::SerializeStage(Services& all) : s{all.edges, all.lane_metrics} {}
EgressStage::EgressStage(Services& all) : s{all.edges, all.admission, all.lane_metrics} {}

}  // namespace takt
