// Image references as Kubernetes and Docker accept them, normalized to their full form.
//
//   busybox                      -> docker.io/library/busybox:latest
//   registry:5000/team/app@sha256:...  -> registry:5000/team/app@sha256:... (no tag added)
//   127.0.0.1:5000/app:v1        -> 127.0.0.1:5000/app:v1
//
// The first path component is a registry host when it contains '.' or ':', is "localhost", or
// has upper-case letters (as Docker decides; repository paths cannot have them); otherwise the
// registry is docker.io, and a one-component path on docker.io gets "library/".
// Repository paths are lower-case components of [a-z0-9] joined by '.', '_', '__' or '-'
// runs, separated by '/'; tags match [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}; digests are
// "algorithm:hex" (sha256 with 64 lower-case hex digits is the only one pulled).
// Value type; thread-compatible.
#pragma once

#include <string>
#include <string_view>

#include "skiff/common/status.h"

namespace skiff::runtime {

struct ImageRef {
  std::string registry;    // "docker.io", "127.0.0.1:5000"
  std::string repository;  // "library/busybox"
  std::string tag;         // "" when only a digest was given
  std::string digest;      // "" or "sha256:<hex>"

  // The normalized text: registry/repository[:tag][@digest].
  std::string String() const;
  // registry/repository, the name images are grouped by.
  std::string Name() const;

  // kInvalidArgument with a message naming the reference and what is wrong with it.
  static Result<ImageRef> Parse(std::string_view text);
};

}  // namespace skiff::runtime
