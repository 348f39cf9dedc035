// Strategic merge patch semantics, replaying the cases of k8s.io/apimachinery's
// strategicpatch tests (on its MergeItem test type) with their expected results.
#include <catch2/catch.hpp>

#include "skiff/apis/patch.h"
#include "test_schema.h"

using nlohmann::json;
using skiff::Code;
using skiff::apis::ApplyStrategicMergePatch;
using skiff::apis::testing::Types;

namespace {

json Smp(const json& doc, const json& patch) {
  auto r = ApplyStrategicMergePatch(doc, patch, Types().merge_item);
  INFO(r.status().ToString());
  REQUIRE(r.ok());
  return *r;
}

json Smp(const char* doc, const char* patch) { return Smp(json::parse(doc), json::parse(patch)); }

std::string SmpFail(const char* doc, const char* patch) {
  auto r = ApplyStrategicMergePatch(json::parse(doc), json::parse(patch), Types().merge_item);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == Code::kInvalidArgument);
  return r.status().message();
}

}  // namespace

TEST_CASE("smp: maps merge, null deletes, scalars and plain lists replace", "[patch][smp]") {
  CHECK(Smp(R"({"name":"1","other":"a"})", R"({"value":"1"})") ==
        json::parse(R"({"name":"1","value":"1","other":"a"})"));
  CHECK(Smp(R"({"name":"1","other":"a"})", R"({"name":null,"value":"1"})") ==
        json::parse(R"({"value":"1","other":"a"})"));
  CHECK(Smp(R"({"simpleMap":{"key1":"1","key2":"1","other":"a"}})",
            R"({"simpleMap":{"key2":null}})") ==
        json::parse(R"({"simpleMap":{"key1":"1","other":"a"}})"));
  // An unmatched null is dropped, never stored.
  CHECK(Smp(R"({"name":"a","other":"a"})", R"({"name":"1","value":"1","other":null})") ==
        json::parse(R"({"name":"1","value":"1"})"));
  CHECK(Smp(R"({"nonMergingIntList":[1,2]})", R"({"nonMergingIntList":[2,3]})") ==
        json::parse(R"({"nonMergingIntList":[2,3]})"));
  CHECK(Smp(R"({"nonMergingList":[{"name":"1"},{"name":"2","value":"2"}]})",
            R"({"nonMergingList":[{"name":"1","value":"1"}]})") ==
        json::parse(R"({"nonMergingList":[{"name":"1","value":"1"}]})"));
  // A value of another JSON type replaces the original one.
  CHECK(Smp(R"({"simpleMap":{"a":"b"}})", R"({"simpleMap":"x"})") ==
        json::parse(R"({"simpleMap":"x"})"));
  // Fields without schema (RawExtension) merge as plain maps.
  CHECK(Smp(R"({"replacingItem":{"a":1,"b":{"c":1}}})", R"({"replacingItem":{"b":{"d":2}}})") ==
        json::parse(R"({"replacingItem":{"a":1,"b":{"c":1,"d":2}}})"));
}

