#include "apis/protobuf/pointer_fields.h"

#include <catch2/catch.hpp>
#include <set>
#include <string>
#include <tuple>

#include "skiff/apis/schema.h"

using skiff::apis::BuiltinSchema;
using skiff::apis::Container;
using skiff::apis::ValueKind;
using skiff::apis::protobuf::IsPointerScalarField;
using skiff::apis::protobuf::PointerField;
using skiff::apis::protobuf::PointerFieldsBegin;
using skiff::apis::protobuf::PointerFieldsEnd;

TEST_CASE("the pointer-field table is sorted and without duplicates") {
  for (const PointerField* p = PointerFieldsBegin(); p + 1 < PointerFieldsEnd(); ++p) {
    INFO(p->type << "." << p->field << " then " << (p + 1)->type << "." << (p + 1)->field);
    CHECK(std::tie(p->type, p->field) < std::tie((p + 1)->type, (p + 1)->field));
  }
}

TEST_CASE("pointer fields are found by qualified or bare type name") {
  CHECK(IsPointerScalarField("apps.v1.DeploymentSpec", "replicas"));
  CHECK(IsPointerScalarField("DeploymentSpec", "replicas"));
  CHECK(IsPointerScalarField("core.v1.PodSpec", "automountServiceAccountToken"));
  CHECK(IsPointerScalarField("batch.v1.JobSpec", "backoffLimit"));
  CHECK_FALSE(IsPointerScalarField("apps.v1.DeploymentSpec", "minReadySeconds"));
  CHECK_FALSE(IsPointerScalarField("apps.v1.DeploymentStatus", "replicas"));
  CHECK_FALSE(IsPointerScalarField("core.v1.PodSpec", "hostNetwork"));
  CHECK_FALSE(IsPointerScalarField("x.DeploymentSpecX", "replicas"));
  CHECK_FALSE(IsPointerScalarField("", ""));
}

TEST_CASE("every pointer field of a built-in type names a scalar field of it") {
  // Catches typos and fields that moved. A bare type name covers every group/version, so an
  // entry needs its field in at least one of the built-in types of that name (a few fields are
  // newer than the schema's Kubernetes 1.32), and wherever the field exists it must be a
  // plain scalar.
  const std::set<std::string> newer_than_schema = {
      "DeploymentStatus.terminatingReplicas",  // 1.33
      "Lifecycle.stopSignal",                  // 1.33
      "PodSpec.hostnameOverride",              // 1.34
  };
  int checked = 0;
  for (const PointerField* p = PointerFieldsBegin(); p != PointerFieldsEnd(); ++p) {
    const std::string entry = std::string(p->type) + "." + std::string(p->field);
    INFO(entry);
    bool type_known = false;
    bool field_found = false;
    for (const auto& [name, type] : BuiltinSchema().types()) {
      const size_t dot = name.rfind('.');
      if (name.substr(dot == std::string::npos ? 0 : dot + 1) != p->type) continue;
      type_known = true;
      const auto* field = type->Field(p->field);
      if (field == nullptr) continue;
      field_found = true;
      INFO(name);
      CHECK(field->container == Container::kNone);
      const bool scalar = field->kind == ValueKind::kString || field->kind == ValueKind::kBool ||
                          field->kind == ValueKind::kInt32 || field->kind == ValueKind::kInt64 ||
                          field->kind == ValueKind::kFloat64;
      CHECK(scalar);
      ++checked;
    }
    if (type_known) CHECK(field_found != (newer_than_schema.count(entry) == 1));
  }
  CHECK(checked > 100);
}
