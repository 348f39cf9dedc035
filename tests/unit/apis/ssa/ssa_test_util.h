// Shared fixtures of the server-side apply tests: the built-in Deployment type, fixed clocks
// and a kubectl-style Deployment manifest.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

#include "skiff/apis/managed_fields.h"
#include "skiff/apis/schema.h"

namespace skiff::apis::testing {

inline const TypeDef& DeploymentType() {
  const TypeDef* t = BuiltinSchema().KindType("apps", "v1", "Deployment");
  return *t;
}

inline const TypeDef& ConfigMapType() { return *BuiltinSchema().KindType("", "v1", "ConfigMap"); }

// 2024-05-01T10:00:00Z plus `minutes`.
inline std::chrono::system_clock::time_point At(int minutes) {
  return std::chrono::system_clock::from_time_t(1714557600 + minutes * 60);
}

// The manifest a user keeps in git: one or more containers of the named images.
inline nlohmann::json WebDeployment(const std::string& image = "nginx:1.25", int replicas = 2) {
  return nlohmann::json::parse(R"({
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "web", "labels": {"app": "web"}},
    "spec": {
      "replicas": 2,
      "selector": {"matchLabels": {"app": "web"}},
      "template": {
        "metadata": {"labels": {"app": "web"}},
        "spec": {"containers": [{"name": "web", "image": "nginx:1.25",
                                 "ports": [{"containerPort": 80}]}]}
      }
    }
  })")
      .patch(nlohmann::json::array(
          {{{"op", "replace"}, {"path", "/spec/replicas"}, {"value", replicas}},
           {{"op", "replace"},
            {"path", "/spec/template/spec/containers/0/image"},
            {"value", image}}}));
}

// What the API layer does with an apply result before storing it (uid, as a stored object).
inline nlohmann::json Stored(nlohmann::json obj) {
  obj["metadata"]["uid"] = "7d5ad5b5-1b31-4c1a-8c69-36fd0f5fd0a4";
  obj["metadata"]["namespace"] = "default";
  return obj;
}

}  // namespace skiff::apis::testing
