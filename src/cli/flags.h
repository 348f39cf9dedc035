// Table-driven flags, private to skiff_cli. One FlagDef per setting is the single definition from
// which the command-line parser, the config-file keys and the help text are all derived.
#pragma once

#include <algorithm>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cli/config_file.h"
#include "skiff/cli/environment.h"
#include "skiff/common/status.h"

namespace skiff::cli {

// Where a setting's value came from.
struct Origin {
  enum class Kind { kDefault, kCommandLine, kConfigFile };
  Kind kind = Kind::kDefault;
  std::string file;  // kConfigFile only
  int line = 0;      // kConfigFile only
};

// The message for a value rejected with `reason`, naming its source:
//   invalid value "V" for flag --NAME: REASON               (command line)
//   FILE:LINE: invalid value "V" for key "NAME": REASON     (config file)
//   invalid default value "V" for --NAME: REASON            (built-in default)
std::string BadValueMessage(const Origin& origin, std::string_view flag, std::string_view value,
                            std::string_view reason);

// Remembers where each flag's value came from, for errors found after all sources are merged.
class Provenance {
 public:
  void Record(std::string_view flag, Origin origin);
  bool IsSet(std::string_view flag) const;
  Origin Of(std::string_view flag) const;  // kDefault when never set
  // InvalidArgument with BadValueMessage for the flag's recorded origin.
  Status BadValue(std::string_view flag, std::string_view value, std::string_view reason) const;
  // "--NAME (from the command line)" or "--NAME (from FILE:LINE)" or "--NAME (default)".
  std::string Describe(std::string_view flag) const;

 private:
  std::map<std::string, Origin, std::less<>> origins_;
};

// The candidate closest to `wrong` by edit distance (with transpositions), or "" when none is
// close enough to be a likely typo.
std::string_view ClosestName(std::string_view wrong, const std::vector<std::string_view>& names);

// Two aligned columns, the right one word-wrapped so that lines stay within 100 characters. In
// the right column '\x01' is printed as a space but never breaks the line.
std::string FormatHelpRows(const std::vector<std::pair<std::string, std::string>>& rows);

// One flag of options type O. Tables of FlagDef are constexpr arrays of plain data.
template <class O>
struct FlagDef {
  std::string_view name;        // long name without dashes; also the config-file key
  char alias = 0;               // one-letter alias (-d), or 0
  std::string_view value_name;  // placeholder in help ("DIR"); empty marks a boolean flag
  std::string_view usage;       // one line for the help text
  // Shown as the default in help when the default depends on the environment or other flags;
  // when empty, help shows show() of a default-constructed O.
  std::string_view default_doc;
  // Parses `text` into the options; on failure returns InvalidArgument whose message is only the
  // reason ("must be ...").
  Status (*set)(O&, std::string_view text) = nullptr;
  std::string (*show)(const O&) = nullptr;  // the current value as text
  bool command_line_only = false;           // not accepted as a config-file key (--config)

  bool is_bool() const { return value_name.empty(); }
};

// One value for one flag from one source, not yet applied.
template <class O>
struct Setting {
  const FlagDef<O>* flag = nullptr;
  std::string value;
  Origin origin;
};

// The flags of one command ("skiff server"). Holds only views: the table must outlive it.
template <class O>
class FlagSet {
 public:
  FlagSet(std::string_view command, std::span<const FlagDef<O>> flags)
      : command_(command), flags_(flags) {}

  // Config-file keys that belong to another command sharing the file (the agent reads the
  // server's config.yaml, as in k3s): skipped instead of rejected. Must outlive the set.
  FlagSet& IgnoringFileKeys(bool (*known_elsewhere)(std::string_view key)) {
    known_elsewhere_ = known_elsewhere;
    return *this;
  }

  const FlagDef<O>* Find(std::string_view name) const {
    for (const FlagDef<O>& f : flags_) {
      if (f.name == name) return &f;
    }
    return nullptr;
  }

  // Splits arguments into settings. Errors: unknown flag, missing value, positional argument.
  // With `positional`, positional arguments (and everything after "--") are appended to it
  // instead of being errors.
  Result<std::vector<Setting<O>>> ScanArgs(const std::vector<std::string>& args,
                                           std::vector<std::string>* positional = nullptr) const {
    std::vector<Setting<O>> out;
    for (std::size_t i = 0; i < args.size(); ++i) {
      const std::string& arg = args[i];
      if (arg == "--") {
        if (positional == nullptr && i + 1 < args.size()) return Unexpected(args[i + 1]);
        if (positional != nullptr) {
          positional->insert(positional->end(), args.begin() + i + 1, args.end());
        }
        break;
      }
      if (arg.size() < 2 || arg[0] != '-') {
        if (positional == nullptr) return Unexpected(arg);
        positional->push_back(arg);
        continue;
      }
      bool long_form = arg[1] == '-';
      std::string_view body = std::string_view(arg).substr(long_form ? 2 : 1);
      std::size_t eq = body.find('=');
      std::string_view name = body.substr(0, eq);
      const FlagDef<O>* flag = long_form ? Find(name) : FindAlias(name);
      if (flag == nullptr) {
        return InvalidArgumentError("unknown flag \"" + std::string(long_form ? "--" : "-") +
                                    std::string(name) + "\" for \"" + command_ + "\"" +
                                    Suggest(name, "--"));
      }
      Setting<O> s{flag, "", Origin{Origin::Kind::kCommandLine}};
      if (eq != std::string_view::npos) {
        s.value = std::string(body.substr(eq + 1));
      } else if (flag->is_bool()) {
        s.value = "true";
      } else if (i + 1 < args.size() && !LooksLikeFlag(args[i + 1])) {
        s.value = args[++i];
      } else {
        return InvalidArgumentError("flag --" + std::string(flag->name) + " needs a value");
      }
      out.push_back(std::move(s));
    }
    return out;
  }

