#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <ctime>

#include "runtime/image/errno_status.h"
#include "runtime/image/file_content_store.h"
#include "runtime/image/sha256.h"
#include "skiff/common/unique_fd.h"
#include "skiff/common/file_util.h"

namespace skiff::runtime {

Status CheckDigest(const std::string& digest) {
  constexpr std::string_view kPrefix = "sha256:";
  bool ok = digest.size() == kPrefix.size() + 64 && digest.compare(0, kPrefix.size(), kPrefix) == 0;
  for (size_t i = kPrefix.size(); ok && i < digest.size(); ++i) {
    char c = digest[i];
    ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  }
  if (!ok) {
    return InvalidArgumentError("invalid digest \"" + digest +
                                "\": want sha256: and 64 lower-case hex digits");
  }
  return Status::Ok();
}

Result<std::unique_ptr<ContentStore>> ContentStore::Open(const std::string& root) {
  auto store = image_detail::FileContentStore::OpenFiles(root);
  if (!store.ok()) return store.status();
  return std::unique_ptr<ContentStore>(std::move(store).value());
}

namespace image_detail {
namespace {

std::string Hex(const std::string& digest) { return digest.substr(7); }

Status WriteAll(int fd, const char* data, size_t size, const std::string& path) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoStatus(errno, "cannot write " + path);
    data += n;
    size -= static_cast<size_t>(n);
  }
  return Status::Ok();
}

void SyncDir(const std::string& dir) {
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.valid()) ::fsync(fd.get());
}

// Holds one digest in the in-flight set; released when destroyed.
class InflightSlot {
 public:
  InflightSlot(std::shared_ptr<InflightDigests> set, std::string digest)
      : set_(std::move(set)), digest_(std::move(digest)) {}
  ~InflightSlot() { Release(); }
  InflightSlot(const InflightSlot&) = delete;
  InflightSlot& operator=(const InflightSlot&) = delete;
  void Release() {
    if (!set_) return;
    std::lock_guard<std::mutex> lock(set_->mu);
    set_->digests.erase(digest_);
    set_.reset();
  }

 private:
  std::shared_ptr<InflightDigests> set_;
  std::string digest_;
};

class FileIngest : public ContentStore::Ingest {
 public:
  FileIngest(std::unique_ptr<InflightSlot> slot, std::string digest, int64_t expected_size,
             std::string partial, std::string blob, std::string blobs_dir, UniqueFd fd,
             int64_t offset, Sha256 hash)
      : slot_(std::move(slot)),
        digest_(std::move(digest)),
        expected_size_(expected_size),
        partial_(std::move(partial)),
        blob_(std::move(blob)),
        blobs_dir_(std::move(blobs_dir)),
        fd_(std::move(fd)),
        offset_(offset),
        hash_(std::move(hash)) {}

  int64_t offset() const override { return offset_; }

  Status Write(const char* data, size_t size) override {
    if (!fd_.valid()) return InternalError("blob " + digest_ + ": ingest already finished");
    if (expected_size_ >= 0 && offset_ + static_cast<int64_t>(size) > expected_size_) {
      Status t = Truncate();
      (void)t;
      return CorruptError("blob " + digest_ + ": more data than the expected " +
                          std::to_string(expected_size_) + " bytes");
    }
    Status s = WriteAll(fd_.get(), data, size, partial_);
    if (!s.ok()) return s;
    hash_.Update(data, size);
    offset_ += static_cast<int64_t>(size);
    return Status::Ok();
  }

  Status Truncate() override {
    if (!fd_.valid()) return InternalError("blob " + digest_ + ": ingest already finished");
    if (::ftruncate(fd_.get(), 0) != 0) return ErrnoStatus(errno, "cannot truncate " + partial_);
    hash_.Reset();
    offset_ = 0;
    return Status::Ok();
  }

  Status Commit() override {
    if (!fd_.valid()) return InternalError("blob " + digest_ + ": ingest already finished");
    if (expected_size_ >= 0 && offset_ != expected_size_) {
      Drop();
      return CorruptError("blob " + digest_ + ": got " + std::to_string(offset_) +
                          " bytes, expected " + std::to_string(expected_size_));
    }
    std::string actual = hash_.Digest();
    if (actual != digest_) {
      Drop();
      return CorruptError("blob " + digest_ + ": digest mismatch, the data has digest " + actual);
    }
    if (::fsync(fd_.get()) != 0) return ErrnoStatus(errno, "cannot sync " + partial_);
    if (::fchmod(fd_.get(), 0444) != 0) return ErrnoStatus(errno, "cannot chmod " + partial_);
    if (::rename(partial_.c_str(), blob_.c_str()) != 0) {
      return ErrnoStatus(errno, "cannot move blob into place at " + blob_);
    }
    SyncDir(blobs_dir_);
    fd_.reset();
    slot_->Release();
    return Status::Ok();
  }

