#include "things/script/ops.hpp"


namespace takt::things {
namespace {

const char* status_op(Status s) {
  return s == Status::Completed ? "complete" : s == Status::Canceled ? "cancel" : "reopen";
}

}  // namespace

std::string op_name(const Operation& op) {
  return std::visit(Overloaded{[](const AddTodo&) -> std::string { return "add_todo"; },
                               [](const UpdateTodo&) -> std::string { return "update_todo"; },
                               [](const AddProject&) -> std::string { return "add_project"; },
                               [](const UpdateProject&) -> std::string { return "update_project"; },
                               [](const AddHeading&) -> std::string { return "add_heading"; },
                               [](const SetStatus& s) -> std::string { return status_op(s.status); },
                               [](const SetTrashed& t) -> std::string { return t.trashed ? "trash" : "restore"; },
                               [](const CreateTag&) -> std::string { return "create_tag"; },
                               [](const CreateArea&) -> std::string { return "create_area"; },
                               [](const ReadOp&) -> std::string { return "read"; },
                               [](const Show&) -> std::string { return "show"; }},
                    op);
}

std::string trim_end(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

std::pair<std::string, std::string> split_read_back(const std::string& out, std::size_t op_count) {
  std::size_t at = 0;
  for (std::size_t n = 0; n < op_count; ++n) {
    const auto nl = out.find('\n', at);
    if (nl == std::string::npos) return {out, {}};
    at = nl + 1;
  }
  return {out.substr(0, at), out.substr(at)};
}

std::vector<OpResult> all_failed(std::size_t n, const std::string& why) {
  return std::vector<OpResult>(n, OpResult{false, {}, why, {}});
}

std::string describe_failure(const ScriptOutput& out) {
  if (!out.started) return "could not start the script: " + trim_end(out.err);
  if (out.timed_out) return "Things did not answer in time; the script was stopped";
  if (out.abandoned) return "the request was cancelled while its script ran; the script was stopped";
  auto err = trim_end(out.err);
  if (!err.empty()) return err;
  if (out.signal != 0) return "the script died of signal " + std::to_string(out.signal) + " (it crashed)";
  return "the script failed with exit code " + std::to_string(out.exit_code);
}

}  // namespace takt::things
