#pragma once
/// The HTTP transport's ingress in takt: the one pipeline every session feeds.
/// Thread-safe (Pipeline::submit and try_submit are).

#include "pipeline/pipeline.hpp"
#include "transports/http/server.hpp"

namespace takt::http {

class PipelineIngress final : public Ingress {
 public:
  explicit PipelineIngress(Pipeline& p) : p_(p) {}
  Admit try_submit(const std::shared_ptr<Session>& session, std::string& line) override {
    switch (p_.try_submit(session, line)) {
      case Pipeline::Admit::Admitted: return Admit::Admitted;
      case Pipeline::Admit::Full: return Admit::Full;
      case Pipeline::Admit::Closed: break;
    }
    return Admit::Closed;
  }
  bool submit(const std::shared_ptr<Session>& session, std::string line) override {
    return p_.submit(session, std::move(line), false);
  }

 private:
  Pipeline& p_;
};

}  // namespace takt::http
