#include "log_tail.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <string>

namespace skiff::node::logs {
namespace {

constexpr int64_t kBlock = 64 * 1024;

Status ReadAt(const LogSource& source, int64_t offset, size_t size, char* out, size_t* got) {
  *got = 0;
  while (*got < size) {
    ssize_t n =
        ::pread(source.fd.get(), out + *got, size - *got, offset + static_cast<int64_t>(*got));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      return UnavailableError("cannot read log file " + source.path + ": " + std::strerror(errno));
    }
    if (n == 0) break;
    *got += static_cast<size_t>(n);
  }
  return Status::Ok();
}

}  // namespace

Result<TailStart> FindTailStart(const std::vector<LogSource>& sources, int64_t lines,
                                std::optional<LogStream> stream) {
  std::unique_ptr<char[]> block(new char[kBlock]);
  char head[kCriHeaderMax];
  int64_t found = 0;
  for (size_t i = sources.size(); i-- > 0;) {
    const LogSource& src = sources[i];
    int64_t size = FileSize(src);
    int64_t rec_end = size;  // end of the record being assembled ('\n' position or EOF)
    int64_t lo = size;       // the block covers [lo, lo + len)
    size_t len = 0;

    // Looks at record [a, b); returns true when it is where the tail starts.
    auto is_start = [&](int64_t a, int64_t b) -> Result<bool> {
      size_t want = static_cast<size_t>(std::min<int64_t>(b - a, kCriHeaderMax));
      std::string_view record;
      if (a >= lo && a + static_cast<int64_t>(want) <= lo + static_cast<int64_t>(len)) {
        record = std::string_view(block.get() + (a - lo), want);
      } else {
        size_t got = 0;
        if (Status s = ReadAt(src, a, want, head, &got); !s.ok()) return s;
        record = std::string_view(head, got);
      }
      auto entry = ParseCriEntry(record);
      if (!entry || entry->partial || (stream && entry->stream != *stream)) return false;
      if (found == lines) return true;
      ++found;
      return false;
    };

    while (lo > 0) {
      int64_t new_lo = std::max<int64_t>(0, lo - kBlock);
      size_t got = 0;
      if (Status s = ReadAt(src, new_lo, static_cast<size_t>(lo - new_lo), block.get(), &got);
          !s.ok()) {
        return s;
      }
      if (got != static_cast<size_t>(lo - new_lo)) {
        return UnavailableError("log file " + src.path + " shrank while reading it");
      }
      lo = new_lo;
      len = got;
      // Every '\n' in the block ends the record before rec_end.
      const char* base = block.get();
      size_t scan = len;
      while (const void* hit = ::memrchr(base, '\n', scan)) {
        size_t at = static_cast<size_t>(static_cast<const char*>(hit) - base);
        int64_t nl = lo + static_cast<int64_t>(at);
        auto start = is_start(nl + 1, rec_end);
        if (!start.ok()) return start.status();
        if (*start) return TailStart{i, std::min(rec_end + 1, size)};
        rec_end = nl;
        scan = at;
      }
    }
    auto start = is_start(0, rec_end);
    if (!start.ok()) return start.status();
    if (*start) return TailStart{i, std::min(rec_end + 1, size)};
  }
  return TailStart{0, 0};
}

}  // namespace skiff::node::logs
