// The captured kubectl request bodies under fixtures/ (see capture/README.md): for each
// command NAME, NAME.pb is what kubectl 1.32 sent (NAME.1.33.pb when 1.33 differed) and
// NAME.json what kubectl 1.31 sent as JSON for the same command.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace skiff::apis::testing {

struct Fixture {
  std::string name;         // e.g. "deployment" or "deployment.1.33"
  std::string body;         // the protobuf body, magic included
  nlohmann::json expected;  // kubectl 1.31's JSON, less the known differences below
};

// Every fixture, sorted by name. The expected JSON has the members that Go's JSON writes as
// null for absent pointer fields without omitempty (e.g. TokenRequest spec.boundObjectRef)
// removed: the protobuf body cannot tell them apart from absent ones, and the decoder leaves
// absent fields out.
std::vector<Fixture> LoadFixtures();

}  // namespace skiff::apis::testing
