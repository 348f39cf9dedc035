#include "cli/flags.h"

namespace skiff::cli {
namespace {

// Optimal string alignment distance: Levenshtein plus adjacent transpositions.
std::size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

}  // namespace

std::string BadValueMessage(const Origin& origin, std::string_view flag, std::string_view value,
                            std::string_view reason) {
  std::string v = "\"" + std::string(value) + "\"";
  switch (origin.kind) {
    case Origin::Kind::kCommandLine:
      return "invalid value " + v + " for flag --" + std::string(flag) + ": " + std::string(reason);
    case Origin::Kind::kConfigFile:
      return origin.file + ":" + std::to_string(origin.line) + ": invalid value " + v +
             " for key \"" + std::string(flag) + "\": " + std::string(reason);
    case Origin::Kind::kDefault:
      break;
  }
  return "invalid default value " + v + " for --" + std::string(flag) + ": " + std::string(reason);
}

void Provenance::Record(std::string_view flag, Origin origin) {
  origins_.insert_or_assign(std::string(flag), std::move(origin));
}

bool Provenance::IsSet(std::string_view flag) const { return origins_.contains(flag); }

Origin Provenance::Of(std::string_view flag) const {
  auto it = origins_.find(flag);
  return it == origins_.end() ? Origin{} : it->second;
}

Status Provenance::BadValue(std::string_view flag, std::string_view value,
                            std::string_view reason) const {
  return InvalidArgumentError(BadValueMessage(Of(flag), flag, value, reason));
}

std::string Provenance::Describe(std::string_view flag) const {
  Origin o = Of(flag);
  std::string out = "--" + std::string(flag);
  switch (o.kind) {
    case Origin::Kind::kCommandLine:
      return out + " (from the command line)";
    case Origin::Kind::kConfigFile:
      return out + " (from " + o.file + ":" + std::to_string(o.line) + ")";
    case Origin::Kind::kDefault:
      break;
  }
  return out + " (default)";
}

std::string FormatHelpRows(const std::vector<std::pair<std::string, std::string>>& rows) {
  constexpr std::size_t kLineWidth = 100;
  std::size_t width = 0;
  for (const auto& row : rows) width = std::max(width, row.first.size());
  const std::size_t indent = 2 + width + 2;
  std::string out;
  for (const auto& [left, right] : rows) {
    std::string line = "  " + left + std::string(width - left.size() + 2, ' ');
    std::size_t pos = 0;
    bool first_word = true;
    while (pos < right.size()) {
      std::size_t end = right.find(' ', pos);
      if (end == std::string::npos) end = right.size();
      std::string_view word(right.data() + pos, end - pos);
      if (!first_word && line.size() + 1 + word.size() > kLineWidth) {
        out += line + "\n";
        line = std::string(indent, ' ');
        first_word = true;
      }
      if (!first_word) line += ' ';
      line += word;
      first_word = false;
      pos = end + 1;
    }
    out += line + "\n";
  }
  for (char& c : out) c = c == '\x01' ? ' ' : c;
  return out;
}

std::string_view ClosestName(std::string_view wrong, const std::vector<std::string_view>& names) {
  std::string_view best;
  std::size_t best_distance = 3;  // at most two edits ...
  for (std::string_view name : names) {
    std::size_t d = EditDistance(wrong, name);
    if (d < best_distance && d * 3 <= name.size()) {  // ... and a third of the name
      best = name;
      best_distance = d;
    }
  }
  return best;
}

}  // namespace skiff::cli
