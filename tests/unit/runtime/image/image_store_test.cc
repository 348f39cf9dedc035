#include "skiff/runtime/image_store.h"

#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <thread>

#include "image_test_util.h"
#include "skiff/runtime/manifest.h"

namespace skiff::runtime {
namespace {

using nlohmann::json;
using testing::Compression;
using testing::Digest;
using testing::ImageBuilder;
using testing::ReadAll;
using testing::TarBuilder;
using testing::TempDir;

ImageRef Ref(const std::string& s) {
  auto r = ImageRef::Parse(s);
  REQUIRE(r.ok());
  return *r;
}

std::unique_ptr<ImageStore> OpenStore(const std::string& root, ImageStoreOptions options = {}) {
  auto store = ImageStore::Open(root, options);
  REQUIRE(store.ok());
  return std::move(store).value();
}

// Unpacked layer directories (besides tmp/).
size_t CountLayers(const std::string& root) {
  auto out = testing::Run({"sh", "-c", "ls " + root + "/layers | grep -v '^tmp$' | wc -l"});
  return static_cast<size_t>(std::stoul(out.output));
}

TEST_CASE("Register unpacks the layers, verifies diff ids and names the image") {
  TempDir dir;
  auto store = OpenStore(dir / "images");
  ImageBuilder b(&store->content());
  const std::string base = b.AddLayer(TarBuilder().Dir("etc").File("etc/os", "skiff\n").Build());
  const std::string top =
      b.AddLayer(TarBuilder().File("app", "bin", {.mode = 0755}).Build(), Compression::kZstd);
  const std::string manifest = b.Build({{"Entrypoint", {"/app"}},
                                        {"Cmd", {"--serve"}},
                                        {"Env", {"PATH=/bin", "MODE=edge"}},
                                        {"WorkingDir", "/srv"},
                                        {"User", "1000:1000"},
                                        {"Labels", {{"tier", "edge"}}},
                                        {"StopSignal", "SIGQUIT"},
                                        {"ExposedPorts", {{"8080/tcp", json::object()}}}});
  auto img = store->Register(Ref("localhost:5000/app:v1"), manifest, false);
  REQUIRE(img.ok());
  CHECK(img->id == b.config_digest());
  CHECK(img->repo_tags == std::vector<std::string>{"localhost:5000/app:v1"});
  CHECK(img->repo_digests == std::vector<std::string>{"localhost:5000/app@" + manifest});
  CHECK(img->diff_ids == std::vector<std::string>{base, top});
  REQUIRE(img->layer_dirs.size() == 2);
  CHECK(img->layer_dirs[0] == dir / "images/layers/" + base.substr(7) + "/fs");
  CHECK(ReadAll(img->layer_dirs[0] + "/etc/os") == "skiff\n");
  CHECK(ReadAll(img->layer_dirs[1] + "/app") == "bin");
  CHECK(img->size == 9);
  CHECK_FALSE(img->pinned);
  CHECK(img->config.entrypoint == std::vector<std::string>{"/app"});
  CHECK(img->config.cmd == std::vector<std::string>{"--serve"});
  CHECK(img->config.env == std::vector<std::string>{"PATH=/bin", "MODE=edge"});
  CHECK(img->config.working_dir == "/srv");
  CHECK(img->config.user == "1000:1000");
  CHECK(img->config.labels == std::map<std::string, std::string>{{"tier", "edge"}});
  CHECK(img->config.stop_signal == "SIGQUIT");
  CHECK(img->config.exposed_ports == std::vector<std::string>{"8080/tcp"});
  CHECK(img->config.os == "linux");
  CHECK(img->config.architecture == "amd64");
  CHECK(store->HasLayer(base));

  // Idempotent.
  auto again = store->Register(Ref("localhost:5000/app:v1"), manifest, false);
  REQUIRE(again.ok());
  CHECK(again->repo_tags == img->repo_tags);
  CHECK(again->repo_digests == img->repo_digests);

  // Found by tag, by repo digest, by id; not by another tag or another name's digest.
  CHECK(store->Find(Ref("localhost:5000/app:v1"))->id == img->id);
  CHECK(store->Find(Ref("localhost:5000/app@" + manifest))->id == img->id);
  CHECK(store->Find(Ref("localhost:5000/app:v1@" + manifest))->id == img->id);
  CHECK(store->Find(Ref("other/name@" + img->id))->id == img->id);
  auto missing = store->Find(Ref("localhost:5000/app:v2"));
  CHECK(missing.status().code() == Code::kNotFound);
  CHECK(missing.status().message() == "image \"localhost:5000/app:v2\" not found");
  CHECK(store->Find(Ref("other/name@" + manifest)).status().code() == Code::kNotFound);
  CHECK(store->Lookup(img->id)->id == img->id);
  CHECK(store->Lookup(img->id.substr(7))->id == img->id);
  CHECK(store->Lookup("localhost:5000/app:v1")->id == img->id);

  // Everything survives a restart.
  store.reset();
  store = OpenStore(dir / "images");
  auto reopened = store->Find(Ref("localhost:5000/app:v1"));
  REQUIRE(reopened.ok());
  CHECK(reopened->id == img->id);
  CHECK(reopened->config.env == img->config.env);
  CHECK(reopened->size == 9);
  CHECK(reopened->layer_dirs == img->layer_dirs);
  REQUIRE(store->List().size() == 1);
}

TEST_CASE("Register refuses layers that do not match the config or escape") {
  TempDir dir;
  auto store = OpenStore(dir / "images");
  {
    ImageBuilder b(&store->content());
    b.AddLayer(TarBuilder().File("a", "1").Build());
    const std::string claimed = Digest("not the layer");
    b.SetDiffId(0, claimed);
    const std::string manifest = b.Build();
    auto img = store->Register(Ref("bad/diffid:v1"), manifest, false);
    REQUIRE_FALSE(img.ok());
    CHECK(img.status().code() == Code::kCorrupt);
    CHECK_THAT(img.status().message(),
               Catch::StartsWith("image docker.io/bad/diffid:v1: layer sha256:") &&
                   Catch::Contains("(diff id " + claimed + "): the uncompressed layer has digest " +
                                   Digest(TarBuilder().File("a", "1").Build()) +
                                   ", not the diff id the image config lists"));
    CHECK_FALSE(store->HasLayer(claimed));
  }
  {
    ImageBuilder b(&store->content());
    b.AddLayer(TarBuilder().File("ok", "1").File("../../escape", "x").Build());
    auto img = store->Register(Ref("bad/escape:v1"), b.Build(), false);
    REQUIRE_FALSE(img.ok());
    CHECK(img.status().code() == Code::kCorrupt);
    CHECK_THAT(img.status().message(),
               Catch::EndsWith(": layer entry \"../../escape\" escapes the layer directory"));
  }
  {
    ImageBuilder b(&store->content());
    const std::string layer = TarBuilder().File("a", "1").Build();
    b.AddLayer(layer);
    const std::string manifest = b.Build();
    // The puller has not stored the layer blob yet.
    const std::string blob_digest = b.LayerDigest(0);
    REQUIRE(store->content().DeleteBlob(blob_digest).ok());
    auto img = store->Register(Ref("bad/missing:v1"), manifest, false);
    CHECK(img.status().code() == Code::kNotFound);
    CHECK(img.status().message() == "image docker.io/bad/missing:v1: layer blob " + blob_digest +
                                        " is not in the content store");
    auto wrong = store->Register(Ref("bad/missing@" + Digest("x")), manifest, false);
    CHECK(wrong.status().code() == Code::kInvalidArgument);
  }
  CHECK(store->List().empty());
  // Nothing half-unpacked is left behind.
  CHECK(CountLayers(dir / "images") == 0);
  CHECK(testing::Run({"sh", "-c", "ls -A " + dir / "images/layers/tmp"}).output.empty());
}

TEST_CASE("Register picks this machine's manifest from an index") {
  TempDir dir;
  auto store = OpenStore(dir / "images");
  ImageBuilder arm(&store->content());
  arm.AddLayer(TarBuilder().File("arch", "arm64").Build());
  const std::string arm_manifest = arm.Build({}, "arm64");
  ImageBuilder host(&store->content());
  host.AddLayer(TarBuilder().File("arch", "host").Build());
  const std::string host_manifest = host.Build({}, HostPlatform().architecture);
  const json arm_platform = {{"os", "linux"}, {"architecture", "arm64"}, {"variant", "v8"}};
  const json host_platform = {{"os", "linux"}, {"architecture", HostPlatform().architecture}};
  const std::string index =
      host.BuildIndex({{arm_manifest, arm_platform}, {host_manifest, host_platform}});
  auto img = store->Register(Ref("localhost/multi:1"), index, false);
  REQUIRE(img.ok());
  CHECK(img->id == host.config_digest());
  CHECK(ReadAll(img->layer_dirs[0] + "/arch") == "host");
  // The repo digest is the index digest, as the registry names the image.
  CHECK(img->repo_digests == std::vector<std::string>{"localhost/multi@" + index});
  CHECK(store->Find(Ref("localhost/multi@" + index))->id == img->id);
}

TEST_CASE("A tag moves to the newest image and Remove deletes what only that image used") {
  TempDir dir;
  auto store = OpenStore(dir / "images");
  const std::string shared_tar = TarBuilder().File("shared", "base layer").Build();
  ImageBuilder one(&store->content());
  const std::string shared = one.AddLayer(shared_tar);
  const std::string own1 = one.AddLayer(TarBuilder().File("v", "1").Build());
  const std::string m1 = one.Build();
  ImageBuilder two(&store->content());
  two.AddLayer(shared_tar);
  const std::string own2 = two.AddLayer(TarBuilder().File("v", "2").Build());
  const std::string m2 = two.Build();

  auto first = store->Register(Ref("app:latest"), m1, false);
  REQUIRE(first.ok());
  auto second = store->Register(Ref("app:latest"), m2, false);
  REQUIRE(second.ok());
  CHECK(store->Find(Ref("app"))->id == second->id);
  auto old = store->Lookup(first->id);
  REQUIRE(old.ok());
  CHECK(old->repo_tags.empty());  // untagged, still there
  CHECK(old->repo_digests == std::vector<std::string>{"docker.io/library/app@" + m1});
  CHECK(CountLayers(dir / "images") == 3);

  REQUIRE(store->Remove(first->id).ok());
  CHECK(store->Lookup(first->id).status().code() == Code::kNotFound);
  CHECK_FALSE(store->HasLayer(own1));
  CHECK(store->HasLayer(shared));
  CHECK(store->HasLayer(own2));
  CHECK_FALSE(store->content().Has(m1));
  CHECK_FALSE(store->content().Has(first->id));
  CHECK(store->content().Has(m2));

  REQUIRE(store->Remove("app:latest").ok());
  CHECK(store->List().empty());
  CHECK(CountLayers(dir / "images") == 0);
  CHECK(store->Remove("app:latest").code() == Code::kNotFound);
}

TEST_CASE("Concurrent registrations of images sharing a layer unpack it once") {
  TempDir dir;
  auto store = OpenStore(dir / "images");
  TarBuilder big;
  for (int i = 0; i < 200; ++i) big.File("f/" + std::to_string(i), std::string(2000, 'x'));
  const std::string shared_tar = big.Build();
  std::vector<std::string> manifests;
  std::string shared;
  for (int i = 0; i < 4; ++i) {
    ImageBuilder b(&store->content());
    shared = b.AddLayer(shared_tar);
    b.AddLayer(TarBuilder().File("id", std::to_string(i)).Build());
    manifests.push_back(b.Build());
  }
  std::vector<Result<Image>> results(4, Status(Code::kInternal, "not run"));
  // Ref() asserts with Catch, which is not thread-safe: parse on this thread only.
  std::vector<ImageRef> refs;
  for (int i = 0; i < 4; ++i) refs.push_back(Ref("localhost/c" + std::to_string(i) + ":v"));
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] { results[i] = store->Register(refs[i], manifests[i], false); });
  }
  for (auto& t : threads) t.join();
  struct stat first {};
  REQUIRE(::stat(store->Lookup("localhost/c0:v")->layer_dirs[0].c_str(), &first) == 0);
  for (int i = 0; i < 4; ++i) {
    REQUIRE(results[i].ok());
    CHECK(results[i]->diff_ids[0] == shared);
    struct stat st {};
    REQUIRE(::stat(results[i]->layer_dirs[0].c_str(), &st) == 0);
    CHECK(st.st_ino == first.st_ino);  // one directory for all four
  }
  CHECK(CountLayers(dir / "images") == 5);
}

TEST_CASE("A damaged metadata file is moved aside and the store opens") {
  TempDir dir;
  { OpenStore(dir / "images"); }
  testing::WriteAll(dir / "images/metadata.json", "{\"version\": 1, \"images\": [ {\"id\": 3");
  auto store = OpenStore(dir / "images");
  CHECK(store->List().empty());
  CHECK(ReadAll(dir / "images/metadata.json.damaged") ==
        "{\"version\": 1, \"images\": [ {\"id\": 3");
}

}  // namespace
}  // namespace skiff::runtime
