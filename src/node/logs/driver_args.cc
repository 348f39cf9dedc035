#include "driver_args.h"

#include <limits>

namespace skiff::node::logs {
namespace {

// Non-negative decimal integer; false on overflow or non-digits.
bool ParseCount(std::string_view digits, int64_t* out) {
  if (digits.empty()) return false;
  int64_t v = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return false;
    if (v > (std::numeric_limits<int64_t>::max() - (c - '0')) / 10) return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}

}  // namespace

Result<int64_t> ParseByteSize(std::string_view text) {
  struct Suffix {
    std::string_view name;
    int64_t factor;
  };
  static constexpr Suffix kSuffixes[] = {{"Ki", 1LL << 10}, {"Mi", 1LL << 20}, {"Gi", 1LL << 30},
                                         {"k", 1000},       {"M", 1000000},    {"G", 1000000000}};
  std::string_view digits = text;
  int64_t factor = 1;
  for (const Suffix& s : kSuffixes) {
    if (text.size() > s.name.size() && text.substr(text.size() - s.name.size()) == s.name) {
      digits = text.substr(0, text.size() - s.name.size());
      factor = s.factor;
      break;
    }
  }
  int64_t n = 0;
  if (!ParseCount(digits, &n) || n == 0 || n > std::numeric_limits<int64_t>::max() / factor) {
    return InvalidArgumentError("size \"" + std::string(text) +
                                "\" is not a positive byte count (e.g. 10485760 or 10Mi)");
  }
  return n * factor;
}

Result<DriverArgs> ParseDriverArgs(int argc, const char* const* argv) {
  DriverArgs args;
  bool have_path = false;
  for (int i = 1; i < argc; i += 2) {
    std::string_view key = argv[i];
    std::string_view value = i + 1 < argc ? argv[i + 1] : "";
    if (key == "path") {
      if (value.empty() || value[0] != '/') {
        return InvalidArgumentError("log driver: path \"" + std::string(value) +
                                    "\" is not an absolute path");
      }
      args.path = std::string(value);
      have_path = true;
    } else if (key == "max-size") {
      auto size = ParseByteSize(value);
      if (!size.ok())
        return InvalidArgumentError("log driver: max-size: " + size.status().message());
      args.max_size = *size;
    } else if (key == "max-files") {
      int64_t n = 0;
      if (!ParseCount(value, &n) || n < 1 || n > 1000) {
        return InvalidArgumentError("log driver: max-files \"" + std::string(value) +
                                    "\" is not a number from 1 to 1000");
      }
      args.max_files = static_cast<int>(n);
    } else if (key == "attach" || key == "stdin") {
      if (value.empty() || value[0] != '/') {
        return InvalidArgumentError("log driver: " + std::string(key) + " \"" + std::string(value) +
                                    "\" is not an absolute path");
      }
      (key == "attach" ? args.attach : args.stdin_path) = std::string(value);
    } else if (key == "stdin-once" || key == "tty") {
      if (value != "true" && value != "false") {
        return InvalidArgumentError("log driver: " + std::string(key) + " \"" + std::string(value) +
                                    "\" is not true or false");
      }
      (key == "tty" ? args.tty : args.stdin_once) = value == "true";
    }
    // skiff-log-driver is the marker; other keys are ignored for forward compatibility.
  }
  if (!have_path) return InvalidArgumentError("log driver: no path argument");
  return args;
}

}  // namespace skiff::node::logs
