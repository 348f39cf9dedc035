// Shared helpers of the printer tests: a fixed clock and row/column shortcuts.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "skiff/apis/printers.h"

namespace printers_test {

using nlohmann::json;

// Every test measures ages from 2024-05-01T12:00:00Z.
inline skiff::apis::TableClock::time_point Now() {
  using namespace std::chrono;
  return sys_days{year{2024} / May / 1} + hours{12};
}

// The row of obj as a JSON array, so a whole row compares (and prints) as one value.
inline json Row(std::string_view group, std::string_view kind, const json& obj) {
  const auto& printer = skiff::apis::PrinterFor(group, kind);
  json row = json::array();
  for (auto& cell : printer.cells(obj, Now())) row.push_back(cell);
  return row;
}

// Column names, and their priorities, in order.
inline std::vector<std::string> ColumnNames(std::string_view group, std::string_view kind) {
  std::vector<std::string> names;
  for (auto& c : skiff::apis::PrinterFor(group, kind).columns) names.push_back(c.name);
  return names;
}

inline std::vector<int> Priorities(std::string_view group, std::string_view kind) {
  std::vector<int> out;
  for (auto& c : skiff::apis::PrinterFor(group, kind).columns) out.push_back(c.priority);
  return out;
}

// metadata with a name and a creation time of 10:00, two hours (AGE "120m") before Now().
inline json Meta(const std::string& name, const std::string& ns = "default") {
  json m = {{"name", name}, {"creationTimestamp", "2024-05-01T10:00:00Z"}, {"uid", "u-" + name}};
  if (!ns.empty()) m["namespace"] = ns;
  return m;
}

}  // namespace printers_test
