#include "ext4_image.h"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "run_tool.h"
#include "skiff/common/file_util.h"
#include "skiff/common/unique_fd.h"

#ifndef EXT4_IOC_RESIZE_FS
#define EXT4_IOC_RESIZE_FS _IOW('f', 16, uint64_t)
#endif

namespace skiff::node::internal {
namespace {

constexpr uint16_t kExt4Magic = 0xEF53;
constexpr uint16_t kStateValid = 0x1;
constexpr uint16_t kStateError = 0x2;
constexpr uint32_t kIncompat64Bit = 0x80;

uint32_t Le32(const unsigned char* p) {
  return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}
uint16_t Le16(const unsigned char* p) { return uint16_t(p[0] | p[1] << 8); }

Status MakeSparseFile(const std::string& path, int64_t bytes) {
  ::unlink(path.c_str());
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (!fd.valid()) return InternalError(std::strerror(errno));
  if (::ftruncate(fd.get(), bytes) != 0) return InternalError(std::strerror(errno));
  return Status::Ok();
}

}  // namespace

Status CreateExt4Image(const std::string& tmp, const std::string& image, int64_t bytes) {
  Status s = MakeSparseFile(tmp, bytes);
  if (s.ok()) {
    s = RunToolChecked({"mkfs.ext4", "-q", "-F", "-m", "0", "-E",
                        "nodiscard,assume_storage_prezeroed=1,root_owner=0:0", tmp});
  }
  if (s.ok()) s = RunToolChecked({"debugfs", "-w", "-R", "sif / mode 040777", tmp});
  if (s.ok()) {
    s = CommitNewFile(tmp, image);
    if (!s.ok() && s.code() == Code::kAlreadyExists) {
      s = InternalError(image + " appeared while it was being made");
    }
  }
  if (!s.ok()) ::unlink(tmp.c_str());
  return s;
}

Result<Ext4Superblock> ReadExt4Superblock(const std::string& image) {
  UniqueFd fd(::open(image.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return InternalError(std::strerror(errno));
  unsigned char sb[1024];
  ssize_t n = ::pread(fd.get(), sb, sizeof sb, 1024);
  if (n < 0) return InternalError(std::strerror(errno));
  if (n != static_cast<ssize_t>(sizeof sb) || Le16(sb + 56) != kExt4Magic) {
    return CorruptError("no ext4 filesystem in " + image);
  }
  Ext4Superblock out;
  out.block_size = int64_t{1024} << Le32(sb + 24);
  out.blocks = Le32(sb + 4);
  if (Le32(sb + 96) & kIncompat64Bit) out.blocks |= int64_t{Le32(sb + 0x150)} << 32;
  const uint16_t state = Le16(sb + 58);
  out.clean = (state & kStateValid) && !(state & kStateError);
  return out;
}

Status CheckExt4Image(const std::string& image) {
  auto sb = ReadExt4Superblock(image);
  if (!sb.ok()) return sb.status();
  if (sb->clean) return Status::Ok();
  auto r = RunTool({"e2fsck", "-p", image});
  if (!r.ok()) return r.status();
  // 0: clean; 1: errors fixed; 2: fixed, reboot advised (only for a mounted root filesystem).
  if (r->exit_code >= 0 && r->exit_code <= 2) return Status::Ok();
  return CorruptError("e2fsck -p cannot repair it unattended (exit status " +
                      std::to_string(r->exit_code) + "): " + r->output);
}

Status GrowMountedExt4(const std::string& mount_point, int64_t bytes) {
  UniqueFd fd(::open(mount_point.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) return InternalError(std::strerror(errno));
  struct statfs st {};
  if (::fstatfs(fd.get(), &st) != 0) return InternalError(std::strerror(errno));
  uint64_t blocks = static_cast<uint64_t>(bytes) / static_cast<uint64_t>(st.f_bsize);
  if (::ioctl(fd.get(), EXT4_IOC_RESIZE_FS, &blocks) != 0) {
    if (errno == EPERM) {
      return UnimplementedError("online resize is not permitted (it needs CAP_SYS_RESOURCE)");
    }
    return InternalError(std::string("online resize failed: ") + std::strerror(errno));
  }
  return Status::Ok();
}

Status GrowExt4Image(const std::string& image) {
  auto r = RunTool({"e2fsck", "-f", "-p", image});
  if (!r.ok()) return r.status();
  if (r->exit_code < 0 || r->exit_code > 2) {
    return CorruptError("e2fsck -f -p cannot repair it unattended (exit status " +
                        std::to_string(r->exit_code) + "): " + r->output);
  }
  return RunToolChecked({"resize2fs", image});
}

}  // namespace skiff::node::internal
