// Label selector matching semantics, exact-match detection and the map/JSON forms.
#include <catch2/catch.hpp>

#include "skiff/apis/selector.h"
#include "test_util.h"

using nlohmann::json;
using skiff::apis::LabelRequirement;
using skiff::apis::LabelSelector;
using skiff::apis::ParseLabelSelector;
using skiff::apis::SelectorFromMap;
using skiff::apis::SelectorOperator;
using skiff::apis::ValidatedSelectorFromMap;

namespace {

bool Match(std::string_view selector, const json& labels) {
  auto s = ParseLabelSelector(selector);
  REQUIRE(s.ok());
  return s->Matches(labels);
}

}  // namespace

TEST_CASE("label matching: equality and sets", "[selectors]") {
  json web = {{"app", "web"}, {"tier", "frontend"}};
  CHECK(Match("app=web", web));
  CHECK(Match("app==web", web));
  CHECK_FALSE(Match("app=db", web));
  CHECK(Match("app=web,tier in (frontend,backend)", web));
  CHECK_FALSE(Match("app=web,tier in (backend)", web));
  CHECK_FALSE(Match("missing in (x)", web));
  CHECK_FALSE(Match("missing=x", web));
  // "key=" needs the key present with an empty value.
  CHECK_FALSE(Match("missing=", web));
  CHECK(Match("empty=", json{{"empty", ""}}));
}

TEST_CASE("label matching: notin and != match objects without the label", "[selectors]") {
  json web = {{"app", "web"}};
  CHECK(Match("tier notin (frontend)", web));
  CHECK(Match("tier!=frontend", web));
  CHECK(Match("tier notin (frontend)", json::object()));
  CHECK(Match("tier!=frontend", nullptr));
  CHECK_FALSE(Match("app notin (web,db)", web));
  CHECK_FALSE(Match("app!=web", web));
  CHECK(Match("app!=db", web));
}

TEST_CASE("label matching: exists and does-not-exist", "[selectors]") {
  CHECK(Match("app", json{{"app", ""}}));
  CHECK_FALSE(Match("app", json::object()));
  CHECK(Match("!app", json::object()));
  CHECK(Match("!app", nullptr));
  CHECK_FALSE(Match("!app", json{{"app", ""}}));
}

TEST_CASE("label matching: gt and lt compare int64 values", "[selectors]") {
  CHECK(Match("n>5", json{{"n", "6"}}));
  CHECK_FALSE(Match("n>5", json{{"n", "5"}}));
  CHECK(Match("n<5", json{{"n", "-3"}}));
  CHECK(Match("n<5", json{{"n", "+4"}}));
  CHECK_FALSE(Match("n>5", json{{"n", "six"}}));
  CHECK_FALSE(Match("n>5", json{{"n", "99999999999999999999"}}));
  CHECK_FALSE(Match("n>5", json::object()));
  CHECK_FALSE(Match("n<5", json::object()));
}

TEST_CASE("label matching: Everything, Nothing and whole objects", "[selectors]") {
  json pod = {{"metadata", {{"name", "web-1"}, {"labels", {{"app", "web"}}}}}};
  json bare = {{"metadata", {{"name", "bare"}}}};
  CHECK(LabelSelector::Everything().MatchesObject(pod));
  CHECK(LabelSelector::Everything().MatchesObject(bare));
  CHECK(LabelSelector::Everything().Empty());
  CHECK_FALSE(LabelSelector::Nothing().MatchesObject(pod));
  CHECK_FALSE(LabelSelector::Nothing().Matches(json::object()));
  CHECK_FALSE(LabelSelector::Nothing().Empty());
  CHECK(LabelSelector::Nothing().MatchesNothing());
  CHECK(LabelSelector::Nothing().ToString() == "");

  auto s = ParseLabelSelector("app=web");
  REQUIRE(s.ok());
  CHECK(s->MatchesObject(pod));
  CHECK_FALSE(s->MatchesObject(bare));
  auto absent = ParseLabelSelector("!app");
  REQUIRE(absent.ok());
  CHECK(absent->MatchesObject(bare));
  CHECK(absent->MatchesObject(json::object()));
}

TEST_CASE("label selector: RequiresExactMatch", "[selectors]") {
  auto s = ParseLabelSelector("app=web,tier in (a),env in (a,b),x!=y");
  REQUIRE(s.ok());
  CHECK(s->RequiresExactMatch("app") == std::optional<std::string>("web"));
  CHECK(s->RequiresExactMatch("tier") == std::optional<std::string>("a"));
  CHECK(s->RequiresExactMatch("env") == std::nullopt);
  CHECK(s->RequiresExactMatch("x") == std::nullopt);
  CHECK(s->RequiresExactMatch("missing") == std::nullopt);
}

