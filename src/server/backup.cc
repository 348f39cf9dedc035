#include "skiff/server/backup.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <ostream>

#include "server/backup_files.h"
#include "server/backup_report.h"
#include "server/data_dir.h"
#include "skiff/cli/version.h"
#include "skiff/common/file_util.h"

namespace skiff::server {
namespace {

bool Exists(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0 || errno != ENOENT;
}

std::string Absolute(const std::string& path) {
  std::error_code ec;
  std::filesystem::path abs = std::filesystem::absolute(path, ec);
  return ec ? path : abs.lexically_normal().string();
}

}  // namespace

Result<BackupResult> TakeBackup(const std::string& data_dir, const std::string& file,
                                const store::CopyProgress& progress) {
  if (Exists(file)) {
    return AlreadyExistsError(file +
                              " already exists; skiff backup never replaces a file: "
                              "remove it or name another");
  }
  const DataDir dir{data_dir};
  if (!Exists(dir.db_path())) {
    return NotFoundError("there is no store at " + dir.db_path() +
                         ": has skiff server run with this --data-dir?");
  }
  Result<std::vector<store::BackupFile>> files = ReadBackupFiles(dir);
  if (!files.ok()) return files.status();

  store::BackupInfo info;
  info.skiff_version = std::string(cli::SkiffVersion());
  info.created_unix = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  info.source = Absolute(data_dir);
  const std::string tmp = file + ".tmp";
  Result<store::BackupInfo> written =
      store::WriteBackupArchive(dir.db_path(), tmp, std::move(info), *files, progress);
  if (!written.ok()) {
    if (written.status().code() != Code::kAlreadyExists) return written.status();
    return AlreadyExistsError(tmp + " already exists: another skiff backup is writing " + file +
                              ", or one was interrupted (then remove " + tmp + ")");
  }
  if (Status s = CommitNewFile(tmp, file); !s.ok()) {
    ::unlink(tmp.c_str());
    return s;
  }
  struct stat st {};
  BackupResult result{std::move(*written), files->size(), 0};
  if (::stat(file.c_str(), &st) == 0) result.bytes = st.st_size;
  return result;
}

int RunBackup(const cli::BackupOptions& options, std::ostream& out, std::ostream& err) {
  Result<BackupResult> done =
      TakeBackup(options.data_dir, options.file, PageProgress(out, "backup"));
  if (!done.ok()) {
    err << "skiff: backup: " << done.status().message() << "\n";
    return 1;
  }
  out << "backup: wrote " << options.file << " (" << HumanSize(done->bytes)
      << "): " << Contents(done->info, done->files) << ", from " << done->info.source << "\n";
  return 0;
}

}  // namespace skiff::server
