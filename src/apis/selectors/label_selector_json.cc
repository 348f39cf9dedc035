// meta.v1.LabelSelector JSON <-> LabelSelector (metav1.LabelSelectorAsSelector,
// LabelSelectorAsMap, FormatLabelSelector).
#include "apis/selectors/go_text.h"
#include "apis/selectors/label_internal.h"
#include "skiff/apis/selector.h"
#include "skiff/common/go_quote.h"

namespace skiff::apis {
namespace {

// The members of a meta.v1.LabelSelector, shape-checked. Kubernetes rejects wrong shapes while
// decoding the object, before selectors are built; here they are reported by member name.
struct LabelSelectorParts {
  const nlohmann::json* match_labels = nullptr;       // object of strings, or null
  const nlohmann::json* match_expressions = nullptr;  // array of requirements, or null
};

Result<LabelSelectorParts> SplitLabelSelector(const nlohmann::json& ls) {
  if (!ls.is_object()) {
    return InvalidArgumentError("a label selector must be a JSON object, not " +
                                std::string(ls.type_name()));
  }
  LabelSelectorParts parts;
  if (auto it = ls.find("matchLabels"); it != ls.end() && !it->is_null()) {
    if (!it->is_object()) return InvalidArgumentError("matchLabels must be an object of strings");
    for (const auto& [k, v] : it->items()) {
      if (!v.is_string()) {
        return InvalidArgumentError("matchLabels[" + k + "] must be a string, not " +
                                    std::string(v.type_name()));
      }
    }
    parts.match_labels = &*it;
  }
  if (auto it = ls.find("matchExpressions"); it != ls.end() && !it->is_null()) {
    if (!it->is_array()) return InvalidArgumentError("matchExpressions must be an array");
    size_t i = 0;
    for (const nlohmann::json& e : *it) {
      std::string where = "matchExpressions[" + std::to_string(i++) + "]";
      if (!e.is_object()) return InvalidArgumentError(where + " must be an object");
      for (const char* member : {"key", "operator"}) {
        auto m = e.find(member);
        if (m != e.end() && !m->is_null() && !m->is_string()) {
          return InvalidArgumentError(where + "." + member + " must be a string");
        }
      }
      auto vals = e.find("values");
      if (vals != e.end() && !vals->is_null()) {
        if (!vals->is_array()) return InvalidArgumentError(where + ".values must be an array");
        for (const nlohmann::json& v : *vals) {
          if (!v.is_string()) {
            return InvalidArgumentError(where + ".values must hold only strings");
          }
        }
      }
    }
    parts.match_expressions = &*it;
  }
  return parts;
}

std::string StringMember(const nlohmann::json& obj, const char* name) {
  auto it = obj.find(name);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::vector<std::string> Values(const nlohmann::json& expr) {
  std::vector<std::string> out;
  auto it = expr.find("values");
  if (it != expr.end() && it->is_array()) {
    for (const nlohmann::json& v : *it) out.push_back(v.get<std::string>());
  }
  return out;
}

}  // namespace

Result<LabelSelector> LabelSelectorFromJson(const nlohmann::json& label_selector) {
  if (label_selector.is_null() || label_selector.is_discarded()) return LabelSelector::Nothing();
  auto parts = SplitLabelSelector(label_selector);
  if (!parts.ok()) return parts.status();
  size_t count = (parts->match_labels ? parts->match_labels->size() : 0) +
                 (parts->match_expressions ? parts->match_expressions->size() : 0);
  if (count == 0) return LabelSelector::Everything();

  LabelSelector out;
  if (parts->match_labels) {
    for (const auto& [k, v] : parts->match_labels->items()) {
      auto r = LabelRequirement::Create(k, SelectorOperator::kEquals, {v.get<std::string>()});
      if (!r.ok()) return r.status();
      out.requirements_.push_back(std::move(r).value());
    }
  }
  if (parts->match_expressions) {
    for (const nlohmann::json& e : *parts->match_expressions) {
      std::string op_name = StringMember(e, "operator");
      SelectorOperator op;
      if (op_name == "In") {
        op = SelectorOperator::kIn;
      } else if (op_name == "NotIn") {
        op = SelectorOperator::kNotIn;
      } else if (op_name == "Exists") {
        op = SelectorOperator::kExists;
      } else if (op_name == "DoesNotExist") {
        op = SelectorOperator::kDoesNotExist;
      } else {
        return InvalidArgumentError(GoQuote(op_name) + " is not a valid label selector operator");
      }
      auto r = LabelRequirement::Create(StringMember(e, "key"), op, Values(e));
      if (!r.ok()) return r.status();
      out.requirements_.push_back(std::move(r).value());
    }
  }
  selectors_internal::SortByKey(out.requirements_);
  return out;
}

Result<std::map<std::string, std::string>> LabelSelectorAsMap(
    const nlohmann::json& label_selector) {
  std::map<std::string, std::string> out;
  if (label_selector.is_null() || label_selector.is_discarded()) return out;
  auto parts = SplitLabelSelector(label_selector);
  if (!parts.ok()) return parts.status();
  if (parts->match_labels) {
    for (const auto& [k, v] : parts->match_labels->items()) out[k] = v.get<std::string>();
  }
  if (parts->match_expressions) {
    for (const nlohmann::json& e : *parts->match_expressions) {
      std::string op = StringMember(e, "operator");
      std::vector<std::string> values = Values(e);
      if (op == "In") {
        if (values.size() != 1) {
          return InvalidArgumentError(
              "operator " + GoQuote(op) +
              " without a single value cannot be converted into the old label selector format");
        }
        out[StringMember(e, "key")] = values[0];
      } else if (op == "NotIn" || op == "Exists" || op == "DoesNotExist") {
        return InvalidArgumentError("operator " + GoQuote(op) +
                                    " cannot be converted into the old label selector format");
      } else {
        return InvalidArgumentError(GoQuote(op) + " is not a valid selector operator");
      }
    }
  }
  return out;
}

std::string FormatLabelSelector(const nlohmann::json& label_selector) {
  auto s = LabelSelectorFromJson(label_selector);
  if (!s.ok()) return "<error>";
  std::string text = s->ToString();
  return text.empty() ? "<none>" : text;
}

}  // namespace skiff::apis
