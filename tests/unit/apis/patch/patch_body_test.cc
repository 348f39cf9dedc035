// Patch content types, request bodies, dispatch and kube-apiserver's error answers.
#include <catch2/catch.hpp>

#include "skiff/apis/patch.h"
#include "test_schema.h"

using nlohmann::json;
using skiff::Code;
using skiff::Status;
using namespace skiff::apis;

TEST_CASE("patch body: content types", "[patch][body]") {
  CHECK(PatchTypeFromContentType("application/json-patch+json") == PatchType::kJson);
  CHECK(PatchTypeFromContentType("application/merge-patch+json") == PatchType::kMerge);
  CHECK(PatchTypeFromContentType("application/strategic-merge-patch+json") ==
        PatchType::kStrategicMerge);
  CHECK(PatchTypeFromContentType("Application/Merge-Patch+JSON; charset=utf-8") ==
        PatchType::kMerge);
  CHECK_FALSE(PatchTypeFromContentType("application/apply-patch+yaml").has_value());
  CHECK_FALSE(PatchTypeFromContentType("application/json").has_value());
  CHECK_FALSE(PatchTypeFromContentType("").has_value());
  CHECK(PatchContentType(PatchType::kStrategicMerge) == "application/strategic-merge-patch+json");
  CHECK(PatchContentType(PatchType::kJson) == "application/json-patch+json");
  CHECK(PatchContentType(PatchType::kMerge) == "application/merge-patch+json");
}

TEST_CASE("patch body: parsing each patch type", "[patch][body]") {
  auto ops = ParsePatchBody(PatchType::kJson, R"([{"op":"remove","path":"/a"}])");
  REQUIRE(ops.ok());
  CHECK(ops->size() == 1);
  auto null_ops = ParsePatchBody(PatchType::kJson, "null");
  REQUIRE(null_ops.ok());
  CHECK(*null_ops == json::array());

  auto object_ops = ParsePatchBody(PatchType::kJson, R"({"op":"remove"})");
  REQUIRE_FALSE(object_ops.ok());
  CHECK(object_ops.status().code() == Code::kInvalidArgument);
  CHECK(object_ops.status().message() ==
        "json: cannot unmarshal object into Go value of type jsonpatch.Patch");
  auto string_op = ParsePatchBody(PatchType::kJson, R"(["remove"])");
  REQUIRE_FALSE(string_op.ok());
  CHECK(string_op.status().message() ==
        "json: cannot unmarshal string into Go value of type jsonpatch.Operation");

  auto merge = ParsePatchBody(PatchType::kMerge, R"({"spec":{"replicas":2}})");
  REQUIRE(merge.ok());
  CHECK((*merge)["spec"]["replicas"] == 2);
  for (const char* bad : {"{", "null", "3", "[1]"}) {
    auto r = ParsePatchBody(PatchType::kMerge, bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().message() == "Invalid JSON Patch");
  }

  auto smp = ParsePatchBody(PatchType::kStrategicMerge, R"({"metadata":{"labels":{"a":null}}})");
  REQUIRE(smp.ok());
  CHECK((*smp)["metadata"]["labels"]["a"].is_null());
  auto smp_null = ParsePatchBody(PatchType::kStrategicMerge, "null");
  REQUIRE(smp_null.ok());
  CHECK(*smp_null == json::object());
  auto smp_list = ParsePatchBody(PatchType::kStrategicMerge, "[]");
  REQUIRE_FALSE(smp_list.ok());
  CHECK(smp_list.status().message() ==
        "json: cannot unmarshal array into Go value of type map[string]interface {}");
}

TEST_CASE("patch body: malformed JSON and oversized JSON patches", "[patch][body]") {
  auto empty = ParsePatchBody(PatchType::kStrategicMerge, "  ");
  REQUIRE_FALSE(empty.ok());
  CHECK(empty.status().message() == "unexpected end of JSON input");
  auto broken = ParsePatchBody(PatchType::kJson, R"([{"op":"add",}])");
  REQUIRE_FALSE(broken.ok());
  CHECK(broken.status().code() == Code::kInvalidArgument);
  CHECK(broken.status().message().rfind("invalid JSON in patch body: parse error at line 1", 0) ==
        0);

  std::string many = "[";
  for (int i = 0; i < 10001; ++i)
    many += std::string(i ? "," : "") + R"({"op":"test","path":"/a"})";
  many += "]";
  auto too_many = ParsePatchBody(PatchType::kJson, many);
  REQUIRE_FALSE(too_many.ok());
  CHECK(too_many.status().code() == Code::kTooLarge);
  CHECK(too_many.status().message() ==
        "The allowed maximum operations in a JSON patch is 10000, got 10001");
}

