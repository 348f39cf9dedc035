// The ?labelSelector= grammar: accepted forms, canonical strings and Kubernetes' exact errors.
#include <catch2/catch.hpp>

#include "skiff/apis/selector.h"
#include "test_util.h"

using selector_test::kLabelValueMsg;
using selector_test::kQualifiedNameMsg;
using selector_test::kSubdomainMsg;
using selector_test::LabelCanonical;
using selector_test::LabelParseError;
using skiff::apis::ParseLabelSelector;
using skiff::apis::SelectorOperator;

TEST_CASE("label selector: every operator parses and prints canonically", "[selectors]") {
  CHECK(LabelCanonical("a=b,c!=d,e in (x,y),f notin (z),g,!h") ==
        "a=b,c!=d,e in (x,y),f notin (z),g,!h");
  CHECK(LabelCanonical("a==b") == "a==b");
  CHECK(LabelCanonical("n>5,m<10") == "m<10,n>5");
  CHECK(LabelCanonical("example.com/app=web") == "example.com/app=web");
  CHECK(LabelCanonical("a=") == "a=");
  CHECK(LabelCanonical("a!=") == "a!=");

  auto s = ParseLabelSelector("e in (y,x),!h,a==b");
  REQUIRE(s.ok());
  REQUIRE(s->requirements().size() == 3);
  CHECK(s->requirements()[0].key() == "a");
  CHECK(s->requirements()[0].op() == SelectorOperator::kDoubleEquals);
  CHECK(s->requirements()[1].key() == "e");
  CHECK(s->requirements()[1].op() == SelectorOperator::kIn);
  CHECK(s->requirements()[1].values() == std::vector<std::string>{"x", "y"});
  CHECK(s->requirements()[2].key() == "h");
  CHECK(s->requirements()[2].op() == SelectorOperator::kDoesNotExist);
  CHECK(s->requirements()[2].values().empty());
}

TEST_CASE("label selector: requirements sort by key, values sort and de-duplicate", "[selectors]") {
  CHECK(LabelCanonical("x=a,a=b,m") == "a=b,m,x=a");
  CHECK(LabelCanonical("env in (prod, dev, prod)") == "env in (dev,prod)");
  // Equal keys keep their input order.
  CHECK(LabelCanonical("b=2,a!=1,a=1") == "a!=1,a=1,b=2");
}

TEST_CASE("label selector: whitespace is insignificant between tokens", "[selectors]") {
  CHECK(LabelCanonical("  a  =  b  ,  c in ( x , y )  ") == "a=b,c in (x,y)");
  CHECK(LabelCanonical("\ta\n!=\rb") == "a!=b");
  CHECK(LabelCanonical("app in(web)") == "app in (web)");
  CHECK(LabelCanonical("") == "");
  CHECK(LabelCanonical("   ") == "");
  auto empty = ParseLabelSelector("");
  REQUIRE(empty.ok());
  CHECK(empty->Empty());
  CHECK_FALSE(empty->MatchesNothing());
}

TEST_CASE("label selector: empty values inside sets", "[selectors]") {
  // The example from the Kubernetes documentation comment.
  CHECK(LabelCanonical("x in (foo,,baz),y,z notin ()") == "x in (,baz,foo),y,z notin ()");
  CHECK(LabelCanonical("x in (,a)") == "x in (,a)");
  CHECK(LabelCanonical("x in (a,)") == "x in (,a)");
  auto s = ParseLabelSelector("z notin ()");
  REQUIRE(s.ok());
  CHECK(s->requirements()[0].values() == std::vector<std::string>{""});
}

TEST_CASE("label selector: in and notin are identifiers where a key or value is expected",
          "[selectors]") {
  CHECK(LabelCanonical("in in (notin,in)") == "in in (in,notin)");
  CHECK(LabelCanonical("notin=in") == "notin=in");
}

TEST_CASE("label selector: syntax errors carry Kubernetes' text", "[selectors]") {
  CHECK(LabelParseError("a b") ==
        "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt");
  CHECK(LabelParseError("a!b") ==
        "unable to parse requirement: found '!', expected: in, notin, =, ==, !=, gt, lt");
  CHECK(LabelParseError("a=b c") == "found 'c', expected: ',' or 'end of string'");
  CHECK(LabelParseError("a=b=c") == "found '=', expected: ',' or 'end of string'");
  CHECK(LabelParseError("!a=b") == "found '=', expected: ',' or 'end of string'");
  CHECK(LabelParseError(",a") == "found ',', expected: !, identifier, or 'end of string'");
  CHECK(LabelParseError("=a") == "found '=', expected: !, identifier, or 'end of string'");
  CHECK(LabelParseError("a,") == "found '', expected: identifier after ','");
  CHECK(LabelParseError("a=b,,c") == "found ',', expected: identifier after ','");
  CHECK(LabelParseError("!") == "unable to parse requirement: found '', expected: identifier");
  CHECK(LabelParseError("!,a") == "unable to parse requirement: found ',', expected: identifier");
  CHECK(LabelParseError("a===b") == "unable to parse requirement: found '=', expected: identifier");
  CHECK(LabelParseError("a=(b)") == "unable to parse requirement: found '(', expected: identifier");
}

TEST_CASE("label selector: set syntax errors", "[selectors]") {
  CHECK(LabelParseError("x in a") == "unable to parse requirement: found 'a' expected: '('");
  CHECK(LabelParseError("x in (a b)") ==
        "unable to parse requirement: found 'b', expected: ',' or ')'");
  CHECK(LabelParseError("x in (a") ==
        "unable to parse requirement: found '', expected: ',' or ')'");
  CHECK(LabelParseError("x in (=)") ==
        "unable to parse requirement: found '=', expected: ',', ')' or identifier");
  CHECK(LabelParseError("x in (a,=)") ==
        "unable to parse requirement: found '=', expected: ',', or identifier");
  CHECK(LabelParseError("x notin") == "unable to parse requirement: found '' expected: '('");
}

