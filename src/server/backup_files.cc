#include "server/backup_files.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "skiff/common/file_lock.h"
#include "skiff/common/file_util.h"

namespace skiff::server {
namespace {

constexpr const char* kTlsPrefix = "server/tls/";
constexpr const char* kTokenPath = "server/token";
constexpr const char* kRequired[] = {"server/tls/ca.crt", "server/tls/ca.key", kTokenPath};

// The temporary files of WriteFileAtomic ("x.tmp-PID") and RewriteFileAtomic ("x.spare").
bool IsTemporary(const std::string& name) {
  return name.find(".tmp-") != std::string::npos ||
         (name.size() > 6 && name.compare(name.size() - 6, 6, ".spare") == 0);
}

Status ReadOne(const std::string& path, const std::string& relative,
               std::vector<store::BackupFile>& out) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return NotFoundError(path + " does not exist");
    return UnavailableError("cannot read " + path + ": " + std::strerror(errno));
  }
  if (!S_ISREG(st.st_mode)) return Status::Ok();
  Result<std::string> content = ReadFile(path);
  if (!content.ok()) return content.status();
  out.push_back({relative, static_cast<uint32_t>(st.st_mode & 0777), std::move(*content)});
  return Status::Ok();
}

Result<std::vector<std::string>> TlsNames(const std::string& tls_dir) {
  DIR* d = ::opendir(tls_dir.c_str());
  if (d == nullptr) {
    if (errno == ENOENT) return NotFoundError(tls_dir + " does not exist");
    return UnavailableError("cannot list " + tls_dir + ": " + std::strerror(errno));
  }
  std::vector<std::string> names;
  while (const dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name.empty() || name[0] == '.' || IsTemporary(name)) continue;
    names.push_back(std::move(name));
  }
  ::closedir(d);
  return names;
}

Result<std::vector<store::BackupFile>> ReadPass(const DataDir& dir) {
  Result<std::vector<std::string>> names = TlsNames(dir.tls_dir());
  if (!names.ok()) return names.status();
  std::vector<store::BackupFile> files;
  for (const std::string& name : *names) {
    if (Status s = ReadOne(dir.tls_dir() + "/" + name, kTlsPrefix + name, files); !s.ok()) {
      if (s.code() != Code::kNotFound) return s;  // a temporary file gone meanwhile
    }
  }
  if (Status s = ReadOne(dir.token_path(), kTokenPath, files); !s.ok()) return s;
  std::sort(files.begin(), files.end(),
            [](const store::BackupFile& a, const store::BackupFile& b) { return a.path < b.path; });
  return files;
}

bool Holds(const std::vector<store::BackupFile>& files, const std::string& path) {
  return std::any_of(files.begin(), files.end(),
                     [&](const store::BackupFile& f) { return f.path == path; });
}

}  // namespace

Result<std::vector<store::BackupFile>> ReadBackupFiles(const DataDir& dir) {
  if (::access(dir.tls_dir().c_str(), F_OK) != 0) {
    return NotFoundError(dir.tls_dir() +
                         " does not exist: has skiff server run with this --data-dir?");
  }
  // The PKI's lock (auth::EnsurePki holds it while it writes): a rotation running now cannot
  // leave a certificate here with another one's key.
  Result<FileLock> lock = FileLock::Acquire(dir.tls_dir() + "/.lock");
  if (!lock.ok()) return lock.status();
  Result<std::vector<store::BackupFile>> files = ReadPass(dir);
  if (!files.ok()) return files.status();
  for (const char* required : kRequired) {
    if (!Holds(*files, required)) {
      return NotFoundError(dir.root + "/" + required +
                           " does not exist: has skiff server run with this --data-dir?");
    }
  }
  return files;
}

Status CheckBackupFiles(const std::vector<store::BackupFile>& files, const std::string& archive) {
  for (const store::BackupFile& f : files) {
    const bool tls = f.path.rfind(kTlsPrefix, 0) == 0;
    const std::string name = tls ? f.path.substr(std::strlen(kTlsPrefix)) : "";
    const bool plain = !name.empty() && name != "." && name != ".." &&
                       name.find('/') == std::string::npos && name.find('\0') == std::string::npos;
    if (f.path != kTokenPath && !(tls && plain)) {
      return InvalidArgumentError(archive + " holds a file skiff does not restore: \"" + f.path +
                                  "\"");
    }
  }
  for (const char* required : kRequired) {
    if (!Holds(files, required)) {
      return InvalidArgumentError(archive + " does not hold " + required);
    }
  }
  return Status::Ok();
}

}  // namespace skiff::server
