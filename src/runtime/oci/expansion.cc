#include "expansion.h"

namespace skiff::runtime::internal {

std::string Expand(std::string_view input, const VarLookup& lookup) {
  std::string out;
  out.reserve(input.size());
  size_t i = 0;
  while (i < input.size()) {
    char c = input[i];
    if (c != '$' || i + 1 >= input.size()) {
      out += c;
      ++i;
      continue;
    }
    char next = input[i + 1];
    if (next == '$') {  // escaped operator
      out += '$';
      i += 2;
      continue;
    }
    if (next != '(') {  // an operator that does not start a reference: keep both characters
      out += '$';
      out += next;
      i += 2;
      continue;
    }
    size_t close = input.find(')', i + 2);
    if (close == std::string_view::npos) {  // incomplete reference: keep "$(" and go on
      out += "$(";
      i += 2;
      continue;
    }
    std::string name(input.substr(i + 2, close - i - 2));
    if (auto value = lookup(name)) {
      out += *value;
    } else {
      out += "$(" + name + ")";
    }
    i = close + 1;
  }
  return out;
}

}  // namespace skiff::runtime::internal