TEST_CASE("label selector: invalid keys", "[selectors]") {
  CHECK(LabelParseError("-a=b") ==
        "unable to parse requirement: <nil>: Invalid value: \"-a\": name part " +
            kQualifiedNameMsg);
  CHECK(LabelParseError("a/b/c=d") ==
        "unable to parse requirement: <nil>: Invalid value: \"a/b/c\": a qualified name " +
            kQualifiedNameMsg +
            " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
  CHECK(LabelParseError("Example.com/a=b") ==
        "unable to parse requirement: <nil>: Invalid value: \"Example.com/a\": prefix part " +
            kSubdomainMsg);
  CHECK(LabelParseError("/a=b") ==
        "unable to parse requirement: <nil>: Invalid value: \"/a\": prefix part must be "
        "non-empty");
  CHECK(LabelParseError("a/=b") ==
        "unable to parse requirement: <nil>: Invalid value: \"a/\": name part must be "
        "non-empty; name part " +
            kQualifiedNameMsg);
  std::string long_key(64, 'k');
  CHECK(LabelParseError(long_key) == "unable to parse requirement: <nil>: Invalid value: \"" +
                                         long_key +
                                         "\": name part must be no more than 63 characters");
  CHECK(LabelParseError(std::string(63, 'k')) == "<ok>");
  // Keys are quoted as Go's %q does: printable UTF-8 stays, control bytes are escaped.
  CHECK(LabelParseError("\xc3\xa4=b") ==
        "unable to parse requirement: <nil>: Invalid value: \"\xc3\xa4\": name part " +
            kQualifiedNameMsg);
  CHECK(LabelParseError("a\x01=b") ==
        "unable to parse requirement: <nil>: Invalid value: \"a\\x01\": name part " +
            kQualifiedNameMsg);
}

TEST_CASE("label selector: invalid values", "[selectors]") {
  CHECK(LabelParseError("a=-b") ==
        "unable to parse requirement: values[0][a]: Invalid value: \"-b\": " + kLabelValueMsg);
  std::string long_value(64, 'v');
  CHECK(LabelParseError("a=" + long_value) ==
        "unable to parse requirement: values[0][a]: Invalid value: \"" + long_value +
            "\": must be no more than 63 characters");
  CHECK(LabelParseError("a=" + std::string(63, 'v')) == "<ok>");
  // Several bad values are aggregated as Kubernetes does: [e1, e2].
  CHECK(LabelParseError("x in (-a,-b)") ==
        "unable to parse requirement: [values[0][x]: Invalid "
        "value: \"-a\": " +
            kLabelValueMsg + ", values[1][x]: Invalid value: \"-b\": " + kLabelValueMsg + "]");
}

TEST_CASE("label selector: gt and lt need integers", "[selectors]") {
  CHECK(LabelParseError("a>b") ==
        "unable to parse requirement: values[0]: Invalid value: \"b\": for 'Gt', 'Lt' "
        "operators, the value must be an integer");
  CHECK(LabelParseError("a>") ==
        "unable to parse requirement: values[0]: Invalid value: \"\": for 'Gt', 'Lt' "
        "operators, the value must be an integer");
  // A negative integer parses, but is not a valid label value.
  CHECK(LabelParseError("a>-1") ==
        "unable to parse requirement: values[0][a]: Invalid value: \"-1\": " + kLabelValueMsg);
  CHECK(LabelParseError("a<99999999999999999999") ==
        "unable to parse requirement: values[0]: Invalid value: \"99999999999999999999\": for "
        "'Gt', 'Lt' operators, the value must be an integer");
  CHECK(LabelCanonical("a>9223372036854775807") == "a>9223372036854775807");
}

TEST_CASE("label requirement: Create validates like labels.NewRequirement", "[selectors]") {
  using skiff::apis::LabelRequirement;
  auto in_empty = LabelRequirement::Create("tier", SelectorOperator::kIn, {});
  REQUIRE_FALSE(in_empty.ok());
  CHECK(in_empty.status().message() ==
        "values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be "
        "empty");
  auto eq_two = LabelRequirement::Create("tier", SelectorOperator::kEquals, {"a", "b"});
  REQUIRE_FALSE(eq_two.ok());
  CHECK(eq_two.status().message() ==
        "values: Invalid value: []string{\"a\", \"b\"}: exact-match compatibility requires one "
        "single value");
  auto gt_two = LabelRequirement::Create("n", SelectorOperator::kGreaterThan, {"1", "x"});
  REQUIRE_FALSE(gt_two.ok());
  CHECK(gt_two.status().message() ==
        "[values: Invalid value: []string{\"1\", \"x\"}: for 'Gt', 'Lt' operators, exactly one "
        "value is required, values[1]: Invalid value: \"x\": for 'Gt', 'Lt' operators, the value "
        "must be an integer]");
  auto bad_both = LabelRequirement::Create("-k", SelectorOperator::kEquals, {"-v"});
  REQUIRE_FALSE(bad_both.ok());
  CHECK(bad_both.status().message() ==
        "[key: Invalid value: \"-k\": name part " + kQualifiedNameMsg +
            ", values[0][-k]: Invalid value: \"-v\": " + kLabelValueMsg + "]");
  auto ok = LabelRequirement::Create("tier", SelectorOperator::kNotIn, {"b", "a", "b"});
  REQUIRE(ok.ok());
  CHECK(ok->values() == std::vector<std::string>{"b", "a", "b"});
  CHECK(ok->ToString() == "tier notin (a,b,b)");
}
