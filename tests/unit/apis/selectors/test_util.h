// Helpers shared by the selector tests.
#pragma once

#include <catch2/catch.hpp>
#include <string>
#include <string_view>

#include "skiff/apis/selector.h"

namespace selector_test {

// The messages Kubernetes builds from its validation regexes (kept here once so the
// expectations stay readable).
inline const std::string kQualifiedNameMsg =
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
    "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "
    "validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
inline const std::string kLabelValueMsg =
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or "
    "'my_value',  or '12345', regex used for validation is "
    "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
inline const std::string kSubdomainMsg =
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used "
    "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

// The error text of a label selector parse, or "<ok>".
inline std::string LabelParseError(std::string_view text) {
  auto s = skiff::apis::ParseLabelSelector(text);
  if (s.ok()) return "<ok>";
  CHECK(s.status().code() == skiff::Code::kInvalidArgument);
  return s.status().message();
}

// The canonical string of a label selector that must parse.
inline std::string LabelCanonical(std::string_view text) {
  auto s = skiff::apis::ParseLabelSelector(text);
  REQUIRE(s.ok());
  return s->ToString();
}

// The error text of a field selector parse, or "<ok>".
inline std::string FieldParseError(std::string_view text) {
  auto s = skiff::apis::ParseFieldSelector(text);
  if (s.ok()) return "<ok>";
  CHECK(s.status().code() == skiff::Code::kInvalidArgument);
  return s.status().message();
}

// Decodes a query-string value as Go's url.QueryUnescape does ('+' is a space).
inline std::string QueryUnescape(std::string_view in) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '+') {
      out += ' ';
    } else if (in[i] == '%' && i + 2 < in.size() && hex(in[i + 1]) >= 0 && hex(in[i + 2]) >= 0) {
      out += static_cast<char>(hex(in[i + 1]) * 16 + hex(in[i + 2]));
      i += 2;
    } else {
      out += in[i];
    }
  }
  return out;
}

}  // namespace selector_test
