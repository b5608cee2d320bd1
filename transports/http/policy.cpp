#include "transports/http/policy.hpp"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <stdexcept>
#include <system_error>

namespace takt::http {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

/// 127.a.b.c with every part a number up to 255.
bool is_ipv4_loopback(std::string_view h) {
  int parts = 0;
  std::size_t i = 0;
  while (i <= h.size()) {
    std::size_t j = h.find('.', i);
    if (j == std::string_view::npos) j = h.size();
    const auto part = h.substr(i, j - i);
    if (part.empty() || part.size() > 3 || !std::all_of(part.begin(), part.end(), [](char c) { return c >= '0' && c <= '9'; }))
      return false;
    if (std::stoi(std::string(part)) > 255) return false;
    if (parts == 0 && part != "127") return false;
    ++parts;
    i = j + 1;
  }
  return parts == 4;
}

}  // namespace

bool is_loopback_host(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);  // a fully qualified "localhost."
  if (iequals(host, "localhost")) return true;
  if (host.size() > 10 && iequals(host.substr(host.size() - 10), ".localhost")) return true;  // RFC 6761
  if (host == "::1" || iequals(host, "0:0:0:0:0:0:0:1")) return true;
  return is_ipv4_loopback(host);
}

std::string_view host_of(std::string_view h) {
  h = trim(h);
  if (!h.empty() && h.front() == '[') {
    const auto close = h.find(']');
    return close == std::string_view::npos ? std::string_view{} : h.substr(1, close - 1);
  }
  const auto colon = h.find(':');
  return colon == std::string_view::npos ? h : h.substr(0, colon);
}

bool host_allowed(std::string_view host_header, std::string_view bind_host) {
  const auto host = host_of(host_header);
  if (host.empty()) return false;
  if (is_loopback_host(host)) return true;
  if (bind_host.size() >= 2 && bind_host.front() == '[') bind_host = bind_host.substr(1, bind_host.size() - 2);
  const bool wildcard = bind_host.empty() || bind_host == "0.0.0.0" || bind_host == "::";
  return !wildcard && iequals(host, bind_host);
}

bool origin_allowed(std::string_view origin) {
  origin = trim(origin);
  const auto sep = origin.find("://");
  if (sep == std::string_view::npos) return false;  // "null" and anything that is no origin
  const auto scheme = origin.substr(0, sep);
  if (!iequals(scheme, "http") && !iequals(scheme, "https")) return false;
  auto rest = origin.substr(sep + 3);
  if (rest.find('/') != std::string_view::npos || rest.find('@') != std::string_view::npos) return false;
  return is_loopback_host(host_of(rest));
}

bool bearer_matches(std::string_view authorization, std::string_view token) {
  authorization = trim(authorization);
  if (token.empty() || authorization.size() < 7 || !iequals(authorization.substr(0, 7), "bearer ")) return false;
  const auto given = trim(authorization.substr(7));
  // Every byte of the longer of the two is looked at, whatever matches.
  unsigned char diff = given.size() == token.size() ? 0 : 1;
  const auto n = std::max(given.size(), token.size());
  for (std::size_t i = 0; i < n; ++i) {
    const auto a = static_cast<unsigned char>(i < given.size() ? given[i] : 0);
    const auto b = static_cast<unsigned char>(i < token.size() ? token[i] : 0);
    diff |= static_cast<unsigned char>(a ^ b);
  }
  return diff == 0;
}

Accepts parse_accept(std::string_view accept) {
  Accepts out;
  accept = trim(accept);
  if (accept.empty()) {
    out.json = true;
    return out;
  }
  while (!accept.empty()) {
    auto comma = accept.find(',');
    auto item = trim(accept.substr(0, comma));
    accept = comma == std::string_view::npos ? std::string_view{} : accept.substr(comma + 1);
    bool refused = false;  // q=0 means "not this one"
    if (auto semi = item.find(';'); semi != std::string_view::npos) {
      auto params = item.substr(semi + 1);
      item = trim(item.substr(0, semi));
      for (std::size_t q = params.find("q="); q != std::string_view::npos; q = std::string_view::npos) {
        auto v = trim(params.substr(q + 2));
        v = v.substr(0, v.find(';'));
        refused = !v.empty() && std::all_of(v.begin(), v.end(), [](char c) { return c == '0' || c == '.'; });
      }
    }
    if (refused) continue;
    if (iequals(item, "application/json") || iequals(item, "application/*") || item == "*/*") out.json = true;
    if (iequals(item, "text/event-stream") || iequals(item, "text/*") || item == "*/*") out.sse = true;
  }
  return out;
}

std::string new_session_id() {
  std::array<unsigned char, 16> bytes{};
  std::size_t got = 0;
  while (got < bytes.size()) {
    const auto n = ::getrandom(bytes.data() + got, bytes.size() - got, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::system_error(errno, std::generic_category(), "getrandom");
    }
    got += static_cast<std::size_t>(n);
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id;
  id.reserve(32);
  for (auto b : bytes) {
    id.push_back(kHex[b >> 4]);
    id.push_back(kHex[b & 15]);
  }
  return id;
}

std::string read_token_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    throw std::runtime_error("http.token_file " + path + ": cannot open it (" + std::system_category().message(errno) +
                             "; a symbolic link is refused)");
  struct stat st{};
  std::string text;
  const auto fail = [&](const std::string& why) {
    ::close(fd);
    throw std::runtime_error("http.token_file " + path + ": " + why);
  };
  if (::fstat(fd, &st) != 0) fail("cannot stat it");
  if (!S_ISREG(st.st_mode)) fail("is not a regular file");
  if (st.st_uid != ::geteuid()) fail("belongs to another user; it must be yours");
  if ((st.st_mode & 077) != 0) fail("others may read or write it; chmod 600 it");
  char buf[4096];
  for (;;) {
    const auto n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail("cannot read it");
    if (n == 0) break;
    text.append(buf, static_cast<std::size_t>(n));
    if (text.size() > 64 * 1024) fail("is too long for a token");
  }
  ::close(fd);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
  std::size_t i = 0;
  while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
  text.erase(0, i);
  if (text.size() < 16) throw std::runtime_error("http.token_file " + path + ": the token must have at least 16 characters");
  if (std::any_of(text.begin(), text.end(), [](unsigned char c) { return c <= ' ' || c == 127; }))
    throw std::runtime_error("http.token_file " + path + ": the token must be one line of visible characters");
  return text;
}

}  // namespace takt::http
