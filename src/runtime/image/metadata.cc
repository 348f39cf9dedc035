// metadata.json: the images, their names and last-used times, and the imported airgap files.
#include <cstdio>

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>

#include "runtime/image/image_config.h"
#include "runtime/image/store_state.h"
#include "skiff/common/file_util.h"
#include "skiff/common/log.h"

namespace skiff::runtime::image_detail {
namespace {

using nlohmann::json;

constexpr int kVersion = 1;

json RecordToJson(const ImageRecord& r) {
  return json{{"id", r.id},
              {"repo_tags", r.repo_tags},
              {"repo_digests", r.repo_digests},
              {"config", ConfigToJson(r.config)},
              {"size", r.size},
              {"diff_ids", r.diff_ids},
              {"blobs", r.blobs},
              {"pinned", r.pinned},
              {"last_used_ms", r.last_used_ms}};
}

// Throws nlohmann::json::exception on a wrong type; the caller catches.
ImageRecord RecordFromJson(const json& j) {
  ImageRecord r;
  r.id = j.at("id").get<std::string>();
  r.repo_tags = j.value("repo_tags", std::vector<std::string>{});
  r.repo_digests = j.value("repo_digests", std::vector<std::string>{});
  r.config = ConfigFromJson(j.value("config", json::object()));
  r.size = j.value("size", int64_t{0});
  r.diff_ids = j.value("diff_ids", std::vector<std::string>{});
  auto blobs = j.value("blobs", std::vector<std::string>{});
  r.blobs.insert(blobs.begin(), blobs.end());
  r.pinned = j.value("pinned", false);
  r.last_used_ms = j.value("last_used_ms", int64_t{0});
  r.persisted_last_used_ms = r.last_used_ms;
  return r;
}

}  // namespace

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

StoreState::StoreState(std::string root_dir, ImageStoreOptions opts)
    : root(std::move(root_dir)), options(opts), layers(root + "/layers") {}

Status StoreState::LoadMetadata() {
  auto data = ReadFile(MetadataPath());
  if (!data.ok()) {
    if (data.status().code() == Code::kNotFound) return Status::Ok();
    return data.status();
  }
  json doc = json::parse(*data, nullptr, /*allow_exceptions=*/false);
  // A power cut on a disk that lost written data, or a disk error: what the blobs tell is
  // rebuilt; the damaged file is kept beside for a look.
  auto damaged = [&](const std::string& why) {
    images.clear();
    imports.clear();
    const std::string aside = MetadataPath() + ".damaged";
    log::Warning("images", "image metadata is damaged; rebuilding it from the blobs",
                 {{"path", MetadataPath()}, {"cause", why}, {"moved_to", aside}});
    if (::rename(MetadataPath().c_str(), aside.c_str()) != 0) {
      return CorruptError("image metadata " + MetadataPath() + " is damaged (" + why +
                          ") and cannot be moved aside");
    }
    size_t n = RebuildFromBlobs();
    log::Warning("images",
                 "rebuilt the image list from the blobs; names, pins and last-used times are lost "
                 "(a pull by name finds its blobs here, airgap archives are imported again)",
                 {{"images", std::to_string(n)}});
    return Status::Ok();
  };
  if (doc.is_discarded() || !doc.is_object()) return damaged("not a JSON object");
  try {
    if (doc.value("version", 0) != kVersion) return damaged("unknown version");
    for (const json& j : doc.value("images", json::array())) {
      ImageRecord r = RecordFromJson(j);
      images[r.id] = std::move(r);
    }
    for (const json& j : doc.value("imports", json::array())) {
      ImportRecord r;
      r.size = j.at("size").get<int64_t>();
      r.mtime_ns = j.at("mtime_ns").get<int64_t>();
      r.image_ids = j.value("image_ids", std::vector<std::string>{});
      imports[j.at("path").get<std::string>()] = std::move(r);
    }
  } catch (const json::exception& e) {
    Status s = damaged(e.what());
    if (!s.ok()) return s;
  }
  // A crash (or a full disk) between deleting layers and saving may leave records of images
  // whose layers are gone: those images are unusable, forget them.
  bool dropped = false;
  for (auto it = images.begin(); it != images.end();) {
    bool complete = std::all_of(it->second.diff_ids.begin(), it->second.diff_ids.end(),
                                [&](const std::string& d) { return layers.Has(d); });
    if (complete) {
      ++it;
      continue;
    }
    log::Warning("images", "forgetting an image whose layers are missing", {{"image", it->first}});
    it = images.erase(it);
    dropped = true;
  }
  if (dropped) {
    std::lock_guard<std::mutex> lock(mu);
    return SaveLocked();
  }
  return Status::Ok();
}

Status StoreState::SaveLocked() {
  json list = json::array();
  for (auto& [id, r] : images) {
    list.push_back(RecordToJson(r));
    r.persisted_last_used_ms = r.last_used_ms;
  }
  json imported = json::array();
  for (const auto& [path, r] : imports) {
    imported.push_back(
        {{"path", path}, {"size", r.size}, {"mtime_ns", r.mtime_ns}, {"image_ids", r.image_ids}});
  }
  json doc = {{"version", kVersion}, {"images", list}, {"imports", imported}};
  return WriteFileAtomic(MetadataPath(), doc.dump(1), 0600);
}

}  // namespace skiff::runtime::image_detail
