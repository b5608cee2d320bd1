// takt-http-load: an MCP load client over Streamable HTTP, the same for takt and for the
// TypeScript SDK's reference server (server-everything streamableHttp). It opens SESSIONS
// sessions (initialize + notifications/initialized), then keeps IN_FLIGHT requests in
// flight, each on a kept-alive connection of its own, the connections spread over the
// sessions in turn, for DURATION; it prints requests per second, p50 and p99 of the
// round trips, and, given the server's pid, the server's CPU time per answer.
//
//   takt-http-load URL [--sessions 8] [--in-flight 32] [--seconds 5] [--pid PID]
//                      [--call '{"name":"get_inbox","arguments":{}}']
//
// A second mode times one write of one session while another session floods writes:
//   takt-http-load URL --flood N --call '{"name":"add_todo","arguments":{"title":"x"}}'
// sends N requests from session A (on up to 128 connections at once), then, once they are queued, one
// from session B, and prints how long B's took and how many of A's were answered first.

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bh = boost::beast::http;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

struct Url {
  std::string host, port, target;
};

Url parse_url(const std::string& u) {
  Url out;
  auto rest = u.substr(u.find("://") + 3);
  const auto slash = rest.find('/');
  out.target = slash == std::string::npos ? "/" : rest.substr(slash);
  rest = rest.substr(0, slash);
  const auto colon = rest.rfind(':');
  out.host = rest.substr(0, colon);
  out.port = colon == std::string::npos ? "80" : rest.substr(colon + 1);
  return out;
}

/// One kept-alive connection speaking for one session.
class Conn {
 public:
  Conn(const Url& url, std::string session) : url_(url), socket_(ioc_), session_(std::move(session)) {
    tcp::resolver r(ioc_);
    net::connect(socket_, r.resolve(url.host, url.port));
    socket_.set_option(tcp::no_delay(true));
  }
  /// POSTs one message; returns the status and fills the body and session id.
  int post(const std::string& body, std::string* answer = nullptr, std::string* sid = nullptr) {
    bh::request<bh::string_body> req{bh::verb::post, url_.target, 11};
    req.set(bh::field::host, url_.host + ":" + url_.port);
    req.set(bh::field::content_type, "application/json");
    req.set(bh::field::accept, "application/json, text/event-stream");
    if (!session_.empty()) {
      req.set("Mcp-Session-Id", session_);
      req.set("MCP-Protocol-Version", "2025-11-25");
    }
    req.body() = body;
    req.prepare_payload();
    bh::write(socket_, req);
    bh::response<bh::string_body> res;
    bh::read(socket_, buffer_, res);
    if (answer) *answer = std::move(res.body());
    if (sid) *sid = std::string(res["Mcp-Session-Id"]);
    if (!res.keep_alive()) {  // the reference server may close after a stream: reconnect
      beast::error_code ec;
      socket_.close(ec);
      socket_ = tcp::socket(ioc_);
      tcp::resolver r(ioc_);
      net::connect(socket_, r.resolve(url_.host, url_.port));
      socket_.set_option(tcp::no_delay(true));
    }
    return static_cast<int>(res.result_int());
  }
  void set_session(std::string s) { session_ = std::move(s); }

 private:
  Url url_;
  net::io_context ioc_;
  tcp::socket socket_;
  beast::flat_buffer buffer_;
  std::string session_;
};

std::string open_session(const Url& url) {
  Conn c(url, "");
  std::string sid, body;
  const int st = c.post(
      R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"takt-http-load","version":"1"}}})",
      &body, &sid);
  if (st != 200 || sid.empty()) {
    std::cerr << "initialize failed: HTTP " << st << " " << body << "\n";
    std::exit(1);
  }
  c.set_session(sid);
  c.post(R"({"jsonrpc":"2.0","method":"notifications/initialized"})");
  return sid;
}

