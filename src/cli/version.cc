#include "skiff/cli/version.h"

#ifndef SKIFF_VERSION
#error "SKIFF_VERSION must be defined by the build (src/cli/CMakeLists.txt)"
#endif

namespace skiff::cli {

std::string_view SkiffVersion() { return "v" SKIFF_VERSION; }

std::string VersionLine() {
  return "skiff version " + std::string(SkiffVersion()) + " (kubernetes v" +
         std::string(kKubernetesVersion) + ")";
}

}  // namespace skiff::cli
