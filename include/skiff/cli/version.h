// The versions skiff reports: its own release and the Kubernetes version whose API it emulates
// (what `skiff version`, the API server's /version and node status report).
#pragma once

#include <string>
#include <string_view>

namespace skiff::cli {

// The Kubernetes release whose API skiff serves, without the leading "v".
inline constexpr std::string_view kKubernetesVersion = "1.32.0";

// The major and minor parts of kKubernetesVersion ("1" and "32"), as /version reports them.
constexpr std::string_view KubernetesMajor() {
  return kKubernetesVersion.substr(0, kKubernetesVersion.find('.'));
}
constexpr std::string_view KubernetesMinor() {
  std::size_t first = kKubernetesVersion.find('.') + 1;
  return kKubernetesVersion.substr(first, kKubernetesVersion.find('.', first) - first);
}

// skiff's own version with a leading "v", e.g. "v0.1.0" (CMake's PROJECT_VERSION).
std::string_view SkiffVersion();

// "skiff version v0.1.0 (kubernetes v1.32.0)".
std::string VersionLine();

}  // namespace skiff::cli