TEST_CASE("patch body: ApplyPatch dispatches by type", "[patch][body]") {
  json doc = {{"metadata", {{"labels", {{"a", "1"}}}}},
              {"spec", {{"template", {{"spec", {{"containers", {{{"name", "c"}}}}}}}}}}};
  const TypeDef* type = testing::Types().deployment;
  auto json_patched =
      ApplyPatch(PatchType::kJson, doc,
                 json::parse(R"([{"op":"add","path":"/metadata/labels/b","value":"2"}])"), nullptr);
  REQUIRE(json_patched.ok());
  CHECK((*json_patched)["metadata"]["labels"] == json({{"a", "1"}, {"b", "2"}}));
  json add_container =
      json::parse(R"({"spec":{"template":{"spec":{"containers":[{"name":"d"}]}}}})");
  auto merged = ApplyPatch(PatchType::kMerge, doc, add_container, type);
  REQUIRE(merged.ok());
  CHECK((*merged)["spec"]["template"]["spec"]["containers"] == json::parse(R"([{"name":"d"}])"));
  auto strategic = ApplyPatch(PatchType::kStrategicMerge, doc, add_container, type);
  REQUIRE(strategic.ok());
  CHECK((*strategic)["spec"]["template"]["spec"]["containers"] ==
        json::parse(R"([{"name":"d"},{"name":"c"}])"));
  auto custom = ApplyPatch(PatchType::kStrategicMerge, doc, add_container, nullptr);
  REQUIRE_FALSE(custom.ok());
  CHECK(custom.status().code() == Code::kUnimplemented);
}

TEST_CASE("patch body: errors map to kube-apiserver's answers", "[patch][body]") {
  auto apply_error =
      ApplyJsonPatch(json::object(), json::parse(R"([{"op":"remove","path":"/spec/foo"}])"));
  REQUIRE_FALSE(apply_error.ok());
  PatchErrorResponse r =
      DescribePatchError(PatchType::kJson, PatchStage::kApply, apply_error.status());
  CHECK(r.code == 422);
  CHECK(r.reason == "Invalid");
  CHECK(r.message == "the server rejected our request due to an error in our request");
  CHECK(r.cause_type == "UnexpectedServerResponse");
  CHECK(r.cause_message ==
        "remove operation does not apply: doc is missing path: \"/spec/foo\": missing value");

  PatchErrorResponse parse = DescribePatchError(PatchType::kMerge, PatchStage::kParse,
                                                skiff::InvalidArgumentError("Invalid JSON Patch"));
  CHECK(parse.code == 400);
  CHECK(parse.reason == "BadRequest");
  CHECK(parse.message == "Invalid JSON Patch");
  CHECK(parse.cause_type.empty());

  PatchErrorResponse big = DescribePatchError(
      PatchType::kJson, PatchStage::kParse,
      skiff::TooLargeError("The allowed maximum operations in a JSON patch is 10000, got 10001"));
  CHECK(big.code == 413);
  CHECK(big.reason == "RequestEntityTooLarge");
  CHECK(big.message ==
        "Request entity too large: The allowed maximum operations in a JSON patch is 10000, got "
        "10001");

  auto custom = ApplyStrategicMergePatch(json::object(), json::object(), nullptr);
  PatchErrorResponse unsupported =
      DescribePatchError(PatchType::kStrategicMerge, PatchStage::kApply, custom.status());
  CHECK(unsupported.code == 415);
  CHECK(unsupported.reason == "UnsupportedMediaType");
  CHECK(unsupported.message == kStrategicMergeUnsupportedMessage);

  auto smp = [](const Status& s) {
    return DescribePatchError(PatchType::kStrategicMerge, PatchStage::kApply, s);
  };
  CHECK(smp(skiff::InvalidArgumentError("invalid patch format of retainKeys")).code == 400);
  PatchErrorResponse lists = smp(skiff::InvalidArgumentError("lists of lists are not supported"));
  CHECK(lists.code == 422);
  CHECK(lists.cause_message == "lists of lists are not supported");
  PatchErrorResponse other = smp(
      skiff::InvalidArgumentError("map: map[image:x] does not contain declared merge key: name"));
  CHECK(other.code == 500);
  CHECK(other.reason.empty());
  CHECK(other.message == "map: map[image:x] does not contain declared merge key: name");
}
