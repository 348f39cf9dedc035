#include "log_source.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace skiff::node::logs {

Result<std::optional<LogSource>> OpenLogSource(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return std::optional<LogSource>();
    return UnavailableError("cannot open log file " + path + ": " + std::strerror(errno));
  }
  LogSource source;
  source.fd.reset(fd);
  source.path = path;
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    return UnavailableError("cannot stat log file " + path + ": " + std::strerror(errno));
  }
  source.dev = st.st_dev;
  source.ino = st.st_ino;
  return std::optional<LogSource>(std::move(source));
}

int64_t FileSize(const LogSource& source) {
  struct stat st {};
  return ::fstat(source.fd.get(), &st) == 0 ? st.st_size : 0;
}

Result<LogSourceSet> OpenLogSources(const std::string& live_path,
                                    const std::optional<RotatedFile>& after,
                                    const LogSource* exclude) {
  auto live = OpenLogSource(live_path);
  if (!live.ok()) return live.status();
  auto rotated = ListRotatedFiles(live_path);
  if (!rotated.ok()) return rotated.status();

  LogSourceSet set;
  set.newest_rotated = after;
  for (RotatedFile& name : *rotated) {
    if (after && !after->Before(name)) continue;
    auto source = OpenLogSource(name.path);
    if (!source.ok()) return source.status();
    set.newest_rotated = name;
    if (!source->has_value()) continue;  // deleted meanwhile (beyond max-files)
    if ((*live && (*live)->Is(**source)) || (exclude != nullptr && exclude->Is(**source))) continue;
    set.files.push_back(std::move(**source));
  }
  if (*live) {
    set.files.push_back(std::move(**live));
    set.has_live = true;
  }
  return set;
}

}  // namespace skiff::node::logs
