#include "scheduler/node_affinity.h"

#include <algorithm>
#include <iterator>

#include "scheduler/json_access.h"

namespace skiff::scheduler {
namespace {

using nlohmann::json;

using internal::StringList;

std::optional<apis::SelectorOperator> NodeSelectorOperator(const std::string& op) {
  if (op == "In") return apis::SelectorOperator::kIn;
  if (op == "NotIn") return apis::SelectorOperator::kNotIn;
  if (op == "Exists") return apis::SelectorOperator::kExists;
  if (op == "DoesNotExist") return apis::SelectorOperator::kDoesNotExist;
  if (op == "Gt") return apis::SelectorOperator::kGreaterThan;
  if (op == "Lt") return apis::SelectorOperator::kLessThan;
  return std::nullopt;
}

const json* RequiredNodeSelector(const json& pod_spec) {
  const json* affinity = internal::ObjectMember(pod_spec, "affinity");
  const json* node_affinity =
      affinity ? internal::ObjectMember(*affinity, "nodeAffinity") : nullptr;
  if (!node_affinity) return nullptr;
  return internal::ObjectMember(*node_affinity, "requiredDuringSchedulingIgnoredDuringExecution");
}

}  // namespace

std::optional<NodeSelectorTerm> NodeSelectorTerm::Parse(const json& term,
                                                        std::vector<std::string>* errors) {
  NodeSelectorTerm out;
  auto fail = [&](std::string message) -> std::optional<NodeSelectorTerm> {
    if (errors) errors->push_back(std::move(message));
    return std::nullopt;
  };
  if (const json* exprs = internal::ArrayMember(term, "matchExpressions");
      exprs && !exprs->empty()) {
    out.has_labels_ = true;
    for (const json& e : *exprs) {
      std::string op = internal::StringMember(e, "operator");
      auto sop = NodeSelectorOperator(op);
      if (!sop) return fail("\"" + op + "\" is not a valid node selector operator");
      auto req = apis::LabelRequirement::Create(internal::StringMember(e, "key"), *sop,
                                                StringList(internal::Member(e, "values")));
      if (!req.ok()) return fail(req.status().message());
      out.labels_.push_back(std::move(req).value());
    }
  }
  if (const json* fields = internal::ArrayMember(term, "matchFields"); fields && !fields->empty()) {
    out.has_fields_ = true;
    for (const json& f : *fields) {
      std::string op = internal::StringMember(f, "operator");
      std::vector<std::string> values = StringList(internal::Member(f, "values"));
      if (op != "In" && op != "NotIn") {
        return fail("matchFields operator: Unsupported value: \"" + op + "\"");
      }
      if (values.size() != 1) return fail("matchFields values: must have one element");
      out.fields_.push_back(
          FieldRequirement{internal::StringMember(f, "key"), op == "NotIn", std::move(values[0])});
    }
  }
  return out;
}

bool NodeSelectorTerm::Matches(const json& labels, std::string_view node_name) const {
  if (!has_labels_ && !has_fields_) return false;
  for (const apis::LabelRequirement& r : labels_) {
    if (!r.Matches(labels)) return false;
  }
  // The node's field set is {metadata.name}; it is empty (and not checked) for a nameless node.
  if (has_fields_ && !node_name.empty()) {
    for (const FieldRequirement& f : fields_) {
      std::string_view have = f.key == "metadata.name" ? node_name : std::string_view();
      if ((have == f.value) == f.not_equal) return false;
    }
  }
  return true;
}

RequiredNodeAffinity RequiredNodeAffinity::Parse(const json& pod_spec,
                                                 std::vector<std::string>* errors) {
  RequiredNodeAffinity out;
  if (const json* sel = internal::ObjectMember(pod_spec, "nodeSelector")) {
    for (const auto& [k, v] : sel->items()) {
      out.node_selector_.emplace_back(k, v.is_string() ? v.get<std::string>() : std::string());
    }
  }
  const json* required = RequiredNodeSelector(pod_spec);
  if (!required) return out;
  out.has_required_ = true;
  const json* terms = internal::ArrayMember(*required, "nodeSelectorTerms");
  if (!terms) return out;
  bool all_pinned = !terms->empty();
  std::set<std::string> pinned;
  for (const json& t : *terms) {
    if (auto term = NodeSelectorTerm::Parse(t, errors)) out.terms_.push_back(std::move(*term));
    // PreFilter: names pinned by metadata.name In requirements (intersected within the term).
    std::optional<std::set<std::string>> term_names;
    if (const json* fields = internal::ArrayMember(t, "matchFields")) {
      for (const json& f : *fields) {
        if (internal::StringMember(f, "key") != "metadata.name" ||
            internal::StringMember(f, "operator") != "In") {
          continue;
        }
        std::vector<std::string> values = StringList(internal::Member(f, "values"));
        std::set<std::string> s(values.begin(), values.end());
        if (!term_names) {
          term_names = std::move(s);
        } else {
          std::set<std::string> both;
          std::set_intersection(term_names->begin(), term_names->end(), s.begin(), s.end(),
                                std::inserter(both, both.begin()));
          term_names = std::move(both);
        }
      }
    }
    if (!term_names) {
      all_pinned = false;
    } else {
      pinned.insert(term_names->begin(), term_names->end());
    }
  }
  if (all_pinned) out.pinned_ = std::move(pinned);
  return out;
}

bool RequiredNodeAffinity::Matches(const json& labels, std::string_view node_name) const {
  for (const auto& [k, v] : node_selector_) {
    const std::string* have = internal::LabelValue(labels, k);
    if (!have || *have != v) return false;
  }
  if (!has_required_) return true;
  for (const NodeSelectorTerm& t : terms_) {
    if (t.Matches(labels, node_name)) return true;
  }
  return false;
}

PreferredNodeAffinity PreferredNodeAffinity::Parse(const json& pod_spec,
                                                   std::vector<std::string>* errors) {
  PreferredNodeAffinity out;
  const json* affinity = internal::ObjectMember(pod_spec, "affinity");
  const json* node_affinity =
      affinity ? internal::ObjectMember(*affinity, "nodeAffinity") : nullptr;
  const json* terms =
      node_affinity
          ? internal::ArrayMember(*node_affinity, "preferredDuringSchedulingIgnoredDuringExecution")
          : nullptr;
  if (!terms) return out;
  out.present_ = true;
  for (const json& t : *terms) {
    int64_t weight = internal::IntMember(t, "weight").value_or(0);
    if (weight == 0) continue;
    const json* pref = internal::ObjectMember(t, "preference");
    static const json kEmpty = json::object();
    if (auto term = NodeSelectorTerm::Parse(pref ? *pref : kEmpty, errors)) {
      out.terms_.emplace_back(static_cast<int32_t>(weight), std::move(*term));
    }
  }
  return out;
}

int64_t PreferredNodeAffinity::Score(const json& labels, std::string_view node_name) const {
  int64_t score = 0;
  for (const auto& [weight, term] : terms_) {
    if (term.Matches(labels, node_name)) score += weight;
  }
  return score;
}

}  // namespace skiff::scheduler
