#include "rotated_files.h"

#include <dirent.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "skiff/common/file_util.h"

namespace skiff::node::logs {
namespace {

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Parses "<stamp>" or "<stamp>.<n>" (the part after "<base>.").
bool ParseSuffix(std::string_view suffix, RotatedFile* out) {
  if (suffix.size() < 15 || suffix[8] != '-' || !AllDigits(suffix.substr(0, 8)) ||
      !AllDigits(suffix.substr(9, 6))) {
    return false;
  }
  out->stamp = std::string(suffix.substr(0, 15));
  out->seq = 0;
  if (suffix.size() == 15) return true;
  std::string_view rest = suffix.substr(15);
  if (rest[0] != '.' || !AllDigits(rest.substr(1)) || rest.size() > 19) return false;
  uint64_t n = 0;
  for (char c : rest.substr(1)) n = n * 10 + static_cast<uint64_t>(c - '0');
  if (n == 0) return false;
  out->seq = n;
  return true;
}

}  // namespace

std::string RotationStamp(TimePoint t) {
  auto day = std::chrono::floor<std::chrono::days>(t);
  std::chrono::year_month_day ymd{day};
  long long secs = std::chrono::duration_cast<std::chrono::seconds>(t - day).count();
  char buf[64];  // what the formats could print at most: no truncation warning
  std::snprintf(buf, sizeof buf, "%04d%02u%02u-%02lld%02lld%02lld", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()), secs / 3600,
                secs / 60 % 60, secs % 60);
  return buf;
}

Result<std::vector<RotatedFile>> ListRotatedFiles(const std::string& live_path) {
  std::string dir = DirName(live_path);
  std::string prefix = BaseName(live_path) + ".";
  std::unique_ptr<DIR, int (*)(DIR*)> d(::opendir(dir.c_str()), ::closedir);
  std::vector<RotatedFile> out;
  if (!d) {
    if (errno == ENOENT) return out;
    return UnavailableError("cannot list log directory " + dir + ": " + std::strerror(errno));
  }
  errno = 0;
  while (dirent* e = ::readdir(d.get())) {
    std::string_view name = e->d_name;
    RotatedFile f;
    if (name.size() > prefix.size() && name.substr(0, prefix.size()) == prefix &&
        ParseSuffix(name.substr(prefix.size()), &f)) {
      f.path = dir + "/" + std::string(name);
      out.push_back(std::move(f));
    }
  }
  std::sort(out.begin(), out.end(),
            [](const RotatedFile& a, const RotatedFile& b) { return a.Before(b); });
  return out;
}

RotatedFile NextRotatedName(const std::string& live_path, TimePoint now,
                            const std::vector<RotatedFile>& existing) {
  RotatedFile f;
  f.stamp = RotationStamp(now);
  if (!existing.empty() && !existing.back().Before(f)) {
    f.stamp = existing.back().stamp;
    f.seq = existing.back().seq + 1;
  }
  f.path = live_path + "." + f.stamp;
  if (f.seq > 0) f.path += "." + std::to_string(f.seq);
  return f;
}

}  // namespace skiff::node::logs