  void Abort() override {
    if (fd_.valid()) Drop();
  }

 private:
  void Drop() {
    ::unlink(partial_.c_str());
    fd_.reset();
    slot_->Release();
  }

  std::unique_ptr<InflightSlot> slot_;
  std::string digest_;
  int64_t expected_size_;
  std::string partial_;
  std::string blob_;
  std::string blobs_dir_;
  UniqueFd fd_;
  int64_t offset_;
  Sha256 hash_;
};

}  // namespace

FileContentStore::FileContentStore(std::string root)
    : root_(std::move(root)),
      blobs_dir_(root_ + "/blobs/sha256"),
      ingest_dir_(root_ + "/ingest"),
      inflight_(std::make_shared<InflightDigests>()) {}

Result<std::unique_ptr<FileContentStore>> FileContentStore::OpenFiles(const std::string& root) {
  std::unique_ptr<FileContentStore> store(new FileContentStore(root));
  for (const std::string& dir : {store->blobs_dir_, store->ingest_dir_}) {
    Status s = MakeDirs(dir, 0700);
    if (!s.ok()) return s;
  }
  // Temporary files of IngestStream die with the process that wrote them.
  if (DIR* d = ::opendir(store->ingest_dir_.c_str())) {
    while (struct dirent* e = ::readdir(d)) {
      if (std::string_view(e->d_name).substr(0, 4) == "tmp-") {
        ::unlinkat(::dirfd(d), e->d_name, 0);
      }
    }
    ::closedir(d);
  }
  return store;
}

