#include "cli/common_flags.h"

#include <charconv>

#include "skiff/cli/ip.h"

namespace skiff::cli {

Status SetPath(std::string& field, std::string_view text) {
  if (text.empty()) return InvalidArgumentError("must not be empty");
  field = std::string(text);
  return Status::Ok();
}

Status SetText(std::string& field, std::string_view text) {
  field = std::string(text);
  return Status::Ok();
}

Status SetIp(std::string& field, std::string_view text) {
  Result<IpAddress> ip = ParseIpAddress(text);
  if (!ip.ok()) return ip.status();
  field = ip->ToString();
  return Status::Ok();
}

Status SetOptionalIp(std::string& field, std::string_view text) {
  if (text.empty()) {
    field.clear();
    return Status::Ok();
  }
  return SetIp(field, text);
}

Status SetCidr(std::string& field, std::string_view text) {
  Result<IpPrefix> prefix = ParseCidr(text);
  if (!prefix.ok()) return prefix.status();
  field = prefix->ToString();
  return Status::Ok();
}

Status SetNodeName(std::string& field, std::string_view text) {
  if (Status s = CheckDns1123Subdomain(text); !s.ok()) return s;
  field = std::string(text);
  return Status::Ok();
}

Status SetLogLevel(log::Level& field, std::string_view text) {
  Result<log::Level> level = ParseLogLevel(text);
  if (!level.ok()) return level.status();
  field = *level;
  return Status::Ok();
}

Status SetEvictionHard(apis::EvictionThresholds& field, std::string_view text) {
  Result<apis::EvictionThresholds> t = apis::ParseEvictionHard(text);
  if (!t.ok()) return t.status();
  field = std::move(*t);
  return Status::Ok();
}

Status SetPercent(int& field, std::string_view text) {
  int value = -1;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || value < 0 || value > 100) {
    return InvalidArgumentError("must be a whole percentage from 0 to 100");
  }
  field = value;
  return Status::Ok();
}

Status SetPositiveDuration(std::chrono::seconds& field, std::string_view text) {
  Result<std::chrono::nanoseconds> d = ParseDuration(text);
  if (!d.ok()) return d.status();
  if (d->count() < 0) return InvalidArgumentError("must not be negative");
  field = std::chrono::duration_cast<std::chrono::seconds>(*d);
  return Status::Ok();
}

std::string JoinPath(std::string_view dir, std::string_view name) {
  std::string out(dir);
  if (out.empty() || out.back() != '/') out += '/';
  return out + std::string(name);
}

Result<std::string> DefaultDataDir(const Environment& env) {
  if (env.is_root()) return std::string("/var/lib/skiff");
  if (env.home.empty()) {
    return InvalidArgumentError(
        "cannot choose a default for --data-dir: HOME is not set and skiff is not running as "
        "root; pass --data-dir");
  }
  return JoinPath(env.home, ".skiff");
}

Result<std::string> DefaultNodeName(const Environment& env) {
  std::string name = env.hostname;
  for (char& c : name) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  if (name.empty()) {
    return InvalidArgumentError(
        "cannot choose a default for --node-name: the hostname is empty; pass --node-name");
  }
  if (Status s = CheckDns1123Subdomain(name); !s.ok()) {
    return InvalidArgumentError("cannot use the hostname \"" + env.hostname +
                                "\" as the node name: " + s.message() + "; pass --node-name");
  }
  return name;
}

}  // namespace skiff::cli
