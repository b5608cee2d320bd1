#pragma once
/// A minimal Prometheus scraper for the bench scenarios: one HTTP/1.0 GET of a
/// `http://HOST:PORT/PATH` address over a plain socket, and sums over a metric's series
/// in the text exposition format. Thread-safe (no shared state).

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace bench {

/// The body of the page, or nullopt (with `error` set) if it cannot be fetched.
std::optional<std::string> http_get(const std::string& url, std::string& error,
                                    std::chrono::milliseconds timeout = std::chrono::milliseconds(3000));

/// The sum of every series of metric `name` (all label sets), or nullopt if the page has
/// no series of that name (a family declared with "# TYPE" but without series yet counts as 0). `name` may carry a label filter: `takt_script_runs_total{outcome="ok"}`
/// matches series whose labels include `outcome="ok"`.
std::optional<double> metric_sum(std::string_view page, std::string_view name);

}  // namespace bench
