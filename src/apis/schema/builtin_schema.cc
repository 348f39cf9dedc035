// The built-in schema: the embedded data files (builtin_schema_data.cc, generated at build time)
// parsed once.
#include <cstdio>
#include <cstdlib>

#include "skiff/apis/schema.h"

namespace skiff::apis {

const Schema& BuiltinSchema() {
  // A function-local static: initialised once, thread-safely, on first use.
  static const std::shared_ptr<const Schema> schema = [] {
    auto parsed = Schema::ParseFiles(BuiltinSchemaSources());
    if (!parsed.ok()) {
      std::fprintf(stderr, "skiff: the built-in API schema does not parse (a build defect): %s\n",
                   parsed.status().message().c_str());
      std::abort();
    }
    return std::move(parsed).value();
  }();
  return *schema;
}

}  // namespace skiff::apis
