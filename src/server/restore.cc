#include "skiff/server/restore.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <ostream>

#include "api/object_util.h"
#include "server/backup_files.h"
#include "server/backup_report.h"
#include "server/data_dir.h"
#include "skiff/common/file_util.h"

namespace skiff::server {
namespace {

// Where the restore is built inside the data directory before it is renamed into place.
constexpr const char* kStaging = ".skiff-restore";

std::string WithoutTrailingSlashes(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return path;
}

// OK when `dir` is an empty directory (*exists) or does not exist (!*exists).
Status CheckEmpty(const std::string& dir, bool* exists) {
  struct stat st {};
  *exists = ::stat(dir.c_str(), &st) == 0;
  if (!*exists) {
    if (errno == ENOENT) return Status::Ok();
    return UnavailableError("cannot read " + dir + ": " + std::strerror(errno));
  }
  if (!S_ISDIR(st.st_mode)) return InvalidArgumentError(dir + " is not a directory");
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return UnavailableError("cannot list " + dir + ": " + std::strerror(errno));
  std::string first;
  while (const dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    first = name;
    break;
  }
  ::closedir(d);
  if (first.empty()) return Status::Ok();
  if (first == kStaging) {
    return InvalidArgumentError(dir + " holds " + kStaging +
                                " from an interrupted restore: remove " + dir + "/" + kStaging +
                                " and run skiff restore again");
  }
  return InvalidArgumentError(dir + " is not empty (it holds \"" + first +
                              "\"): skiff restore writes only into an empty or new directory");
}

// Writes everything the backup holds into `stage`, a data directory of its own.
Status Build(const std::string& file, const store::BackupArchive& archive, const DataDir& stage,
             const store::CopyProgress& progress) {
  if (Status s = MakeDirs(stage.db_dir(), 0700); !s.ok()) return s;
  if (Status s = MakeDirs(stage.tls_dir(), 0700); !s.ok()) return s;
  const std::string tmp = stage.db_path() + ".tmp";
  if (Status s = store::RestoreStoreFile(file, tmp, progress); !s.ok()) return s;
  if (Status s = CommitNewFile(tmp, stage.db_path()); !s.ok()) return s;
  for (const store::BackupFile& f : archive.files) {
    Status s = WriteFileAtomic(stage.root + "/" + f.path, f.content, f.mode & 0777);
    if (!s.ok()) return s;
  }
  for (const std::string& dir : {stage.tls_dir(), stage.root + "/server", stage.root}) {
    if (Status s = SyncDir(dir); !s.ok()) return s;
  }
  return Status::Ok();
}

// Moves the staged server/ into the data directory in one rename.
Status Publish(const DataDir& stage, const DataDir& target) {
  const std::string from = stage.root + "/server";
  const std::string to = target.root + "/server";
  if (::rename(from.c_str(), to.c_str()) != 0) {
    return UnavailableError("cannot rename " + from + " to " + to + ": " + std::strerror(errno));
  }
  ::rmdir(stage.root.c_str());
  return SyncDir(target.root);
}

}  // namespace

Result<store::BackupArchive> RestoreBackup(const std::string& file, const std::string& data_dir,
                                           const store::CopyProgress& progress) {
  const DataDir target{WithoutTrailingSlashes(data_dir)};
  bool existed = false;
  if (Status s = CheckEmpty(target.root, &existed); !s.ok()) return s;
  Result<store::BackupArchive> archive = store::ReadBackupArchive(file);
  if (!archive.ok()) return archive.status();
  if (Status s = CheckBackupFiles(archive->files, file); !s.ok()) return s;

  if (Status s = MakeDirs(target.root, 0700); !s.ok()) return s;
  const DataDir stage{target.root + "/" + kStaging};
  Status s = Build(file, *archive, stage, progress);
  if (s.ok()) s = Publish(stage, target);
  if (s.ok() && !existed) s = SyncDir(DirName(target.root));
  if (!s.ok()) {
    std::error_code ec;
    std::filesystem::remove_all(stage.root, ec);
    if (!existed) ::rmdir(target.root.c_str());
    return s;
  }
  return archive;
}

int RunRestore(const cli::BackupOptions& options, std::ostream& out, std::ostream& err) {
  Result<store::BackupArchive> done =
      RestoreBackup(options.file, options.data_dir, PageProgress(out, "restore"));
  if (!done.ok()) {
    err << "skiff: restore: " << done.status().message() << "\n";
    return 1;
  }
  const store::BackupInfo& info = done->info;
  const auto taken = std::chrono::system_clock::time_point(std::chrono::seconds(info.created_unix));
  out << "restore: wrote " << Contents(info, done->files.size()) << " into " << options.data_dir
      << ", from " << options.file << " (taken from " << info.source << " at "
      << api::Rfc3339(taken) << " by skiff " << info.skiff_version << ")\n"
      << "restore: start it with: skiff server --data-dir " << options.data_dir << "\n";
  return 0;
}

}  // namespace skiff::server
