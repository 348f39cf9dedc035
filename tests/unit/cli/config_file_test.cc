#include "cli/config_file.h"

#include <catch2/catch.hpp>

#include "test_support.h"

using skiff::cli::ConfigEntry;
using skiff::cli::LoadConfigFile;
using skiff::cli::testing::TempDir;

TEST_CASE("LoadConfigFile returns keys, values and line numbers in order", "[cli]") {
  TempDir dir;
  std::string path = dir.Write("config.yaml",
                               "# skiff settings\n"
                               "data-dir: /srv/skiff\n"
                               "https-listen-port: 7443\n"
                               "\n"
                               "disable-agent: yes\n"
                               "node-name: \"yes\"\n"
                               "token: ''\n"
                               "cluster-cidr: [a, b]\n"
                               "extra: {a: 1}\n"
                               "node-ip:\n");
  auto file = LoadConfigFile(path);
  REQUIRE(file.ok());
  CHECK(file->path == path);
  const auto& e = file->entries;
  REQUIRE(e.size() == 8);
  CHECK(e[0].key == "data-dir");
  CHECK(e[0].line == 2);
  CHECK(e[0].kind == ConfigEntry::Kind::kScalar);
  CHECK(e[0].value == "/srv/skiff");
  CHECK_FALSE(e[0].yaml_bool.has_value());
  CHECK(e[1].key == "https-listen-port");
  CHECK(e[1].value == "7443");
  CHECK(e[1].line == 3);
  CHECK(e[2].line == 5);
  CHECK(e[2].value == "yes");
  REQUIRE(e[2].yaml_bool.has_value());
  CHECK(*e[2].yaml_bool);
  CHECK(e[3].value == "yes");
  CHECK_FALSE(e[3].yaml_bool.has_value());  // quoted: a string, not a boolean
  CHECK(e[4].kind == ConfigEntry::Kind::kScalar);
  CHECK(e[4].value.empty());
  CHECK(e[5].kind == ConfigEntry::Kind::kSequence);
  CHECK(e[6].kind == ConfigEntry::Kind::kMap);
  CHECK(e[7].kind == ConfigEntry::Kind::kNull);
  CHECK(e[7].line == 10);
}

TEST_CASE("LoadConfigFile treats an empty or comment-only file as no settings", "[cli]") {
  TempDir dir;
  auto empty = LoadConfigFile(dir.Write("empty.yaml", ""));
  REQUIRE(empty.ok());
  CHECK(empty->entries.empty());
  auto comments = LoadConfigFile(dir.Write("comments.yaml", "# nothing yet\n---\n"));
  REQUIRE(comments.ok());
  CHECK(comments->entries.empty());
}

TEST_CASE("LoadConfigFile reports YAML syntax errors with file, line and column", "[cli]") {
  TempDir dir;
  std::string path = dir.Write("bad.yaml", "data-dir: /a\nnode-name: a: b\n");
  auto file = LoadConfigFile(path);
  REQUIRE_FALSE(file.ok());
  CHECK(file.status().message() == path + ":2:13: illegal map value");

  path = dir.Write("flow.yaml", "data-dir: /a\ncluster-cidr: [a\n");
  file = LoadConfigFile(path);
  REQUIRE_FALSE(file.ok());
  CHECK_THAT(file.status().message(), Catch::StartsWith(path + ":3:1: ") &&
                                          Catch::Contains("end of sequence flow not found"));
}

TEST_CASE("LoadConfigFile requires a mapping at the top", "[cli]") {
  TempDir dir;
  std::string path = dir.Write("list.yaml", "- data-dir: /a\n");
  auto file = LoadConfigFile(path);
  REQUIRE_FALSE(file.ok());
  CHECK(file.status().message() == path +
                                       ": must be a YAML mapping of flag names to values (such as "
                                       "\"data-dir: /srv/skiff\"), got a sequence");
  path = dir.Write("scalar.yaml", "data-dir /a\n");
  file = LoadConfigFile(path);
  REQUIRE_FALSE(file.ok());
  CHECK_THAT(file.status().message(), Catch::StartsWith(path + ": must be a YAML mapping") &&
                                          Catch::EndsWith("got a scalar"));
}

TEST_CASE("LoadConfigFile rejects duplicate and non-scalar keys", "[cli]") {
  TempDir dir;
  std::string path = dir.Write("dup.yaml", "data-dir: /a\ntoken: x\ndata-dir: /b\n");
  auto file = LoadConfigFile(path);
  REQUIRE_FALSE(file.ok());
  CHECK(file.status().message() == path + ":3: duplicate key \"data-dir\" (first at line 1)");

  path = dir.Write("seqkey.yaml", "token: x\n[a, b]: c\n");
  file = LoadConfigFile(path);
  REQUIRE_FALSE(file.ok());
  CHECK(file.status().message() ==
        path + ":2: keys must be flag names such as \"data-dir\", got a sequence");
}

TEST_CASE("LoadConfigFile reports files it cannot read, with the reason", "[cli]") {
  TempDir dir;
  std::string missing = dir.Join("missing.yaml");
  auto file = LoadConfigFile(missing, " (given by --config)");
  REQUIRE_FALSE(file.ok());
  CHECK(file.status().code() == skiff::Code::kInvalidArgument);
  CHECK(file.status().message() == "cannot read config file \"" + missing +
                                       "\" (given by --config): No such file or directory");
  file = LoadConfigFile(dir.path());
  REQUIRE_FALSE(file.ok());
  CHECK(file.status().message() ==
        "cannot read config file \"" + dir.path() + "\": Is a directory");
}

TEST_CASE("ConfigFileExists is false only for missing files", "[cli]") {
  TempDir dir;
  CHECK(skiff::cli::ConfigFileExists(dir.Write("c.yaml", "")));
  CHECK(skiff::cli::ConfigFileExists(dir.path()));
  CHECK_FALSE(skiff::cli::ConfigFileExists(dir.Join("nope.yaml")));
  CHECK_FALSE(skiff::cli::ConfigFileExists(dir.Join("c.yaml/below")));
}
