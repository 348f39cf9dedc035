// $(VAR) expansion: Kubernetes' rules for command, args, env values and subPathExpr.
#include "runtime/oci/expansion.h"

#include <catch2/catch.hpp>
#include <map>

using skiff::runtime::internal::Expand;

namespace {
std::string Run(const std::string& in) {
  static const std::map<std::string, std::string> vars = {
      {"A", "alpha"}, {"B", "beta"}, {"EMPTY", ""}, {"NESTED", "$(A)"}};
  return Expand(in, [](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  });
}
}  // namespace

TEST_CASE("Expansion replaces defined references") {
  CHECK(Run("$(A)") == "alpha");
  CHECK(Run("x-$(A)-$(B)-y") == "x-alpha-beta-y");
  CHECK(Run("$(A)$(B)") == "alphabeta");
  CHECK(Run("[$(EMPTY)]") == "[]");
  CHECK(Run("no refs") == "no refs");
  CHECK(Run("") == "");
}

TEST_CASE("Expansion keeps undefined and malformed references as written") {
  CHECK(Run("$(MISSING)") == "$(MISSING)");
  CHECK(Run("a$(MISSING)b$(A)") == "a$(MISSING)balpha");
  CHECK(Run("$()") == "$()");
  CHECK(Run("$(A") == "$(A");            // no closing parenthesis
  CHECK(Run("$(A $(B)") == "$(A $(B)");  // the name runs to the first ')'
  CHECK(Run("$A") == "$A");              // not a reference
  CHECK(Run("100$") == "100$");          // trailing operator
  CHECK(Run("$") == "$");
}

TEST_CASE("Expansion treats $$ as an escaped $ and does not recurse") {
  CHECK(Run("$$(A)") == "$(A)");
  CHECK(Run("$$$(A)") == "$alpha");
  CHECK(Run("$$$$") == "$$");
  CHECK(Run("$(NESTED)") == "$(A)");  // values are not expanded again
}
