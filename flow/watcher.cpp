#include "flow/watcher.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <set>

#include "base/json.hpp"
#include "flow/cache.hpp"
#include "mcp/jsonrpc.hpp"
#include "things/catalog/resources.hpp"

namespace takt {
namespace {

/// What a resource holds now, hashed; a resource that is gone (deleted item) hashes as "".
std::size_t content_hash(const std::string& uri, things::ThingsDb& db) {
  try {
    return std::hash<std::string>{}(things::resource_content(uri, db));
  } catch (const things::NotFound&) {
    return std::hash<std::string>{}(std::string());
  }
}

}  // namespace

ChangeWatcher::ChangeWatcher(things::ThingsDb& db, ResponseCache& cache, Millis interval)
    : db_(db), cache_(cache), interval_(interval), probe_(db.path()) {
  // The first look, before any client can subscribe: every change after it is seen (one
  // taken on the thread's first round could swallow a change made meanwhile).
  (void)probe_.changed();
  // spdlog makes its registry on first use, inside its own library, where ThreadSanitizer
  // cannot see the guard that makes it once: made here, before the thread that logs from its
  // first moment, it plainly comes before every line the watcher logs.
  (void)spdlog::default_logger_raw();
  thread_ = std::thread([this] { run(); });
}

ChangeWatcher::~ChangeWatcher() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void ChangeWatcher::watch(const std::shared_ptr<Session>& session, const std::string& uri, const std::string& content) {
  std::lock_guard lock(mu_);
  // A resource others watch keeps its hash: that is what they were last told of.
  hashes_.try_emplace(uri, std::hash<std::string>{}(content));
  const bool known = std::any_of(sessions_.begin(), sessions_.end(),
                                 [&](const std::weak_ptr<Session>& w) { return w.lock() == session; });
  if (!known) sessions_.push_back(session);
}

void ChangeWatcher::refresh_index() {
  try {
    const auto t0 = std::chrono::steady_clock::now();
    const int rebuilt = db_.refresh_index();
    if (rebuilt > 0)
      spdlog::debug("rebuilt takt's index of the tasks on {} connection(s) in {:.0f} ms", rebuilt,
                    std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  } catch (const std::exception& e) {
    spdlog::debug("indexing the Things database ahead of the reads: {}", e.what());
  }
}

void ChangeWatcher::run() {
  refresh_index();  // before the first read asks for it
  std::unique_lock lock(mu_);
  while (!stop_) {
    cv_.wait_for(lock, interval_, [this] { return stop_; });
    if (stop_) break;
    lock.unlock();
    bool changed = false;
    try {
      changed = probe_.changed();
    } catch (const std::exception& e) {
      spdlog::warn("watching the Things database: {}", e.what());
    }
    if (changed) on_change();
    lock.lock();
  }
}

void ChangeWatcher::on_change() {
  changes_.fetch_add(1, std::memory_order_relaxed);
  // First: no cached read may outlive the change.
  cache_.invalidate();
  // Who wants what, from the sessions still alive (their subscriptions are theirs).
  std::vector<std::shared_ptr<Session>> live;
  std::set<std::string> wanted;
  {
    std::lock_guard lock(mu_);
    std::erase_if(sessions_, [&](const std::weak_ptr<Session>& w) {
      auto s = w.lock();
      if (!s) return true;
      auto uris = s->subscriptions();
      if (uris.empty()) return true;
      wanted.insert(uris.begin(), uris.end());
      live.push_back(std::move(s));
      return false;
    });
    std::erase_if(hashes_, [&](const auto& kv) { return !wanted.count(kv.first); });
  }
  for (const auto& uri : wanted) {
    std::size_t now = 0;
    try {
      now = content_hash(uri, db_);
    } catch (const std::exception& e) {
      spdlog::warn("re-reading {} after a change of the database: {}", uri, e.what());
      continue;
    }
    {
      std::lock_guard lock(mu_);
      auto it = hashes_.find(uri);
      if (it == hashes_.end()) {  // subscribed while this change landed: it is the starting point
        hashes_.emplace(uri, now);
        continue;
      }
      if (it->second == now) continue;
      it->second = now;
    }
    const auto note = mcp::make_notification("notifications/resources/updated", R"({"uri":)" + json::quote(uri) + "}");
    for (const auto& s : live)
      if (s->subscribed(uri)) {
        s->send(note);
        notifications_.fetch_add(1, std::memory_order_relaxed);
      }
  }
  // Last: the lists' index follows the change now, not when the next read asks for it.
  refresh_index();
}

}  // namespace takt
