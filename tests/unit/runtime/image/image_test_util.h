// Helpers for the image store tests: temp dirs that unmount and delete themselves, running
// umoci/skopeo, tar layers built with libarchive, hand-built images in a content store, and
// busybox-static images built with umoci.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "skiff/runtime/content_store.h"

namespace skiff::runtime::testing {

// A fresh directory under /tmp; on destruction everything mounted below it is unmounted and the
// tree is removed (also when the test failed).
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Every mount point at or below `dir` (from /proc/self/mountinfo), deepest first.
std::vector<std::string> MountsUnder(const std::string& dir);

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};
// Runs argv[0] (looked up in PATH) with posix_spawnp and waits.
CommandResult Run(const std::vector<std::string>& argv);

std::string ReadAll(const std::string& path);
void WriteAll(const std::string& path, const std::string& data);

enum class Compression { kNone, kGzip, kZstd };

// The attributes of one tar entry.
struct TarMeta {
  mode_t mode = 0644;
  int64_t uid = 0;
  int64_t gid = 0;
  int64_t mtime = 1700000000;
  std::map<std::string, std::string> xattrs;
};

// Builds a tar stream entry by entry (pax format, so xattrs are kept).
class TarBuilder {
 public:
  using Meta = TarMeta;
  TarBuilder& Dir(const std::string& path, Meta meta = {.mode = 0755});
  TarBuilder& File(const std::string& path, const std::string& data, Meta meta = {});
  TarBuilder& Symlink(const std::string& path, const std::string& target);
  TarBuilder& Hardlink(const std::string& path, const std::string& target);
  TarBuilder& CharDevice(const std::string& path, unsigned major, unsigned minor,
                         Meta meta = {.mode = 0666});
  TarBuilder& Fifo(const std::string& path, Meta meta = {.mode = 0600});
  // The tar bytes, compressed as asked.
  std::string Build(Compression c = Compression::kNone) const;

 private:
  struct Entry {
    std::string path;
    mode_t type;
    std::string data;
    std::string link;
    bool hardlink = false;
    unsigned major = 0, minor = 0;
    Meta meta;
  };
  std::vector<Entry> entries_;
};

// Compresses `data` as one raw stream (gzip or zstd) with libarchive.
std::string Compress(const std::string& data, Compression c);

// "sha256:<hex>" of data.
std::string Digest(const std::string& data);

// Builds an image by hand in a content store, as a registry puller would leave it.
class ImageBuilder {
 public:
  explicit ImageBuilder(ContentStore* content) : content_(content) {}
  // Adds a layer from an uncompressed tar; stores the (compressed) blob. Returns the diff id.
  std::string AddLayer(const std::string& tar, Compression c = Compression::kGzip);
  // Overrides the diff id recorded for layer i in the config (to test verification).
  void SetDiffId(size_t i, const std::string& diff_id) { diff_ids_.at(i) = diff_id; }
  // Writes config and manifest; returns the manifest digest. `config` is merged into the
  // config's "config" object.
  std::string Build(const nlohmann::json& config = nlohmann::json::object(),
                    const std::string& architecture = "");
  // Writes an OCI index over manifests given as (digest, platform json); returns its digest.
  std::string BuildIndex(const std::vector<std::pair<std::string, nlohmann::json>>& entries);
  const std::string& config_digest() const { return config_digest_; }
  // The blob digest of layer i.
  std::string LayerDigest(size_t i) const { return layers_.at(i)["digest"].get<std::string>(); }

 private:
  ContentStore* content_;
  std::vector<std::string> diff_ids_;
  nlohmann::json layers_ = nlohmann::json::array();
  std::string config_digest_;
};

// Whether umoci and skopeo are installed (the tests that need them fail clearly otherwise).
bool HaveImageTools();

// Builds an OCI image layout at `layout` holding image `tag` (a full name such as
// "localhost/test:v1"): one layer made from /bin/busybox (bin/busybox plus sh, ls, cat links)
// and Cmd ["/bin/sh"], Env FOO=bar.
void BuildBusyboxLayout(const std::string& layout, const std::string& tag);

// Adds to `layout` the image `new_tag`: base_tag's layers plus one layer with `files`
// (path -> content).
void AddDerivedImage(const std::string& layout, const std::string& base_tag,
                     const std::string& new_tag, const std::map<std::string, std::string>& files);

}  // namespace skiff::runtime::testing
