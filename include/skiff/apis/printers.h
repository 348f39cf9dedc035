// The server-side table printing behind `kubectl get`: for every built-in kind, the columns of
// the meta.k8s.io/v1 Table that kube-apiserver 1.32 returns and the cells of one object's row.
//
// kubectl prints the server's cells as they are, so column names, types, priorities and the cell
// text follow Kubernetes' pkg/printers/internalversion exactly (AGE via HumanDuration, "<none>",
// "<unknown>", "<pending>" placeholders, pod STATUS and RESTARTS logic, ...). As kube-apiserver
// does, every row carries every column, the priority-1 ("-o wide") ones included; the client
// drops those it does not show. Kinds without a printer of their own (Role, ClusterRole,
// LimitRange, ...) get the default convertor's NAME and CREATED AT columns.
//
// Objects are the JSON the API serves, in the version named by their apiVersion (an
// autoscaling/v1 HorizontalPodAutoscaler is read with v1 field names, v2 with v2 ones; an
// events.k8s.io Event with regarding/note/deprecated* names). Fields missing from an object read
// as their Kubernetes defaults; wrongly typed fields read as missing. Cells are JSON strings,
// integers or booleans exactly where Kubernetes emits Go strings, int64s or bools.
//
// Thread-safety: everything here is immutable after first use and safe to call from any thread.
// Errors: nothing here throws; `cells` and `row_conditions` of every printer are noexcept.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace skiff::apis {

// One entry of Table.columnDefinitions.
struct TableColumn {
  std::string name;         // "Name", "Ready", "Nominated Node" (kubectl upper-cases it)
  std::string type;         // "string", "integer", "boolean", "date"
  std::string format;       // "name" for the column that names the object, else ""
  std::string description;  // Kubernetes' own description (mostly the field's API doc)
  int priority = 0;         // 0: always shown; 1: only with -o wide
};

using TableClock = std::chrono::system_clock;

// The cells of obj's row, one per column, in column order. `now` is the time ages are measured
// from (kube-apiserver uses its clock at request time). Returns an empty vector only if the row
// could not be built at all (allocation failure).
using TableCellsFn = std::vector<nlohmann::json> (*)(const nlohmann::json& obj,
                                                     TableClock::time_point now) noexcept;
// TableRow.conditions for obj: a JSON array, or null when the row has none (Kubernetes marks
// Succeeded and Failed pods {"type":"Completed","status":"True",...}).
using TableRowConditionsFn = nlohmann::json (*)(const nlohmann::json& obj) noexcept;

struct TablePrinter {
  std::vector<TableColumn> columns;
  TableCellsFn cells = nullptr;                   // never null
  TableRowConditionsFn row_conditions = nullptr;  // null: rows of this kind carry none
};

// The printer for a kind; group is "" for the core group ("apps", "batch", ...). Unknown kinds
// (and kinds Kubernetes prints with the default convertor) get DefaultPrinter(). The reference
// stays valid for the life of the program.
const TablePrinter& PrinterFor(std::string_view group, std::string_view kind);
// True if (group, kind) has a printer of its own rather than the default one.
bool HasKindPrinter(std::string_view group, std::string_view kind);
// kube-apiserver's default table convertor: "Name" (format name) and "Created At" (type date,
// cell = metadata.creationTimestamp in UTC RFC 3339, "0001-01-01T00:00:00Z" when unset).
const TablePrinter& DefaultPrinter();

// printer.columns as Table.columnDefinitions: [{"name","type","format","description",
// "priority"}, ...] (every key present, as Kubernetes serializes them).
nlohmann::json ColumnDefinitionsJson(const TablePrinter& printer);

// Kubernetes' duration.HumanDuration (k8s.io/apimachinery/pkg/util/duration), used for AGE:
// "0s".."119s", "2m5s", "10m", "3h", "5h30m", "2d3h", "30d", "2y45d", "10y"; "0s" for up to two
// seconds in the future (clock skew) and "<invalid>" further in the future.
std::string HumanDuration(std::chrono::nanoseconds d);
// duration.ShortHumanDuration: one unit only ("45s", "3m", "5h", "12d", "2y").
std::string ShortHumanDuration(std::chrono::nanoseconds d);

// The AGE text of an RFC 3339 timestamp (metav1.Time or MicroTime JSON) seen at `now`:
// HumanDuration(now - t), or "<unknown>" when ts is null, missing, unparsable or Go's zero time.
std::string TimestampAge(const nlohmann::json& ts, TableClock::time_point now);

}  // namespace skiff::apis
