#include "flow/progress.hpp"

#include "base/json.hpp"

namespace takt {

void send_progress(Job& job, double progress, std::optional<double> total, const std::string& message) {
  if (job.progress_token.empty() || job.cancelled.load(std::memory_order_acquire)) return;
  if (progress <= job.progress_sent) return;  // progress only ever increases
  job.progress_sent = progress;
  rapidjson::StringBuffer sb;
  json::Writer w(sb);
  w.StartObject();
  w.Key("progressToken");
  w.RawValue(job.progress_token.c_str(), job.progress_token.size(), rapidjson::kStringType);
  w.Key("progress");
  w.Double(progress);
  if (total) {
    w.Key("total");
    w.Double(*total);
  }
  w.Key("message");
  w.String(message.c_str(), static_cast<rapidjson::SizeType>(message.size()));
  w.EndObject();
  job.session->send(mcp::make_notification("notifications/progress", {sb.GetString(), sb.GetSize()}));
}

}  // namespace takt
