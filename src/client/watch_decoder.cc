#include "client/watch_decoder.h"

#include "client/api_status.h"

namespace skiff::client {
namespace {

std::string ResourceVersionOf(const json& object) {
  auto meta = object.find("metadata");
  if (meta == object.end() || !meta->is_object()) return {};
  auto rv = meta->find("resourceVersion");
  if (rv == meta->end() || !rv->is_string()) return {};
  return rv->get<std::string>();
}

}  // namespace

bool WatchDecoder::Feed(std::string_view bytes, std::vector<WatchEvent>* events) {
  while (!end_ && !bytes.empty()) {
    const size_t nl = bytes.find('\n');
    const size_t take = nl == std::string_view::npos ? bytes.size() : nl;
    if (partial_.size() + take > max_line_bytes_) {
      end_ = UnavailableError("a watch event is larger than " + std::to_string(max_line_bytes_) +
                              " bytes");
      partial_.clear();
      break;
    }
    if (nl == std::string_view::npos) {
      partial_.append(bytes);
      break;
    }
    if (partial_.empty()) {
      Line(bytes.substr(0, nl), events);
    } else {
      partial_.append(bytes.substr(0, nl));
      std::string line;
      line.swap(partial_);
      Line(line, events);
    }
    bytes.remove_prefix(nl + 1);
  }
  return !end_;
}

void WatchDecoder::Line(std::string_view line, std::vector<WatchEvent>* events) {
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
  if (line.empty()) return;  // keep-alive blank lines
  json doc = json::parse(line, nullptr, /*allow_exceptions=*/false);
  auto type = doc.is_object() ? doc.find("type") : doc.end();
  auto object = doc.is_object() ? doc.find("object") : doc.end();
  if (type == doc.end() || !type->is_string() || object == doc.end() || !object->is_object()) {
    constexpr size_t kExcerpt = 120;
    end_ = UnavailableError("malformed watch event: " + std::string(line.substr(0, kExcerpt)));
    return;
  }
  const std::string& t = type->get_ref<const std::string&>();
  WatchEvent event;
  if (t == "ADDED") {
    event.type = WatchEvent::Type::kAdded;
  } else if (t == "MODIFIED") {
    event.type = WatchEvent::Type::kModified;
  } else if (t == "DELETED") {
    event.type = WatchEvent::Type::kDeleted;
  } else if (t == "BOOKMARK") {
    if (std::string rv = ResourceVersionOf(*object); !rv.empty()) resource_version_ = rv;
    return;
  } else if (t == "ERROR") {
    Status s = StatusFromStatusObject(*object);
    end_ = s.code() == Code::kGone ? s : UnavailableError(s.message());
    return;
  } else {
    end_ = UnavailableError("unknown watch event type \"" + t + "\"");
    return;
  }
  if (std::string rv = ResourceVersionOf(*object); !rv.empty()) resource_version_ = rv;
  event.object = std::move(*object);
  events->push_back(std::move(event));
}

}  // namespace skiff::client
