#include "image_test_util.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "runtime/image/fs_tree.h"
#include "runtime/image/sha256.h"

extern char** environ;

namespace skiff::runtime::testing {

using nlohmann::json;

TempDir::TempDir() {
  char tmpl[] = "/tmp/skiff-image-test-XXXXXX";
  char* p = ::mkdtemp(tmpl);
  REQUIRE(p != nullptr);
  path_ = p;
}

TempDir::~TempDir() {
  for (const std::string& m : MountsUnder(path_)) ::umount2(m.c_str(), MNT_DETACH);
  Status s = image_detail::RemoveTree(path_);
  (void)s;
}

std::vector<std::string> MountsUnder(const std::string& dir) {
  std::vector<std::string> out;
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string id, parent, devno, root, mount_point;
    fields >> id >> parent >> devno >> root >> mount_point;
    if (mount_point == dir || mount_point.rfind(dir + "/", 0) == 0) out.push_back(mount_point);
  }
  std::sort(out.begin(), out.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  return out;
}

CommandResult Run(const std::vector<std::string>& argv) {
  char log_tmpl[] = "/tmp/skiff-image-cmd-XXXXXX";
  int log_fd = ::mkstemp(log_tmpl);
  REQUIRE(log_fd >= 0);
  ::unlink(log_tmpl);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, log_fd, 1);
  posix_spawn_file_actions_adddup2(&actions, log_fd, 2);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  int rc = ::posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  CommandResult result;
  if (rc == 0) {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  ::lseek(log_fd, 0, SEEK_SET);
  char buf[4096];
  ssize_t n;
  while ((n = ::read(log_fd, buf, sizeof buf)) > 0) result.output.append(buf, n);
  ::close(log_fd);
  return result;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteAll(const std::string& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << data;
  REQUIRE(out.good());
}

std::string Digest(const std::string& data) { return image_detail::Sha256Digest(data); }

namespace {

la_ssize_t AppendToString(struct archive*, void* out, const void* buf, size_t n) {
  static_cast<std::string*>(out)->append(static_cast<const char*>(buf), n);
  return static_cast<la_ssize_t>(n);
}

void AddFilter(struct archive* a, Compression c) {
  if (c == Compression::kGzip) REQUIRE(archive_write_add_filter_gzip(a) == ARCHIVE_OK);
  if (c == Compression::kZstd) REQUIRE(archive_write_add_filter_zstd(a) == ARCHIVE_OK);
  // No zero padding after a compressed stream (zstd readers reject it).
  if (c != Compression::kNone) REQUIRE(archive_write_set_bytes_in_last_block(a, 1) == ARCHIVE_OK);
}

}  // namespace

TarBuilder& TarBuilder::Dir(const std::string& path, Meta meta) {
  entries_.push_back({path, AE_IFDIR, "", "", false, 0, 0, meta});
  return *this;
}
TarBuilder& TarBuilder::File(const std::string& path, const std::string& data, Meta meta) {
  entries_.push_back({path, AE_IFREG, data, "", false, 0, 0, meta});
  return *this;
}
TarBuilder& TarBuilder::Symlink(const std::string& path, const std::string& target) {
  entries_.push_back({path, AE_IFLNK, "", target, false, 0, 0, {.mode = 0777}});
  return *this;
}
TarBuilder& TarBuilder::Hardlink(const std::string& path, const std::string& target) {
  entries_.push_back({path, AE_IFREG, "", target, true, 0, 0, {}});
  return *this;
}
TarBuilder& TarBuilder::CharDevice(const std::string& path, unsigned major, unsigned minor,
                                   Meta meta) {
  entries_.push_back({path, AE_IFCHR, "", "", false, major, minor, meta});
  return *this;
}
TarBuilder& TarBuilder::Fifo(const std::string& path, Meta meta) {
  entries_.push_back({path, AE_IFIFO, "", "", false, 0, 0, meta});
  return *this;
}

std::string TarBuilder::Build(Compression c) const {
  std::string out;
  struct archive* a = archive_write_new();
  REQUIRE(archive_write_set_format_pax_restricted(a) == ARCHIVE_OK);
  AddFilter(a, c);
  REQUIRE(archive_write_open(a, &out, nullptr, &AppendToString, nullptr) == ARCHIVE_OK);
  for (const Entry& e : entries_) {
    struct archive_entry* ae = archive_entry_new();
    archive_entry_set_pathname(ae, e.path.c_str());
    archive_entry_set_uid(ae, e.meta.uid);
    archive_entry_set_gid(ae, e.meta.gid);
    archive_entry_set_mtime(ae, e.meta.mtime, 0);
    archive_entry_set_perm(ae, e.meta.mode);
    for (const auto& [k, v] : e.meta.xattrs) {
      archive_entry_xattr_add_entry(ae, k.c_str(), v.data(), v.size());
    }
    if (e.hardlink) {
      archive_entry_set_filetype(ae, AE_IFREG);
      archive_entry_set_hardlink(ae, e.link.c_str());
      archive_entry_set_size(ae, 0);
    } else {
      archive_entry_set_filetype(ae, e.type);
      if (e.type == AE_IFLNK) archive_entry_set_symlink(ae, e.link.c_str());
      if (e.type == AE_IFCHR) {
        archive_entry_set_rdevmajor(ae, e.major);
        archive_entry_set_rdevminor(ae, e.minor);
      }
      archive_entry_set_size(ae, static_cast<la_int64_t>(e.data.size()));
    }
    // ARCHIVE_WARN: a non-ASCII name in the C locale, written as raw bytes.
    REQUIRE(archive_write_header(a, ae) >= ARCHIVE_WARN);
    if (!e.data.empty()) {
      REQUIRE(archive_write_data(a, e.data.data(), e.data.size()) ==
              static_cast<la_ssize_t>(e.data.size()));
    }
    archive_entry_free(ae);
  }
  REQUIRE(archive_write_close(a) == ARCHIVE_OK);
  archive_write_free(a);
  return out;
}

std::string Compress(const std::string& data, Compression c) {
  if (c == Compression::kNone) return data;
  std::string out;
  struct archive* a = archive_write_new();
  REQUIRE(archive_write_set_format_raw(a) == ARCHIVE_OK);
  AddFilter(a, c);
  REQUIRE(archive_write_open(a, &out, nullptr, &AppendToString, nullptr) == ARCHIVE_OK);
  struct archive_entry* ae = archive_entry_new();
  archive_entry_set_filetype(ae, AE_IFREG);
  archive_entry_set_pathname(ae, "data");
  REQUIRE(archive_write_header(a, ae) == ARCHIVE_OK);
  REQUIRE(archive_write_data(a, data.data(), data.size()) == static_cast<la_ssize_t>(data.size()));
  archive_entry_free(ae);
  REQUIRE(archive_write_close(a) == ARCHIVE_OK);
  archive_write_free(a);
  return out;
}

std::string ImageBuilder::AddLayer(const std::string& tar, Compression c) {
  std::string blob = Compress(tar, c);
  std::string digest = Digest(blob);
  REQUIRE(content_->WriteBlob(digest, blob).ok());
  const char* type = c == Compression::kGzip   ? "application/vnd.oci.image.layer.v1.tar+gzip"
                     : c == Compression::kZstd ? "application/vnd.oci.image.layer.v1.tar+zstd"
                                               : "application/vnd.oci.image.layer.v1.tar";
  layers_.push_back({{"mediaType", type}, {"digest", digest}, {"size", blob.size()}});
  diff_ids_.push_back(Digest(tar));
  return diff_ids_.back();
}

std::string ImageBuilder::Build(const json& config, const std::string& architecture) {
  json cfg = {{"architecture", architecture.empty() ? "amd64" : architecture},
              {"os", "linux"},
              {"config", config},
              {"rootfs", {{"type", "layers"}, {"diff_ids", diff_ids_}}}};
  std::string config_bytes = cfg.dump();
  config_digest_ = Digest(config_bytes);
  REQUIRE(content_->WriteBlob(config_digest_, config_bytes).ok());
  json manifest = {{"schemaVersion", 2},
                   {"mediaType", "application/vnd.oci.image.manifest.v1+json"},
                   {"config",
                    {{"mediaType", "application/vnd.oci.image.config.v1+json"},
                     {"digest", config_digest_},
                     {"size", config_bytes.size()}}},
                   {"layers", layers_}};
  std::string bytes = manifest.dump();
  std::string digest = Digest(bytes);
  REQUIRE(content_->WriteBlob(digest, bytes).ok());
  return digest;
}

std::string ImageBuilder::BuildIndex(const std::vector<std::pair<std::string, json>>& entries) {
  json list = json::array();
  for (const auto& [digest, platform] : entries) {
    auto size = content_->BlobSize(digest);
    list.push_back({{"mediaType", "application/vnd.oci.image.manifest.v1+json"},
                    {"digest", digest},
                    {"size", size.ok() ? *size : 0},
                    {"platform", platform}});
  }
  json index = {{"schemaVersion", 2},
                {"mediaType", "application/vnd.oci.image.index.v1+json"},
                {"manifests", list}};
  std::string bytes = index.dump();
  std::string digest = Digest(bytes);
  REQUIRE(content_->WriteBlob(digest, bytes).ok());
  return digest;
}

bool HaveImageTools() {
  return ::access("/usr/bin/umoci", X_OK) == 0 && ::access("/usr/bin/skopeo", X_OK) == 0;
}

namespace {

void MustRun(const std::vector<std::string>& argv) {
  CommandResult r = Run(argv);
  INFO(argv[0] << " " << (argv.size() > 1 ? argv[1] : "") << ": " << r.output);
  REQUIRE(r.exit_code == 0);
}

}  // namespace

void BuildBusyboxLayout(const std::string& layout, const std::string& tag) {
  REQUIRE(HaveImageTools());
  const std::string image = layout + ":" + tag;
  const std::string bundle = layout + ".bundle";
  MustRun({"umoci", "init", "--layout", layout});
  MustRun({"umoci", "new", "--image", image});
  MustRun({"umoci", "unpack", "--image", image, bundle});
  const std::string bin = bundle + "/rootfs/bin";
  REQUIRE(::mkdir(bin.c_str(), 0755) == 0);
  MustRun({"cp", "/bin/busybox", bin + "/busybox"});
  for (const char* applet : {"sh", "ls", "cat"}) {
    REQUIRE(::symlink("busybox", (bin + "/" + applet).c_str()) == 0);
  }
  MustRun({"umoci", "repack", "--image", image, bundle});
  MustRun(
      {"umoci", "config", "--image", image, "--config.cmd", "/bin/sh", "--config.env", "FOO=bar"});
  MustRun({"umoci", "gc", "--layout", layout});
  REQUIRE(image_detail::RemoveTree(bundle).ok());
}

void AddDerivedImage(const std::string& layout, const std::string& base_tag,
                     const std::string& new_tag, const std::map<std::string, std::string>& files) {
  const std::string bundle = layout + ".derived";
  MustRun({"umoci", "unpack", "--image", layout + ":" + base_tag, bundle});
  for (const auto& [path, content] : files) WriteAll(bundle + "/rootfs/" + path, content);
  MustRun({"umoci", "repack", "--image", layout + ":" + new_tag, bundle});
  REQUIRE(image_detail::RemoveTree(bundle).ok());
}

}  // namespace skiff::runtime::testing
