// meta.v1.LabelSelector JSON -> selector (metav1.LabelSelectorAsSelector and friends).
#include <catch2/catch.hpp>

#include "skiff/apis/selector.h"
#include "test_util.h"

using nlohmann::json;
using skiff::apis::FormatLabelSelector;
using skiff::apis::LabelSelectorAsMap;
using skiff::apis::LabelSelectorFromJson;

namespace {

std::string FromJsonError(const json& j) {
  auto s = LabelSelectorFromJson(j);
  if (s.ok()) return "<ok>";
  CHECK(s.status().code() == skiff::Code::kInvalidArgument);
  return s.status().message();
}

std::string FromJsonString(const json& j) {
  auto s = LabelSelectorFromJson(j);
  REQUIRE(s.ok());
  return s->ToString();
}

}  // namespace

TEST_CASE("LabelSelector JSON: null selects nothing, empty selects everything", "[selectors]") {
  auto null_sel = LabelSelectorFromJson(nullptr);
  REQUIRE(null_sel.ok());
  CHECK(null_sel->MatchesNothing());
  CHECK_FALSE(null_sel->Matches(json{{"app", "web"}}));

  for (const json& j : {json::object(), json{{"matchLabels", json::object()}},
                        json{{"matchExpressions", json::array()}},
                        json{{"matchLabels", nullptr}, {"matchExpressions", nullptr}}}) {
    auto s = LabelSelectorFromJson(j);
    REQUIRE(s.ok());
    CHECK(s->Empty());
    CHECK(s->Matches(json::object()));
  }
}

TEST_CASE("LabelSelector JSON: matchLabels and matchExpressions combine", "[selectors]") {
  json deployment_selector = json::parse(R"({
    "matchLabels": {"app": "web"},
    "matchExpressions": [{"key": "tier", "operator": "In", "values": ["b", "a"]}]})");
  CHECK(FromJsonString(deployment_selector) == "app=web,tier in (a,b)");

  auto s = LabelSelectorFromJson(deployment_selector);
  REQUIRE(s.ok());
  CHECK(s->Matches(json{{"app", "web"}, {"tier", "a"}}));
  CHECK_FALSE(s->Matches(json{{"app", "web"}}));
  CHECK_FALSE(s->Matches(json{{"app", "db"}, {"tier", "a"}}));

  // Requirements sort by key whichever member they came from.
  CHECK(FromJsonString(json::parse(R"({"matchLabels": {"z": "1"},
      "matchExpressions": [{"key": "a", "operator": "Exists"},
                           {"key": "m", "operator": "DoesNotExist"},
                           {"key": "b", "operator": "NotIn", "values": ["x"]}]})")) ==
        "a,b notin (x),!m,z=1");
  // Values print sorted; duplicates are kept, as Kubernetes does.
  CHECK(
      FromJsonString(json::parse(
          R"({"matchExpressions": [{"key": "t", "operator": "In", "values": ["b", "a", "b"]}]})")) ==
      "t in (a,b,b)");
}

TEST_CASE("LabelSelector JSON: bad operators and values give Kubernetes' errors", "[selectors]") {
  CHECK(
      FromJsonError(json::parse(R"({"matchExpressions": [{"key": "tier", "operator": "Foo"}]})")) ==
      "\"Foo\" is not a valid label selector operator");
  CHECK(FromJsonError(json::parse(R"({"matchExpressions": [{"key": "tier"}]})")) ==
        "\"\" is not a valid label selector operator");
  // The string-form operators are not LabelSelector operators.
  CHECK(FromJsonError(json::parse(R"({"matchExpressions": [{"key": "tier", "operator": "in",
        "values": ["a"]}]})")) == "\"in\" is not a valid label selector operator");
  CHECK(
      FromJsonError(json::parse(R"({"matchExpressions": [{"key": "tier", "operator": "In"}]})")) ==
      "values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be "
      "empty");
  CHECK(FromJsonError(json::parse(
            R"({"matchExpressions": [{"key": "tier", "operator": "NotIn", "values": []}]})")) ==
        "values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be "
        "empty");
  CHECK(FromJsonError(json::parse(
            R"({"matchExpressions": [{"key": "tier", "operator": "Exists", "values": ["a"]}]})")) ==
        "values: Invalid value: []string{\"a\"}: values set must be empty for exists and does not "
        "exist");
  CHECK(FromJsonError(json{{"matchLabels", {{"app", "-x"}}}}) ==
        "values[0][app]: Invalid value: \"-x\": " + selector_test::kLabelValueMsg);
  CHECK(FromJsonError(json{{"matchLabels", {{"bad key", "x"}}}}) ==
        "key: Invalid value: \"bad key\": name part " + selector_test::kQualifiedNameMsg);
  CHECK(FromJsonError(json::parse(R"({"matchExpressions": [{"operator": "Exists"}]})")) ==
        "key: Invalid value: \"\": name part must be non-empty; name part " +
            selector_test::kQualifiedNameMsg);
}

TEST_CASE("LabelSelector JSON: wrong shapes are rejected by member", "[selectors]") {
  CHECK(FromJsonError(json::array()) == "a label selector must be a JSON object, not array");
  CHECK(FromJsonError(json{{"matchLabels", json::array()}}) ==
        "matchLabels must be an object of strings");
  CHECK(FromJsonError(json{{"matchLabels", {{"app", 1}}}}) ==
        "matchLabels[app] must be a string, not number");
  CHECK(FromJsonError(json{{"matchExpressions", json::object()}}) ==
        "matchExpressions must be an array");
  CHECK(FromJsonError(json::parse(R"({"matchExpressions": [{"key": "a", "operator": "In",
        "values": [1]}]})")) == "matchExpressions[0].values must hold only strings");
}

TEST_CASE("LabelSelector JSON: LabelSelectorAsMap", "[selectors]") {
  auto m = LabelSelectorAsMap(json::parse(R"({"matchLabels": {"app": "web"},
      "matchExpressions": [{"key": "tier", "operator": "In", "values": ["a"]}]})"));
  REQUIRE(m.ok());
  CHECK(*m == std::map<std::string, std::string>{{"app", "web"}, {"tier", "a"}});
  auto null_map = LabelSelectorAsMap(nullptr);
  REQUIRE(null_map.ok());
  CHECK(null_map->empty());
  CHECK(LabelSelectorAsMap(json::parse(
                               R"({"matchExpressions": [{"key": "t", "operator": "In",
                                   "values": ["a", "b"]}]})"))
            .status()
            .message() ==
        "operator \"In\" without a single value cannot be converted into the old label selector "
        "format");
  CHECK(LabelSelectorAsMap(json::parse(
                               R"({"matchExpressions": [{"key": "t", "operator": "NotIn",
                                   "values": ["a"]}]})"))
            .status()
            .message() ==
        "operator \"NotIn\" cannot be converted into the old label selector format");
  CHECK(LabelSelectorAsMap(json::parse(R"({"matchExpressions": [{"key": "t", "operator": "Is"}]})"))
            .status()
            .message() == "\"Is\" is not a valid selector operator");
}

TEST_CASE("LabelSelector JSON: FormatLabelSelector for table columns", "[selectors]") {
  CHECK(FormatLabelSelector(json{{"matchLabels", {{"app", "web"}}}}) == "app=web");
  CHECK(FormatLabelSelector(nullptr) == "<none>");
  CHECK(FormatLabelSelector(json::object()) == "<none>");
  CHECK(FormatLabelSelector(
            json::parse(R"({"matchExpressions": [{"key": "t", "operator": "X"}]})")) == "<error>");
}
