// Comparing two versions of an object (structured-merge-diff's Compare), as kube-apiserver
// does on typed Go objects: JSON nulls are absent, fields of Go's zero value are present.
#include <optional>

#include "typed_ops.h"

namespace skiff::apis::ssa {
namespace {

using nlohmann::json;

const json& EmptyObject() {
  static const json kEmpty = json::object();
  return kEmpty;
}
const json& Null() {
  static const json kNull = nullptr;
  return kNull;
}

struct Walker {
  Comparison& c;
  FieldPath path;

  void LeafRule(const json* l, const json* r) {
    if (path.empty()) return;
    if (!l && r) {
      c.added.Insert(path);
    } else if (l && !r) {
      c.removed.Insert(path);
    } else if (l && r && !(*l == *r)) {
      c.modified.Insert(path);
    }
  }

  // Marks the node itself added or removed (the hook structured-merge-diff runs after
  // non-leaf nodes).
  void NodeRule(const json* l, const json* r) {
    if (path.empty()) return;
    if (!l) {
      c.added.Insert(path);
    } else if (!r) {
      c.removed.Insert(path);
    }
  }

  static const json* Present(const json* v) { return v && !v->is_null() ? v : nullptr; }

  void Value(const json* l, const json* r, const Shape& s) {
    if (!l && !r) return;
    if (s.IsLeaf()) {
      LeafRule(l, r);
      return;
    }
    if (s.kind == Shape::Kind::kList) {
      const json* la = l && l->is_array() ? l : nullptr;
      const json* ra = r && r->is_array() ? r : nullptr;
      if ((l && !la && !l->is_null()) || (r && !ra && !r->is_null())) {
        LeafRule(l, r);
        return;
      }
      if ((!la || la->empty()) && (!ra || ra->empty())) {
        LeafRule(l, r);
        return;
      }
      List(la, ra, s);
      NodeRule(l, r);
      return;
    }
    const json* lm = l && l->is_object() ? l : nullptr;
    const json* rm = r && r->is_object() ? r : nullptr;
    if ((l && !lm && !l->is_null()) || (r && !rm && !r->is_null())) {
      LeafRule(l, r);
      return;
    }
    if ((!lm || lm->empty()) && (!rm || rm->empty())) {
      LeafRule(l, r);
      return;
    }
    Object(lm, rm, s);
    NodeRule(l, r);
  }

  void Child(const std::string& key, const json* lm, const json* rm, const Shape& s) {
    const json* lv = nullptr;
    const json* rv = nullptr;
    if (lm) {
      auto it = lm->find(key);
      if (it != lm->end()) lv = Present(&*it);
    }
    if (rm) {
      auto it = rm->find(key);
      if (it != rm->end()) rv = Present(&*it);
    }
    // Go's zero value has the field: absent JSON reads as its zero value.
    if (s.kind == Shape::Kind::kStruct && s.type && FieldAlwaysPresent(*s.type, key)) {
      const json& zero = AlwaysPresentValue(*s.type, key).is_object() ? EmptyObject() : Null();
      if (!lv && lm) lv = &zero;
      if (!rv && rm) rv = &zero;
    }
    std::optional<Shape> child = ChildShape(s, key);
    path.push_back(PathElement::Field(key));
    Value(lv, rv, child ? *child : Shape{});
    path.pop_back();
  }

  void Object(const json* lm, const json* rm, const Shape& s) {
    if (lm) {
      for (auto it = lm->begin(); it != lm->end(); ++it) Child(it.key(), lm, rm, s);
    }
    if (rm) {
      for (auto it = rm->begin(); it != rm->end(); ++it) {
        if (lm && lm->contains(it.key())) continue;
        Child(it.key(), lm, rm, s);
      }
    }
    // Always-present fields absent on both sides compare equal: nothing to do.
  }

  void List(const json* la, const json* ra, const Shape& s) {
    Shape elem = ElementShape(s);
    struct Item {
      PathElement pe;
      const json* v;
    };
    auto index = [&](const json* list) {
      std::vector<Item> out;
      if (!list) return out;
      for (size_t i = 0; i < list->size(); ++i) {
        auto pe = ListItemElement(s, (*list)[i], i);
        if (!pe.ok()) continue;
        bool seen = false;
        for (const Item& it : out) seen = seen || it.pe == *pe;
        if (!seen) out.push_back({*pe, &(*list)[i]});
      }
      return out;
    };
    std::vector<Item> lhs = index(la), rhs = index(ra);
    auto find = [](const std::vector<Item>& items, const PathElement& pe) -> const json* {
      for (const Item& it : items) {
        if (it.pe == pe) return it.v;
      }
      return nullptr;
    };
    for (const Item& it : lhs) {
      path.push_back(it.pe);
      Value(Present(it.v), Present(find(rhs, it.pe)), elem);
      path.pop_back();
    }
    for (const Item& it : rhs) {
      if (find(lhs, it.pe)) continue;
      path.push_back(it.pe);
      Value(nullptr, Present(it.v), elem);
      path.pop_back();
    }
  }
};

}  // namespace

Comparison CompareObjects(const json& lhs, const json& rhs, const TypeDef& type) {
  Comparison c;
  Walker w{c, {}};
  Shape s = TypeShape(type);
  s.atomic = false;
  const json* l = lhs.is_object() ? &lhs : &EmptyObject();
  const json* r = rhs.is_object() ? &rhs : &EmptyObject();
  w.Object(l, r, s);
  return c;
}

}  // namespace skiff::apis::ssa
