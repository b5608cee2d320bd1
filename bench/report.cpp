#include "bench/report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace bench {

Percentiles percentiles(std::vector<Nanos> v) {
  Percentiles p;
  p.n = v.size();
  if (v.empty()) return p;
  std::sort(v.begin(), v.end());
  const auto rank = [&](double q) {
    auto i = static_cast<std::size_t>(std::ceil(q * static_cast<double>(v.size())));
    return static_cast<double>(v[std::min(v.size(), std::max<std::size_t>(i, 1)) - 1]) / 1e3;
  };
  p.p50 = rank(0.50);
  p.p90 = rank(0.90);
  p.p99 = rank(0.99);
  p.max = static_cast<double>(v.back()) / 1e3;
  long double sum = 0;
  for (auto x : v) sum += x;
  p.mean = static_cast<double>(sum / v.size()) / 1e3;
  return p;
}

double throughput(const StreamResult& s) {
  if (s.measured == 0 || s.last_answer <= s.first_send) return 0;
  return static_cast<double>(s.measured) * 1e9 / static_cast<double>(s.last_answer - s.first_send);
}

std::string json_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out;
}

void JsonOut::key(std::string_view k) {
  if (!first_) s_ += ',';
  first_ = false;
  if (!k.empty()) {
    s_ += '"';
    s_ += json_escape(k);
    s_ += "\":";
  }
}

JsonOut& JsonOut::begin_object(std::string_view k) {
  key(k);
  s_ += '{';
  first_ = true;
  return *this;
}
JsonOut& JsonOut::end_object() {
  s_ += '}';
  first_ = false;
  return *this;
}
JsonOut& JsonOut::begin_array(std::string_view k) {
  key(k);
  s_ += '[';
  first_ = true;
  return *this;
}
JsonOut& JsonOut::end_array() {
  s_ += ']';
  first_ = false;
  return *this;
}
JsonOut& JsonOut::str(std::string_view k, std::string_view v) {
  key(k);
  s_ += '"';
  s_ += json_escape(v);
  s_ += '"';
  return *this;
}
JsonOut& JsonOut::num(std::string_view k, double v) {
  key(k);
  if (!std::isfinite(v)) {
    s_ += "null";
    return *this;
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  if (std::fabs(v) >= 1e6 && std::fabs(v) < 1e15) std::snprintf(buf, sizeof buf, "%.1f", v);
  s_ += buf;
  return *this;
}
JsonOut& JsonOut::integer(std::string_view k, int64_t v) {
  key(k);
  s_ += std::to_string(v);
  return *this;
}
JsonOut& JsonOut::boolean(std::string_view k, bool v) {
  key(k);
  s_ += v ? "true" : "false";
  return *this;
}
JsonOut& JsonOut::null(std::string_view k) {
  key(k);
  s_ += "null";
  return *this;
}

}  // namespace bench
