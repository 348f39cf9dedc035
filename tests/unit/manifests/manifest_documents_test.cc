#include "manifests/manifest_documents.h"

#include <catch2/catch.hpp>

using skiff::manifests::ParseManifest;

namespace {
std::string ErrorOf(const std::string& text) {
  auto r = ParseManifest(text);
  return r.ok() ? "" : std::string(r.status().message());
}
}  // namespace

TEST_CASE("manifests: documents, lists and JSON, with where each starts", "[manifests]") {
  auto objects = ParseManifest(
      "# a comment-only first document\n"
      "---\n"
      "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: edge\n"
      "---\n"
      "apiVersion: v1\nkind: List\nitems:\n"
      "- {apiVersion: v1, kind: ConfigMap, metadata: {name: a, namespace: edge}}\n"
      "- {apiVersion: v1, kind: ConfigMap, metadata: {name: b}}\n"
      "--- {\"apiVersion\": \"v1\", \"kind\": \"Secret\", \"metadata\": {\"name\": \"s\"}}\n"
      "...\n");
  REQUIRE(objects.ok());
  REQUIRE(objects->size() == 4);
  CHECK((*objects)[0].object["kind"] == "Namespace");
  CHECK((*objects)[0].document == 2);
  CHECK((*objects)[0].line == 2);
  CHECK((*objects)[1].object["metadata"]["name"] == "a");
  CHECK((*objects)[1].document == 3);
  CHECK((*objects)[1].line == 7);
  CHECK((*objects)[2].object["metadata"]["name"] == "b");
  CHECK((*objects)[3].object["kind"] == "Secret");
  CHECK((*objects)[3].document == 4);
  CHECK((*objects)[3].line == 13);
  // A file that starts with "---" does not count an empty first document.
  auto leading = ParseManifest("---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n");
  REQUIRE(leading.ok());
  CHECK(leading->at(0).document == 1);
  CHECK(leading->at(0).line == 1);
  CHECK(ParseManifest("")->empty());
  CHECK(ParseManifest("# nothing\n---\n---\n")->empty());
}

TEST_CASE("manifests: errors name the document and the file's line", "[manifests]") {
  const std::string first = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n";
  CHECK(ErrorOf(first + "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n"
                        "    namespace: bad\n") ==
        "document 2 (line 5): line 10: illegal map value");
  CHECK(ErrorOf("apiVersion: v1\nkind: [unclosed\n") ==
        "document 1 (line 1): line 3: end of sequence flow not found");
  CHECK(ErrorOf(first + "---\n- just\n- a list\n") == "document 2 (line 5): not an object");
  CHECK(ErrorOf(first + "---\nkind: ConfigMap\nmetadata: {name: c}\n") ==
        "document 2 (line 5): the object has no apiVersion");
  CHECK(ErrorOf(first + "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {}\n") ==
        "document 2 (line 5): the ConfigMap has no metadata.name");
  CHECK(ErrorOf("apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, metadata: {name: x}}\n") ==
        "document 1 (line 1): the object has no kind");
}
