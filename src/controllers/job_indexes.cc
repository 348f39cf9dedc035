#include "controllers/job_indexes.h"

#include <algorithm>
#include <charconv>
#include <set>

namespace skiff::controllers {
namespace {

// A non-negative decimal int, or nothing.
bool ParseIndex(std::string_view text, int* out) {
  if (text.empty()) return false;
  int v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) return false;
  *out = v;
  return true;
}

constexpr size_t kMaxGeneratedNameLength = 58;  // 63 minus the 5 random characters

}  // namespace

int CompletionIndexOf(const nlohmann::json& pod) {
  auto meta = pod.find("metadata");
  if (meta == pod.end() || !meta->is_object()) return kUnknownCompletionIndex;
  auto ann = meta->find("annotations");
  if (ann == meta->end() || !ann->is_object()) return kUnknownCompletionIndex;
  auto v = ann->find(kJobCompletionIndexAnnotation);
  if (v == ann->end() || !v->is_string()) return kUnknownCompletionIndex;
  int ix = 0;
  const std::string& text = v->get_ref<const std::string&>();
  // strconv.Atoi accepts a leading sign; negative values are unknown anyway.
  std::string_view digits = text;
  if (!digits.empty() && digits[0] == '+') digits.remove_prefix(1);
  if (!ParseIndex(digits, &ix)) return kUnknownCompletionIndex;
  return ix;
}

IndexIntervals ParseIndexIntervals(const std::string& text, int completions) {
  IndexIntervals out;
  if (text.empty()) return out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    std::string_view piece(text.data() + start,
                           (comma == std::string::npos ? text.size() : comma) - start);
    start = comma == std::string::npos ? text.size() + 1 : comma + 1;
    size_t dash = piece.find('-');
    IndexInterval iv;
    if (!ParseIndex(piece.substr(0, dash), &iv.first)) continue;  // corrupted: ignored
    if (iv.first >= completions) break;
    if (dash != std::string_view::npos) {
      if (!ParseIndex(piece.substr(dash + 1), &iv.last)) continue;
      iv.last = std::min(iv.last, completions - 1);
    } else {
      iv.last = iv.first;
    }
    if (!out.empty() && out.back().last == iv.first - 1) {
      out.back().last = iv.last;
    } else {
      out.push_back(iv);
    }
  }
  return out;
}

std::string FormatIndexIntervals(const IndexIntervals& intervals) {
  std::string out;
  for (const IndexInterval& iv : intervals) {
    if (!out.empty()) out += ',';
    out += std::to_string(iv.first);
    if (iv.last > iv.first) {
      out += iv.last == iv.first + 1 ? ',' : '-';
      out += std::to_string(iv.last);
    }
  }
  return out;
}

IndexIntervals WithIndexes(const IndexIntervals& intervals, const std::vector<int>& indexes) {
  IndexIntervals out;
  auto append = [&out](IndexInterval iv) {
    if (out.empty() || iv.first > out.back().last + 1) {
      out.push_back(iv);
    } else if (out.back().last < iv.last) {
      out.back().last = iv.last;
    }
  };
  size_t i = 0;
  size_t j = 0;
  while (i < intervals.size() && j < indexes.size()) {
    if (intervals[i].first < indexes[j]) {
      append(intervals[i++]);
    } else {
      append({indexes[j], indexes[j]});
      ++j;
    }
  }
  for (; i < intervals.size(); ++i) append(intervals[i]);
  for (; j < indexes.size(); ++j) append({indexes[j], indexes[j]});
  return out;
}

int64_t CountIndexes(const IndexIntervals& intervals) {
  int64_t n = 0;
  for (const IndexInterval& iv : intervals) n += iv.last - iv.first + 1;
  return n;
}

bool HasIndex(const IndexIntervals& intervals, int index) {
  auto it = std::lower_bound(intervals.begin(), intervals.end(), index,
                             [](const IndexInterval& iv, int ix) { return iv.last < ix; });
  return it != intervals.end() && it->first <= index;
}

std::vector<int> FirstPendingIndexes(const std::vector<int>& active_indexes,
                                     const IndexIntervals& succeeded, int count, int completions) {
  std::vector<int> out;
  if (count <= 0) return out;
  std::set<int> active;
  for (int ix : active_indexes) {
    if (ix != kUnknownCompletionIndex) active.insert(ix);
  }
  const IndexIntervals taken =
      WithIndexes(succeeded, std::vector<int>(active.begin(), active.end()));
  int candidate = 0;
  for (const IndexInterval& iv : taken) {
    for (; candidate < completions && static_cast<int>(out.size()) < count && candidate < iv.first;
         ++candidate) {
      out.push_back(candidate);
    }
    candidate = std::max(candidate, iv.last + 1);
  }
  for (; candidate < completions && static_cast<int>(out.size()) < count; ++candidate) {
    out.push_back(candidate);
  }
  return out;
}

std::string IndexedPodGenerateName(const std::string& job_name, int index) {
  const std::string suffix = "-" + std::to_string(index) + "-";
  std::string prefix = job_name + suffix;
  if (prefix.size() > kMaxGeneratedNameLength) {
    prefix = job_name.substr(0, kMaxGeneratedNameLength - suffix.size()) + suffix;
  }
  return prefix;
}

}  // namespace skiff::controllers
