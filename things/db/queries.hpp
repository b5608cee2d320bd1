#pragma once
/// The conditions that make up Things' lists, shared by the list reads and get_summary
/// (internal to things/). Each is a WHERE condition over takt's index of the tasks
/// (task_index.hpp: kIndexFrom, alias t), with its values bound. Pure; thread-safe.

#include <optional>

#include "things/data/dates.hpp"
#include "things/db/sql.hpp"

namespace takt::things {

/// Start (inclusive) and end (exclusive) of a period, in Unix seconds of local days. Plain value.
struct Span {
  double from = 0, to = 0;
};
/// From the first local day the period covers to the end of `today`.
Span span_of(const Date& today, const Period& period);

Sql inbox_where();
Sql today_where(const Date& today);
Sql upcoming_where(const Date& today);
Sql anytime_where();
Sql someday_where();
Sql logbook_where(const std::optional<Span>& stopped_within);
Sql trash_where();
Sql projects_where();

}  // namespace takt::things
