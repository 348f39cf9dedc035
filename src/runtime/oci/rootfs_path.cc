#include "rootfs_path.h"

#include <sys/stat.h>
#include <unistd.h>

#include <deque>
#include <vector>

namespace skiff::runtime::internal {
namespace {

std::deque<std::string> Split(const std::string& path) {
  std::deque<std::string> parts;
  size_t i = 0;
  while (i <= path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string::npos) j = path.size();
    if (j > i) parts.push_back(path.substr(i, j - i));
    i = j + 1;
  }
  return parts;
}

}  // namespace

std::string CleanPath(const std::string& path) {
  bool absolute = !path.empty() && path[0] == '/';
  std::vector<std::string> out;
  for (const auto& part : Split(path)) {
    if (part == ".") continue;
    if (part == "..") {
      if (!out.empty() && out.back() != "..") {
        out.pop_back();
      } else if (!absolute) {
        out.push_back("..");
      }
      continue;
    }
    out.push_back(part);
  }
  if (out.empty()) return absolute ? "/" : ".";
  std::string result;
  if (absolute) result.push_back('/');
  for (size_t i = 0; i < out.size(); ++i) {
    if (i > 0) result += '/';
    result += out[i];
  }
  return result;
}

Result<std::string> ResolveInRoot(const std::string& root, const std::string& path) {
  std::deque<std::string> pending = Split(path);
  std::vector<std::string> current;  // resolved components below root
  int links = 0;
  while (!pending.empty()) {
    std::string part = std::move(pending.front());
    pending.pop_front();
    if (part == ".") continue;
    if (part == "..") {
      if (!current.empty()) current.pop_back();
      continue;
    }
    std::string host = root;
    for (const auto& c : current) host += "/" + c;
    host += "/" + part;
    struct stat st;
    if (lstat(host.c_str(), &st) != 0 || !S_ISLNK(st.st_mode)) {
      current.push_back(part);
      continue;
    }
    if (++links > 255) {
      return InvalidArgumentError("too many symlinks resolving " + path + " in " + root);
    }
    std::vector<char> buf(static_cast<size_t>(st.st_size > 0 ? st.st_size : 4096) + 1);
    ssize_t n = readlink(host.c_str(), buf.data(), buf.size());
    if (n < 0) return InternalError("readlink " + host + " failed");
    std::string target(buf.data(), static_cast<size_t>(n));
    if (!target.empty() && target[0] == '/') current.clear();
    auto target_parts = Split(target);
    for (auto it = target_parts.rbegin(); it != target_parts.rend(); ++it) {
      pending.push_front(*it);
    }
  }
  std::string out = root;
  for (const auto& c : current) out += "/" + c;
  return out;
}

}  // namespace skiff::runtime::internal
