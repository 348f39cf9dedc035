// Domain names as the DNS wire format carries them (RFC 1035 3.1), for the embedded cluster DNS.
//
// A Name holds the uncompressed wire form: length-prefixed labels ending with the root's zero
// byte ("\3www\7example\3com\0"). It is always valid: every way to build one checks the label
// (1..63 octets) and whole-name (at most 255 octets) limits. Labels may hold any octet. The
// spelling is kept as given (answers echo the question's case); comparisons are ASCII
// case-insensitive, as DNS requires (RFC 4343). A plain value: copyable, no shared state.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "skiff/common/status.h"

namespace skiff::net::dns {

inline constexpr size_t kMaxNameLength = 255;  // octets of the wire form, root byte included
inline constexpr size_t kMaxLabelLength = 63;

class Name {
 public:
  Name();  // the root "."

  // Presentation form: "www.example.com", "www.example.com." or "." for the root. "\." and
  // "\DDD" escapes put a literal dot or any octet in a label. kInvalidArgument for an empty
  // label ("a..b"), a label over 63 octets or a name over 255.
  static Result<Name> FromText(std::string_view text);
  // The labels leftmost first, then `suffix` (e.g. {"kubernetes", "default"} +
  // "svc.cluster.local").
  static Result<Name> FromLabels(const std::vector<std::string_view>& labels,
                                 const Name& suffix = Name());
  // `wire` must already be a valid uncompressed name (the message parser checked it).
  static Name FromValidWire(std::string wire);

  const std::string& wire() const { return wire_; }
  // "www.example.com." (the root is "."); '.', '\\', and octets outside printable ASCII in a
  // label are escaped ("\." / "\\" / "\DDD").
  std::string ToText() const;
  bool IsRoot() const { return wire_.size() == 1; }
  size_t LabelCount() const;
  // The labels, leftmost first (views into this name).
  std::vector<std::string_view> Labels() const;
  // A lower-cased copy.
  Name Lower() const;
  // True when this name is `zone` or a name below it.
  bool IsSubdomainOf(const Name& zone) const;
  // The labels in front of `zone`, leftmost first; empty when this name is not below `zone`.
  std::vector<std::string_view> LabelsBefore(const Name& zone) const;
  // True for the same name, ignoring ASCII case.
  bool Equals(const Name& other) const;

 private:
  explicit Name(std::string wire) : wire_(std::move(wire)) {}
  std::string wire_;
};

// ASCII lower-casing of one string (DNS case folding leaves other octets alone).
std::string AsciiLower(std::string_view s);
// Case-insensitive equality of two octet strings.
bool AsciiEqualsIgnoreCase(std::string_view a, std::string_view b);

}  // namespace skiff::net::dns
