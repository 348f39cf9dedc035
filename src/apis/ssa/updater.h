// The field-ownership engine: structured-merge-diff's Updater (Apply, Update) wrapped the way
// kube-apiserver's managers chain wraps it (strip never-tracked fields, entry times, the cap on
// Update entries, before-first-apply). Internal to skiff_apis_ssa.
#pragma once

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "managers.h"
#include "skiff/apis/managed_fields.h"

namespace skiff::apis::ssa {

struct Context {
  const TypeDef& type;
  std::string api_version;  // the type's group/version
  std::string subresource;
  FieldSet ignored;  // reset fields
  std::string now;   // RFC 3339
};

// Records the change from `old_obj` to `new_obj` (neither carrying managedFields) as made by
// `manager` with operation Update.
void RecordUpdate(const Context& ctx, const nlohmann::json& old_obj, const nlohmann::json& new_obj,
                  Managers& managers, const std::string& manager);

struct ApplyOutcome {
  nlohmann::json object;                      // merged and pruned (no managedFields)
  std::map<std::string, FieldSet> conflicts;  // by manager identifier; set when refused
};

// Applies `config` to `live` (no managedFields; {} when the object does not exist) as
// `manager`, updating `managers` unless there are conflicts and !force.
ApplyOutcome RecordApply(const Context& ctx, const nlohmann::json& live,
                         const nlohmann::json& config, Managers& managers,
                         const std::string& manager, bool force);

}  // namespace skiff::apis::ssa
