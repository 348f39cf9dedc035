#include "line_splitter.h"

#include <cstring>

namespace skiff::node::logs {

void LineSplitter::Feed(std::string_view data, const PieceFn& emit) {
  while (!data.empty()) {
    size_t room = max_piece_ - pending_.size();
    // A newline within the first room+1 bytes ends the line inside this piece.
    size_t scan = std::min(data.size(), room + 1);
    const void* hit = std::memchr(data.data(), '\n', scan);
    if (hit != nullptr) {
      size_t nl = static_cast<size_t>(static_cast<const char*>(hit) - data.data());
      if (pending_.empty()) {
        emit(false, data.substr(0, nl));
      } else {
        pending_.append(data.data(), nl);
        emit(false, pending_);
        pending_.clear();
      }
      data.remove_prefix(nl + 1);
      continue;
    }
    if (data.size() > room) {
      // max_piece_ bytes without a newline, and more of the line follows: a partial piece.
      if (pending_.empty()) {
        emit(true, data.substr(0, room));
      } else {
        pending_.append(data.data(), room);
        emit(true, pending_);
        pending_.clear();
      }
      data.remove_prefix(room);
      continue;
    }
    pending_.append(data);
    return;
  }
}

void LineSplitter::Finish(const PieceFn& emit) {
  if (pending_.empty()) return;
  emit(false, pending_);
  pending_.clear();
}

}  // namespace skiff::node::logs
