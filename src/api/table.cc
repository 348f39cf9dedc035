#include "table.h"

#include <chrono>

#include "object_util.h"
#include "skiff/apis/printers.h"

namespace skiff::api {

using nlohmann::json;

bool WantsTable(const HttpRequest& request) {
  const std::string accept = request.Header("accept");
  return accept.find("as=Table") != std::string::npos;
}

json ToTable(const apis::ResourceType& rt, const json& objects, const json& list_meta,
             bool include_columns) {
  const apis::TablePrinter& printer = apis::PrinterFor(rt.group, rt.kind);
  const auto now = std::chrono::system_clock::now();
  json rows = json::array();
  for (const json& obj : objects) {
    json meta = obj.value("metadata", json::object());
    meta.erase("managedFields");
    json row = {{"cells", printer.cells(obj, now)},
                {"object",
                 {{"kind", "PartialObjectMetadata"},
                  {"apiVersion", "meta.k8s.io/v1"},
                  {"metadata", meta}}}};
    if (printer.row_conditions) {
      json conditions = printer.row_conditions(obj);
      if (!conditions.is_null()) row["conditions"] = std::move(conditions);
    }
    rows.push_back(std::move(row));
  }
  json table = {{"kind", "Table"},
                {"apiVersion", "meta.k8s.io/v1"},
                {"metadata", list_meta.is_object() ? list_meta : json::object()},
                {"rows", rows}};
  table["columnDefinitions"] = include_columns ? apis::ColumnDefinitionsJson(printer) : json::array();
  return table;
}

}  // namespace skiff::api
