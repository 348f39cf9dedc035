// Hand-built schemas for the decoder tests, independent of the built-in schema data: the
// Kubernetes messages some kubectl-create fixtures use (field numbers and required flags as
// in k8s.io/api's generated.proto and Go types), plus a small synthetic type set.
#pragma once

#include <memory>

#include "skiff/apis/schema.h"

namespace skiff::apis::testing {

// Namespace, Secret, ConfigMap, Service (core/v1), Deployment (apps/v1), PriorityClass
// (scheduling.k8s.io/v1), PodDisruptionBudget (policy/v1), Ingress (networking.k8s.io/v1) and
// TokenRequest (authentication.k8s.io/v1), with the types they reach (ObjectMeta,
// PodTemplateSpec, PodSpec, Container, ...), mirroring Kubernetes.
std::unique_ptr<Schema> KubernetesSubsetSchema();

// "test.v1.Sample" (kind Sample in test.example/v1): one field of every kind and container,
//   1 name string (required)     2 count int32            3 big int64
//   4 flag bool                  5 ratio float64          6 blob bytes
//   7 quantity Quantity          8 port IntOrString       9 when Time
//  10 micro MicroTime           11 timeout Duration      12 raw RawExtension
//  13 child test.v1.Sample      14 items []string        15 numbers []int32
//  16 children []test.v1.Sample 17 labels map[string]string
//  18 limits map[string]Quantity 19 byChild map[string]test.v1.Sample
//  20 blobs map[string]bytes    21 optionalText string   22 zeroCount int32 (required)
// "test.v1.Broken" (kind Broken) whose field 1 "child" is an object without a type, and
// "test.v1.Holder" (kind Holder): 1 wrapped []test.v1.Wrapper, where Wrapper is
// {1 name string, 3 mode2 int32} embedding test.v1.Source {1 path string, 2 mode int32}
// inline as protobuf field 2.
std::unique_ptr<Schema> SyntheticSchema();

}  // namespace skiff::apis::testing
