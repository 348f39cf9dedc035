#include "atomic_writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <random>
#include <set>
#include <vector>

namespace skiff::node::internal {
namespace {

namespace fs = std::filesystem;

constexpr const char* kDataDir = "..data";
constexpr const char* kDataTmp = "..data_tmp";
constexpr size_t kMaxPath = 4096;
constexpr size_t kMaxName = 255;

std::string Errno() { return std::strerror(errno); }

struct Fd {
  int fd = -1;
  explicit Fd(int f) : fd(f) {}
  ~Fd() {
    if (fd >= 0) close(fd);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
};

std::string TopLevel(const std::string& path) { return path.substr(0, path.find('/')); }

std::optional<std::string> ReadLink(const std::string& path) {
  char buf[4096];
  ssize_t n = readlink(path.c_str(), buf, sizeof(buf));
  if (n < 0) return std::nullopt;
  return std::string(buf, static_cast<size_t>(n));
}

// The regular files under `dir` as relative path -> (contents, mode).
std::map<std::string, FileProjection> ReadTree(const std::string& dir) {
  std::map<std::string, FileProjection> out;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    struct stat st;
    if (lstat(it->path().c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    Fd fd(open(it->path().c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    if (fd.fd < 0) continue;
    std::string data;
    char buf[8192];
    ssize_t n;
    while ((n = read(fd.fd, buf, sizeof(buf))) > 0) data.append(buf, static_cast<size_t>(n));
    out[fs::relative(it->path(), dir).string()] = {std::move(data), st.st_mode & 07777};
  }
  return out;
}

Status WriteFile(const std::string& path, const FileProjection& file) {
  Fd fd(open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (fd.fd < 0) return InternalError("cannot create " + path + ": " + Errno());
  size_t done = 0;
  while (done < file.data.size()) {
    ssize_t n = write(fd.fd, file.data.data() + done, file.data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return InternalError("cannot write " + path + ": " + Errno());
    }
    done += static_cast<size_t>(n);
  }
  if (fchmod(fd.fd, file.mode) != 0) return InternalError("cannot chmod " + path + ": " + Errno());
  return Status::Ok();
}

Status MakeDirs(const std::string& base, const std::string& rel) {
  std::string cur = base;
  size_t i = 0;
  while (i < rel.size()) {
    size_t j = rel.find('/', i);
    if (j == std::string::npos) break;  // the last component is the file
    cur += "/" + rel.substr(i, j - i);
    if (mkdir(cur.c_str(), 0755) != 0 && errno != EEXIST) {
      return InternalError("cannot create directory " + cur + ": " + Errno());
    }
    chmod(cur.c_str(), 0755);
    i = j + 1;
  }
  return Status::Ok();
}

// "..2026_11_28_10_00_00.123456789", created 0755.
Result<std::string> NewTimestampDir(const std::string& dir) {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char stamp[64];
  std::strftime(stamp, sizeof(stamp), "..%Y_%m_%d_%H_%M_%S.", &tm);
  std::random_device rd;
  std::mt19937_64 rng(rd());
  for (int attempt = 0; attempt < 100; ++attempt) {
    std::string name = stamp + std::to_string(rng() % 1000000000ULL);
    std::string path = dir + "/" + name;
    if (mkdir(path.c_str(), 0755) == 0) {
      chmod(path.c_str(), 0755);
      return name;
    }
    if (errno != EEXIST) return InternalError("cannot create " + path + ": " + Errno());
  }
  return InternalError("cannot create a timestamped directory in " + dir);
}

mode_t FinalMode(mode_t mode, std::optional<gid_t> fs_group) {
  return fs_group ? (mode | 0440) : mode;
}

Status EnsureTopLevelLinks(const std::string& dir, const Payload& payload) {
  std::set<std::string> tops;
  for (const auto& [path, file] : payload) tops.insert(TopLevel(path));
  for (const auto& top : tops) {
    std::string visible = dir + "/" + top;
    struct stat st;
    if (lstat(visible.c_str(), &st) == 0) continue;
    if (symlink((std::string(kDataDir) + "/" + top).c_str(), visible.c_str()) != 0) {
      return InternalError("cannot create symlink " + visible + ": " + Errno());
    }
  }
  return Status::Ok();
}

}  // namespace

Status ValidatePayload(const Payload& payload) {
  for (const auto& [path, file] : payload) {
    if (path.empty()) return InvalidArgumentError("invalid path: must not be empty");
    if (path.size() > kMaxPath) {
      return InvalidArgumentError("invalid path: must be less than or equal to 4096 characters");
    }
    if (path[0] == '/') return InvalidArgumentError("invalid path: must be relative path: " + path);
    size_t i = 0;
    bool first = true;
    while (i <= path.size()) {
      size_t j = path.find('/', i);
      if (j == std::string::npos) j = path.size();
      std::string item = path.substr(i, j - i);
      if (item == "..") return InvalidArgumentError("invalid path: must not contain '..': " + path);
      if (item.size() > kMaxName) {
        return InvalidArgumentError(
            "invalid path: filenames must be less than or equal to 255 "
            "characters");
      }
      if (first && item.size() > 2 && item.compare(0, 2, "..") == 0) {
        return InvalidArgumentError("invalid path: must not start with '..': " + path);
      }
      first = false;
      i = j + 1;
    }
  }
  return Status::Ok();
}

Result<bool> WriteAtomically(const std::string& dir, const Payload& payload,
                             std::optional<gid_t> fs_group) {
  if (Status s = ValidatePayload(payload); !s.ok()) return s;
  std::string data_link = dir + "/" + kDataDir;
  std::optional<std::string> old_ts = ReadLink(data_link);
  std::map<std::string, FileProjection> old_files;
  if (old_ts) {
    old_files = ReadTree(dir + "/" + *old_ts);
    bool same = old_files.size() == payload.size();
    for (auto it = payload.begin(); same && it != payload.end(); ++it) {
      auto o = old_files.find(it->first);
      same = o != old_files.end() && o->second.data == it->second.data &&
             o->second.mode == FinalMode(it->second.mode, fs_group);
    }
    if (same) {
      if (Status s = EnsureTopLevelLinks(dir, payload); !s.ok()) return s;
      return false;
    }
  }

  auto ts = NewTimestampDir(dir);
  if (!ts.ok()) return ts.status();
  std::string ts_path = dir + "/" + *ts;
  for (const auto& [path, file] : payload) {
    if (Status s = MakeDirs(ts_path, path); !s.ok()) return s;
    FileProjection final = file;
    final.mode = file.mode & 07777;
    if (Status s = WriteFile(ts_path + "/" + path, final); !s.ok()) return s;
  }
  if (fs_group) {
    if (Status s = ApplyFsGroup(ts_path, *fs_group, true); !s.ok()) return s;
  }

  std::string tmp_link = dir + "/" + kDataTmp;
  unlink(tmp_link.c_str());
  if (symlink(ts->c_str(), tmp_link.c_str()) != 0) {
    return InternalError("cannot create symlink " + tmp_link + ": " + Errno());
  }
  if (rename(tmp_link.c_str(), data_link.c_str()) != 0) {
    return InternalError("cannot rename " + tmp_link + " to " + data_link + ": " + Errno());
  }
  if (Status s = EnsureTopLevelLinks(dir, payload); !s.ok()) return s;

  // Top-level entries of the old set that the new one lacks.
  std::set<std::string> new_tops;
  for (const auto& [path, file] : payload) new_tops.insert(TopLevel(path));
  for (const auto& [path, file] : old_files) {
    std::string top = TopLevel(path);
    if (new_tops.count(top)) continue;
    std::string visible = dir + "/" + top;
    struct stat st;
    if (lstat(visible.c_str(), &st) == 0 && S_ISLNK(st.st_mode)) unlink(visible.c_str());
  }
  // The old timestamped directory, and any left behind by an interrupted write.
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    std::string name = entry.path().filename().string();
    if (name.size() > 2 && name.compare(0, 2, "..") == 0 && name != kDataDir && name != *ts &&
        entry.is_directory(ec) && !entry.is_symlink(ec)) {
      fs::remove_all(entry.path(), ec);
    }
  }
  return true;
}

Status ApplyFsGroup(const std::string& root, gid_t gid, bool read_only) {
  auto apply = [&](const std::string& path) -> Status {
    struct stat st;
    if (lstat(path.c_str(), &st) != 0) return InternalError("cannot stat " + path + ": " + Errno());
    if (lchown(path.c_str(), static_cast<uid_t>(-1), gid) != 0) {
      return InternalError("cannot chown " + path + ": " + Errno());
    }
    if (S_ISLNK(st.st_mode)) return Status::Ok();
    mode_t mask = read_only ? 0440 : 0660;
    if (S_ISDIR(st.st_mode)) mask |= S_ISGID | 0110;
    if (chmod(path.c_str(), (st.st_mode & 07777) | mask) != 0) {
      return InternalError("cannot chmod " + path + ": " + Errno());
    }
    return Status::Ok();
  };
  if (Status s = apply(root); !s.ok()) return s;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
    if (Status s = apply(it->path().string()); !s.ok()) return s;
  }
  if (ec) return InternalError("cannot walk " + root + ": " + ec.message());
  return Status::Ok();
}

}  // namespace skiff::node::internal