bool FileContentStore::Has(const std::string& digest) const {
  if (!CheckDigest(digest).ok()) return false;
  struct stat st {};
  return ::stat(BlobPath(digest).c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

std::string FileContentStore::BlobPath(const std::string& digest) const {
  if (!CheckDigest(digest).ok()) return "";
  return blobs_dir_ + "/" + Hex(digest);
}

Result<std::string> FileContentStore::ReadBlob(const std::string& digest) const {
  Status s = CheckDigest(digest);
  if (!s.ok()) return s;
  auto data = ReadFile(BlobPath(digest));
  if (!data.ok() && data.status().code() == Code::kNotFound) {
    return NotFoundError("blob " + digest + " is not in the content store");
  }
  if (!data.ok()) return data;
  // Whole blobs are read only for documents (manifests, configs): checking them costs little
  // next to reading them, and a damaged one must not be trusted.
  if (std::string actual = Sha256Digest(*data); actual != digest) {
    DiscardBlob(digest, "its content has digest " + actual);
    return NotFoundError("blob " + digest + " was damaged and is removed; fetch it again");
  }
  return data;
}

Result<int64_t> FileContentStore::BlobSize(const std::string& digest) const {
  Status s = CheckDigest(digest);
  if (!s.ok()) return s;
  struct stat st {};
  if (::stat(BlobPath(digest).c_str(), &st) != 0) {
    if (errno == ENOENT) return NotFoundError("blob " + digest + " is not in the content store");
    return ErrnoStatus(errno, "cannot stat " + BlobPath(digest));
  }
  return static_cast<int64_t>(st.st_size);
}

Result<std::unique_ptr<ContentStore::Ingest>> FileContentStore::BeginIngest(
    const std::string& digest, int64_t expected_size) {
  Status s = CheckDigest(digest);
  if (!s.ok()) return s;
  if (Has(digest)) return AlreadyExistsError("blob " + digest + " is already in the content store");
  {
    std::lock_guard<std::mutex> lock(inflight_->mu);
    if (!inflight_->digests.insert(digest).second) {
      return UnavailableError("blob " + digest + " is being written by another ingest");
    }
  }
  auto slot = std::make_unique<InflightSlot>(inflight_, digest);
  // An ingest that committed between the check above and taking the slot.
  if (Has(digest)) return AlreadyExistsError("blob " + digest + " is already in the content store");
  std::string partial = ingest_dir_ + "/" + Hex(digest) + ".partial";
  UniqueFd fd(::open(partial.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600));
  if (!fd.valid()) return ErrnoStatus(errno, "cannot open " + partial);
  // Resume: hash what an earlier ingest left behind.
  Sha256 hash;
  int64_t offset = 0;
  char buf[65536];
  for (;;) {
    ssize_t n = ::pread(fd.get(), buf, sizeof buf, offset);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoStatus(errno, "cannot read " + partial);
    if (n == 0) break;
    hash.Update(buf, static_cast<size_t>(n));
    offset += n;
  }
  if (expected_size >= 0 && offset > expected_size) {
    if (::ftruncate(fd.get(), 0) != 0) return ErrnoStatus(errno, "cannot truncate " + partial);
    hash.Reset();
    offset = 0;
  }
  return std::unique_ptr<Ingest>(new FileIngest(std::move(slot), digest, expected_size, partial,
                                                BlobPath(digest), blobs_dir_, std::move(fd), offset,
                                                std::move(hash)));
}

Status FileContentStore::MoveIntoPlace(int fd, const std::string& tmp, const std::string& digest) {
  if (::fsync(fd) != 0) return ErrnoStatus(errno, "cannot sync " + tmp);
  if (::fchmod(fd, 0444) != 0) return ErrnoStatus(errno, "cannot chmod " + tmp);
  if (::rename(tmp.c_str(), BlobPath(digest).c_str()) != 0) {
    return ErrnoStatus(errno, "cannot move blob into place at " + BlobPath(digest));
  }
  SyncDir(blobs_dir_);
  return Status::Ok();
}

Result<std::string> FileContentStore::IngestStream(const Reader& read,
                                                   const std::string& expected_digest) {
  if (!expected_digest.empty()) {
    Status s = CheckDigest(expected_digest);
    if (!s.ok()) return s;
  }
  std::string tmp = ingest_dir_ + "/tmp-" + std::to_string(::getpid()) + "-" +
                    std::to_string(tmp_seq_.fetch_add(1));
  UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (!fd.valid()) return ErrnoStatus(errno, "cannot create " + tmp);
  struct Cleanup {
    const std::string& path;
    bool keep = false;
    ~Cleanup() {
      if (!keep) ::unlink(path.c_str());
    }
  } cleanup{tmp};
  Sha256 hash;
  char buf[65536];
  for (;;) {
    auto n = read(buf, sizeof buf);
    if (!n.ok()) return n.status();
    if (*n == 0) break;
    Status s = WriteAll(fd.get(), buf, *n, tmp);
    if (!s.ok()) return s;
    hash.Update(buf, *n);
  }
  std::string digest = hash.Digest();
  if (!expected_digest.empty() && digest != expected_digest) {
    return CorruptError("blob " + expected_digest + ": digest mismatch, the data has digest " +
                        digest);
  }
  if (Has(digest)) return digest;
  Status s = MoveIntoPlace(fd.get(), tmp, digest);
  if (!s.ok()) return s;
  cleanup.keep = true;
  return digest;
}

Status FileContentStore::WriteBlob(const std::string& digest, const std::string& bytes) {
  Status s = CheckDigest(digest);
  if (!s.ok()) return s;
  std::string actual = Sha256Digest(bytes);
  if (actual != digest) {
    return CorruptError("blob " + digest + ": digest mismatch, the data has digest " + actual);
  }
  // A blob already there is kept when it is intact (ReadBlob removes a damaged one).
  if (Has(digest) && ReadBlob(digest).ok()) return Status::Ok();
  size_t pos = 0;
  auto stored = IngestStream(
      [&](char* buf, size_t cap) -> Result<size_t> {
        size_t n = std::min(cap, bytes.size() - pos);
        std::copy_n(bytes.data() + pos, n, buf);
        pos += n;
        return n;
      },
      digest);
  return stored.status();
}

Status FileContentStore::DeleteBlob(const std::string& digest) {
  Status s = CheckDigest(digest);
  if (!s.ok()) return s;
  if (::unlink(BlobPath(digest).c_str()) != 0 && errno != ENOENT) {
    return ErrnoStatus(errno, "cannot delete blob " + BlobPath(digest));
  }
  return Status::Ok();
}

std::vector<FileContentStore::BlobInfo> FileContentStore::ListBlobs() const {
  std::vector<BlobInfo> out;
  DIR* d = ::opendir(blobs_dir_.c_str());
  if (d == nullptr) return out;
  while (struct dirent* e = ::readdir(d)) {
    std::string digest = std::string("sha256:") + e->d_name;
    if (!CheckDigest(digest).ok()) continue;
    struct stat st {};
    if (::fstatat(::dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
    out.push_back({digest, static_cast<int64_t>(st.st_size), static_cast<int64_t>(st.st_mtime)});
  }
  ::closedir(d);
  return out;
}

void FileContentStore::RemoveStalePartials(int64_t max_age_s) {
  DIR* d = ::opendir(ingest_dir_.c_str());
  if (d == nullptr) return;
  int64_t now = static_cast<int64_t>(::time(nullptr));
  std::lock_guard<std::mutex> lock(inflight_->mu);
  while (struct dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    constexpr std::string_view kSuffix = ".partial";
    if (name.size() <= kSuffix.size() || !name.ends_with(kSuffix)) continue;
    std::string digest = "sha256:" + name.substr(0, name.size() - kSuffix.size());
    if (inflight_->digests.count(digest) != 0) continue;
    struct stat st {};
    if (::fstatat(::dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
    if (now - static_cast<int64_t>(st.st_mtime) >= max_age_s) ::unlinkat(::dirfd(d), e->d_name, 0);
  }
  ::closedir(d);
}

}  // namespace image_detail
}  // namespace skiff::runtime
