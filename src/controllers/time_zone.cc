#include "controllers/time_zone.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

namespace skiff::controllers {
namespace {

Status Malformed() { return InvalidArgumentError("malformed time zone information"); }

class Reader {
 public:
  explicit Reader(std::string_view data) : data_(data) {}
  bool Skip(size_t n) {
    if (data_.size() - pos_ < n) return false;
    pos_ += n;
    return true;
  }
  std::optional<int64_t> BigEndian(size_t n) {
    if (data_.size() - pos_ < n) return std::nullopt;
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i) v = (v << 8) | static_cast<uint8_t>(data_[pos_ + i]);
    pos_ += n;
    if (n == 4) return static_cast<int32_t>(static_cast<uint32_t>(v));
    return static_cast<int64_t>(v);
  }
  std::optional<std::string_view> Bytes(size_t n) {
    if (data_.size() - pos_ < n) return std::nullopt;
    std::string_view out = data_.substr(pos_, n);
    pos_ += n;
    return out;
  }
  std::string_view Rest() const { return data_.substr(pos_); }

 private:
  std::string_view data_;
  size_t pos_ = 0;
};

struct Header {
  char version = 0;
  int64_t isutcnt = 0, isstdcnt = 0, leapcnt = 0, timecnt = 0, typecnt = 0, charcnt = 0;
};

std::optional<Header> ReadHeader(Reader& r) {
  auto magic = r.Bytes(4);
  if (!magic || *magic != "TZif") return std::nullopt;
  auto version = r.Bytes(1);
  if (!version || !r.Skip(15)) return std::nullopt;
  Header h;
  h.version = (*version)[0];
  int64_t* fields[] = {&h.isutcnt, &h.isstdcnt, &h.leapcnt, &h.timecnt, &h.typecnt, &h.charcnt};
  for (int64_t* f : fields) {
    auto v = r.BigEndian(4);
    if (!v || *v < 0 || *v > (1 << 20)) return std::nullopt;
    *f = *v;
  }
  return h;
}

// The bytes of a regular file (not a directory such as "Europe"), or nullopt.
std::optional<std::string> ReadFile(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return std::nullopt;
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return std::move(out).str();
}

}  // namespace

TimeZone::TimeZone(std::string name, std::vector<Offset> types, std::vector<int64_t> transitions,
                   std::vector<uint8_t> transition_types, std::shared_ptr<const Rule> footer)
    : name_(std::move(name)),
      types_(std::move(types)),
      transitions_(std::move(transitions)),
      transition_type_(std::move(transition_types)),
      footer_(std::move(footer)) {
  if (types_.empty()) types_.push_back({0, false, "UTC"});
}

std::shared_ptr<const TimeZone> TimeZone::Utc() {
  static const auto kUtc =
      std::make_shared<const TimeZone>("UTC", std::vector<Offset>{{0, false, "UTC"}},
                                       std::vector<int64_t>{}, std::vector<uint8_t>{}, nullptr);
  return kUtc;
}

TimeZone::Offset TimeZone::Lookup(int64_t unix_seconds) const {
  if (transitions_.empty() || unix_seconds < transitions_.front()) {
    // Go's lookupFirstZone: the first type if no transition uses it; else, when the first
    // transition is to DST, the nearest standard type before it; else the first standard one.
    const bool first_used =
        std::find(transition_type_.begin(), transition_type_.end(), 0) != transition_type_.end();
    if (!first_used) return types_[0];
    if (!transition_type_.empty() && types_[transition_type_[0]].dst) {
      for (int i = transition_type_[0] - 1; i >= 0; --i) {
        if (!types_[i].dst) return types_[i];
      }
    }
    for (const Offset& o : types_) {
      if (!o.dst) return o;
    }
    return types_[0];
  }
  const auto it = std::upper_bound(transitions_.begin(), transitions_.end(), unix_seconds);
  const size_t index = static_cast<size_t>(it - transitions_.begin()) - 1;
  if (index + 1 == transitions_.size() && footer_) return LookupPosixTz(*footer_, unix_seconds);
  return types_[transition_type_[index]];
}