  // Turns config-file entries into settings. Errors name FILE:LINE and the key.
  Result<std::vector<Setting<O>>> FromConfig(const ConfigFile& file) const {
    std::vector<Setting<O>> out;
    for (const ConfigEntry& e : file.entries) {
      std::string at = file.path + ":" + std::to_string(e.line) + ": ";
      const FlagDef<O>* flag = Find(e.key);
      if (flag == nullptr && known_elsewhere_ != nullptr && known_elsewhere_(e.key)) continue;
      if (flag == nullptr) {
        return InvalidArgumentError(at + "unknown key \"" + e.key + "\"" + Suggest(e.key, ""));
      }
      if (flag->command_line_only) {
        return InvalidArgumentError(at + "key \"" + e.key + "\" is only valid on the command line");
      }
      switch (e.kind) {
        case ConfigEntry::Kind::kScalar:
          break;
        case ConfigEntry::Kind::kNull:
          return InvalidArgumentError(at + "key \"" + e.key + "\" has no value");
        case ConfigEntry::Kind::kSequence:
        case ConfigEntry::Kind::kMap:
          return InvalidArgumentError(at + "key \"" + e.key + "\" must be a single value, got a " +
                                      (e.kind == ConfigEntry::Kind::kMap ? "mapping" : "sequence"));
      }
      std::string value = e.value;
      if (flag->is_bool() && e.yaml_bool.has_value()) value = *e.yaml_bool ? "true" : "false";
      out.push_back({flag, std::move(value), Origin{Origin::Kind::kConfigFile, file.path, e.line}});
    }
    return out;
  }

  // Stores each setting in order (later ones win) and records its origin.
  static Status Apply(const std::vector<Setting<O>>& settings, O& opts, Provenance& prov) {
    for (const Setting<O>& s : settings) {
      if (Status st = s.flag->set(opts, s.value); !st.ok()) {
        return InvalidArgumentError(BadValueMessage(s.origin, s.flag->name, s.value, st.message()));
      }
      prov.Record(s.flag->name, s.origin);
    }
    return Status::Ok();
  }

  // Merges defaults (already in `opts`), the config file and the command line into `opts`.
  // The config file is --config when given, else env.config_path when it exists; opts.config_file
  // is set to the file read (or cleared). `positional` as for ScanArgs.
  Status Load(const std::vector<std::string>& args, const Environment& env, O& opts,
              Provenance& prov, std::vector<std::string>* positional = nullptr) const {
    Result<std::vector<Setting<O>>> cmdline = ScanArgs(args, positional);
    if (!cmdline.ok()) return cmdline.status();
    std::vector<Setting<O>> first, rest;  // command-line-only settings (--config) go first
    for (Setting<O>& s : *cmdline) (s.flag->command_line_only ? first : rest).push_back(s);
    opts.config_file.clear();
    if (Status st = Apply(first, opts, prov); !st.ok()) return st;
    bool given = prov.IsSet("config");
    if (!given && ConfigFileExists(env.config_path)) opts.config_file = env.config_path;
    if (!opts.config_file.empty()) {
      Result<ConfigFile> file =
          LoadConfigFile(opts.config_file, given ? " (given by --config)" : "");
      if (!file.ok()) return file.status();
      Result<std::vector<Setting<O>>> from_file = FromConfig(*file);
      if (!from_file.ok()) return from_file.status();
      if (Status st = Apply(*from_file, opts, prov); !st.ok()) return st;
    }
    return Apply(rest, opts, prov);
  }

  // The "Flags:" section of the help text: one line per flag with its default.
  std::string Help() const {
    const O defaults{};
    std::vector<std::pair<std::string, std::string>> rows;
    for (const FlagDef<O>& f : flags_) {
      std::string left = f.alias != 0 ? std::string("-") + f.alias + ", " : "    ";
      left += "--" + std::string(f.name);
      if (!f.is_bool()) left += " " + std::string(f.value_name);
      std::string def = f.default_doc.empty() ? f.show(defaults) : std::string(f.default_doc);
      if (def.empty()) def = "none";
      // '\x01' is a space that does not break: "(default: X)" wraps as one word.
      rows.emplace_back(std::move(left), std::string(f.usage) + " (default:\x01" + def + ")");
    }
    return FormatHelpRows(rows);
  }

  std::span<const FlagDef<O>> flags() const { return flags_; }

 private:
  const FlagDef<O>* FindAlias(std::string_view name) const {
    if (name.size() != 1) return nullptr;
    for (const FlagDef<O>& f : flags_) {
      if (f.alias != 0 && f.alias == name[0]) return &f;
    }
    return nullptr;
  }

  static bool LooksLikeFlag(const std::string& arg) { return arg.size() > 1 && arg[0] == '-'; }

  Status Unexpected(const std::string& arg) const {
    return InvalidArgumentError("unexpected argument \"" + arg + "\" for \"" + command_ +
                                "\" (it takes only flags)");
  }

  // " (did you mean "--data-dir"?)" for a likely typo, else "".
  std::string Suggest(std::string_view wrong, std::string_view prefix) const {
    std::vector<std::string_view> names;
    for (const FlagDef<O>& f : flags_) names.push_back(f.name);
    std::string_view best = ClosestName(wrong, names);
    if (best.empty()) return "";
    return " (did you mean \"" + std::string(prefix) + std::string(best) + "\"?)";
  }

  std::string command_;
  std::span<const FlagDef<O>> flags_;
  bool (*known_elsewhere_)(std::string_view) = nullptr;
};

}  // namespace skiff::cli