TEST_CASE("smp: merging lists merge by key and keep the patch order", "[patch][smp]") {
  CHECK(Smp(R"({"mergingList":[{"name":"1","other":"a"},{"name":"2","value":"2","other":"b"}]})",
            R"({"mergingList":[{"name":"1","value":"1"}]})") ==
        json::parse(R"({"mergingList":[{"name":"1","value":"1","other":"a"},
                                       {"name":"2","value":"2","other":"b"}]})"));
  // "preserve the order from the patch in a merging list"
  CHECK(Smp(R"({"mergingList":[{"name":"1"},{"name":"2","value":"b"},{"name":"3"}]})",
            R"({"mergingList":[{"name":"3","value":"c"},{"name":"1","value":"a"},
                               {"name":"2","other":"x"}]})") ==
        json::parse(R"({"mergingList":[{"name":"3","value":"c"},{"name":"1","value":"a"},
                                       {"name":"2","value":"b","other":"x"}]})"));
  // "... 2": server-only items stay before the patch items that follow them on the server.
  CHECK(Smp(R"({"mergingList":[{"name":"1"},{"name":"2","value":"b"},{"name":"3"}]})",
            R"({"mergingList":[{"name":"3","value":"c"},{"name":"1","value":"a"}]})") ==
        json::parse(R"({"mergingList":[{"name":"2","value":"b"},{"name":"3","value":"c"},
                                       {"name":"1","value":"a"}]})"));
  // A new element without $setElementOrder goes before the server's elements.
  CHECK(Smp(R"({"mergingList":[{"name":"1"},{"name":"2"}]})",
            R"({"mergingList":[{"name":"3","value":"3"}]})") ==
        json::parse(R"({"mergingList":[{"name":"3","value":"3"},{"name":"1"},{"name":"2"}]})"));
  // Nested merging lists merge too; nested non-merging lists are replaced.
  CHECK(Smp(R"({"mergingList":[{"name":"1","other":"a","nonMergingList":[{"name":"1"},{"name":"2"}],
                                "mergingList":[{"name":"x","value":"1"}]},{"name":"2"}]})",
            R"({"mergingList":[{"name":"1","nonMergingList":[{"name":"1","value":"1"}],
                                "mergingList":[{"name":"x","other":"o"}]}]})") ==
        json::parse(R"({"mergingList":[{"name":"1","other":"a",
                                        "nonMergingList":[{"name":"1","value":"1"}],
                                        "mergingList":[{"name":"x","value":"1","other":"o"}]},
                                       {"name":"2"}]})"));
  CHECK(Smp(R"({"mergingList":[]})", R"({"mergingList":[]})") ==
        json::parse(R"({"mergingList":[]})"));
}

TEST_CASE("smp: lists of scalars with merge strategy are ordered sets", "[patch][smp]") {
  CHECK(Smp(R"({"mergingIntList":[1,2]})", R"({"mergingIntList":[2,3]})") ==
        json::parse(R"({"mergingIntList":[1,2,3]})"));
  CHECK(Smp(R"({"mergingIntList":[1,2,3]})", R"({"mergingIntList":[3,1,2]})") ==
        json::parse(R"({"mergingIntList":[3,1,2]})"));
  CHECK(Smp(R"({"mergingIntList":[1,2,3]})", R"({"mergingIntList":[3,1]})") ==
        json::parse(R"({"mergingIntList":[2,3,1]})"));
  // $deleteFromPrimitiveList
  CHECK(
      Smp(R"({"mergingIntList":[1,2,3]})", R"({"$deleteFromPrimitiveList/mergingIntList":[2]})") ==
      json::parse(R"({"mergingIntList":[1,3]})"));
  CHECK(Smp(R"({"mergingIntList":[1,2]})", R"({"$deleteFromPrimitiveList/mergingIntList":[3]})") ==
        json::parse(R"({"mergingIntList":[1,2]})"));
  CHECK(Smp(R"({"foo":["bar"]})", R"({"$deleteFromPrimitiveList/mergingIntList":[3]})") ==
        json::parse(R"({"foo":["bar"]})"));
  CHECK(Smp(R"({"mergingIntList":null})", R"({"$deleteFromPrimitiveList/mergingIntList":[3]})") ==
        json::parse(R"({"mergingIntList":null})"));
  CHECK(Smp(R"({"nonMergingIntList":[1,2,3]})",
            R"({"$deleteFromPrimitiveList/nonMergingIntList":[2]})") ==
        json::parse(R"({"nonMergingIntList":[1,3]})"));
  // "delete all duplicate items in lists of scalars", with $setElementOrder.
  CHECK(Smp(R"({"mergingIntList":[1,2,3,3,4]})",
            R"({"$setElementOrder/mergingIntList":[1,2],
                "$deleteFromPrimitiveList/mergingIntList":[3]})") ==
        json::parse(R"({"mergingIntList":[1,2,4]})"));
  // "add and delete items in lists of scalars"
  CHECK(Smp(R"({"mergingIntList":[1,2,3]})",
            R"({"$setElementOrder/mergingIntList":[1,2,4],
                "$deleteFromPrimitiveList/mergingIntList":[3],"mergingIntList":[4]})") ==
        json::parse(R"({"mergingIntList":[1,2,4]})"));
  CHECK(
      SmpFail(R"({"mergingIntList":[1]})", R"({"$deleteFromPrimitiveListX/mergingIntList":[1]})") ==
      "invalid patch format of primitive list");
}

