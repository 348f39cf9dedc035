// Kubernetes' AtomicWriter (pkg/volume/util/atomic_writer.go): a set of files published into a
// directory so readers see the whole old set or the whole new one.
//
//   <dir>/..2026_11_28_10_00_00.123456789/<path>   the files (dirs 0755, files with their mode)
//   <dir>/..data -> ..2026_11_28_10_00_00.123456789
//   <dir>/<top-level entry> -> ..data/<top-level entry>
//
// Internal to skiff_volumes. Not thread-safe for one directory (the pod worker serializes).
#pragma once

#include <sys/types.h>

#include <map>
#include <optional>
#include <string>

#include "skiff/common/status.h"

namespace skiff::node::internal {

struct FileProjection {
  std::string data;
  mode_t mode = 0644;
};
// Relative path (may contain '/') -> contents.
using Payload = std::map<std::string, FileProjection>;

// Checks payload paths as Kubernetes does: relative, no "..", no leading "..", names up to 255
// bytes, paths up to 4096. kInvalidArgument `invalid path: must be relative path: /x` etc.
Status ValidatePayload(const Payload& payload);

// Publishes `payload` in `dir` (which must exist). When the current "..data" target already
// holds exactly these files (contents and modes), nothing is written and the result is false
// (the top-level links are still checked). Otherwise a new timestamped directory is written,
// given to `fs_group` (group owner, g+r, setgid dirs) when set, "..data" is swapped to it with
// rename(2), top-level links are created or removed, and older timestamped directories are
// deleted; the result is true.
Result<bool> WriteAtomically(const std::string& dir, const Payload& payload,
                             std::optional<gid_t> fs_group);

// kubelet's SetVolumeOwnership: every entry below and including `root` gets group `gid`;
// files gain g+r (read_only) or g+rw, directories also g+x and setgid. Symlinks are re-owned
// but never followed or chmod-ed.
Status ApplyFsGroup(const std::string& root, gid_t gid, bool read_only);

}  // namespace skiff::node::internal
