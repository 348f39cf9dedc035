// Writes the entries of one layer tar into a directory, safely and in overlayfs form.
//
// Every path is resolved component by component from the layer root with O_NOFOLLOW: a symlink
// in the layer (absolute or not) is stored as it is but never followed, and an entry whose path
// or hardlink target climbs above the root ("../") is refused. Whiteouts become what overlayfs
// reads: ".wh.NAME" a 0/0 character device NAME, ".wh..wh..opq" the xattr
// trusted.overlay.opaque=y on its directory; other ".wh..wh." entries are dropped. Owners
// (numeric), modes (with setuid/setgid/sticky), mtimes, xattrs (except trusted.overlay.*,
// which only the conversion sets), hardlinks within the layer, devices and fifos are kept;
// sockets are skipped. A parent directory the tar does not list is created 0755 root:root.
// One thread at a time.
#pragma once

#include <archive.h>
#include <archive_entry.h>

#include <cstdint>
#include <ctime>
#include <string>
#include <vector>

#include "skiff/common/unique_fd.h"
#include "skiff/common/status.h"

namespace skiff::runtime::image_detail {

// Splits a tar path into components, dropping "", "." and resolving ".." lexically; a leading
// '/' is ignored. kCorrupt when ".." climbs above the root.
Result<std::vector<std::string>> SplitLayerPath(const std::string& path);

class LayerWriter {
 public:
  // root: an open directory (the layer's fs/), shown as root_path in messages.
  LayerWriter(UniqueFd root, std::string root_path);

  // Applies the entry `e` whose data, for a regular file, is read from `a`.
  Status Apply(struct archive* a, struct archive_entry* e);
  // Sets the directories' times (deferred: creating children changes them).
  Status Finish();
  // Bytes of regular file data written (hardlinks not counted twice).
  int64_t size() const { return size_; }

 private:
  struct DirTimes {
    std::vector<std::string> path;
    struct timespec times[2];
  };

  Result<UniqueFd> WalkDirs(const std::vector<std::string>& comps, bool create,
                            const std::string& entry);
  Result<int> ParentFd(const std::vector<std::string>& comps, const std::string& entry);
  Status ClearPlace(int pfd, const std::string& name, bool keep_dir, const std::string& entry);
  Status WriteData(struct archive* a, int fd, const std::string& entry);
  Status SetXattrs(struct archive_entry* e, int fd, int pfd, const std::string& name,
                   const std::string& entry);
  Status Whiteout(int pfd, const std::string& base, const std::string& entry);

  UniqueFd root_;
  std::string root_path_;
  std::string cached_parent_;  // joined components of the cached parent dir
  UniqueFd cached_fd_;
  std::vector<DirTimes> dir_times_;
  int64_t size_ = 0;
};

}  // namespace skiff::runtime::image_detail
