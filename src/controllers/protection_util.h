// kube's pkg/controller/util/protectionutil, for the finalizers that keep an object while
// something still uses it (kubernetes.io/pvc-protection, kubernetes.io/pv-protection).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "api/object_util.h"

namespace skiff::controllers::protection {

using api::HasFinalizer;
// Being deleted (deletionTimestamp set) and still held by `finalizer`.
bool IsDeletionCandidate(const nlohmann::json& obj, const std::string& finalizer);
// Not being deleted and without `finalizer`.
bool NeedToAddFinalizer(const nlohmann::json& obj, const std::string& finalizer);
// A copy of obj with `finalizer` added (once) or removed (every occurrence).
nlohmann::json WithFinalizer(nlohmann::json obj, const std::string& finalizer);
nlohmann::json WithoutFinalizer(nlohmann::json obj, const std::string& finalizer);

}  // namespace skiff::controllers::protection
