#include "nodes/followers.hpp"
#include "nodes/stages.hpp"
#include "things/catalog/catalog.hpp"
#include "things/catalog/resources.hpp"

namespace takt {

namespace {
std::chrono::milliseconds ttl_for(const Config& config, const Job& job) {
  const auto& tool = job.protocol_read ? job.protocol_read->ttl_tool : job.tool->name;
  auto it = config.cache.tool_ttl.find(tool);
  return it == config.cache.tool_ttl.end() ? config.cache.ttl : it->second;
}
}  // namespace

std::vector<JobPtr> CacheStoreStage::operator()(JobPtr job) const {
  s.edges.enter(*job, Stage::CacheStore);
  std::vector<JobPtr> out;
  if (s.config.cache.enabled && !job->cache_key.empty() && job->result && !job->tool_failed && !job->error) {
    s.cache.store(job->cache_key, job->result, ttl_for(s.config, *job), job->cache_generation, Clock::now());
  }
  release_followers(s.inflight, *job, out);
  out.insert(out.begin(), std::move(job));
  return out;
}

}  // namespace takt