double cpu_seconds(int pid) {
  if (pid <= 0) return 0;
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  std::string s((std::istreambuf_iterator<char>(f)), {});
  auto p = s.rfind(')');
  std::istringstream is(s.substr(p + 2));
  std::string field;
  unsigned long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && is >> field; ++i) {
    if (i == 14) utime = std::stoul(field);
    if (i == 15) stime = std::stoul(field);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

std::string call(long id, const std::string& params) {
  return R"({"jsonrpc":"2.0","id":)" + std::to_string(id) + R"(,"method":"tools/call","params":)" + params + "}";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || std::string(argv[1]).rfind("http://", 0) != 0) {
    std::cerr << "usage: takt-http-load URL [--sessions N] [--in-flight N] [--seconds S] [--pid PID] [--call JSON] "
                 "[--flood N]\n";
    return 2;
  }
  const Url url = parse_url(argv[1]);
  int sessions = 8, in_flight = 32, pid = 0, flood = 0;
  double seconds = 5;
  std::string params = R"({"name":"get_inbox","arguments":{}})";
  for (int i = 2; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--sessions") sessions = std::stoi(argv[i + 1]);
    else if (a == "--in-flight") in_flight = std::stoi(argv[i + 1]);
    else if (a == "--seconds") seconds = std::stod(argv[i + 1]);
    else if (a == "--pid") pid = std::stoi(argv[i + 1]);
    else if (a == "--call") params = argv[i + 1];
    else if (a == "--flood") flood = std::stoi(argv[i + 1]);
  }

  if (flood > 0) {
    const auto a = open_session(url), b = open_session(url);
    std::atomic<int> answered{0}, before_b{-1};
    std::vector<std::thread> flooders;
    std::atomic<int> next{0};
    for (int t = 0; t < std::min(flood, 128); ++t)
      flooders.emplace_back([&] {
        Conn c(url, a);
        for (int i; (i = next++) < flood;) {
          auto p = params;
          if (auto at = p.find("\"x\""); at != std::string::npos) p.replace(at, 3, "\"flood " + std::to_string(i) + "\"");
          c.post(call(i + 1, p));
          ++answered;
        }
      });
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // A's writes are queued
    Conn cb(url, b);
    auto p = params;
    if (auto at = p.find("\"x\""); at != std::string::npos) p.replace(at, 3, "\"the one of B\"");
    const auto t0 = Clock::now();
    cb.post(call(1, p));
    const auto waited = std::chrono::duration<double>(Clock::now() - t0).count();
    before_b = answered.load();
    for (auto& t : flooders) t.join();
    std::printf("flood of %d from session A: session B's one request took %.3f s; %d of A's were answered before it\n",
                flood, waited, before_b.load());
    return 0;
  }

  std::vector<std::string> sids;
  for (int s = 0; s < sessions; ++s) sids.push_back(open_session(url));
  std::atomic<bool> stop{false};
  std::mutex mu;
  std::vector<double> all;
  std::atomic<long> errors{0};
  std::vector<std::thread> workers;
  const double cpu0 = cpu_seconds(pid);
  const auto start = Clock::now();
  for (int w = 0; w < in_flight; ++w)
    workers.emplace_back([&, w] {
      Conn c(url, sids[w % sessions]);
      std::vector<double> mine;
      // Ids unique within the session: the workers that share one must not reuse each
      // other's ids while they are in flight (takt refuses such a request).
      long id = static_cast<long>(w) * 1000000000L + 1;
      std::string body;
      while (!stop.load(std::memory_order_relaxed)) {
        const auto t0 = Clock::now();
        if (c.post(call(id++, params), &body) != 200 || body.find("\"result\"") == std::string::npos) ++errors;
        mine.push_back(std::chrono::duration<double>(Clock::now() - t0).count());
      }
      std::lock_guard lock(mu);
      all.insert(all.end(), mine.begin(), mine.end());
    });
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& t : workers) t.join();
  const double wall = std::chrono::duration<double>(Clock::now() - start).count();
  const double cpu = cpu_seconds(pid) - cpu0;
  std::sort(all.begin(), all.end());
  const auto pct = [&](double q) { return all.empty() ? 0.0 : all[static_cast<std::size_t>(q * (all.size() - 1))]; };
  std::printf("%zu answers in %.2f s: %.0f req/s, p50 %.3f ms, p99 %.3f ms, errors %ld", all.size(), wall,
              static_cast<double>(all.size()) / wall, pct(0.5) * 1e3, pct(0.99) * 1e3, errors.load());
  if (pid > 0) std::printf(", server CPU %.1f us/answer", cpu / static_cast<double>(all.size()) * 1e6);
  std::printf("\n");
  return 0;
}
