#include "skiff/apis/eviction_thresholds.h"

#include <charconv>
#include <cmath>
#include <utility>

#include "skiff/apis/quantity.h"

namespace skiff::apis {
namespace {

constexpr std::pair<std::string_view, EvictionSignal> kSignals[] = {
    {"memory.available", EvictionSignal::kMemoryAvailable},
    {"nodefs.available", EvictionSignal::kNodefsAvailable},
    {"nodefs.inodesFree", EvictionSignal::kNodefsInodesFree},
    {"imagefs.available", EvictionSignal::kImagefsAvailable},
    {"imagefs.inodesFree", EvictionSignal::kImagefsInodesFree},
    {"pid.available", EvictionSignal::kPidAvailable},
};

std::string_view SignalName(EvictionSignal s) {
  for (const auto& [name, signal] : kSignals) {
    if (signal == s) return name;
  }
  return "?";
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// One "signal<amount" pair; `disabled` is set when its amount is zero (kubelet: no threshold).
Result<EvictionThreshold> ParsePair(std::string_view pair, bool& disabled) {
  const std::string quoted = "\"" + std::string(pair) + "\"";
  const std::size_t lt = pair.find('<');
  if (lt == std::string_view::npos) {
    return InvalidArgumentError(quoted + " is not signal<amount (only the < operator is "
                                         "supported)");
  }
  const std::string_view name = Trim(pair.substr(0, lt));
  const std::string_view amount = Trim(pair.substr(lt + 1));
  EvictionThreshold t;
  bool known = false;
  for (const auto& [n, signal] : kSignals) {
    if (n == name) {
      t.signal = signal;
      known = true;
    }
  }
  if (!known) {
    std::string names;
    for (const auto& [n, signal] : kSignals) names += (names.empty() ? "" : ", ") + std::string(n);
    return InvalidArgumentError(quoted + ": unsupported signal \"" + std::string(name) +
                                "\" (supported: " + names + ")");
  }
  if (!amount.empty() && amount.back() == '%') {
    const std::string_view number = amount.substr(0, amount.size() - 1);
    double p = 0;
    auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), p);
    if (ec != std::errc() || end != number.data() + number.size() || number.empty() ||
        !std::isfinite(p)) {
      return InvalidArgumentError(quoted + ": \"" + std::string(amount) +
                                  "\" is not a percentage");
    }
    if (p < 0 || p > 100) {
      return InvalidArgumentError(quoted + ": a percentage must be between 0% and 100%");
    }
    disabled = p == 0;
    t.percentage = p;
    return t;
  }
  std::optional<Quantity> q = ParseQuantity(amount);
  if (!q) {
    return InvalidArgumentError(quoted + ": \"" + std::string(amount) +
                                "\" is neither a quantity (e.g. 100Mi) nor a percentage (e.g. 10%)");
  }
  if (q->IsNegative()) return InvalidArgumentError(quoted + ": the amount must not be negative");
  t.quantity = Value(*q);
  disabled = t.quantity == 0;
  return t;
}

}  // namespace

int64_t EvictionThreshold::Amount(int64_t capacity) const {
  if (percentage > 0) {
    return static_cast<int64_t>(std::llround(static_cast<double>(capacity) * percentage / 100));
  }
  return quantity;
}

bool EvictionThreshold::Crossed(int64_t available, int64_t capacity) const {
  return capacity > 0 && available < Amount(capacity);
}

Result<EvictionThresholds> ParseEvictionHard(std::string_view text) {
  EvictionThresholds out;
  if (Trim(text).empty()) return out;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t comma = text.find(',', start);
    if (comma == std::string_view::npos) comma = text.size();
    const std::string_view pair = Trim(text.substr(start, comma - start));
    start = comma + 1;
    if (pair.empty()) return InvalidArgumentError("has an empty threshold between commas");
    bool disabled = false;
    Result<EvictionThreshold> t = ParsePair(pair, disabled);
    if (!t.ok()) return t.status();
    if (FindThreshold(out, t->signal) != nullptr) {
      return InvalidArgumentError("names the signal " + std::string(SignalName(t->signal)) +
                                  " twice");
    }
    // kubelet's rule: a zero threshold switches the signal off.
    if (!disabled) out.push_back(*t);
  }
  return out;
}

EvictionThresholds DefaultEvictionThresholds() {
  Result<EvictionThresholds> t = ParseEvictionHard(kDefaultEvictionHard);
  return t.ok() ? *t : EvictionThresholds();
}

std::string FormatEvictionHard(const EvictionThresholds& thresholds) {
  std::string out;
  for (const EvictionThreshold& t : thresholds) {
    if (!out.empty()) out += ',';
    out += std::string(SignalName(t.signal)) + '<';
    if (t.percentage > 0) {
      char buf[32];
      auto [end, ec] = std::to_chars(buf, buf + sizeof buf, t.percentage);
      out.append(buf, ec == std::errc() ? end : buf);
      out += '%';
    } else {
      Quantity q;
      q.mantissa = t.quantity;
      q.format = Quantity::Format::kBinarySI;
      out += CanonicalString(q);
    }
  }
  return out;
}

const EvictionThreshold* FindThreshold(const EvictionThresholds& thresholds,
                                       EvictionSignal signal) {
  for (const EvictionThreshold& t : thresholds) {
    if (t.signal == signal) return &t;
  }
  return nullptr;
}

}  // namespace skiff::apis
