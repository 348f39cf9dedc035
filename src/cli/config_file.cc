#include "cli/config_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstring>
#include <map>

namespace skiff::cli {
namespace {

constexpr std::size_t kMaxConfigBytes = 1 << 20;

// Owns a file descriptor.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

Result<std::string> ReadSmallFile(const std::string& path, std::string_view origin) {
  auto fail = [&](int err) {
    return InvalidArgumentError("cannot read config file \"" + path + "\"" + std::string(origin) +
                                ": " + std::strerror(err));
  };
  Fd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return fail(errno);
  std::string text;
  char buf[8192];
  while (true) {
    ssize_t n = read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail(errno);
    if (n == 0) break;
    text.append(buf, static_cast<std::size_t>(n));
    if (text.size() > kMaxConfigBytes) {
      return InvalidArgumentError("config file \"" + path + "\"" + std::string(origin) +
                                  " is larger than 1 MiB");
    }
  }
  return text;
}

std::string_view KindName(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Sequence:
      return "a sequence";
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Scalar:
      return "a scalar";
    case YAML::NodeType::Null:
      return "nothing";
    case YAML::NodeType::Undefined:
      break;
  }
  return "an undefined node";
}

std::string At(const std::string& path, const YAML::Mark& mark) {
  if (mark.is_null()) return path;
  return path + ":" + std::to_string(mark.line + 1);
}

Result<ConfigFile> ParseConfig(const std::string& path, const std::string& text) {
  ConfigFile file;
  file.path = path;
  YAML::Node root = YAML::Load(text);
  if (root.IsNull()) return file;
  if (!root.IsMap()) {
    return InvalidArgumentError(path +
                                ": must be a YAML mapping of flag names to values (such as "
                                "\"data-dir: /srv/skiff\"), got " +
                                std::string(KindName(root)));
  }
  std::map<std::string, int> first_line;
  for (const auto& pair : root) {
    // Copies: yaml-cpp's iterators hand out proxies, so references into them dangle.
    const YAML::Node key = pair.first;
    const YAML::Node value = pair.second;
    int line = key.Mark().is_null() ? 0 : key.Mark().line + 1;
    if (!key.IsScalar()) {
      return InvalidArgumentError(At(path, key.Mark()) +
                                  ": keys must be flag names such as \"data-dir\", got " +
                                  std::string(KindName(key)));
    }
    ConfigEntry entry;
    entry.key = key.Scalar();
    entry.line = line;
    if (auto [prev, inserted] = first_line.emplace(entry.key, line); !inserted) {
      return InvalidArgumentError(At(path, key.Mark()) + ": duplicate key \"" + entry.key +
                                  "\" (first at line " + std::to_string(prev->second) + ")");
    }
    switch (value.Type()) {
      case YAML::NodeType::Scalar: {
        entry.kind = ConfigEntry::Kind::kScalar;
        entry.value = value.Scalar();
        bool b = false;
        if (value.Tag() == "?" && YAML::convert<bool>::decode(value, b)) entry.yaml_bool = b;
        break;
      }
      case YAML::NodeType::Sequence:
        entry.kind = ConfigEntry::Kind::kSequence;
        break;
      case YAML::NodeType::Map:
        entry.kind = ConfigEntry::Kind::kMap;
        break;
      case YAML::NodeType::Null:
      case YAML::NodeType::Undefined:
        entry.kind = ConfigEntry::Kind::kNull;
        break;
    }
    file.entries.push_back(std::move(entry));
  }
  return file;
}

}  // namespace

Result<ConfigFile> LoadConfigFile(const std::string& path, std::string_view origin) {
  Result<std::string> text = ReadSmallFile(path, origin);
  if (!text.ok()) return text.status();
  try {
    return ParseConfig(path, *text);
  } catch (const YAML::Exception& e) {
    std::string where = path;
    if (!e.mark.is_null()) {
      where += ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1);
    }
    return InvalidArgumentError(where + ": " + e.msg);
  } catch (const std::exception& e) {
    return InvalidArgumentError(path + ": " + e.what());
  }
}

bool ConfigFileExists(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) == 0) return true;
  return errno != ENOENT && errno != ENOTDIR;
}

}  // namespace skiff::cli
