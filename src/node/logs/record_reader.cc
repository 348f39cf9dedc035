#include "record_reader.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace skiff::node::logs {
namespace {
constexpr size_t kChunk = 64 * 1024;
}  // namespace

RecordReader::RecordReader() : buf_(new char[kChunk]) {}

Result<int64_t> RecordReader::ReadAvailable(LogSource& source, const RecordFn& fn) {
  int64_t total = 0;
  for (;;) {
    ssize_t n = ::pread(source.fd.get(), buf_.get(), kChunk, source.offset);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      return UnavailableError("cannot read log file " + source.path + ": " + std::strerror(errno));
    }
    if (n == 0) return total;
    source.offset += n;
    total += n;
    std::string_view data(buf_.get(), static_cast<size_t>(n));
    while (!data.empty()) {
      const void* hit = std::memchr(data.data(), '\n', data.size());
      if (hit == nullptr) {
        if (!skipping_ && carry_.size() + data.size() > kMaxRecord) {
          skipping_ = true;
          carry_.clear();
          carry_.shrink_to_fit();
        }
        if (!skipping_) carry_.append(data);
        break;
      }
      size_t nl = static_cast<size_t>(static_cast<const char*>(hit) - data.data());
      std::string_view piece = data.substr(0, nl);
      data.remove_prefix(nl + 1);
      if (skipping_) {
        skipping_ = false;
        continue;
      }
      bool more;
      if (carry_.empty()) {
        more = fn(piece);
      } else if (carry_.size() + piece.size() > kMaxRecord) {
        carry_.clear();
        more = true;
      } else {
        carry_.append(piece);
        more = fn(carry_);
        carry_.clear();
      }
      if (!more) return total;
    }
  }
}

bool RecordReader::Finish(const RecordFn& fn) {
  bool skipped = skipping_;
  skipping_ = false;
  if (carry_.empty() || skipped) {
    carry_.clear();
    return true;
  }
  std::string record = std::move(carry_);
  carry_.clear();
  return fn(record);
}

}  // namespace skiff::node::logs
