#include "server/backup_report.h"

#include <cstdio>
#include <memory>
#include <ostream>

namespace skiff::server {

std::string HumanSize(int64_t bytes) {
  if (bytes < 1024) return std::to_string(bytes) + " B";
  const char* units[] = {"KiB", "MiB", "GiB", "TiB"};
  double size = static_cast<double>(bytes) / 1024;
  std::size_t unit = 0;
  while (size >= 1024 && unit + 1 < std::size(units)) {
    size /= 1024;
    ++unit;
  }
  char text[32];
  std::snprintf(text, sizeof text, "%.1f %s", size, units[unit]);
  return text;
}

store::CopyProgress PageProgress(std::ostream& out, std::string command) {
  auto printed_tenths = std::make_shared<int64_t>(-1);  // -1: nothing copied yet
  return [&out, command = std::move(command), printed_tenths](int64_t copied, int64_t total) {
    const bool first = *printed_tenths < 0;
    const int64_t tenths = total > 0 ? copied * 10 / total : 10;
    if (first && copied == total) {  // all in one step: nothing worth a progress line
      *printed_tenths = 10;
      return;
    }
    if (tenths <= *printed_tenths && copied != total) return;
    *printed_tenths = tenths;
    out << command << ": copied " << copied << " of " << total << " pages of the store"
        << std::endl;
  };
}

std::string Contents(const store::BackupInfo& info, std::size_t files) {
  return "the store at revision " + std::to_string(info.revision) + " with " +
         std::to_string(info.live_keys) + " objects, and " + std::to_string(files) +
         " files of server/tls and server/token";
}

}  // namespace skiff::server
