#include "runtime/image/layer_store.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <nlohmann/json.hpp>

#include "runtime/image/errno_status.h"
#include "runtime/image/fs_tree.h"
#include "runtime/image/layer_unpack.h"
#include "skiff/common/unique_fd.h"
#include "skiff/common/file_util.h"
#include "skiff/common/log.h"
#include "skiff/runtime/content_store.h"

namespace skiff::runtime::image_detail {

LayerStore::LayerStore(std::string dir) : dir_(std::move(dir)), tmp_dir_(dir_ + "/tmp") {}

Status LayerStore::Init() {
  Status s = RemoveTree(tmp_dir_);
  if (!s.ok()) return s;
  return MakeDirs(tmp_dir_, 0700);
}

std::string LayerStore::LayerDir(const std::string& diff_id) const {
  return dir_ + "/" + diff_id.substr(7);
}

std::string LayerStore::FsDir(const std::string& diff_id) const {
  return LayerDir(diff_id) + "/fs";
}

bool LayerStore::Has(const std::string& diff_id) const {
  if (!CheckDigest(diff_id).ok()) return false;
  struct stat st {};
  return ::stat(FsDir(diff_id).c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::string LayerStore::NewTmpPath(const std::string& diff_id) {
  return tmp_dir_ + "/" + diff_id.substr(7, 16) + "-" + std::to_string(::getpid()) + "-" +
         std::to_string(seq_.fetch_add(1));
}

Result<int64_t> LayerStore::Ensure(const std::string& diff_id, const std::string& blob_path,
                                   const std::string& blob_digest) {
  Status s = CheckDigest(diff_id);
  if (!s.ok()) return s;
  {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return unpacking_.count(diff_id) == 0; });
    if (Has(diff_id)) {
      lock.unlock();
      return Size(diff_id);
    }
    unpacking_.insert(diff_id);
  }
  struct Done {
    LayerStore* self;
    const std::string& id;
    ~Done() {
      {
        std::lock_guard<std::mutex> lock(self->mu_);
        self->unpacking_.erase(id);
      }
      self->cv_.notify_all();
    }
  } done{this, diff_id};

  const std::string tmp = NewTmpPath(diff_id);
  const std::string where = "layer " + blob_digest + " (diff id " + diff_id + "): ";
  auto fail = [&](const Status& st) {
    Status cleanup = RemoveTree(tmp);
    (void)cleanup;
    return Status(st.code(), where + st.message());
  };
  if (::mkdir(tmp.c_str(), 0700) != 0) return fail(ErrnoStatus(errno, "cannot create " + tmp));
  if (::mkdir((tmp + "/fs").c_str(), 0755) != 0) {
    return fail(ErrnoStatus(errno, "cannot create " + tmp + "/fs"));
  }
  auto unpacked = UnpackLayer(blob_path, tmp + "/fs");
  if (!unpacked.ok()) return fail(unpacked.status());
  if (unpacked->diff_id != diff_id) {
    return fail(CorruptError("the uncompressed layer has digest " + unpacked->diff_id +
                             ", not the diff id the image config lists"));
  }
  nlohmann::json meta = {{"diff_id", diff_id}, {"blob", blob_digest}, {"size", unpacked->size}};
  s = WriteFileAtomic(tmp + "/meta.json", meta.dump(), 0600);
  if (!s.ok()) return fail(s);
  // The files must be on disk before the directory is published as a complete layer.
  {
    UniqueFd fd(::open(tmp.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd.valid() || ::syncfs(fd.get()) != 0)
      return fail(ErrnoStatus(errno, "cannot sync " + tmp));
  }
  if (::rename(tmp.c_str(), LayerDir(diff_id).c_str()) != 0) {
    return fail(ErrnoStatus(errno, "cannot move the layer into place at " + LayerDir(diff_id)));
  }
  UniqueFd dir(::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.valid()) ::fsync(dir.get());
  return unpacked->size;
}

Result<int64_t> LayerStore::Size(const std::string& diff_id) const {
  auto meta = ReadFile(LayerDir(diff_id) + "/meta.json");
  if (meta.ok()) {
    auto j = nlohmann::json::parse(*meta, nullptr, false);
    if (j.is_object() && j.contains("size") && j["size"].is_number_integer()) {
      return j["size"].get<int64_t>();
    }
  }
  return TreeSize(FsDir(diff_id));
}

Result<int64_t> LayerStore::Remove(const std::string& diff_id) {
  Status s = CheckDigest(diff_id);
  if (!s.ok()) return s;
  if (!Has(diff_id)) return int64_t{0};
  auto size = Size(diff_id);
  int64_t freed = size.ok() ? *size : 0;
  // Out of sight first, so a crash never leaves a half-deleted layer that looks complete.
  std::string doomed = NewTmpPath(diff_id) + "-deleted";
  if (::rename(LayerDir(diff_id).c_str(), doomed.c_str()) != 0) {
    return ErrnoStatus(errno, "cannot remove layer " + LayerDir(diff_id));
  }
  s = RemoveTree(doomed);
  if (!s.ok()) return s;
  return freed;
}

namespace {

// Why the layer directory `dir` of `diff_id` is not a complete layer; "" when it is.
std::string LayerDamage(const std::string& dir, const std::string& diff_id) {
  struct stat st {};
  if (::stat((dir + "/fs").c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return "no fs directory";
  auto meta = ReadFile(dir + "/meta.json");
  if (!meta.ok()) return "meta.json: " + meta.status().message();
  auto j = nlohmann::json::parse(*meta, nullptr, false);
  if (!j.is_object()) return "meta.json is not a JSON object";
  if (!j.contains("size") || !j["size"].is_number_integer()) return "meta.json has no size";
  if (j.value("diff_id", "") != diff_id) return "meta.json names another diff id";
  return "";
}

}  // namespace

std::vector<std::string> LayerStore::DiscardDamaged() {
  std::vector<std::string> discarded;
  for (const std::string& diff_id : List()) {
    const std::string cause = LayerDamage(LayerDir(diff_id), diff_id);
    if (cause.empty()) continue;
    log::Warning("images", "discarding a damaged layer",
                 {{"path", LayerDir(diff_id)}, {"cause", cause}});
    std::string doomed = NewTmpPath(diff_id) + "-damaged";
    Status s = ::rename(LayerDir(diff_id).c_str(), doomed.c_str()) == 0
                   ? RemoveTree(doomed)
                   : ErrnoStatus(errno, "cannot move " + LayerDir(diff_id) + " aside");
    if (!s.ok()) {
      log::Error("images", "cannot delete a damaged layer", {{"error", s.message()}});
      continue;
    }
    discarded.push_back(diff_id);
  }
  return discarded;
}

std::vector<std::string> LayerStore::List() const {
  std::vector<std::string> out;
  DIR* d = ::opendir(dir_.c_str());
  if (d == nullptr) return out;
  while (struct dirent* e = ::readdir(d)) {
    std::string id = std::string("sha256:") + e->d_name;
    if (CheckDigest(id).ok()) out.push_back(id);
  }
  ::closedir(d);
  return out;
}

}  // namespace skiff::runtime::image_detail
