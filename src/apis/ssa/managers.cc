#include "managers.h"

#include <algorithm>
#include <vector>

#include "go_json.h"
#include "skiff/common/go_quote.h"

namespace skiff::apis::ssa {

using nlohmann::json;

std::string ManagerIdentifier(const std::string& manager, const std::string& operation,
                              const std::string& api_version, const std::string& subresource) {
  // Go marshals ManagedFieldsEntry in field order, omitting empty fields; Apply identifiers
  // leave the apiVersion out so an applier keeps one entry across versions.
  std::string out = "{";
  auto add = [&](const char* name, const std::string& value) {
    if (value.empty()) return;
    if (out.size() > 1) out += ',';
    AppendGoString(out, name);
    out += ':';
    AppendGoString(out, value);
  };
  add("manager", manager);
  add("operation", operation);
  if (operation != "Apply") add("apiVersion", api_version);
  add("subresource", subresource);
  return out + "}";
}

Result<Managers> DecodeManagedFields(const json& list) {
  Managers out;
  if (list.is_null()) return out;
  if (!list.is_array()) return InvalidArgumentError("managedFields must be a list");
  for (size_t i = 0; i < list.size(); ++i) {
    const json& e = list[i];
    if (!e.is_object())
      return InvalidArgumentError("managed fields entry " + std::to_string(i) +
                                  " is not an object");
    auto str = [&](const char* k) -> std::string {
      auto it = e.find(k);
      return it != e.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    ManagerEntry m;
    m.manager = str("manager");
    m.operation = str("operation");
    m.api_version = str("apiVersion");
    m.subresource = str("subresource");
    if (m.operation != "Apply" && m.operation != "Update") {
      return InvalidArgumentError("operation must be `Apply` or `Update`");
    }
    if (m.api_version.empty()) return InvalidArgumentError("apiVersion must not be empty");
    std::string fields_type = str("fieldsType");
    if (fields_type.empty()) {
      return InvalidArgumentError("missing fieldsType in managed fields entry " +
                                  std::to_string(i));
    }
    if (fields_type != "FieldsV1") {
      return InvalidArgumentError("invalid fieldsType \"" + fields_type +
                                  "\" in managed fields entry " + std::to_string(i));
    }
    auto fv1 = e.find("fieldsV1");
    auto set = FieldSet::FromFieldsV1(fv1 == e.end() ? json(nullptr) : *fv1);
    if (!set.ok()) {
      return InvalidArgumentError("error decoding versioned set from entry " + std::to_string(i) +
                                  ": " + set.status().message());
    }
    m.fields = std::move(*set);
    auto t = e.find("time");
    if (t != e.end() && t->is_string()) {
      // Stored as metav1.Time marshals it, whatever RFC 3339 spelling the client sent.
      auto secs = ParseTimeSeconds(t->get<std::string>());
      m.time =
          secs ? FormatTime(std::chrono::system_clock::from_time_t(*secs)) : t->get<std::string>();
    }
    std::string id = ManagerIdentifier(m.manager, m.operation, m.api_version, m.subresource);
    out[id] = std::move(m);
  }
  return out;
}

namespace {

int64_t Seconds(const std::optional<std::string>& t) {
  if (!t) return 0;
  return ParseTimeSeconds(*t).value_or(0);
}

}  // namespace

json EncodeManagedFields(const Managers& managers) {
  std::vector<const ManagerEntry*> entries;
  for (const auto& [id, m] : managers) entries.push_back(&m);
  if (entries.empty()) return nullptr;
  std::stable_sort(entries.begin(), entries.end(),
                   [](const ManagerEntry* p, const ManagerEntry* q) {
                     if (p->operation != q->operation) return p->operation < q->operation;
                     int64_t ps = Seconds(p->time), qs = Seconds(q->time);
                     if (ps != qs) return ps < qs;
                     if (p->manager != q->manager) return p->manager < q->manager;
                     if (p->api_version != q->api_version) return p->api_version < q->api_version;
                     return p->subresource < q->subresource;
                   });
  json out = json::array();
  for (const ManagerEntry* m : entries) {
    json e = json::object();
    if (!m->manager.empty()) e["manager"] = m->manager;
    e["operation"] = m->operation;
    e["apiVersion"] = m->api_version;
    if (m->time) e["time"] = *m->time;
    e["fieldsType"] = "FieldsV1";
    e["fieldsV1"] = m->fields.ToFieldsV1();
    if (!m->subresource.empty()) e["subresource"] = m->subresource;
    out.push_back(std::move(e));
  }
  return out;
}

void CapUpdateManagers(Managers& managers, size_t max_updaters) {
  std::vector<std::string> updaters;
  for (const auto& [id, m] : managers) {
    if (!m.applied()) updaters.push_back(id);
  }
  if (updaters.size() <= max_updaters) return;
  std::stable_sort(updaters.begin(), updaters.end(),
                   [&](const std::string& a, const std::string& b) {
                     int64_t as = Seconds(managers.at(a).time), bs = Seconds(managers.at(b).time);
                     if (as != bs) return as < bs;
                     return a < b;
                   });
  std::map<std::string, std::string> first_of_version;
  size_t length = updaters.size();
  for (size_t i = 0; i < updaters.size() && length > max_updaters; ++i) {
    const std::string& id = updaters[i];
    ManagerEntry entry = managers[id];
    std::string bucket = ManagerIdentifier("ancient-changes", "Update", entry.api_version, "");
    auto first = first_of_version.find(entry.api_version);
    if (first == first_of_version.end()) {
      first_of_version[entry.api_version] = id;
      continue;
    }
    if (!managers.count(bucket)) {
      ManagerEntry moved = managers[first->second];
      managers.erase(first->second);
      moved.manager = "ancient-changes";
      moved.operation = "Update";
      moved.subresource.clear();
      managers[bucket] = std::move(moved);
    }
    ManagerEntry& b = managers[bucket];
    b.fields = entry.fields.Union(b.fields);
    b.api_version = entry.api_version;
    b.time = entry.time;  // the more recent of the two
    managers.erase(id);
    --length;
  }
}

std::string PrintManager(const std::string& identifier) {
  json e = json::parse(identifier, nullptr, false);
  if (!e.is_object()) return GoQuote(identifier);
  auto str = [&](const char* k) {
    auto it = e.find(k);
    return it != e.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  std::string out = GoQuote(str("manager"));
  if (!str("subresource").empty()) out += " with subresource " + GoQuote(str("subresource"));
  if (str("operation") == "Update") {
    // The identifier never carries a time, so kube prints none.
    out += " using " + str("apiVersion");
  }
  return out;
}

}  // namespace skiff::apis::ssa