TEST_CASE("smp: $patch directives on maps and list elements", "[patch][smp]") {
  CHECK(Smp(R"({"simpleMap":{"key1":"1","key2":"1"}})", R"({"simpleMap":{"$patch":"delete"}})") ==
        json::parse(R"({"simpleMap":{}})"));
  CHECK(Smp(R"({"name":"1","value":"1"})", R"({"$patch":"replace"})") == json::object());
  CHECK(Smp(R"({"name":"1","value":"1"})", R"({"other":"a","$patch":"replace"})") ==
        json::parse(R"({"other":"a"})"));
  CHECK(Smp(R"({"mergingList":[{"name":"1"},{"name":"2"}]})",
            R"({"mergingList":[{"$patch":"replace"}]})") == json::parse(R"({"mergingList":[]})"));
  CHECK(Smp(R"({"mergingList":[{"name":"1","value":"a"},{"name":"2"}]})",
            R"({"mergingList":[{"name":"3","value":null,"other":"c"},{"$patch":"replace"}]})") ==
        json::parse(R"({"mergingList":[{"name":"3","other":"c"}]})"));
  // "delete all duplicate entries in a merging list"
  CHECK(Smp(R"({"mergingList":[{"name":"1"},{"name":"1"},{"name":"2","value":"a"},
                               {"name":"3"},{"name":"3"}]})",
            R"({"mergingList":[{"name":"1","$patch":"delete"},{"name":"3","$patch":"delete"}]})") ==
        json::parse(R"({"mergingList":[{"name":"2","value":"a"}]})"));
  // Directives in a value the original lacks are applied, not stored ("nested patch merge
  // with empty list").
  CHECK(Smp(R"({"name":"hi"})",
            R"({"mergingList":[{"name":"hello"},{"$patch":"delete","name":"doesntexist"}],
                "simpleMap":{"$patch":"replace","k":"v","gone":null}})") ==
        json::parse(R"({"name":"hi","mergingList":[{"name":"hello"}],"simpleMap":{"k":"v"}})"));
  CHECK(Smp(R"({"name":"hi","mergingList":[{"name":"hello2"}]})",
            R"({"$setElementOrder/mergingList":[{"name":"hello"},{"name":"doesntexist"}],
                "mergingList":[{"name":"hello"},{"$patch":"delete","name":"doesntexist"}]})") ==
        json::parse(R"({"name":"hi","mergingList":[{"name":"hello"},{"name":"hello2"}]})"));
}

