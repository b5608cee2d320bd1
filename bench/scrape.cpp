#include "bench/scrape.hpp"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace bench {

std::optional<std::string> http_get(const std::string& url, std::string& error, std::chrono::milliseconds timeout) {
  constexpr std::string_view scheme = "http://";
  if (url.rfind(scheme, 0) != 0) {
    error = "not an http:// address: " + url;
    return std::nullopt;
  }
  const auto rest = url.substr(scheme.size());
  const auto slash = rest.find('/');
  const auto hostport = rest.substr(0, slash);
  const auto path = slash == std::string::npos ? std::string("/") : rest.substr(slash);
  const auto colon = hostport.rfind(':');
  const auto host = hostport.substr(0, colon);
  const auto port = colon == std::string::npos ? std::string("80") : hostport.substr(colon + 1);

  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (int rc = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &res); rc != 0) {
    error = std::string("cannot resolve ") + host + ": " + ::gai_strerror(rc);
    return std::nullopt;
  }
  int fd = -1;
  for (auto* ai = res; ai; ai = ai->ai_next) {
    fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) continue;
    if (::connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) break;
    ::close(fd);
    fd = -1;
  }
  ::freeaddrinfo(res);
  if (fd < 0) {
    error = "cannot connect to " + hostport + ": " + std::strerror(errno);
    return std::nullopt;
  }
  const std::string req = "GET " + path + " HTTP/1.0\r\nHost: " + hostport + "\r\nConnection: close\r\n\r\n";
  if (::send(fd, req.data(), req.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(req.size())) {
    error = std::string("send: ") + std::strerror(errno);
    ::close(fd);
    return std::nullopt;
  }
  std::string resp;
  char buf[16384];
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    pollfd pfd{fd, POLLIN, 0};
    if (left.count() <= 0 || ::poll(&pfd, 1, static_cast<int>(left.count())) <= 0) {
      error = "timed out reading " + url;
      ::close(fd);
      return std::nullopt;
    }
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    resp.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  const auto body = resp.find("\r\n\r\n");
  if (resp.rfind("HTTP/1.", 0) != 0 || body == std::string::npos) {
    error = "not an HTTP response from " + url;
    return std::nullopt;
  }
  const auto status = std::atoi(resp.c_str() + resp.find(' ') + 1);
  if (status != 200) {
    error = "HTTP " + std::to_string(status) + " from " + url;
    return std::nullopt;
  }
  return resp.substr(body + 4);
}

std::optional<double> metric_sum(std::string_view page, std::string_view name) {
  std::string_view filter;
  if (const auto b = name.find('{'); b != std::string_view::npos) {
    filter = name.substr(b + 1);
    if (!filter.empty() && filter.back() == '}') filter.remove_suffix(1);
    name = name.substr(0, b);
  }
  std::optional<double> sum;
  std::size_t pos = 0;
  while (pos < page.size()) {
    auto nl = page.find('\n', pos);
    if (nl == std::string_view::npos) nl = page.size();
    const auto line = page.substr(pos, nl - pos);
    pos = nl + 1;
    if (line.empty() || line.front() == '#') continue;
    if (line.substr(0, name.size()) != name) continue;
    const auto after = line.substr(name.size());
    if (after.empty() || (after.front() != '{' && after.front() != ' ')) continue;  // a longer name
    std::string_view labels, rest = after;
    if (after.front() == '{') {
      const auto close = after.find("} ");
      if (close == std::string_view::npos) continue;
      labels = after.substr(1, close - 1);
      rest = after.substr(close + 1);
    }
    if (!filter.empty() && labels.find(filter) == std::string_view::npos) continue;
    // "value" or "value timestamp" follows the labels.
    const auto vb = rest.find_first_not_of(' ');
    if (vb == std::string_view::npos) continue;
    const std::string value(rest.substr(vb, rest.find(' ', vb) - vb));
    sum = sum.value_or(0) + std::strtod(value.c_str(), nullptr);
  }
  if (!sum) {
    // A family with labels has no series until its first use (prometheus-cpp): declared
    // but empty means zero, not absent. Histogram parts are declared under the base name.
    std::string base(name);
    for (const char* suffix : {"_sum", "_count", "_bucket"}) {
      const std::string_view sv(suffix);
      if (base.size() > sv.size() && base.compare(base.size() - sv.size(), sv.size(), sv) == 0) {
        base.resize(base.size() - sv.size());
        break;
      }
    }
    for (const auto& declared : {"# TYPE " + std::string(name) + " ", "# TYPE " + base + " "})
      if (page.find(declared) != std::string_view::npos) return 0.0;
  }
  return sum;
}

}  // namespace bench
