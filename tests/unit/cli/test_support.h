// Helpers for the cli unit tests: a temporary directory removed at scope exit, and hermetic
// Environments that never point at the real /etc.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include "skiff/cli/environment.h"

namespace skiff::cli::testing {

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "skiff-cli-test-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }

  const std::string& path() const { return path_; }
  std::string Join(const std::string& name) const { return path_ + "/" + name; }
  // Writes `content` to path()/name and returns the full path.
  std::string Write(const std::string& name, const std::string& content) const {
    std::string p = Join(name);
    std::ofstream(p) << content;
    return p;
  }

 private:
  std::string path_;
};

// root on host "edge-1", with a default config path inside `dir` that does not exist.
inline Environment RootEnv(const TempDir& dir) {
  Environment env;
  env.uid = 0;
  env.home = "/root";
  env.hostname = "edge-1";
  env.config_path = dir.Join("no-such-config.yaml");
  return env;
}

// uid 1000 with HOME=/home/ann on host "edge-1".
inline Environment UserEnv(const TempDir& dir) {
  Environment env = RootEnv(dir);
  env.uid = 1000;
  env.home = "/home/ann";
  return env;
}

}  // namespace skiff::cli::testing
