#include "fixtures.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

namespace skiff::apis::testing {

namespace {

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Members kubectl 1.31's JSON has as null that a protobuf body cannot carry (absent pointer
// fields whose Go JSON tag lacks omitempty), by fixture name.
const std::map<std::string, std::vector<std::string>>& AbsentNulls() {
  static const std::map<std::string, std::vector<std::string>> kAbsentNulls = {
      {"token", {"/spec/boundObjectRef"}},
  };
  return kAbsentNulls;
}

}  // namespace

std::vector<Fixture> LoadFixtures() {
  const std::filesystem::path dir(SKIFF_PROTOBUF_FIXTURES);
  std::vector<Fixture> out;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".pb") continue;
    Fixture f;
    f.name = entry.path().stem().string();  // "deployment" or "deployment.1.33"
    const std::string command = f.name.substr(0, f.name.find('.'));
    f.body = ReadFile(entry.path());
    f.expected = nlohmann::json::parse(ReadFile(dir / (command + ".json")));
    if (auto it = AbsentNulls().find(command); it != AbsentNulls().end()) {
      for (const std::string& pointer : it->second) {
        const nlohmann::json::json_pointer p(pointer);
        if (!f.expected.contains(p) || !f.expected.at(p).is_null()) {
          throw std::runtime_error(f.name + ": expected a null at " + pointer);
        }
        f.expected.at(p.parent_pointer()).erase(p.back());
      }
    }
    out.push_back(std::move(f));
  }
  std::sort(out.begin(), out.end(),
            [](const Fixture& a, const Fixture& b) { return a.name < b.name; });
  return out;
}

}  // namespace skiff::apis::testing
