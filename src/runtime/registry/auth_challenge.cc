#include "runtime/registry/auth_challenge.h"

#include <cctype>
#include <string_view>

#include "skiff/common/string_util.h"

namespace skiff::runtime::registry {
namespace {

bool IsTokenChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

class Scanner {
 public:
  explicit Scanner(std::string_view s) : s_(s) {}
  bool done() const { return i_ >= s_.size(); }
  void SkipSpaces() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t')) ++i_;
  }
  bool Consume(char c) {
    SkipSpaces();
    if (i_ < s_.size() && s_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }
  char Peek() {
    SkipSpaces();
    return i_ < s_.size() ? s_[i_] : '\0';
  }
  std::string Token() {
    SkipSpaces();
    size_t b = i_;
    while (i_ < s_.size() && IsTokenChar(s_[i_])) ++i_;
    return std::string(s_.substr(b, i_ - b));
  }
  // A token or a quoted string (backslash escapes honoured).
  std::string Value() {
    SkipSpaces();
    if (i_ < s_.size() && s_[i_] == '"') {
      ++i_;
      std::string out;
      while (i_ < s_.size() && s_[i_] != '"') {
        if (s_[i_] == '\\' && i_ + 1 < s_.size()) ++i_;
        out += s_[i_++];
      }
      if (i_ < s_.size()) ++i_;  // closing quote
      return out;
    }
    size_t b = i_;
    while (i_ < s_.size() && s_[i_] != ',' && s_[i_] != ' ') ++i_;
    return std::string(s_.substr(b, i_ - b));
  }
  size_t pos() const { return i_; }
  void set_pos(size_t p) { i_ = p; }
  // Skips to just after the next comma (error recovery).
  void SkipPastComma() {
    while (i_ < s_.size() && s_[i_] != ',') ++i_;
    if (i_ < s_.size()) ++i_;
  }

 private:
  std::string_view s_;
  size_t i_ = 0;
};

}  // namespace

std::vector<AuthChallenge> ParseAuthChallenges(const std::vector<std::string>& header_values) {
  std::vector<AuthChallenge> out;
  for (const std::string& value : header_values) {
    Scanner sc(value);
    while (!sc.done()) {
      if (sc.Consume(',')) continue;
      std::string scheme = sc.Token();
      if (scheme.empty()) {
        sc.SkipPastComma();
        continue;
      }
      AuthChallenge challenge{AsciiLower(scheme), {}};
      // Parameters: name=value pairs separated by commas, until a token not followed by '='
      // (the next challenge's scheme).
      while (!sc.done()) {
        size_t mark = sc.pos();
        sc.Consume(',');
        std::string name = sc.Token();
        if (name.empty() || !sc.Consume('=')) {
          sc.set_pos(mark);
          break;
        }
        challenge.params[AsciiLower(name)] = sc.Value();
      }
      out.push_back(std::move(challenge));
      if (!sc.done() && sc.Peek() != ',' && !IsTokenChar(sc.Peek())) sc.SkipPastComma();
    }
  }
  return out;
}

}  // namespace skiff::runtime::registry
