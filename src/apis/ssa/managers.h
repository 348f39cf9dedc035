// The decoded form of metadata.managedFields: one entry per manager identifier, as
// k8s.io/apimachinery/pkg/util/managedfields/internal keeps them. Internal to skiff_apis_ssa.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "skiff/apis/managed_fields.h"

namespace skiff::apis::ssa {

struct ManagerEntry {
  std::string manager;
  std::string operation;    // "Apply" or "Update"
  std::string api_version;  // of the fields
  std::string subresource;
  FieldSet fields;
  std::optional<std::string> time;  // RFC 3339, as stored

  bool applied() const { return operation == "Apply"; }
};

// Keyed by the manager identifier: the entry's manager, operation, apiVersion (Update only)
// and subresource as Go's JSON, e.g. {"manager":"kubectl","operation":"Apply"}.
using Managers = std::map<std::string, ManagerEntry>;

std::string ManagerIdentifier(const std::string& manager, const std::string& operation,
                              const std::string& api_version, const std::string& subresource);

// Decodes metadata.managedFields (null or absent: no entries). Errors read as kube's
// DecodeManagedFields ("operation must be `Apply` or `Update`", "missing fieldsType in managed
// fields entry 0", ...).
Result<Managers> DecodeManagedFields(const nlohmann::json& list);

// The managedFields list (sorted as kube-apiserver sorts: operation, time, manager,
// apiVersion, subresource), or null when there are no entries.
nlohmann::json EncodeManagedFields(const Managers& managers);

// Folds the oldest Update entries into "ancient-changes" buckets (one per apiVersion) until at
// most `max_updaters` Update entries remain (kube's capManagersManager).
void CapUpdateManagers(Managers& managers, size_t max_updaters = 10);

// "\"kubectl\" with subresource \"scale\" using apps/v1" for a manager identifier.
std::string PrintManager(const std::string& identifier);

}  // namespace skiff::apis::ssa
