// Merging an applied configuration into the live object (structured-merge-diff's Merge).
#include <map>
#include <optional>

#include "typed_ops.h"

namespace skiff::apis::ssa {
namespace {

using nlohmann::json;

std::optional<json> MergeValue(const json* l, const json* r, const Shape& s);

// The leaf rule: the configuration's value wins; its null removes the field.
std::optional<json> Leaf(const json* l, const json* r) {
  if (r) {
    if (r->is_null()) return std::nullopt;
    return *r;
  }
  return *l;
}

bool EmptyOrAbsent(const json* v, bool (json::*is)() const noexcept) {
  return !v || v->is_null() || ((v->*is)() && v->empty());
}

struct Item {
  PathElement pe;
  const json* value;
};

// Items of `list` with their path elements. Items without a usable element get a unique
// negative index so they are kept as they are; repeated elements keep their first item.
std::vector<Item> Index(const json* list, const Shape& s, std::vector<const json*>* dups) {
  std::vector<Item> out;
  if (!list || !list->is_array()) return out;
  for (size_t i = 0; i < list->size(); ++i) {
    auto pe = ListItemElement(s, (*list)[i], i);
    PathElement e = pe.ok() ? *pe : PathElement::Index(-1 - static_cast<int64_t>(i));
    bool seen = false;
    for (const Item& it : out) {
      if (it.pe == e) seen = true;
    }
    if (seen) {
      if (dups) dups->push_back(&(*list)[i]);
      continue;
    }
    out.push_back({e, &(*list)[i]});
  }
  return out;
}

const json* Lookup(const std::vector<Item>& items, const PathElement& pe) {
  for (const Item& it : items) {
    if (it.pe == pe) return it.value;
  }
  return nullptr;
}

std::optional<json> MergeList(const json* l, const json* r, const Shape& s) {
  Shape elem = ElementShape(s);
  std::vector<Item> lhs = Index(l, s, nullptr);
  std::vector<Item> rhs = Index(r, s, nullptr);
  // The order: live items the configuration does not name stay where they are; named and
  // new items follow the configuration's order (structured-merge-diff's interleaving).
  std::vector<const PathElement*> shared;
  for (const Item& it : rhs) {
    if (Lookup(lhs, it.pe)) shared.push_back(&it.pe);
  }
  size_t next_shared = 0;
  auto is_next_shared = [&](const PathElement& pe) {
    return next_shared < shared.size() && *shared[next_shared] == pe;
  };
  std::vector<PathElement> merged_rhs;
  auto merged = [&](const PathElement& pe) {
    for (const PathElement& m : merged_rhs) {
      if (m == pe) return true;
    }
    return false;
  };
  json out = json::array();
  auto emit = [&](const json* lv, const json* rv) {
    if (auto m = MergeValue(lv, rv, elem)) out.push_back(std::move(*m));
  };
  size_t li = 0, ri = 0;
  while (li < lhs.size() || ri < rhs.size()) {
    if (li < lhs.size() && ri < rhs.size()) {
      const PathElement& pe = lhs[li].pe;
      if (pe == rhs[ri].pe) {
        merged_rhs.push_back(pe);
        emit(lhs[li].value, rhs[ri].value);
        ++li;
        ++ri;
        ++next_shared;
        continue;
      }
      if (Lookup(rhs, pe) && next_shared < shared.size() && !is_next_shared(pe)) {
        ++li;  // a shared item, but not the one to place now
        continue;
      }
    }
    if (li < lhs.size()) {
      const PathElement& pe = lhs[li].pe;
      if (!Lookup(rhs, pe)) {
        emit(lhs[li].value, nullptr);
        ++li;
        continue;
      }
      if (merged(pe)) {
        ++li;
        continue;
      }
    }
    if (ri < rhs.size()) {
      const PathElement& pe = rhs[ri].pe;
      merged_rhs.push_back(pe);
      emit(Lookup(lhs, pe), rhs[ri].value);
      ++ri;
      if (is_next_shared(pe)) ++next_shared;
    }
  }
  // Live duplicates of an item the configuration does not name stay; duplicates of named
  // items are replaced by the merged item.
  std::vector<const json*> dups;
  Index(l, s, &dups);
  for (const json* d : dups) {
    auto pe = ListItemElement(s, *d, 0);
    if (pe.ok() && !Lookup(rhs, *pe)) out.push_back(*d);
  }
  if (out.empty()) return std::nullopt;
  return out;
}

std::optional<json> MergeValue(const json* l, const json* r, const Shape& s) {
  if (!l && !r) return std::nullopt;
  if (s.IsLeaf()) return Leaf(l, r);
  if (s.kind == Shape::Kind::kList) {
    bool ok_l = !l || l->is_null() || l->is_array();
    bool ok_r = !r || r->is_null() || r->is_array();
    if (!ok_l || !ok_r) return Leaf(l, r);
    if (EmptyOrAbsent(l, &json::is_array) && EmptyOrAbsent(r, &json::is_array)) {
      return Leaf(l, r);
    }
    return MergeList(l, r, s);
  }
  // Structs and maps.
  bool ok_l = !l || l->is_null() || l->is_object();
  bool ok_r = !r || r->is_null() || r->is_object();
  if (!ok_l || !ok_r) return Leaf(l, r);
  if (EmptyOrAbsent(l, &json::is_object) && EmptyOrAbsent(r, &json::is_object)) {
    return Leaf(l, r);
  }
  json out = json::object();
  auto visit = [&](const std::string& key, const json* lv, const json* rv) {
    std::optional<Shape> child = ChildShape(s, key);
    Shape cs = child ? *child : Shape{};
    if (auto m = MergeValue(lv, rv, cs)) out[key] = std::move(*m);
  };
  if (l && l->is_object()) {
    for (auto it = l->begin(); it != l->end(); ++it) {
      const json* rv = nullptr;
      if (r && r->is_object()) {
        auto f = r->find(it.key());
        if (f != r->end()) rv = &*f;
      }
      visit(it.key(), &it.value(), rv);
    }
  }
  if (r && r->is_object()) {
    for (auto it = r->begin(); it != r->end(); ++it) {
      if (l && l->is_object() && l->contains(it.key())) continue;
      visit(it.key(), nullptr, &it.value());
    }
  }
  if (out.empty()) return std::nullopt;
  return out;
}

}  // namespace

json Merge(const json& live, const json& config, const TypeDef& type) {
  Shape s = TypeShape(type);
  s.atomic = false;
  json empty = json::object();
  const json* l = live.is_object() ? &live : &empty;
  auto r = MergeValue(l, &config, s);
  return r ? *r : json::object();
}

}  // namespace skiff::apis::ssa
