// Field setters and the flags that `skiff server` and `skiff agent` share, defined once as
// templates over the options type. Private to skiff_cli.
#pragma once

#include <string>
#include <string_view>

#include "cli/flags.h"
#include "cli/values.h"
#include "skiff/apis/eviction_thresholds.h"
#include "skiff/cli/environment.h"
#include "skiff/common/log.h"

namespace skiff::cli {

// Setters: validate `text`, store it, and on failure return only the reason.
Status SetPath(std::string& field, std::string_view text);        // any non-empty path
Status SetText(std::string& field, std::string_view text);        // anything, even ""
Status SetIp(std::string& field, std::string_view text);          // stored canonical
Status SetOptionalIp(std::string& field, std::string_view text);  // "" means unset
Status SetCidr(std::string& field, std::string_view text);        // stored canonical
Status SetNodeName(std::string& field, std::string_view text);    // DNS-1123 subdomain
Status SetLogLevel(log::Level& field, std::string_view text);
Status SetEvictionHard(apis::EvictionThresholds& field, std::string_view text);
Status SetPercent(int& field, std::string_view text);               // 0-100
Status SetPositiveDuration(std::chrono::seconds& field, std::string_view text);  // >= 0, whole s

// "dir/name", without doubling a trailing slash of dir.
std::string JoinPath(std::string_view dir, std::string_view name);

// /var/lib/skiff for root, else $HOME/.skiff; an error when HOME is unknown.
Result<std::string> DefaultDataDir(const Environment& env);

// The lowercased hostname, validated as a node name; the error says to pass --node-name.
Result<std::string> DefaultNodeName(const Environment& env);

// Fills data_dir from DefaultDataDir when no source set it.
template <class O>
Status FillDataDir(const Environment& env, const Provenance& prov, O& o) {
  if (prov.IsSet("data-dir")) return Status::Ok();
  Result<std::string> dir = DefaultDataDir(env);
  if (!dir.ok()) return dir.status();
  o.data_dir = *dir;
  return Status::Ok();
}

// Fills node_name from DefaultNodeName when no source set it.
template <class O>
Status FillNodeName(const Environment& env, const Provenance& prov, O& o) {
  if (prov.IsSet("node-name")) return Status::Ok();
  Result<std::string> name = DefaultNodeName(env);
  if (!name.ok()) return name.status();
  o.node_name = *name;
  return Status::Ok();
}

// --token and --token-file must not both be non-empty.
// kubelet's rule: the low image GC threshold is below the high one.
template <class O>
Status CheckImageGcThresholds(const Provenance& prov, const O& o) {
  if (o.image_gc_low_threshold >= o.image_gc_high_threshold) {
    return InvalidArgumentError(prov.Describe("image-gc-low-threshold") + " (" +
                                std::to_string(o.image_gc_low_threshold) +
                                ") must be less than " + prov.Describe("image-gc-high-threshold") +
                                " (" + std::to_string(o.image_gc_high_threshold) + ")");
  }
  return Status::Ok();
}

template <class O>
Status CheckOneTokenSource(const Provenance& prov, const O& o) {
  if (!o.token.empty() && !o.token_file.empty()) {
    return InvalidArgumentError("only one of " + prov.Describe("token") + " and " +
                                prov.Describe("token-file") + " may be set");
  }
  return Status::Ok();
}

template <class O>
constexpr FlagDef<O> ConfigFlag() {
  return {.name = "config",
          .alias = 'c',
          .value_name = "FILE",
          .usage = "YAML file of settings whose keys are these flag names without dashes",
          .default_doc = "/etc/skiff/config.yaml, read only when it exists",
          .set = [](O& o, std::string_view v) { return SetPath(o.config_file, v); },
          .show = [](const O& o) { return o.config_file; },
          .command_line_only = true};
}

template <class O>
constexpr FlagDef<O> DataDirFlag() {
  return {.name = "data-dir",
          .alias = 'd',
          .value_name = "DIR",
          .usage = "directory for the store, certificates and container state",
          .default_doc = "/var/lib/skiff as root, else $HOME/.skiff",
          .set = [](O& o, std::string_view v) { return SetPath(o.data_dir, v); },
          .show = [](const O& o) { return o.data_dir; }};
}

template <class O>
constexpr FlagDef<O> NodeNameFlag() {
  return {.name = "node-name",
          .value_name = "NAME",
          .usage = "name of this node (a lowercase DNS-1123 subdomain)",
          .default_doc = "the hostname, lowercased",
          .set = [](O& o, std::string_view v) { return SetNodeName(o.node_name, v); },
          .show = [](const O& o) { return o.node_name; }};
}

template <class O>
constexpr FlagDef<O> NodeIpFlag() {
  return {.name = "node-ip",
          .value_name = "IP",
          .usage = "IPv4 or IPv6 address this node advertises",
          .default_doc = "the address of the interface with the default route",
          .set = [](O& o, std::string_view v) { return SetOptionalIp(o.node_ip, v); },
          .show = [](const O& o) { return o.node_ip; }};
}

template <class O>
constexpr FlagDef<O> EvictionHardFlag() {
  return {.name = "eviction-hard",
          .value_name = "LIST",
          .usage = "kubelet's hard eviction thresholds: the node reports memory, disk or PID "
                   "pressure below them and holds them back from its allocatable, e.g. "
                   "memory.available<100Mi,nodefs.available<10% (a list replaces the default)",
          .default_doc = "memory.available<100Mi, nodefs.available<10%, nodefs.inodesFree<5%, "
                         "imagefs.available<15%, imagefs.inodesFree<5%, pid.available<10%",
          .set = [](O& o, std::string_view v) { return SetEvictionHard(o.eviction_hard, v); },
          .show = [](const O& o) { return apis::FormatEvictionHard(o.eviction_hard); }};
}

template <class O>
constexpr FlagDef<O> EvictionPressureTransitionFlag() {
  return {.name = "eviction-pressure-transition-period",
          .value_name = "DURATION",
          .usage = "how long the node keeps reporting memory, disk or PID pressure after it "
                   "last crossed an --eviction-hard threshold, e.g. 5m",
          .set = [](O& o, std::string_view v) {
            return SetPositiveDuration(o.eviction_pressure_transition_period, v);
          },
          .show = [](const O& o) { return FormatDuration(o.eviction_pressure_transition_period); }};
}

template <class O>
constexpr FlagDef<O> ImageGcHighFlag() {
  return {.name = "image-gc-high-threshold",
          .value_name = "PERCENT",
          .usage = "disk usage (percent) at which unused images are garbage-collected; 100 "
                   "turns image garbage collection off",
          .set = [](O& o, std::string_view v) { return SetPercent(o.image_gc_high_threshold, v); },
          .show = [](const O& o) { return std::to_string(o.image_gc_high_threshold); }};
}

template <class O>
constexpr FlagDef<O> ImageGcLowFlag() {
  return {.name = "image-gc-low-threshold",
          .value_name = "PERCENT",
          .usage = "disk usage (percent) image garbage collection brings the disk below; less "
                   "than --image-gc-high-threshold",
          .set = [](O& o, std::string_view v) { return SetPercent(o.image_gc_low_threshold, v); },
          .show = [](const O& o) { return std::to_string(o.image_gc_low_threshold); }};
}

template <class O>
constexpr FlagDef<O> MinimumImageTtlFlag() {
  return {.name = "minimum-image-ttl-duration",
          .value_name = "DURATION",
          .usage = "how long an image stays after it was last pulled or used, however full the "
                   "disk, e.g. 2m",
          .set = [](O& o, std::string_view v) {
            return SetPositiveDuration(o.minimum_image_ttl_duration, v);
          },
          .show = [](const O& o) { return FormatDuration(o.minimum_image_ttl_duration); }};
}

template <class O>
constexpr FlagDef<O> TokenFlag(std::string_view usage) {
  return {.name = "token",
          .alias = 't',
          .value_name = "TOKEN",
          .usage = usage,
          .set = [](O& o, std::string_view v) { return SetText(o.token, v); },
          .show = [](const O& o) { return o.token; }};
}

template <class O>
constexpr FlagDef<O> TokenFileFlag() {
  return {.name = "token-file",
          .value_name = "FILE",
          .usage = "file holding the token (instead of --token)",
          .set = [](O& o, std::string_view v) { return SetPath(o.token_file, v); },
          .show = [](const O& o) { return o.token_file; }};
}

template <class O>
constexpr FlagDef<O> LogLevelFlag() {
  return {.name = "log-level",
          .value_name = "LEVEL",
          .usage = "least severe log level written: debug, info, warning or error",
          .set = [](O& o, std::string_view v) { return SetLogLevel(o.log_level, v); },
          .show = [](const O& o) { return std::string(LogLevelName(o.log_level)); }};
}

}  // namespace skiff::cli