Result<std::shared_ptr<const TimeZone>> TimeZone::FromTzif(std::string name,
                                                           std::string_view data) {
  Reader r(data);
  auto h = ReadHeader(r);
  if (!h) return Malformed();
  size_t time_size = 4;
  if (h->version != '\0') {  // skip the 32-bit block: version 2+ repeats it with 64-bit times
    const int64_t v1 =
        h->timecnt * 5 + h->typecnt * 6 + h->charcnt + h->leapcnt * 8 + h->isstdcnt + h->isutcnt;
    if (!r.Skip(static_cast<size_t>(v1))) return Malformed();
    h = ReadHeader(r);
    if (!h) return Malformed();
    time_size = 8;
  }
  if (h->typecnt < 1) return Malformed();
  std::vector<int64_t> transitions;
  for (int64_t i = 0; i < h->timecnt; ++i) {
    auto t = r.BigEndian(time_size);
    if (!t || (!transitions.empty() && *t <= transitions.back())) return Malformed();
    transitions.push_back(*t);
  }
  std::vector<uint8_t> indices;
  for (int64_t i = 0; i < h->timecnt; ++i) {
    auto idx = r.BigEndian(1);
    if (!idx || *idx >= h->typecnt) return Malformed();
    indices.push_back(static_cast<uint8_t>(*idx));
  }
  struct RawType {
    int32_t offset;
    bool dst;
    size_t abbr;
  };
  std::vector<RawType> raw;
  for (int64_t i = 0; i < h->typecnt; ++i) {
    auto off = r.BigEndian(4);
    auto dst = r.BigEndian(1);
    auto abbr = r.BigEndian(1);
    if (!off || !dst || !abbr || *abbr >= std::max<int64_t>(h->charcnt, 1)) return Malformed();
    raw.push_back({static_cast<int32_t>(*off), *dst != 0, static_cast<size_t>(*abbr)});
  }
  auto chars = r.Bytes(static_cast<size_t>(h->charcnt));
  if (!chars) return Malformed();
  std::vector<Offset> types;
  for (const RawType& t : raw) {
    std::string_view rest = chars->substr(std::min(t.abbr, chars->size()));
    types.push_back({t.offset, t.dst, std::string(rest.substr(0, rest.find('\0')))});
  }
  std::shared_ptr<const Rule> footer;
  if (time_size == 8 &&
      r.Skip(static_cast<size_t>(h->leapcnt * (time_size + 4) + h->isstdcnt + h->isutcnt))) {
    std::string_view rest = r.Rest();
    if (rest.size() >= 2 && rest[0] == '\n') {
      const size_t nl = rest.find('\n', 1);
      if (nl != std::string_view::npos && nl > 1) footer = ParsePosixTz(rest.substr(1, nl - 1));
    }
  }
  return std::shared_ptr<const TimeZone>(
      std::make_shared<const TimeZone>(std::move(name), std::move(types), std::move(transitions),
                                       std::move(indices), std::move(footer)));
}

Result<std::shared_ptr<const TimeZone>> TimeZone::Load(std::string_view name,
                                                       const std::string& dir) {
  if (name.empty() || name == "UTC") return Utc();
  if (name.find("..") != std::string_view::npos || name[0] == '/' || name[0] == '\\') {
    return InvalidArgumentError("time: invalid location name");
  }
  auto data = ReadFile(dir + "/" + std::string(name));
  if (!data) return InvalidArgumentError("unknown time zone " + std::string(name));
  return FromTzif(std::string(name), *data);
}

std::shared_ptr<const TimeZone> TimeZone::Local(const std::string& dir) {
  const char* tz = std::getenv("TZ");  // NOLINT(concurrency-mt-unsafe): read only
  std::optional<std::string> data;
  if (tz == nullptr) {
    data = ReadFile("/etc/localtime");
  } else {
    std::string_view name(tz);
    if (!name.empty() && name[0] == ':') name.remove_prefix(1);
    if (name.empty() || name == "UTC") return Utc();
    if (name[0] == '/') {
      data = ReadFile(std::string(name));
    } else if (name.find("..") == std::string_view::npos) {
      data = ReadFile(dir + "/" + std::string(name));
    }
  }
  if (!data) return Utc();
  auto zone = FromTzif("Local", *data);
  return zone.ok() ? *zone : Utc();
}

}  // namespace skiff::controllers
