#include "skiff/runtime/image_ref.h"

#include <cctype>

namespace skiff::runtime {
namespace {

constexpr std::string_view kDefaultRegistry = "docker.io";
constexpr size_t kNameMaxLength = 255;

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool IsAlnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }
bool IsHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }
bool IsWord(char c) { return IsAlnum(c) || c == '_'; }

// path-component := [a-z0-9]+ (separator [a-z0-9]+)*, separator := "." | "_" | "__" | "-"+
bool ValidPathComponent(std::string_view s) {
  size_t i = 0;
  auto alnum_run = [&] {
    size_t start = i;
    while (i < s.size() && IsLowerAlnum(s[i])) ++i;
    return i > start;
  };
  if (!alnum_run()) return false;
  while (i < s.size()) {
    if (s[i] == '.') {
      ++i;
    } else if (s[i] == '_') {
      ++i;
      if (i < s.size() && s[i] == '_') ++i;
    } else if (s[i] == '-') {
      while (i < s.size() && s[i] == '-') ++i;
    } else {
      return false;
    }
    if (!alnum_run()) return false;
  }
  return true;
}

// domain-component := [A-Za-z0-9] | [A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9]
bool ValidDomainComponent(std::string_view s) {
  if (s.empty() || !IsAlnum(s.front()) || !IsAlnum(s.back())) return false;
  for (char c : s) {
    if (!IsAlnum(c) && c != '-') return false;
  }
  return true;
}

// host[:port], host := domain-component ('.' domain-component)* | '[' ipv6 ']'
bool ValidRegistry(std::string_view s) {
  std::string_view host = s;
  size_t colon = s.rfind(':');
  size_t bracket = s.rfind(']');
  if (colon != std::string_view::npos && (bracket == std::string_view::npos || colon > bracket)) {
    std::string_view port = s.substr(colon + 1);
    if (port.empty() || port.size() > 5) return false;
    for (char c : port) {
      if (c < '0' || c > '9') return false;
    }
    host = s.substr(0, colon);
  }
  if (host.empty()) return false;
  if (host.front() == '[') {
    if (host.size() < 4 || host.back() != ']') return false;
    for (char c : host.substr(1, host.size() - 2)) {
      if (!std::isxdigit(static_cast<unsigned char>(c)) && c != ':' && c != '.') return false;
    }
    return true;
  }
  size_t start = 0;
  for (;;) {
    size_t dot = host.find('.', start);
    if (!ValidDomainComponent(host.substr(start, dot - start))) return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

// [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
bool ValidTag(std::string_view s) {
  if (s.empty() || s.size() > 128 || !IsWord(s[0])) return false;
  for (char c : s) {
    if (!IsWord(c) && c != '.' && c != '-') return false;
  }
  return true;
}

bool ValidDigest(std::string_view s) {
  size_t colon = s.find(':');
  if (colon == std::string_view::npos) return false;
  std::string_view algo = s.substr(0, colon);
  std::string_view hex = s.substr(colon + 1);
  size_t want = algo == "sha256" ? 64 : algo == "sha384" ? 96 : algo == "sha512" ? 128 : 0;
  if (want == 0 || hex.size() != want) return false;
  for (char c : hex) {
    if (!IsHex(c)) return false;
  }
  return true;
}

bool IsHexIdentifier(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!IsHex(c)) return false;
  }
  return true;
}

Status Invalid(std::string_view text, std::string_view why) {
  return InvalidArgumentError("invalid image reference \"" + std::string(text) +
                              "\": " + std::string(why));
}

}  // namespace

std::string ImageRef::Name() const { return registry + "/" + repository; }

std::string ImageRef::String() const {
  std::string out = Name();
  if (!tag.empty()) out += ":" + tag;
  if (!digest.empty()) out += "@" + digest;
  return out;
}

Result<ImageRef> ImageRef::Parse(std::string_view text) {
  if (text.empty()) return Invalid(text, "empty reference");
  ImageRef ref;
  std::string_view rest = text;
  size_t at = rest.find('@');
  if (at != std::string_view::npos) {
    std::string_view digest = rest.substr(at + 1);
    if (!ValidDigest(digest)) {
      return Invalid(text, "invalid digest \"" + std::string(digest) +
                               "\" (want sha256: and 64 lower-case hex digits)");
    }
    ref.digest = std::string(digest);
    rest = rest.substr(0, at);
  }
  size_t colon = rest.rfind(':');
  size_t slash = rest.rfind('/');
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) {
    std::string_view tag = rest.substr(colon + 1);
    if (!ValidTag(tag)) return Invalid(text, "invalid tag \"" + std::string(tag) + "\"");
    ref.tag = std::string(tag);
    rest = rest.substr(0, colon);
  }
  if (rest.empty()) return Invalid(text, "repository name must have at least one component");
  if (rest.size() > kNameMaxLength) {
    return Invalid(text, "repository name must not be more than 255 characters");
  }
  if (IsHexIdentifier(rest)) {
    return Invalid(text, "repository name cannot be a 64-byte hexadecimal string");
  }

  // The first component is a registry when it looks like a host (has '.' or ':', is localhost,
  // or has upper-case letters, which repository names cannot).
  std::string_view remainder = rest;
  size_t first = rest.find('/');
  if (first != std::string_view::npos) {
    std::string_view head = rest.substr(0, first);
    bool has_upper = false;
    for (char c : head) has_upper = has_upper || (c >= 'A' && c <= 'Z');
    if (head.find_first_of(".:") != std::string_view::npos || head == "localhost" || has_upper) {
      if (!ValidRegistry(head)) {
        return Invalid(text, "invalid registry host \"" + std::string(head) + "\"");
      }
      ref.registry = std::string(head);
      remainder = rest.substr(first + 1);
    }
  }
  if (ref.registry.empty() || ref.registry == "index.docker.io") {
    ref.registry = std::string(kDefaultRegistry);
  }
  for (char c : remainder) {
    if (c >= 'A' && c <= 'Z') return Invalid(text, "repository name must be lowercase");
  }
  size_t start = 0;
  for (;;) {
    size_t end = remainder.find('/', start);
    std::string_view component = remainder.substr(start, end - start);
    if (!ValidPathComponent(component)) {
      return Invalid(text, "invalid repository path component \"" + std::string(component) + "\"");
    }
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  ref.repository = std::string(remainder);
  if (ref.registry == kDefaultRegistry && ref.repository.find('/') == std::string::npos) {
    ref.repository = "library/" + ref.repository;
  }
  if (ref.tag.empty() && ref.digest.empty()) ref.tag = "latest";
  return ref;
}

}  // namespace skiff::runtime
