#include "net/dns/dns_name.h"

#include <cctype>
#include <cstdint>
#include <cstdio>

namespace skiff::net::dns {
namespace {

char LowerChar(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

Status TooLong(std::string_view what) {
  return InvalidArgumentError(std::string(what) + " is longer than " +
                              std::to_string(kMaxNameLength) + " octets");
}

}  // namespace

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = LowerChar(c);
  return out;
}

bool AsciiEqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (LowerChar(a[i]) != LowerChar(b[i])) return false;
  }
  return true;
}

Name::Name() : wire_(1, '\0') {}

Name Name::FromValidWire(std::string wire) { return Name(std::move(wire)); }

Result<Name> Name::FromText(std::string_view text) {
  if (text.empty()) return InvalidArgumentError("empty domain name");
  if (text == ".") return Name();
  std::string wire;
  std::string label;
  auto end_label = [&]() -> Status {
    if (label.empty()) {
      return InvalidArgumentError("domain name \"" + std::string(text) + "\" has an empty label");
    }
    if (label.size() > kMaxLabelLength) {
      return InvalidArgumentError("label \"" + label + "\" is longer than 63 octets");
    }
    wire.push_back(static_cast<char>(label.size()));
    wire += label;
    label.clear();
    return Status::Ok();
  };
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\\') {
      if (i + 1 >= text.size()) return InvalidArgumentError("domain name ends with a backslash");
      if (i + 3 < text.size() && std::isdigit(static_cast<unsigned char>(text[i + 1])) &&
          std::isdigit(static_cast<unsigned char>(text[i + 2])) &&
          std::isdigit(static_cast<unsigned char>(text[i + 3]))) {
        int v = (text[i + 1] - '0') * 100 + (text[i + 2] - '0') * 10 + (text[i + 3] - '0');
        if (v > 255) return InvalidArgumentError("escape \\" + std::to_string(v) + " is over 255");
        label.push_back(static_cast<char>(v));
        i += 3;
      } else {
        label.push_back(text[++i]);
      }
      continue;
    }
    if (c == '.') {
      if (Status s = end_label(); !s.ok()) return s;
      if (i + 1 == text.size()) break;  // the trailing dot
      continue;
    }
    label.push_back(c);
  }
  if (!label.empty()) {
    if (Status s = end_label(); !s.ok()) return s;
  }
  wire.push_back('\0');
  if (wire.size() > kMaxNameLength) return TooLong("domain name \"" + std::string(text) + "\"");
  return Name(std::move(wire));
}

Result<Name> Name::FromLabels(const std::vector<std::string_view>& labels, const Name& suffix) {
  std::string wire;
  for (std::string_view l : labels) {
    if (l.empty()) return InvalidArgumentError("empty label");
    if (l.size() > kMaxLabelLength) {
      return InvalidArgumentError("label \"" + std::string(l) + "\" is longer than 63 octets");
    }
    wire.push_back(static_cast<char>(l.size()));
    wire += l;
  }
  wire += suffix.wire_;
  if (wire.size() > kMaxNameLength) return TooLong("domain name");
  return Name(std::move(wire));
}

std::string Name::ToText() const {
  if (IsRoot()) return ".";
  std::string out;
  size_t pos = 0;
  while (pos < wire_.size()) {
    const size_t len = static_cast<uint8_t>(wire_[pos]);
    if (len == 0) break;
    for (size_t i = pos + 1; i <= pos + len; ++i) {
      const auto c = static_cast<unsigned char>(wire_[i]);
      if (c == '.' || c == '\\') {
        out.push_back('\\');
        out.push_back(static_cast<char>(c));
      } else if (c < 0x21 || c > 0x7e) {
        char buf[5];
        std::snprintf(buf, sizeof buf, "\\%03u", static_cast<unsigned>(c));
        out += buf;
      } else {
        out.push_back(static_cast<char>(c));
      }
    }
    out.push_back('.');
    pos += len + 1;
  }
  return out;
}

size_t Name::LabelCount() const {
  size_t n = 0;
  for (size_t pos = 0; pos < wire_.size() && wire_[pos] != 0;
       pos += static_cast<uint8_t>(wire_[pos]) + 1) {
    ++n;
  }
  return n;
}

std::vector<std::string_view> Name::Labels() const {
  std::vector<std::string_view> out;
  std::string_view w(wire_);
  for (size_t pos = 0; pos < w.size() && w[pos] != 0;) {
    const size_t len = static_cast<uint8_t>(w[pos]);
    out.push_back(w.substr(pos + 1, len));
    pos += len + 1;
  }
  return out;
}

Name Name::Lower() const { return Name(AsciiLower(wire_)); }

bool Name::IsSubdomainOf(const Name& zone) const {
  if (zone.wire_.size() > wire_.size()) return false;
  // Walk label boundaries: the suffix must start on one.
  for (size_t pos = 0; pos < wire_.size(); pos += static_cast<uint8_t>(wire_[pos]) + 1) {
    const size_t rest = wire_.size() - pos;
    if (rest == zone.wire_.size()) {
      return AsciiEqualsIgnoreCase(std::string_view(wire_).substr(pos), zone.wire_);
    }
    if (rest < zone.wire_.size() || wire_[pos] == 0) return false;
  }
  return false;
}

std::vector<std::string_view> Name::LabelsBefore(const Name& zone) const {
  if (!IsSubdomainOf(zone)) return {};
  std::vector<std::string_view> out;
  std::string_view w(wire_);
  const size_t stop = w.size() - zone.wire_.size();
  for (size_t pos = 0; pos < stop;) {
    const size_t len = static_cast<uint8_t>(w[pos]);
    out.push_back(w.substr(pos + 1, len));
    pos += len + 1;
  }
  return out;
}

bool Name::Equals(const Name& other) const { return AsciiEqualsIgnoreCase(wire_, other.wire_); }

}  // namespace skiff::net::dns
