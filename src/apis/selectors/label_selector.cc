// LabelRequirement and LabelSelector: construction, validation, matching and string forms.
#include <algorithm>
#include <set>

#include "apis/selectors/go_text.h"
#include "apis/selectors/label_internal.h"
#include "skiff/apis/selector.h"
#include "skiff/common/go_quote.h"
#include "skiff/common/string_util.h"

namespace skiff::apis {

using selectors_internal::InvalidValueError;
using selectors_internal::InvalidValuesError;
using selectors_internal::LabelKeyError;
using selectors_internal::LabelValueErrors;
using selectors_internal::ParseInt64;
using selectors_internal::QualifiedNameErrors;

namespace selectors_internal {

std::optional<std::string> LabelKeyError(std::string_view key, std::string_view path) {
  std::vector<std::string> errs = QualifiedNameErrors(key);
  if (errs.empty()) return std::nullopt;
  return InvalidValueError(path, key, Join(errs, "; "));
}

void SortByKey(std::vector<LabelRequirement>& requirements) {
  std::stable_sort(
      requirements.begin(), requirements.end(),
      [](const LabelRequirement& a, const LabelRequirement& b) { return a.key() < b.key(); });
}

}  // namespace selectors_internal

namespace {

// Looks a label up: nullopt when absent. Non-string values (never valid in Kubernetes) are
// compared by their JSON text.
std::optional<std::string> LookupLabel(const nlohmann::json& labels, const std::string& key) {
  if (!labels.is_object()) return std::nullopt;
  auto it = labels.find(key);
  if (it == labels.end()) return std::nullopt;
  if (it->is_string()) return it->get<std::string>();
  return it->dump();
}

std::vector<std::string> SortedUnique(const std::vector<std::string>& values) {
  std::set<std::string> set(values.begin(), values.end());
  return {set.begin(), set.end()};
}

}  // namespace

std::string_view SelectorOperatorName(SelectorOperator op) {
  switch (op) {
    case SelectorOperator::kIn:
      return "in";
    case SelectorOperator::kNotIn:
      return "notin";
    case SelectorOperator::kEquals:
      return "=";
    case SelectorOperator::kDoubleEquals:
      return "==";
    case SelectorOperator::kNotEquals:
      return "!=";
    case SelectorOperator::kExists:
      return "exists";
    case SelectorOperator::kDoesNotExist:
      return "!";
    case SelectorOperator::kGreaterThan:
      return "gt";
    case SelectorOperator::kLessThan:
      return "lt";
  }
  return "";
}

Result<LabelRequirement> LabelRequirement::Create(std::string key, SelectorOperator op,
                                                  std::vector<std::string> values) {
  std::vector<std::string> errs;
  if (auto e = LabelKeyError(key, "key")) errs.push_back(*e);
  switch (op) {
    case SelectorOperator::kIn:
    case SelectorOperator::kNotIn:
      if (values.empty()) {
        errs.push_back(InvalidValuesError(
            "values", values, "for 'in', 'notin' operators, values set can't be empty"));
      }
      break;
    case SelectorOperator::kEquals:
    case SelectorOperator::kDoubleEquals:
    case SelectorOperator::kNotEquals:
      if (values.size() != 1) {
        errs.push_back(InvalidValuesError("values", values,
                                          "exact-match compatibility requires one single value"));
      }
      break;
    case SelectorOperator::kExists:
    case SelectorOperator::kDoesNotExist:
      if (!values.empty()) {
        errs.push_back(InvalidValuesError(
            "values", values, "values set must be empty for exists and does not exist"));
      }
      break;
    case SelectorOperator::kGreaterThan:
    case SelectorOperator::kLessThan:
      if (values.size() != 1) {
        errs.push_back(InvalidValuesError(
            "values", values, "for 'Gt', 'Lt' operators, exactly one value is required"));
      }
      for (size_t i = 0; i < values.size(); ++i) {
        if (!ParseInt64(values[i])) {
          errs.push_back(
              InvalidValueError("values[" + std::to_string(i) + "]", values[i],
                                "for 'Gt', 'Lt' operators, the value must be an integer"));
        }
      }
      break;
  }
  for (size_t i = 0; i < values.size(); ++i) {
    std::vector<std::string> value_errs = LabelValueErrors(values[i]);
    if (!value_errs.empty()) {
      errs.push_back(InvalidValueError("values[" + std::to_string(i) + "][" + key + "]", values[i],
                                       Join(value_errs, "; ")));
    }
  }
  if (!errs.empty()) return InvalidArgumentError(AggregateMessages(errs));
  return LabelRequirement(std::move(key), op, std::move(values));
}

bool LabelRequirement::Matches(const nlohmann::json& labels) const {
  std::optional<std::string> value = LookupLabel(labels, key_);
  auto listed = [&](const std::string& v) {
    return std::find(values_.begin(), values_.end(), v) != values_.end();
  };
  switch (op_) {
    case SelectorOperator::kIn:
    case SelectorOperator::kEquals:
    case SelectorOperator::kDoubleEquals:
      return value && listed(*value);
    case SelectorOperator::kNotIn:
    case SelectorOperator::kNotEquals:
      return !value || !listed(*value);
    case SelectorOperator::kExists:
      return value.has_value();
    case SelectorOperator::kDoesNotExist:
      return !value.has_value();
    case SelectorOperator::kGreaterThan:
    case SelectorOperator::kLessThan: {
      if (!value || values_.size() != 1) return false;
      std::optional<long long> have = ParseInt64(*value);
      std::optional<long long> want = ParseInt64(values_[0]);
      if (!have || !want) return false;
      return op_ == SelectorOperator::kGreaterThan ? *have > *want : *have < *want;
    }
  }
  return false;
}

std::string LabelRequirement::ToString() const {
  std::string out;
  if (op_ == SelectorOperator::kDoesNotExist) out += "!";
  out += key_;
  switch (op_) {
    case SelectorOperator::kEquals:
      out += "=";
      break;
    case SelectorOperator::kDoubleEquals:
      out += "==";
      break;
    case SelectorOperator::kNotEquals:
      out += "!=";
      break;
    case SelectorOperator::kIn:
      out += " in ";
      break;
    case SelectorOperator::kNotIn:
      out += " notin ";
      break;
    case SelectorOperator::kGreaterThan:
      out += ">";
      break;
    case SelectorOperator::kLessThan:
      out += "<";
      break;
    case SelectorOperator::kExists:
    case SelectorOperator::kDoesNotExist:
      return out;
  }
  bool set_op = op_ == SelectorOperator::kIn || op_ == SelectorOperator::kNotIn;
  if (set_op) out += "(";
  if (values_.size() == 1) {
    out += values_[0];
  } else {
    std::vector<std::string> sorted = values_;  // sorted, duplicates kept (as Go's safeSort)
    std::sort(sorted.begin(), sorted.end());
    out += Join(sorted, ",");
  }
  if (set_op) out += ")";
  return out;
}

LabelSelector LabelSelector::Nothing() {
  LabelSelector s;
  s.nothing_ = true;
  return s;
}

bool LabelSelector::Matches(const nlohmann::json& labels) const {
  if (nothing_) return false;
  for (const LabelRequirement& r : requirements_) {
    if (!r.Matches(labels)) return false;
  }
  return true;
}

bool LabelSelector::MatchesObject(const nlohmann::json& object) const {
  static const nlohmann::json kNoLabels;  // null: immutable, safe to share
  const nlohmann::json* labels = &kNoLabels;
  if (object.is_object()) {
    auto meta = object.find("metadata");
    if (meta != object.end() && meta->is_object()) {
      auto l = meta->find("labels");
      if (l != meta->end()) labels = &*l;
    }
  }
  return Matches(*labels);
}

std::string LabelSelector::ToString() const {
  std::vector<std::string> parts;
  parts.reserve(requirements_.size());
  for (const LabelRequirement& r : requirements_) parts.push_back(r.ToString());
  return Join(parts, ",");
}

LabelSelector LabelSelector::Add(LabelRequirement r) const {
  if (nothing_) return *this;
  LabelSelector out = *this;
  out.requirements_.push_back(std::move(r));
  selectors_internal::SortByKey(out.requirements_);
  return out;
}

std::optional<std::string> LabelSelector::RequiresExactMatch(std::string_view key) const {
  for (const LabelRequirement& r : requirements_) {
    if (r.key() != key) continue;
    switch (r.op()) {
      case SelectorOperator::kEquals:
      case SelectorOperator::kDoubleEquals:
      case SelectorOperator::kIn:
        if (r.values().size() == 1) return r.values()[0];
        break;
      default:
        break;
    }
    return std::nullopt;
  }
  return std::nullopt;
}

Result<std::map<std::string, std::string>> LabelSelector::AsMap() const {
  if (nothing_) return InvalidArgumentError("a selector that matches nothing has no map form");
  std::map<std::string, std::string> out;
  for (const LabelRequirement& r : requirements_) {
    std::string op = GoQuote(SelectorOperatorName(r.op()));
    switch (r.op()) {
      case SelectorOperator::kEquals:
      case SelectorOperator::kDoubleEquals:
        out[r.key()] = r.values().empty() ? "" : r.values()[0];
        break;
      case SelectorOperator::kIn:
        if (r.values().size() != 1) {
          return InvalidArgumentError(
              "operator " + op +
              " without a single value cannot be converted into the old label selector format");
        }
        out[r.key()] = r.values()[0];
        break;
      default:
        return InvalidArgumentError("operator " + op +
                                    " cannot be converted into the old label selector format");
    }
  }
  return out;
}

Result<nlohmann::json> LabelSelector::ToLabelSelectorJson() const {
  if (nothing_) return nlohmann::json(nullptr);
  nlohmann::json match_labels = nlohmann::json::object();
  nlohmann::json expressions = nlohmann::json::array();
  for (const LabelRequirement& r : requirements_) {
    std::string_view op;
    switch (r.op()) {
      case SelectorOperator::kEquals:
      case SelectorOperator::kDoubleEquals: {
        std::vector<std::string> vals = SortedUnique(r.values());
        if (vals.size() != 1) {
          return InvalidArgumentError("equals operator must have exactly one value");
        }
        match_labels[r.key()] = vals[0];
        continue;
      }
      case SelectorOperator::kIn:
        op = "In";
        break;
      case SelectorOperator::kNotIn:
        op = "NotIn";
        break;
      case SelectorOperator::kExists:
        op = "Exists";
        break;
      case SelectorOperator::kDoesNotExist:
        op = "DoesNotExist";
        break;
      case SelectorOperator::kGreaterThan:
      case SelectorOperator::kLessThan:
        return InvalidArgumentError(GoQuote(SelectorOperatorName(r.op())) +
                                    " isn't supported in label selectors");
      case SelectorOperator::kNotEquals:
        return InvalidArgumentError(GoQuote(SelectorOperatorName(r.op())) +
                                    " is not a valid label selector operator");
    }
    nlohmann::json expr = {{"key", r.key()}, {"operator", std::string(op)}};
    std::vector<std::string> vals = SortedUnique(r.values());
    if (!vals.empty()) expr["values"] = vals;
    expressions.push_back(std::move(expr));
  }
  nlohmann::json out = nlohmann::json::object();
  if (!match_labels.empty()) out["matchLabels"] = std::move(match_labels);
  if (!expressions.empty()) out["matchExpressions"] = std::move(expressions);
  return out;
}

Result<LabelSelector> ParseLabelSelector(std::string_view text) {
  auto reqs = selectors_internal::ParseLabelRequirements(text);
  if (!reqs.ok()) return reqs.status();
  LabelSelector s;
  s.requirements_ = std::move(reqs).value();
  selectors_internal::SortByKey(s.requirements_);
  return s;
}

LabelSelector SelectorFromMap(const std::map<std::string, std::string>& set) {
  LabelSelector s;
  for (const auto& [k, v] : set) {
    s.requirements_.push_back(LabelRequirement(k, SelectorOperator::kEquals, {v}));
  }
  return s;  // std::map iterates in key order: already sorted
}

Result<LabelSelector> ValidatedSelectorFromMap(const std::map<std::string, std::string>& set) {
  LabelSelector s;
  for (const auto& [k, v] : set) {
    auto r = LabelRequirement::Create(k, SelectorOperator::kEquals, {v});
    if (!r.ok()) return r.status();
    s.requirements_.push_back(std::move(r).value());
  }
  return s;
}

}  // namespace skiff::apis
