#include "manifests/manifests_dir.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <thread>

#include "unit/client/client_fixture.h"

using skiff::client::testing::Cluster;
using skiff::client::testing::Eventually;
using skiff::manifests::ManifestsDir;
using skiff::manifests::ManifestsDirOptions;
using namespace std::chrono_literals;

namespace {
const skiff::client::Resource kConfigMaps{"", "v1", "configmaps"};

bool Exists(Cluster& c, const std::string& name) {
  return c.client->Get(kConfigMaps, "default", name).ok();
}

void Write(const std::string& path, const std::string& text) {
  std::ofstream(path + ".tmp") << text;
  REQUIRE(std::rename((path + ".tmp").c_str(), path.c_str()) == 0);
}
}  // namespace

TEST_CASE("manifests dir: files applied, followed, deleted; state kept across a restart",
          "[manifests]") {
  Cluster c;
  ManifestsDirOptions o;
  o.dir = c.dir / "manifests";  // made when missing
  o.state_file = c.dir / "manifests.json";
  o.rescan = 100ms;
  {
    auto d = ManifestsDir::Start(*c.client, nullptr, o);
    REQUIRE(d.ok());
    Write(o.dir + "/one.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: one}\n");
    Write(o.dir + "/ignored.txt", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: txt}\n");
    Write(o.dir + "/.hidden.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: hid}\n");
    CHECK(Eventually([&] { return Exists(c, "one"); }, 5s));
    const int passes = (*d)->passes();
    CHECK(Eventually([&] { return (*d)->passes() > passes + 1; }, 5s));
    CHECK_FALSE(Exists(c, "txt"));
    CHECK_FALSE(Exists(c, "hid"));
    Write(o.dir + "/two.yml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: two}\n");
    CHECK(Eventually([&] { return Exists(c, "two"); }, 5s));
  }
  // Down: one.yaml goes. Up again: its object is deleted, two's stays.
  std::remove((o.dir + "/one.yaml").c_str());
  auto again = ManifestsDir::Start(*c.client, nullptr, o);
  REQUIRE(again.ok());
  CHECK(Eventually([&] { return !Exists(c, "one"); }, 5s));
  CHECK(Exists(c, "two"));
}

TEST_CASE("manifests dir: a corrupt state file is set aside", "[manifests]") {
  Cluster c;
  ManifestsDirOptions o;
  o.dir = c.dir / "m";
  o.state_file = c.dir / "state.json";
  std::ofstream(o.state_file) << "{ torn";
  auto d = ManifestsDir::Start(*c.client, nullptr, o);
  REQUIRE(d.ok());
  CHECK(Eventually([&] { return (*d)->passes() > 0; }, 5s));
  std::ifstream aside(o.state_file + ".corrupt");
  CHECK(aside.good());
}

TEST_CASE("manifests dir: retries back off, and a skipped file is not retried", "[manifests]") {
  Cluster c;
  ManifestsDirOptions o;
  o.dir = c.dir / "m";
  o.rescan = 1h;
  auto d = ManifestsDir::Start(*c.client, nullptr, o);
  REQUIRE(d.ok());
  // Its namespace never comes: retried after 1 s, 2 s, ... not in a loop.
  Write(o.dir + "/waits.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: w, namespace: absent}\n");
  CHECK(Eventually([&] { return (*d)->passes() >= 2; }, 5s));
  const int before = (*d)->passes();
  std::this_thread::sleep_for(1500ms);
  CHECK((*d)->passes() - before <= 2);
  // Skipped: no more passes until something changes.
  std::ofstream(o.dir + "/waits.yaml.skip") << "";
  CHECK(Eventually([&] { return (*d)->passes() > before + 1; }, 5s));
  const int skipped = (*d)->passes();
  std::this_thread::sleep_for(2500ms);
  CHECK((*d)->passes() == skipped);
}
