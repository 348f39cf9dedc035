// ImageStore::ImportDirectory: the airgap directory, imported at every start without reading a
// file again when it has not changed.
#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>

#include "runtime/image/errno_status.h"
#include "runtime/image/store_state.h"
#include "skiff/common/log.h"

namespace skiff::runtime {
namespace {

bool IsArchiveName(const std::string& name) {
  for (std::string_view ext : {".tar", ".tar.gz", ".tgz", ".tar.zst", ".tzst", ".tar.zstd"}) {
    if (name.size() > ext.size() && name.ends_with(ext)) return true;
  }
  return false;
}

struct Candidate {
  std::string path;
  int64_t size = 0;
  int64_t mtime_ns = 0;
};

// The fingerprint of an archive file, or of an OCI layout directory's index.json.
bool Fingerprint(const std::string& path, bool is_dir, Candidate* c) {
  struct stat st {};
  std::string key = is_dir ? path + "/index.json" : path;
  if (::stat(key.c_str(), &st) != 0) return false;
  c->path = path;
  c->size = st.st_size;
  c->mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
  return true;
}

}  // namespace

Status ImageStore::ImportDirectory(const std::string& dir_arg, ImportReport* report) {
  std::string dir = dir_arg;
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  std::vector<Candidate> candidates;
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) {
    if (errno == ENOENT) return Status::Ok();
    return image_detail::ErrnoStatus(errno, "cannot read the image directory " + dir);
  }
  while (struct dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name.empty() || name[0] == '.') continue;
    std::string path = dir + "/" + name;
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) continue;
    Candidate c;
    if (S_ISDIR(st.st_mode)) {
      struct stat layout {};
      if (::stat((path + "/oci-layout").c_str(), &layout) != 0) continue;
      if (!Fingerprint(path, true, &c)) continue;
    } else if (S_ISREG(st.st_mode) && IsArchiveName(name)) {
      if (!Fingerprint(path, false, &c)) continue;
    } else {
      continue;
    }
    candidates.push_back(std::move(c));
  }
  ::closedir(d);
  std::sort(candidates.begin(), candidates.end(),
            [](const Candidate& a, const Candidate& b) { return a.path < b.path; });

  {  // Forget files that are gone from this directory.
    std::lock_guard<std::mutex> lock(s_->mu);
    for (auto it = s_->imports.begin(); it != s_->imports.end();) {
      bool here = it->first.starts_with(dir + "/") &&
                  std::any_of(candidates.begin(), candidates.end(),
                              [&](const Candidate& c) { return c.path == it->first; });
      it = it->first.starts_with(dir + "/") && !here ? s_->imports.erase(it) : std::next(it);
    }
  }

  for (const Candidate& c : candidates) {
    ImportReport::File file;
    file.path = c.path;
    {
      std::lock_guard<std::mutex> lock(s_->mu);
      auto it = s_->imports.find(c.path);
      if (it != s_->imports.end() && it->second.size == c.size &&
          it->second.mtime_ns == c.mtime_ns &&
          std::all_of(it->second.image_ids.begin(), it->second.image_ids.end(),
                      [&](const std::string& id) { return s_->images.count(id) != 0; })) {
        file.unchanged = true;
        file.image_ids = it->second.image_ids;
      }
    }
    if (!file.unchanged) {
      std::shared_lock<std::shared_mutex> gc(s_->gc_mu);
      auto images = s_->ImportShared(c.path, /*pinned=*/true, &file.warnings);
      if (images.ok()) {
        for (const Image& img : *images) file.image_ids.push_back(img.id);
        std::lock_guard<std::mutex> lock(s_->mu);
        s_->imports[c.path] = {c.size, c.mtime_ns, file.image_ids};
        file.status = s_->SaveLocked();
        log::Info("images", "imported airgap images",
                  {{"file", c.path}, {"images", std::to_string(file.image_ids.size())}});
      } else {
        file.status = images.status();
        log::Error("images", "airgap import failed",
                   {{"file", c.path}, {"error", images.status().ToString()}});
      }
      for (const std::string& w : file.warnings) log::Warning("images", w, {{"file", c.path}});
    }
    if (report != nullptr) report->files.push_back(std::move(file));
  }
  return Status::Ok();
}

}  // namespace skiff::runtime
