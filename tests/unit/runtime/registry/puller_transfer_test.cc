// Blob transfers through the python front (registry_front.py): resumed and skipped downloads,
// progress, digest verification, stalls and concurrent pulls of one image.
#include <catch2/catch.hpp>
#include <fstream>
#include <iterator>
#include <thread>

#include "pull_test_env.h"

namespace skiff::runtime::pulltest {
namespace {

TEST_CASE("pull: a partial blob is resumed with a Range request") {
  LocalRegistry reg;
  Env env;
  BuiltImage built = env.Publish(reg.host(), "test/app", "v1", "resume\n");
  const std::string& big = built.layers[0];  // busybox, about 1 MB
  const int64_t size = built.layer_sizes[0];
  const int64_t half = size / 2;
  {
    // The first half, as an interrupted download leaves it.
    std::ifstream in(env.layout + "/blobs/sha256/" + big.substr(7), std::ios::binary);
    const std::string whole{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    REQUIRE(static_cast<int64_t>(whole.size()) == size);
    auto ingest = env.store->content().BeginIngest(big, size);
    REQUIRE(ingest.ok());
    REQUIRE((*ingest)->Write(whole.data(), static_cast<size_t>(half)).ok());
    CHECK((*ingest)->offset() == half);
  }

  SECTION("the server honours the range: only the rest is fetched") {
    RegistryFront front(reg, FrontOptions{.auth = "none"});
    Puller puller(RegistriesConfig{}, *env.store, Fast());
    std::vector<PullProgress> seen;
    PullOptions options;
    options.progress = [&](const PullProgress& p) { seen.push_back(p); };
    Result<Image> image = puller.Pull(Ref(front.host() + "/test/app:v1"), options);
    CheckPulled(image, built, env);
    CHECK(front.Count({"GET /v2/test/app/blobs/" + big, "range=bytes=" + std::to_string(half) + "-",
                       "status=206"}) == 1);
    CHECK(front.Count({"/blobs/" + big}) == 1);
    REQUIRE_FALSE(seen.empty());
    CHECK(seen.back().bytes_done == seen.back().bytes_total);
  }
  SECTION("the server ignores the range: the partial data is discarded and fetched again") {
    RegistryFront front(reg, FrontOptions{.auth = "none", .ignore_range = true});
    Puller puller(RegistriesConfig{}, *env.store, Fast());
    Result<Image> image = puller.Pull(Ref(front.host() + "/test/app:v1"), {});
    CheckPulled(image, built, env);
    CHECK(front.Count({"GET /v2/test/app/blobs/" + big, "range=bytes=" + std::to_string(half) + "-",
                       "status=200"}) == 1);
  }
}

TEST_CASE("pull: layers already present are not downloaded again") {
  LocalRegistry reg;
  Env env;
  BuiltImage a = env.Publish(reg.host(), "test/a", "v1", "image a\n");
  BuiltImage b = env.Publish(reg.host(), "test/b", "v1", "image b\n");
  REQUIRE(a.layers[0] == b.layers[0]);  // the same busybox layer
  REQUIRE(a.layers[1] != b.layers[1]);
  RegistryFront front(reg, FrontOptions{.auth = "none"});
  Puller puller(RegistriesConfig{}, *env.store, Fast());

  std::vector<PullProgress> seen;
  PullOptions options;
  options.progress = [&](const PullProgress& p) { seen.push_back(p); };
  REQUIRE(puller.Pull(Ref(front.host() + "/test/a:v1"), {}).ok());
  Result<Image> image = puller.Pull(Ref(front.host() + "/test/b:v1"), options);
  INFO(image.status().ToString());
  REQUIRE(image.ok());
  CHECK(front.Count({"/blobs/" + a.layers[0]}) == 1);  // only for image a
  CHECK(front.Count({"/blobs/" + b.layers[1]}) == 1);
  // The shared layer counts as done from the start.
  REQUIRE_FALSE(seen.empty());
  CHECK(seen.back().layers_done == 2);
  CHECK(seen.back().bytes_done == b.layer_sizes[0] + b.layer_sizes[1]);

  // Pulling the same image again fetches only its manifest.
  const size_t before = front.Log().size();
  REQUIRE(puller.Pull(Ref(front.host() + "/test/b:v1"), {}).ok());
  std::vector<std::string> log = front.Log();
  REQUIRE(log.size() == before + 1);
  CHECK_THAT(log.back(), Catch::Contains("GET /v2/test/b/manifests/v1"));
}

TEST_CASE("pull: progress is reported by phase and throttled while downloading") {
  LocalRegistry reg;
  Env env;
  BuiltImage built = env.Publish(reg.host(), "test/app", "v1", "progress\n");
  PullerOptions o = Fast();
  o.progress_interval = 10s;  // only phase changes get through
  Puller puller(RegistriesConfig{}, *env.store, o);
  std::vector<PullProgress> seen;
  PullOptions options;
  options.progress = [&](const PullProgress& p) { seen.push_back(p); };
  const std::string ref = reg.host() + "/test/app:v1";
  REQUIRE(puller.Pull(Ref(ref), options).ok());

  std::vector<PullPhase> phases;
  for (const PullProgress& p : seen) phases.push_back(p.phase);
  CHECK(phases == std::vector<PullPhase>{PullPhase::kResolving, PullPhase::kDownloading,
                                         PullPhase::kUnpacking, PullPhase::kDone});
  const int64_t total = built.layer_sizes[0] + built.layer_sizes[1];
  CHECK(seen[0].ref == ref);
  CHECK(seen[0].bytes_total == 0);
  CHECK(seen[1].bytes_total == total);
  CHECK(seen[1].bytes_done == 0);
  CHECK(seen[1].layers_total == 2);
  CHECK(seen[3].bytes_done == total);
  CHECK(seen[3].layers_done == 2);
  CHECK(std::string(PullPhaseName(PullPhase::kDownloading)) == "downloading");

  // With a short interval, byte updates arrive too, never decreasing in this clean pull.
  Env env2;
  PullerOptions quick = Fast();
  quick.progress_interval = 0ms;
  Puller puller2(RegistriesConfig{}, *env2.store, quick);
  seen.clear();
  REQUIRE(puller2.Pull(Ref(ref), options).ok());
  CHECK(seen.size() > 4);
  for (size_t i = 1; i < seen.size(); ++i) CHECK(seen[i].bytes_done >= seen[i - 1].bytes_done);
}

TEST_CASE("pull: digest mismatches are kCorrupt naming both digests") {
  LocalRegistry reg;
  Env env;
  BuiltImage built = env.Publish(reg.host(), "test/app", "v1", "corrupt\n");
  Puller puller(RegistriesConfig{}, *env.store, Fast());

  SECTION("a manifest pulled by digest") {
    RegistryFront front(reg, FrontOptions{.auth = "none", .corrupt = "manifest"});
    Result<Image> image = puller.Pull(Ref(front.host() + "/test/app@" + built.manifest_digest), {});
    REQUIRE_FALSE(image.ok());
    CHECK(image.status().code() == Code::kCorrupt);
    CHECK_THAT(image.status().message(), Catch::Contains("manifest digest mismatch") &&
                                             Catch::Contains("expected " + built.manifest_digest));
  }
  SECTION("a blob (the config is the first one fetched)") {
    RegistryFront front(reg, FrontOptions{.auth = "none", .corrupt = "blob"});
    Result<Image> image = puller.Pull(Ref(front.host() + "/test/app:v1"), {});
    REQUIRE_FALSE(image.ok());
    CHECK(image.status().code() == Code::kCorrupt);
    CHECK_THAT(image.status().message(),
               Catch::StartsWith("failed to pull image \"" + front.host() + "/test/app:v1\": ") &&
                   Catch::Contains(built.config_digest));
    CHECK_FALSE(env.store->content().Has(built.config_digest));
  }
}

TEST_CASE("pull: a stalled transfer is aborted by the low-speed limit, never hangs") {
  LocalRegistry reg;
  Env env;
  BuiltImage built = env.Publish(reg.host(), "test/app", "v1", "stall\n");
  RegistryFront front(reg, FrontOptions{.auth = "none", .stall_blobs = true, .stall_seconds = 30});
  PullerOptions o = Fast();
  o.low_speed_bytes = 1000;
  o.low_speed_time = 1s;
  o.blob_attempts = 2;
  Puller puller(RegistriesConfig{}, *env.store, o);
  const auto start = std::chrono::steady_clock::now();
  Result<Image> image = puller.Pull(Ref(front.host() + "/test/app:v1"), {});
  const auto took = std::chrono::steady_clock::now() - start;
  REQUIRE_FALSE(image.ok());
  CHECK(image.status().code() == Code::kUnavailable);
  CHECK_THAT(image.status().message(), Catch::Contains("/blobs/sha256:"));
  CHECK(took < 10s);
  // The small config arrives whole; the big layer stalls on both attempts.
  CHECK(front.Count({"/blobs/" + built.layers[0]}) == 2);
}

TEST_CASE("pull: concurrent pulls of one image download each blob once") {
  LocalRegistry reg;
  Env env;
  BuiltImage built = env.Publish(reg.host(), "test/app", "v1", "concurrent\n");
  RegistryFront front(reg, FrontOptions{.auth = "none"});
  PullerOptions o = Fast();
  o.progress_interval = 1ms;
  Puller puller(RegistriesConfig{}, *env.store, o);
  constexpr int kPullers = 4;
  std::vector<Status> results(kPullers);
  std::vector<std::string> ids(kPullers);
  // Ref() asserts with Catch, which is not thread-safe: parse on this thread only.
  const ImageRef ref = Ref(front.host() + "/test/app:v1");
  std::vector<std::thread> threads;
  for (int i = 0; i < kPullers; ++i) {
    threads.emplace_back([&, i] {
      Result<Image> r = puller.Pull(ref, {});
      results[i] = r.status();
      if (r.ok()) ids[i] = r->id;
    });
  }
  for (std::thread& t : threads) t.join();
  for (int i = 0; i < kPullers; ++i) {
    INFO(results[i].ToString());
    CHECK(results[i].ok());
    CHECK(ids[i] == built.config_digest);
  }
  for (const std::string& blob : {built.config_digest, built.layers[0], built.layers[1]}) {
    INFO(blob);
    CHECK(front.Count({"/blobs/" + blob, "status=200"}) == 1);
  }
}

}  // namespace
}  // namespace skiff::runtime::pulltest
