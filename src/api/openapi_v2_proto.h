// The protobuf form of an OpenAPI v2 (Swagger 2.0) document: gnostic's openapi.v2.Document
// (github.com/google/gnostic-models, openapiv2/OpenAPIv2.proto), which client-go's
// DiscoveryClient.OpenAPISchema() asks /openapi/v2 for (kubectl 1.27/1.28 create, apply,
// explain, diff). kube-apiserver makes it the same way: it parses its JSON document with gnostic
// and marshals the result.
//
// Every JSON key becomes the field gnostic gives it; `x-...` keys become NamedAny vendor
// extensions whose Any.yaml holds the value as YAML (flow style, which is what kubectl parses
// with yaml.Unmarshal). The parts of Swagger 2.0 skiff's documents do not use (security,
// tags, headers, examples, xml, externalDocs, items of non-body parameters) are refused rather
// than dropped, so the two encodings cannot drift apart unnoticed.
//
// Pure functions; thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "skiff/common/status.h"

namespace skiff::api {

// The encoded openapi.v2.Document, or InvalidArgument naming the JSON pointer of the first
// part that has no gnostic field here (e.g. "unsupported key \"xml\" at /definitions/a").
Result<std::string> EncodeGnosticDocument(const nlohmann::json& swagger);

// A JSON value as one line of flow-style YAML ({"a": [1, "b"]}), as vendor extensions carry it.
std::string FlowYaml(const nlohmann::json& value);

}  // namespace skiff::api
