#include "runtime/registry/rewrite.h"

#include <regex.h>

#include <cctype>
#include <memory>

namespace skiff::runtime::registry {
namespace {

constexpr size_t kMaxGroups = 10;  // $0..$9

// A compiled regex_t, freed with the object.
class Regex {
 public:
  explicit Regex(const std::string& pattern)
      : code_(regcomp(&re_, pattern.c_str(), REG_EXTENDED)) {}
  ~Regex() {
    if (code_ == 0) regfree(&re_);
  }
  Regex(const Regex&) = delete;
  Regex& operator=(const Regex&) = delete;

  bool ok() const { return code_ == 0; }
  std::string error() const {
    char buf[256];
    regerror(code_, &re_, buf, sizeof buf);
    return buf;
  }
  const regex_t* get() const { return &re_; }

 private:
  regex_t re_{};
  int code_;
};

// Go's template expansion: $name or ${name}; a name of digits is a group number; $$ is '$'.
void Expand(const std::string& replacement, const char* subject, const regmatch_t* groups,
            std::string* out) {
  for (size_t i = 0; i < replacement.size(); ++i) {
    char c = replacement[i];
    if (c != '$' || i + 1 == replacement.size()) {
      *out += c;
      continue;
    }
    if (replacement[i + 1] == '$') {
      *out += '$';
      ++i;
      continue;
    }
    std::string name;
    size_t end = i + 1;
    if (replacement[end] == '{') {
      size_t close = replacement.find('}', end);
      if (close == std::string::npos) {
        *out += c;
        continue;
      }
      name = replacement.substr(end + 1, close - end - 1);
      end = close + 1;
    } else {
      while (
          end < replacement.size() &&
          (std::isalnum(static_cast<unsigned char>(replacement[end])) || replacement[end] == '_')) {
        name += replacement[end++];
      }
    }
    if (name.empty()) {
      *out += c;
      continue;
    }
    i = end - 1;
    bool digits = name.size() <= 2;
    for (char d : name) digits = digits && std::isdigit(static_cast<unsigned char>(d));
    if (!digits) continue;  // named groups do not exist in POSIX regexes: empty, as in Go
    size_t n = static_cast<size_t>(std::stoi(name));
    if (n < kMaxGroups && groups[n].rm_so >= 0) {
      out->append(subject + groups[n].rm_so,
                  static_cast<size_t>(groups[n].rm_eo - groups[n].rm_so));
    }
  }
}

}  // namespace

Status CheckRewritePattern(const std::string& pattern) {
  Regex re(pattern);
  if (!re.ok()) return InvalidArgumentError("invalid regular expression: " + re.error());
  return Status::Ok();
}

std::optional<std::string> ApplyRewrite(const RepositoryRewrite& rule,
                                        const std::string& repository) {
  Regex re(rule.pattern);
  if (!re.ok()) return std::nullopt;
  std::string out;
  const char* subject = repository.c_str();
  size_t pos = 0;
  bool matched = false;
  while (pos <= repository.size()) {
    regmatch_t groups[kMaxGroups];
    int flags = pos > 0 ? REG_NOTBOL : 0;
    if (regexec(re.get(), subject + pos, kMaxGroups, groups, flags) != 0) break;
    matched = true;
    // Offsets are relative to subject + pos.
    out.append(subject + pos, static_cast<size_t>(groups[0].rm_so));
    Expand(rule.replacement, subject + pos, groups, &out);
    size_t advance = static_cast<size_t>(groups[0].rm_eo);
    if (groups[0].rm_eo == groups[0].rm_so) {
      // An empty match: keep one character and move past it.
      if (pos + advance < repository.size()) out += repository[pos + advance];
      ++advance;
    }
    pos += advance;
  }
  if (!matched) return std::nullopt;
  if (pos < repository.size()) out.append(repository, pos, std::string::npos);
  return out;
}

}  // namespace skiff::runtime::registry