TEST_CASE("smp: $setElementOrder orders merging lists", "[patch][smp]") {
  // "merge lists of maps"
  CHECK(
      Smp(R"({"mergingList":[{"name":"1","other":"a"},{"name":"2","value":"2","other":"b"}]})",
          R"({"$setElementOrder/mergingList":[{"name":"4"},{"name":"1"},{"name":"2"},{"name":"3"}],
                "mergingList":[{"name":"4","value":"4"},{"name":"3","value":"3"}]})") ==
      json::parse(R"({"mergingList":[{"name":"4","value":"4"},{"name":"1","other":"a"},
                                       {"name":"2","value":"2","other":"b"},
                                       {"name":"3","value":"3"}]})"));
  // "$setElementOrder contains item that is not present in the list to be merged"
  CHECK(Smp(R"({"mergingList":[{"name":"1"},{"name":"3"}]})",
            R"({"$setElementOrder/mergingList":[{"name":"3"},{"name":"2"},{"name":"1"}],
                "mergingList":[{"name":"3","value":"3"},{"name":"1","value":"1"}]})") ==
        json::parse(R"({"mergingList":[{"name":"3","value":"3"},{"name":"1","value":"1"}]})"));
  CHECK(Smp(R"({"mergingIntList":[1,3]})", R"({"$setElementOrder/mergingIntList":[3,2,1]})") ==
        json::parse(R"({"mergingIntList":[3,1]})"));
  // "add map and delete map from merging list": a server-only element stays in place.
  CHECK(Smp(R"({"mergingList":[{"name":"1"},{"name":"2","other":"b"},{"name":"4","other":"c"}]})",
            R"({"$setElementOrder/mergingList":[{"name":"2"},{"name":"3"}],
                "mergingList":[{"name":"3"},{"name":"1","$patch":"delete"}]})") ==
        json::parse(R"({"mergingList":[{"name":"2","other":"b"},{"name":"4","other":"c"},
                                       {"name":"3"}]})"));
  // "... with conflict"
  CHECK(Smp(R"({"mergingList":[{"name":"1","other":"a"},{"name":"4","other":"c"}]})",
            R"({"$setElementOrder/mergingList":[{"name":"2"},{"name":"3"}],
                "mergingList":[{"name":"2"},{"name":"3"},{"name":"1","$patch":"delete"}]})") ==
        json::parse(R"({"mergingList":[{"name":"4","other":"c"},{"name":"2"},{"name":"3"}]})"));
  // "delete missing map from merging list with conflict"
  CHECK(Smp(R"({"mergingList":[{"name":"3","other":"a"}]})",
            R"({"$setElementOrder/mergingList":[{"name":"2"}],
                "mergingList":[{"name":"2"},{"name":"1","$patch":"delete"}]})") ==
        json::parse(R"({"mergingList":[{"name":"2"},{"name":"3","other":"a"}]})"));
  // Reordering only.
  CHECK(Smp(R"({"mergingList":[{"name":"b","value":"1"},{"name":"a"}]})",
            R"({"$setElementOrder/mergingList":[{"name":"a"},{"name":"b"}]})") ==
        json::parse(R"({"mergingList":[{"name":"a"},{"name":"b","value":"1"}]})"));
}

TEST_CASE("smp: $retainKeys clears unlisted keys", "[patch][smp]") {
  CHECK(Smp(R"({"retainKeysMap":{"name":"foo","value":"a"}})",
            R"({"retainKeysMap":{"$retainKeys":["name","other"],"other":"b"}})") ==
        json::parse(R"({"retainKeysMap":{"name":"foo","other":"b"}})"));
  // Without the directive a retainKeys field merges normally.
  CHECK(Smp(R"({"retainKeysMap":{"name":"foo","value":"a"}})", R"({"retainKeysMap":{}})") ==
        json::parse(R"({"retainKeysMap":{"name":"foo","value":"a"}})"));
  CHECK(Smp(R"({"retainKeysMergingList":[{"name":"bar"},{"name":"foo","value":"a"}]})",
            R"({"retainKeysMergingList":[{"name":"foo","$retainKeys":["name","other"],
                                          "other":"x"}]})") ==
        json::parse(R"({"retainKeysMergingList":[{"name":"bar"},{"name":"foo","other":"x"}]})"));
  CHECK(SmpFail(R"({"retainKeysMap":{"name":"foo"}})",
                R"({"retainKeysMap":{"$retainKeys":["name"],"value":"b"}})") ==
        "invalid patch format of retainKeys");
  CHECK(SmpFail(R"({"retainKeysMap":{"name":"foo"}})",
                R"({"retainKeysMap":{"$retainKeys":"name"}})") ==
        "invalid patch format of retainKeys");
}

