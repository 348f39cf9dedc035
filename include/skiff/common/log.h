// Structured log lines on stderr: "TIME LEVEL component: message key=value ...".
//
// Under systemd (JOURNAL_STREAM set) the time is left to the journal and each line starts with a
// syslog priority prefix ("<6>") so journalctl shows levels. Every function is thread-safe: one
// line is one write(2).
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

namespace skiff::log {

enum class Level { kDebug = 0, kInfo, kWarning, kError };

void SetLevel(Level level);
Level GetLevel();
// Accepts debug, info, warning (or warn), error. Returns false for anything else.
bool ParseLevel(std::string_view text, Level* out);

struct Field {
  std::string_view key;
  std::string value;
};

void Write(Level level, std::string_view component, std::string_view message,
           std::initializer_list<Field> fields = {});

inline void Debug(std::string_view c, std::string_view m, std::initializer_list<Field> f = {}) {
  Write(Level::kDebug, c, m, f);
}
inline void Info(std::string_view c, std::string_view m, std::initializer_list<Field> f = {}) {
  Write(Level::kInfo, c, m, f);
}
inline void Warning(std::string_view c, std::string_view m, std::initializer_list<Field> f = {}) {
  Write(Level::kWarning, c, m, f);
}
inline void Error(std::string_view c, std::string_view m, std::initializer_list<Field> f = {}) {
  Write(Level::kError, c, m, f);
}

}  // namespace skiff::log
