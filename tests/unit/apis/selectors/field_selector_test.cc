// The ?fieldSelector= grammar: terms, escaping, errors, string form and exact-name detection.
#include <catch2/catch.hpp>

#include "skiff/apis/selector.h"
#include "test_util.h"

using selector_test::FieldParseError;
using skiff::apis::EscapeFieldSelectorValue;
using skiff::apis::FieldRequirement;
using skiff::apis::FieldSelector;
using skiff::apis::FieldSelectorExactName;
using skiff::apis::ParseFieldSelector;
using skiff::apis::UnescapeFieldSelectorValue;

TEST_CASE("field selector: operators and term order", "[selectors]") {
  auto s = ParseFieldSelector("status.phase==Running,spec.nodeName!=,metadata.name=x");
  REQUIRE(s.ok());
  // Terms are sorted as raw strings before parsing.
  CHECK(s->requirements() == std::vector<FieldRequirement>{{"metadata.name", false, "x"},
                                                           {"spec.nodeName", true, ""},
                                                           {"status.phase", false, "Running"}});
  CHECK(s->ToString() == "metadata.name=x,spec.nodeName!=,status.phase=Running");
  CHECK_FALSE(s->Empty());

  auto reordered = ParseFieldSelector("b=1,a=2");
  REQUIRE(reordered.ok());
  CHECK(reordered->ToString() == "a=2,b=1");
}

TEST_CASE("field selector: empty input and empty terms", "[selectors]") {
  for (const char* text : {"", ",", ",,"}) {
    auto s = ParseFieldSelector(text);
    REQUIRE(s.ok());
    CHECK(s->Empty());
    CHECK(s->ToString() == "");
    CHECK(s->Matches({}));
  }
  auto s = ParseFieldSelector("a=1,,b=2,");
  REQUIRE(s.ok());
  CHECK(s->ToString() == "a=1,b=2");
  // Terms with an empty field and an empty value select everything and disappear.
  for (const char* text : {"=", "!=", "==", "a=1,="}) {
    auto dropped = ParseFieldSelector(text);
    REQUIRE(dropped.ok());
    CHECK(dropped->ToString() == (std::string(text) == "a=1,=" ? "a=1" : ""));
  }
  // An empty field with a value is kept (and then rejected per kind).
  auto no_field = ParseFieldSelector("=x");
  REQUIRE(no_field.ok());
  CHECK(no_field->requirements() == std::vector<FieldRequirement>{{"", false, "x"}});
}

TEST_CASE("field selector: the first operator splits the term", "[selectors]") {
  auto bang = ParseFieldSelector("a=!b");
  REQUIRE(bang.ok());
  CHECK(bang->requirements() == std::vector<FieldRequirement>{{"a", false, "!b"}});
  // Fields are not trimmed: the spaces are part of the field name and the value.
  auto spaced = ParseFieldSelector(" metadata.name = x");
  REQUIRE(spaced.ok());
  CHECK(spaced->requirements() == std::vector<FieldRequirement>{{" metadata.name ", false, " x"}});
}

TEST_CASE("field selector: parse errors carry Kubernetes' text", "[selectors]") {
  CHECK(FieldParseError("a") == "invalid selector: 'a'; can't understand 'a'");
  CHECK(FieldParseError("x=1,a") == "invalid selector: 'x=1,a'; can't understand 'a'");
  CHECK(FieldParseError("a=b=c") == "invalid field selector: unescaped character in value: 61");
  CHECK(FieldParseError("a!==b") == "invalid field selector: unescaped character in value: 61");
  CHECK(FieldParseError("a=b\\x") == "invalid field selector: invalid escape sequence: \\x");
  CHECK(FieldParseError("a=b\\") == "invalid field selector: invalid escape sequence: \\");
}

TEST_CASE("field selector: backslash escapes in values", "[selectors]") {
  auto comma = ParseFieldSelector("a=b\\,c,d=e");
  REQUIRE(comma.ok());
  CHECK(comma->requirements() ==
        std::vector<FieldRequirement>{{"a", false, "b,c"}, {"d", false, "e"}});
  CHECK(comma->ToString() == "a=b\\,c,d=e");

  auto eq = ParseFieldSelector("a=b\\=c");
  REQUIRE(eq.ok());
  CHECK(eq->requirements()[0].value == "b=c");
  auto slash = ParseFieldSelector("a=b\\\\");
  REQUIRE(slash.ok());
  CHECK(slash->requirements()[0].value == "b\\");

  CHECK(EscapeFieldSelectorValue("a,b=c\\d") == "a\\,b\\=c\\\\d");
  auto round = UnescapeFieldSelectorValue(EscapeFieldSelectorValue("a,b=c\\d"));
  REQUIRE(round.ok());
  CHECK(*round == "a,b=c\\d");
  CHECK(UnescapeFieldSelectorValue("a,b").status().message() ==
        "invalid field selector: unescaped character in value: 44");
  CHECK(*UnescapeFieldSelectorValue("plain") == "plain");
}

TEST_CASE("field selector: matching reads absent fields as empty", "[selectors]") {
  auto s = ParseFieldSelector("spec.nodeName=,status.phase!=Failed");
  REQUIRE(s.ok());
  CHECK(s->Matches({}));
  CHECK(s->Matches({{"status.phase", "Running"}}));
  CHECK_FALSE(s->Matches({{"spec.nodeName", "edge-1"}}));
  CHECK_FALSE(s->Matches({{"status.phase", "Failed"}}));
}

TEST_CASE("field selector: exact metadata.name detection", "[selectors]") {
  auto by_name = ParseFieldSelector("metadata.name=web");
  REQUIRE(by_name.ok());
  CHECK(FieldSelectorExactName(*by_name) == std::optional<std::string>("web"));
  CHECK(by_name->RequiresExactMatch("metadata.name") == std::optional<std::string>("web"));
  auto with_ns = ParseFieldSelector("metadata.namespace=default,metadata.name==web");
  REQUIRE(with_ns.ok());
  CHECK(FieldSelectorExactName(*with_ns) == std::optional<std::string>("web"));
  auto not_name = ParseFieldSelector("metadata.name!=web");
  REQUIRE(not_name.ok());
  CHECK(FieldSelectorExactName(*not_name) == std::nullopt);
  CHECK(FieldSelectorExactName(FieldSelector::Everything()) == std::nullopt);
}

TEST_CASE("field selector: FromMap", "[selectors]") {
  FieldSelector s = FieldSelector::FromMap({{"spec.nodeName", "edge-1"}, {"metadata.name", "a,b"}});
  CHECK(s.ToString() == "metadata.name=a\\,b,spec.nodeName=edge-1");
  auto reparsed = ParseFieldSelector(s.ToString());
  REQUIRE(reparsed.ok());
  CHECK(*reparsed == s);
}
