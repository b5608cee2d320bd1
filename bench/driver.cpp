#include "bench/driver.hpp"

#include <poll.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <ctime>
#include <stdexcept>

#include "bench/wire.hpp"

namespace bench {
namespace {

constexpr std::size_t kOutCapacity = 64 * 1024;  // requests rendered ahead of the pipe (a pipe holds 64 KiB)
constexpr std::size_t kInCapacity = 1024 * 1024;  // grows only for a longer line
constexpr Nanos kRssEvery = 50'000'000;
constexpr uint64_t kUnlimitedInFlight = 65536;  // "no limit of ours": far above any server's window

double cpu_self() {
  rusage ru{};
  ::getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

std::vector<std::string> split_holes(std::string_view text) {
  std::vector<std::string> parts;
  std::string cur;
  std::size_t pos = 0;
  while (true) {
    const auto at = text.find("{{id}}", pos);
    cur.append(text.substr(pos, at == std::string_view::npos ? std::string_view::npos : at - pos));
    if (at == std::string_view::npos) break;
    parts.push_back(std::move(cur));
    cur.clear();
    pos = at + 6;
  }
  parts.push_back(std::move(cur));
  return parts;
}

// A message is one line: white space that would break it is turned into spaces.
std::string one_line(std::string_view json) {
  std::string s(json);
  for (auto& c : s)
    if (c == '\n' || c == '\r') c = ' ';
  return s;
}

RequestKind make_kind(std::string label, std::string_view method, std::string_view params) {
  RequestKind k;
  k.label = std::move(label);
  std::string tail = ",\"method\":\"" + std::string(method) + "\"";
  if (!params.empty()) tail += ",\"params\":" + one_line(params);
  tail += "}\n";
  auto holes = split_holes(tail);
  k.parts.push_back("{\"jsonrpc\":\"2.0\",\"id\":");
  for (auto& p : holes) k.parts.push_back(std::move(p));
  return k;
}

inline std::size_t render(const RequestKind& k, int64_t id, char* dst) {
  char digits[24];
  const auto r = std::to_chars(digits, digits + sizeof digits, id);
  const auto dn = static_cast<std::size_t>(r.ptr - digits);
  char* p = dst;
  const std::size_t n = k.parts.size();
  for (std::size_t i = 0; i < n; ++i) {
    std::memcpy(p, k.parts[i].data(), k.parts[i].size());
    p += k.parts[i].size();
    if (i + 1 < n) {
      std::memcpy(p, digits, dn);
      p += dn;
    }
  }
  return static_cast<std::size_t>(p - dst);
}

// Smooth weighted round-robin: weights 3,1 give a a b a, not a a a b.
std::vector<uint32_t> interleave(const std::vector<std::pair<RequestKind, unsigned>>& mix) {
  uint64_t total = 0;
  for (const auto& m : mix) total += m.second;
  std::vector<uint32_t> order;
  std::vector<int64_t> current(mix.size(), 0);
  for (uint64_t n = 0; n < total; ++n) {
    std::size_t best = 0;
    for (std::size_t i = 0; i < mix.size(); ++i) {
      current[i] += mix[i].second;
      if (current[i] > current[best]) best = i;
    }
    current[best] -= static_cast<int64_t>(total);
    order.push_back(static_cast<uint32_t>(best));
  }
  return order;
}

struct Slot {
  int64_t id = -1;
  Nanos sent = 0;
  uint32_t stream = 0;
  bool warm = false;
  bool live = false;
};

}  // namespace

Nanos now_ns() {
  timespec ts;
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<Nanos>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

std::size_t RequestKind::max_size() const {
  std::size_t n = 0;
  for (const auto& p : parts) n += p.size() + 20;
  return n;
}

RequestKind make_call(std::string_view params) {
  const auto name = wire::unquote(wire::member(params.data(), params.data() + params.size(), "name"));
  return make_kind("tools/call " + std::string(name), "tools/call", params);
}

RequestKind make_method(std::string_view method, std::string_view params) {
  return make_kind(std::string(method), method, params);
}

Driver::Driver(Server& server) : server_(server), in_(kInCapacity) {}

void Driver::write_all_blocking(const std::string& text, Nanos deadline) {
  std::size_t off = 0;
  while (off < text.size()) {
    const ssize_t n = ::write(server_.in_fd(), text.data() + off, text.size() - off);
    if (n > 0) {
      off += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno != EAGAIN && errno != EINTR)
      throw std::runtime_error(std::string("writing to the server: ") + std::strerror(errno) + "\n" +
                               server_.stderr_tail());
    if (now_ns() > deadline) throw std::runtime_error("the server does not read its input");
    pollfd pfd{server_.in_fd(), POLLOUT, 0};
    ::poll(&pfd, 1, 100);
  }
}

bool Driver::read_some(Nanos now, const std::function<void(const char*, const char*, Nanos)>& on_line) {
  if (in_have_ == in_.size()) in_.resize(in_.size() * 2);
  const ssize_t n = ::read(server_.out_fd(), in_.data() + in_have_, in_.size() - in_have_);
  if (n < 0) {
    if (errno == EAGAIN || errno == EINTR) return false;
    throw std::runtime_error(std::string("reading from the server: ") + std::strerror(errno));
  }
  if (n == 0)
    throw std::runtime_error("the server closed its output (exited?); its last stderr lines:\n" +
                             server_.stderr_tail(std::chrono::milliseconds(1000)));
  const std::size_t from = in_have_;
  in_have_ += static_cast<std::size_t>(n);
  char* base = in_.data();
  std::size_t start = 0;
  const char* nl = static_cast<const char*>(std::memchr(base + from, '\n', in_have_ - from));
  while (nl) {
    const char* e = nl;
    if (e > base + start && e[-1] == '\r') --e;
    on_line(base + start, e, now);
    start = static_cast<std::size_t>(nl - base) + 1;
    nl = static_cast<const char*>(std::memchr(base + start, '\n', in_have_ - start));
  }
  if (start > 0) {
    std::memmove(base, base + start, in_have_ - start);
    in_have_ -= start;
  }
  return true;
}

ServerInfo Driver::handshake(Nanos timeout) {
  const Nanos deadline = now_ns() + timeout;
  write_all_blocking(
      R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},)"
      R"("clientInfo":{"name":"takt-loadgen","version":"0.1.0"}}})"
      "\n",
      deadline);
  ServerInfo info;
  bool done = false;
  std::string failure;
  while (!done) {
    if (now_ns() > deadline) throw std::runtime_error("no answer to initialize\n" + server_.stderr_tail());
    pollfd pfd{server_.out_fd(), POLLIN, 0};
    ::poll(&pfd, 1, 100);
    if (!pfd.revents) continue;
    read_some(now_ns(), [&](const char* b, const char* e, Nanos) {
      const auto r = wire::classify(b, e);
      if (r.kind != wire::Reply::Kind::Response || r.id != "0") return;
      done = true;
      if (r.error) {
        failure = std::string(b, e);
        return;
      }
      const auto result = wire::member(b, e, "result");
      const auto si = wire::member(result, "serverInfo");
      info.name = wire::unquote(wire::member(si, "name"));
      info.version = wire::unquote(wire::member(si, "version"));
      info.protocol = wire::unquote(wire::member(result, "protocolVersion"));
    });
  }
  if (!failure.empty()) throw std::runtime_error("initialize failed: " + failure);
  write_all_blocking("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\n", deadline);
  return info;
}

RunResult Driver::run(std::vector<StreamSpec> specs, const RunOptions& o) {
  struct State {
    std::vector<uint32_t> order;
    uint64_t sent = 0, outstanding = 0;
    Nanos next_send = 0, interval = 0;
    std::size_t max_size = 0;
  };
  const std::size_t S = specs.size();
  std::vector<State> st(S);
  RunResult res;
  res.streams.resize(S);
  uint64_t cap_total = 0;
  std::size_t out_cap = kOutCapacity;
  bool any_measured = false;
  for (std::size_t i = 0; i < S; ++i) {
    const auto& sp = specs[i];
    if (sp.mix.empty()) throw std::invalid_argument("stream " + sp.name + " has no requests");
    st[i].order = interleave(sp.mix);
    st[i].interval = sp.rate > 0 ? static_cast<Nanos>(1e9 / sp.rate) : 0;
    for (const auto& m : sp.mix) st[i].max_size = std::max(st[i].max_size, m.first.max_size());
    out_cap = std::max(out_cap, st[i].max_size * 2);
    cap_total += sp.in_flight ? sp.in_flight : kUnlimitedInFlight;
    res.streams[i].name = sp.name;
    res.streams[i].latency.reserve(sp.requests ? sp.requests : 1u << 16);
    any_measured |= sp.measured;
    if (sp.measured && sp.requests == 0 && o.duration == 0)
      throw std::invalid_argument("stream " + sp.name + " needs a request count or a duration");
  }
  if (!any_measured && o.duration == 0) throw std::invalid_argument("nothing is measured and no duration is set");
  std::size_t ring_size = 1024;
  while (ring_size < 2 * cap_total) ring_size <<= 1;
  const std::size_t mask = ring_size - 1;
  std::vector<Slot> ring(ring_size);
  std::vector<char> out(out_cap);
  std::size_t out_len = 0, out_off = 0;
  std::string extra;  // control messages (cancellations, answers to server requests), sent after `out`
  int64_t next_id = 1;
  uint64_t total_outstanding = 0, measured_outstanding = 0;
  stop_requested_ = false;

  const double cpu0 = cpu_self();
  const double scpu0 = server_.cpu_seconds();
  const Nanos t0 = now_ns();
  res.started = t0;
  for (std::size_t i = 0; i < S; ++i) st[i].next_send = t0 + specs[i].start_after;
  // --duration counts from the moment every measured stream has sent its first counted
  // request (warm-up done), so a slow warm-up does not eat the measurement; without a
  // measured stream, from the start. If that moment never comes, the run still ends.
  Nanos deadline = o.duration ? (any_measured ? t0 + o.duration + o.drain_timeout : t0 + o.duration) : 0;
  bool window_open = false;
  Nanos next_sample = t0, blocked_since = 0, drain_deadline = 0;
  bool stopping = false;
  std::size_t rr = 0;

  const auto can_send = [&](std::size_t i, Nanos now) {
    const auto& sp = specs[i];
    const auto& s = st[i];
    if (sp.requests && s.sent >= sp.requests) return false;
    if (sp.in_flight ? s.outstanding >= sp.in_flight : total_outstanding >= cap_total) return false;
    return now >= s.next_send;
  };
  const auto waits_only_for_time = [&](std::size_t i) {
    const auto& sp = specs[i];
    const auto& s = st[i];
    if (sp.requests && s.sent >= sp.requests) return false;
    return !(sp.in_flight ? s.outstanding >= sp.in_flight : total_outstanding >= cap_total);
  };
  const auto measured_done = [&] {
    bool any = false;
    for (std::size_t i = 0; i < S; ++i) {
      if (!specs[i].measured) continue;
      any = true;
      if (specs[i].requests == 0 || res.streams[i].answered < specs[i].requests) return false;
    }
    return any;
  };
  const auto on_line = [&](const char* b, const char* e, Nanos now) {
    const auto r = wire::classify(b, e);
    if (r.kind == wire::Reply::Kind::ServerMessage) {
      ++res.server_messages;
      if (!r.id.empty() && r.id != "null") {  // a request to us: say we do not do that
        extra += "{\"jsonrpc\":\"2.0\",\"id\":";
        extra += r.id;
        extra += ",\"error\":{\"code\":-32601,\"message\":\"Method not found (takt-loadgen)\"}}\n";
      }
      return;
    }
    const int64_t id = r.kind == wire::Reply::Kind::Response ? wire::integer_id(r.id) : -1;
    Slot* slot = id >= 0 ? &ring[static_cast<std::size_t>(id) & mask] : nullptr;
    if (!slot || !slot->live || slot->id != id) {
      ++res.unmatched;
      return;
    }
    slot->live = false;
    const auto i = slot->stream;
    --st[i].outstanding;
    --total_outstanding;
    if (specs[i].measured) --measured_outstanding;
    const Nanos lat = now - slot->sent;
    const bool tool_error = !r.error && wire::is_tool_error(r.result, e);
    auto& sr = res.streams[i];
    ++sr.answered;
    if (!slot->warm) {
      ++sr.measured;
      sr.latency.push_back(lat);
      sr.last_answer = now;
      sr.rpc_errors += r.error;
      sr.tool_errors += tool_error;
    }
    if (o.on_answer) o.on_answer(i, lat, r.error, tool_error);
  };
  const auto render_one = [&](std::size_t i, Nanos now) {
    auto& s = st[i];
    const auto& sp = specs[i];
    while (ring[static_cast<std::size_t>(next_id) & mask].live) ++next_id;  // a slot still held by a slow request
    const int64_t id = next_id++;
    const auto& kind = sp.mix[s.order[s.sent % s.order.size()]].first;
    out_len += render(kind, id, out.data() + out_len);
    auto& slot = ring[static_cast<std::size_t>(id) & mask];
    slot.id = id;
    slot.sent = now;
    slot.stream = static_cast<uint32_t>(i);
    slot.warm = s.sent < sp.warmup;
    slot.live = true;
    if (!slot.warm && res.streams[i].first_send == 0) {
      res.streams[i].first_send = now;
      if (o.duration && any_measured && !window_open) {
        bool all = true;
        for (std::size_t k = 0; k < S; ++k) all &= !specs[k].measured || res.streams[k].first_send != 0;
        if (all) {
          window_open = true;
          deadline = now + o.duration;
        }
      }
    }
    ++s.sent;
    ++s.outstanding;
    ++total_outstanding;
    res.max_outstanding = std::max(res.max_outstanding, total_outstanding);
    if (sp.measured) ++measured_outstanding;
    if (s.interval) {
      s.next_send += s.interval;
      if (s.next_send < now) s.next_send = now;  // late: no burst to catch up
    }
  };

  while (true) {
    Nanos now = now_ns();
    if (now >= next_sample) {
      res.server_rss_max_kib = std::max(res.server_rss_max_kib, server_.vm_rss_kib());
      next_sample = now + kRssEvery;
    }
    if (!stopping && (stop_requested_ || (deadline && now >= deadline) || measured_done())) {
      stopping = true;
      res.stopped = now;
      drain_deadline = now + o.drain_timeout;
      if (o.on_stop) o.on_stop();
      for (auto& slot : ring) {
        if (!slot.live || !specs[slot.stream].cancel_at_end) continue;
        extra += R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":)";
        extra += std::to_string(slot.id);
        extra += R"(,"reason":"bench run over"}})";
        extra += '\n';
        ++res.streams[slot.stream].cancelled;
      }
    }
    if (stopping) {
      if (measured_outstanding == 0 && out_off == out_len && extra.empty()) break;
      if (now > drain_deadline) {
        res.drain_timed_out = true;
        break;
      }
    }

    // Render what may be sent now, streams taking turns.
    if (!stopping && out_off == out_len) {
      out_off = out_len = 0;
      bool progress = true;
      while (progress) {
        progress = false;
        for (std::size_t k = 0; k < S; ++k) {
          const std::size_t i = (rr + k) % S;
          if (out_len + st[i].max_size > out.size() || !can_send(i, now)) continue;
          render_one(i, now);
          progress = true;
        }
      }
      ++rr;
    }

    // Write: one write() for everything rendered; the pipe's backpressure is respected.
    bool pending = out_off < out_len || !extra.empty();
    if (pending) {
      ssize_t n;
      if (out_off < out_len) {
        n = ::write(server_.in_fd(), out.data() + out_off, out_len - out_off);
        if (n > 0) out_off += static_cast<std::size_t>(n);
      } else {
        n = ::write(server_.in_fd(), extra.data(), extra.size());
        if (n > 0) extra.erase(0, static_cast<std::size_t>(n));
      }
      if (n < 0 && errno != EAGAIN && errno != EINTR)
        throw std::runtime_error(std::string("writing to the server: ") + std::strerror(errno) + "\n" +
                                 server_.stderr_tail());
      pending = out_off < out_len || !extra.empty();
      if (pending && n <= 0) {
        if (!blocked_since) blocked_since = now;
      } else if (blocked_since) {
        res.writer_blocked += now - blocked_since;
        blocked_since = 0;
      }
    }

    // Sleep until an answer comes, the pipe takes more, or a timer is due.
    Nanos wake = next_sample;
    if (deadline && !stopping) wake = std::min(wake, deadline);
    if (stopping) wake = std::min(wake, drain_deadline);
    if (!stopping && !pending) {
      for (std::size_t i = 0; i < S; ++i)
        if (waits_only_for_time(i)) wake = std::min(wake, st[i].next_send);
    }
    pollfd pfd[2] = {{server_.out_fd(), POLLIN, 0}, {server_.in_fd(), POLLOUT, 0}};
    const Nanos wait = std::max<Nanos>(0, wake - now);
    timespec ts{static_cast<time_t>(wait / 1'000'000'000), static_cast<long>(wait % 1'000'000'000)};
    const int rc = ::ppoll(pfd, pending ? 2 : 1, &ts, nullptr);
    if (rc < 0 && errno != EINTR) throw std::runtime_error(std::string("poll: ") + std::strerror(errno));
    if (rc > 0 && pfd[0].revents) {
      now = now_ns();
      read_some(now, on_line);
    }
  }
  if (blocked_since) res.writer_blocked += now_ns() - blocked_since;
  res.ended = now_ns();
  res.loadgen_cpu_s = cpu_self() - cpu0;
  const double scpu1 = server_.cpu_seconds();
  if (scpu0 >= 0 && scpu1 >= 0) res.server_cpu_s = scpu1 - scpu0;
  res.server_hwm_kib = server_.vm_hwm_kib();
  res.server_rss_max_kib = std::max(res.server_rss_max_kib, server_.vm_rss_kib());
  for (std::size_t i = 0; i < S; ++i) {
    res.streams[i].sent = st[i].sent;
    res.streams[i].outstanding_at_end = st[i].outstanding;
  }
  return res;
}

}  // namespace bench
