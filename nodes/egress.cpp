#include <utility>

#include "nodes/stages.hpp"

namespace takt {

void EgressStage::operator()(const JobPtr& job) const {
  s.edges.enter(*job, Stage::Egress);
  if (job->tracked) job->session->untrack(job->msg->id, &job->cancelled);
  // The admission slot is freed once the reply has left the process, not when it is
  // queued: a client that stops reading holds back new work instead of growing a queue.
  auto* slot = std::exchange(job->slot, nullptr);
  auto* gauge = slot == &s.admission ? s.lane_metrics.in_flight : nullptr;
  auto release = [slot, gauge] {
    if (gauge) gauge->Decrement();
    if (slot) slot->release();
  };
  if (job->wire.empty()) release();
  else job->session->send(std::move(job->wire), release);
}

}  // namespace takt