TEST_CASE("smp: malformed patches fail with strategicpatch's messages", "[patch][smp]") {
  CHECK(SmpFail(R"({"mergingList":[{"name":"1","value":"a"}]})",
                R"({"mergingList":[{"value":"b"}]})") ==
        "map: map[value:b] does not contain declared merge key: name");
  CHECK(SmpFail(R"({"mergingList":[{"name":"1"}]})", R"({"mergingList":[{"$patch":"delete"}]})") ==
        "map: map[$patch:delete] does not contain declared merge key: name");
  std::string order =
      SmpFail(R"({"mergingList":[{"name":"1"},{"name":"3"},{"name":"2"}]})",
              R"({"$setElementOrder/mergingList":[{"name":"1"},{"name":"2"},{"name":"3"}],
          "mergingList":[{"name":"3","value":"3"},{"name":"1","value":"1"}]})");
  CHECK(order ==
        "The order in patch list:\n[map[name:3 value:3] map[name:1 value:1]]\n doesn't match "
        "$setElementOrder list:\n[map[name:1] map[name:2] map[name:3]]\n");
  CHECK(SmpFail(R"({"mergingIntList":[1,3,2]})",
                R"({"$setElementOrder/mergingIntList":[1,2,3],"mergingIntList":[3,1]})")
            .find("doesn't match") != std::string::npos);
  CHECK(SmpFail(R"({"simpleMap":{"a":"b"}})", R"({"simpleMap":{"$patch":"merge"}})") ==
        "unknown patch type: merge in map: map[$patch:merge]");
  CHECK(SmpFail(R"({"simpleMap":{"a":"b"}})", R"({"simpleMap":{"$patch":1}})") ==
        "unknown patch type: %!s(float64=1) in map: map[$patch:1]");
  CHECK(SmpFail(R"({"mergingList":[{"name":"1"}]})", R"({"mergingList":[{"$patch":"merge"}]})") ==
        "merging lists cannot yet be specified in the patch");
  CHECK(SmpFail(R"({"mergingList":[{"name":"1"}]})",
                R"({"mergingList":[{"name":"1","$patch":"frob"}]})") ==
        "unknown patch type: frob in map: map[$patch:frob name:1]");
  CHECK(SmpFail(R"({"mergingList":[]})", R"({"mergingList":[[1]]})") ==
        "lists of lists are not supported");
  CHECK(SmpFail(R"({"mergingList":[{"name":"1"}]})", R"({"mergingList":[[1]]})") ==
        "list element types are not identical: [[map[name:1]] [[1]]]");
  CHECK(SmpFail(R"({"mergingIntList":[1]})", R"({"mergingIntList":["a"]})") ==
        "list element types are not identical: [[1] [a]]");
  CHECK(SmpFail(R"({"mergingList":[]})", R"({"$setElementOrder/mergingList":"x"})") ==
        "expected a []interface {}, but received a string");
  CHECK(SmpFail(R"({"mergingList":[]})", R"({"$setElementOrderX/mergingList":[]})") ==
        "invalid patch format of setElementOrder list");
}

TEST_CASE("smp: no schema and non-object documents", "[patch][smp]") {
  auto no_schema = ApplyStrategicMergePatch(json::object(), json::object(), nullptr);
  REQUIRE_FALSE(no_schema.ok());
  CHECK(no_schema.status().code() == Code::kUnimplemented);
  CHECK(no_schema.status().message() ==
        "the body of the request was in an unknown format - accepted media types include: "
        "application/json-patch+json, application/merge-patch+json, "
        "application/apply-patch+yaml");
  auto array_patch = ApplyStrategicMergePatch(json::object(), json::array(), Types().merge_item);
  REQUIRE_FALSE(array_patch.ok());
  CHECK(array_patch.status().message() ==
        "json: cannot unmarshal array into Go value of type map[string]interface {}");
  auto bad_doc = ApplyStrategicMergePatch(json::array(), json::object(), Types().merge_item);
  REQUIRE_FALSE(bad_doc.ok());
  CHECK(bad_doc.status().message() == "invalid JSON document");
  CHECK(Smp(json::parse(R"({"a":1})"), json(nullptr)) == json::parse(R"({"a":1})"));
}
