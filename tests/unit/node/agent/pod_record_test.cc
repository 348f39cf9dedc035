// Pod records on a disk that lost data: record.json damaged or missing, with or without a whole
// record.json.spare beside it.
#include "node/agent/pod_record.h"

#include <catch2/catch.hpp>
#include <fstream>

#include "support/stderr_capture.h"
#include "support/temp_dir.h"

namespace skiff::node {
namespace {

void Write(const std::string& path, const std::string& data) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << data;
}

PodRecord Sample(int restarts) {
  PodRecord r;
  r.uid = "uid-1";
  r.ns = "default";
  r.name = "web";
  r.sandbox_id = "sandbox-1";
  ContainerRecord c;
  c.name = "app";
  c.id = "c" + std::to_string(restarts);
  c.restart_count = restarts;
  c.state = ContainerRecord::State::kRunning;
  r.containers.push_back(c);
  return r;
}

TEST_CASE("pod record falls back to the spare when record.json is damaged") {
  skiff::testing::TempDir dir;
  const std::string pod = dir.path();
  REQUIRE(SaveRecord(pod, Sample(1)).ok());
  REQUIRE(SaveRecord(pod, Sample(2)).ok());  // the spare now holds restart 1
  std::string damage;
  SECTION("truncated") { damage = "{\"uid\": \"uid-1\", \"conta"; }
  SECTION("zeros") { damage = std::string(512, '\0'); }
  SECTION("JSON but no record") { damage = "[1, 2]"; }
  SECTION("empty") { damage = ""; }
  Write(pod + "/record.json", damage);
  skiff::testing::StderrCapture log;
  bool from_spare = false;
  auto loaded = LoadRecord(pod, &from_spare);
  REQUIRE(loaded.ok());
  CHECK(from_spare);
  CHECK(loaded->sandbox_id == "sandbox-1");
  CHECK(loaded->containers.at(0).restart_count == 1);
  CHECK(log.Has(pod + "/record.json"));
  // Saving it again repairs record.json.
  REQUIRE(SaveRecord(pod, *loaded).ok());
  loaded = LoadRecord(pod, &from_spare);
  REQUIRE(loaded.ok());
  CHECK_FALSE(from_spare);
}

TEST_CASE("pod record cut before its first save completed is read from the spare") {
  skiff::testing::TempDir dir;
  Write(dir.path() + "/record.json.spare", RecordToJson(Sample(0)).dump());
  bool from_spare = false;
  auto loaded = LoadRecord(dir.path(), &from_spare);
  REQUIRE(loaded.ok());
  CHECK(from_spare);
  CHECK(loaded->containers.at(0).id == "c0");
}

TEST_CASE("pod record without a usable spare reports the damage of record.json") {
  skiff::testing::TempDir dir;
  SECTION("damaged record and spare") {
    Write(dir.path() + "/record.json", "{\"uid\"");
    Write(dir.path() + "/record.json.spare", "{\"ui");
    CHECK(LoadRecord(dir.path()).status().code() == Code::kCorrupt);
  }
  SECTION("damaged record and no spare") {
    Write(dir.path() + "/record.json", "not json");
    CHECK(LoadRecord(dir.path()).status().code() == Code::kCorrupt);
  }
  SECTION("a stray garbage spare only") {
    Write(dir.path() + "/record.json.spare", std::string(64, '\0'));
    CHECK(LoadRecord(dir.path()).status().code() == Code::kNotFound);
  }
  SECTION("nothing") { CHECK(LoadRecord(dir.path()).status().code() == Code::kNotFound); }
}

}  // namespace
}  // namespace skiff::node
