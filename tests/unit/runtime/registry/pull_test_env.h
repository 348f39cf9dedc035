// Shared by the pull tests: a store in a temporary directory, images published to a registry,
// fast timeouts, and the checks every successful pull must pass.
#pragma once

#include <catch2/catch.hpp>
#include <memory>
#include <string>

#include "registry_fixture.h"
#include "skiff/runtime/manifest.h"
#include "skiff/runtime/puller.h"
#include "support/temp_dir.h"

namespace skiff::runtime::pulltest {

using namespace std::chrono_literals;
using testing::BuildImage;
using testing::BuiltImage;
using testing::FrontOptions;
using testing::LocalRegistry;
using testing::Push;
using testing::RegistryFront;
using testing::TempDir;

inline ImageRef Ref(const std::string& text) {
  Result<ImageRef> r = ImageRef::Parse(text);
  INFO(text);
  REQUIRE(r.ok());
  return *r;
}

inline RegistriesConfig Config(const std::string& yaml) {
  Result<RegistriesConfig> c = RegistriesConfig::Parse(yaml, "registries.yaml");
  INFO(yaml);
  REQUIRE(c.ok());
  return *c;
}

inline PullerOptions Fast() {
  PullerOptions o;
  o.connect_timeout = 2000ms;
  o.request_timeout = 10000ms;
  o.retry_delay = 10ms;
  return o;
}

// A store in a temporary directory and an OCI layout to build images in.
struct Env {
  TempDir dir;
  std::unique_ptr<ImageStore> store;
  std::string layout;

  Env() : layout(dir / "layout") {
    Result<std::unique_ptr<ImageStore>> s = ImageStore::Open(dir / "images");
    REQUIRE(s.ok());
    store = std::move(*s);
  }

  // Builds tag `tag` (for the host architecture) and pushes it as host/name:tag.
  BuiltImage Publish(const std::string& host, const std::string& name, const std::string& tag,
                     const std::string& hello) {
    BuiltImage image = BuildImage(layout, tag, hello, HostPlatform().architecture);
    CHECK(Push(layout, tag, host + "/" + name + ":" + tag) == image.manifest_digest);
    return image;
  }
};

inline void CheckPulled(const Result<Image>& image, const BuiltImage& built, Env& env) {
  INFO(image.status().ToString());
  REQUIRE(image.ok());
  CHECK(image->id == built.config_digest);
  CHECK(image->layer_dirs.size() == 2);
  CHECK_FALSE(image->pinned);
  for (const std::string& layer : built.layers) CHECK(env.store->content().Has(layer));
  CHECK(env.store->content().Has(built.config_digest));
  CHECK(env.store->content().Has(built.manifest_digest));
}

}  // namespace skiff::runtime::pulltest