TEST_CASE("label selector: Add keeps key order and Nothing stays Nothing", "[selectors]") {
  auto s = ParseLabelSelector("app=web,tier=frontend");
  REQUIRE(s.ok());
  auto hash = LabelRequirement::Create("pod-template-hash", SelectorOperator::kEquals, {"5d8c7"});
  REQUIRE(hash.ok());
  LabelSelector added = s->Add(*hash);
  CHECK(added.ToString() == "app=web,pod-template-hash=5d8c7,tier=frontend");
  CHECK(s->ToString() == "app=web,tier=frontend");  // the original is unchanged
  CHECK(LabelSelector::Nothing().Add(*hash).MatchesNothing());
}

TEST_CASE("label selector: map forms", "[selectors]") {
  LabelSelector from_map = SelectorFromMap({{"tier", "frontend"}, {"app", "web"}});
  CHECK(from_map.ToString() == "app=web,tier=frontend");
  CHECK(SelectorFromMap({}).Empty());
  // SelectorFromSet does not validate; ValidatedSelectorFromSet does.
  CHECK(SelectorFromMap({{"-bad", "x"}}).ToString() == "-bad=x");
  auto invalid = ValidatedSelectorFromMap({{"app", "-x"}});
  REQUIRE_FALSE(invalid.ok());
  CHECK(invalid.status().message() ==
        "values[0][app]: Invalid value: \"-x\": " + selector_test::kLabelValueMsg);

  auto s = ParseLabelSelector("app=web,tier==frontend,zone in (a)");
  REQUIRE(s.ok());
  auto m = s->AsMap();
  REQUIRE(m.ok());
  CHECK(*m ==
        std::map<std::string, std::string>{{"app", "web"}, {"tier", "frontend"}, {"zone", "a"}});

  auto multi = ParseLabelSelector("zone in (a,b)");
  REQUIRE(multi.ok());
  CHECK(multi->AsMap().status().message() ==
        "operator \"in\" without a single value cannot be converted into the old label "
        "selector format");
  auto notin = ParseLabelSelector("app,zone notin (a)");
  REQUIRE(notin.ok());
  CHECK(notin->AsMap().status().message() ==
        "operator \"exists\" cannot be converted into the old label selector format");
  CHECK_FALSE(LabelSelector::Nothing().AsMap().ok());
  auto everything = LabelSelector::Everything().AsMap();
  REQUIRE(everything.ok());
  CHECK(everything->empty());
}

TEST_CASE("label selector: ToLabelSelectorJson follows metav1.ParseToLabelSelector",
          "[selectors]") {
  auto s = ParseLabelSelector("app=web,tier in (b,a),!legacy,env");
  REQUIRE(s.ok());
  auto j = s->ToLabelSelectorJson();
  REQUIRE(j.ok());
  CHECK(*j == json::parse(R"({
    "matchLabels": {"app": "web"},
    "matchExpressions": [
      {"key": "env", "operator": "Exists"},
      {"key": "legacy", "operator": "DoesNotExist"},
      {"key": "tier", "operator": "In", "values": ["a", "b"]}
    ]})"));
  // Round trip through the JSON form keeps the canonical string.
  auto back = skiff::apis::LabelSelectorFromJson(*j);
  REQUIRE(back.ok());
  CHECK(back->ToString() == s->ToString());

  auto only_labels = ParseLabelSelector("app=web");
  REQUIRE(only_labels.ok());
  CHECK(*only_labels->ToLabelSelectorJson() == json{{"matchLabels", {{"app", "web"}}}});
  CHECK(*LabelSelector::Everything().ToLabelSelectorJson() == json::object());
  CHECK(LabelSelector::Nothing().ToLabelSelectorJson()->is_null());

  auto gt = ParseLabelSelector("n>1");
  REQUIRE(gt.ok());
  CHECK(gt->ToLabelSelectorJson().status().message() ==
        "\"gt\" isn't supported in label selectors");
  auto ne = ParseLabelSelector("a!=b");
  REQUIRE(ne.ok());
  CHECK(ne->ToLabelSelectorJson().status().message() ==
        "\"!=\" is not a valid label selector operator");
}
