// FieldSet: a trie of path elements, with structured-merge-diff's set algebra.
#include <algorithm>

#include "go_json.h"
#include "skiff/apis/managed_fields.h"

namespace skiff::apis {
namespace {

using Node = FieldSet::Node;
using Child = FieldSet::Child;

bool NodeEmpty(const Node& n) { return !n.member && n.children.empty(); }

// The child for `pe`, or nullptr.
const Node* Find(const Node& n, const PathElement& pe) {
  auto it = std::lower_bound(n.children.begin(), n.children.end(), pe,
                             [](const Child& c, const PathElement& p) { return c.element < p; });
  if (it == n.children.end() || !(it->element == pe)) return nullptr;
  return &it->node;
}

Node& FindOrAdd(Node& n, const PathElement& pe) {
  auto it = std::lower_bound(n.children.begin(), n.children.end(), pe,
                             [](const Child& c, const PathElement& p) { return c.element < p; });
  if (it == n.children.end() || !(it->element == pe)) it = n.children.insert(it, Child{pe, {}});
  return it->node;
}

// The children of `a` and `b` merged in order; `fn(element, a_node_or_null, b_node_or_null)`
// returns the resulting node, dropped when empty.
template <class Fn>
std::vector<Child> Zip(const Node& a, const Node& b, Fn fn) {
  std::vector<Child> out;
  size_t i = 0, j = 0;
  while (i < a.children.size() || j < b.children.size()) {
    int c;
    if (i == a.children.size()) {
      c = 1;
    } else if (j == b.children.size()) {
      c = -1;
    } else {
      c = Compare(a.children[i].element, b.children[j].element);
    }
    const PathElement& pe = c <= 0 ? a.children[i].element : b.children[j].element;
    const Node* an = c <= 0 ? &a.children[i].node : nullptr;
    const Node* bn = c >= 0 ? &b.children[j].node : nullptr;
    Node r = fn(an, bn);
    if (!NodeEmpty(r)) out.push_back(Child{pe, std::move(r)});
    if (c <= 0) ++i;
    if (c >= 0) ++j;
  }
  return out;
}

Node UnionNodes(const Node* a, const Node* b) {
  if (!a) return *b;
  if (!b) return *a;
  Node r;
  r.member = a->member || b->member;
  r.children = Zip(*a, *b, UnionNodes);
  return r;
}

// structured-merge-diff: members lose b's members; children recurse where b has children.
std::vector<Child> DifferenceChildren(const Node& a, const Node& b);
Node DifferenceNode(const Node* a, const Node* b) {
  if (!a) return {};
  if (!b) return *a;
  Node r;
  r.member = a->member && !b->member;
  r.children = DifferenceChildren(*a, *b);
  return r;
}
std::vector<Child> DifferenceChildren(const Node& a, const Node& b) {
  return Zip(a, b, DifferenceNode);
}

Node RecursiveDifferenceNode(const Node* a, const Node* b) {
  if (!a) return {};
  if (!b) return *a;
  if (b->member) return {};
  Node r;
  r.member = a->member;
  r.children = Zip(*a, *b, RecursiveDifferenceNode);
  return r;
}

Node IntersectionNode(const Node* a, const Node* b) {
  if (!a || !b) return {};
  Node r;
  r.member = a->member && b->member;
  r.children = Zip(*a, *b, IntersectionNode);
  return r;
}

bool NodesEqual(const Node& a, const Node& b) {
  if (a.member != b.member || a.children.size() != b.children.size()) return false;
  for (size_t i = 0; i < a.children.size(); ++i) {
    if (!(a.children[i].element == b.children[i].element)) return false;
    if (!NodesEqual(a.children[i].node, b.children[i].node)) return false;
  }
  return true;
}

Status ParseNode(const nlohmann::json& obj, Node& into, const std::string& where) {
  if (!obj.is_object()) {
    return InvalidArgumentError("invalid fieldsV1 at " + (where.empty() ? "the top" : where) +
                                ": expected an object");
  }
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    if (it.key() == ".") {
      // Marks the enclosing element as a member; handled by the caller.
      continue;
    }
    auto pe = PathElement::FromFieldsV1Key(it.key());
    if (!pe.ok()) return InvalidArgumentError("invalid fieldsV1: " + pe.status().message());
    Node child;
    const nlohmann::json& v = it.value();
    if (!v.is_object()) {
      return InvalidArgumentError("invalid fieldsV1 at " + it.key() + ": expected an object");
    }
    if (v.empty() || v.contains(".")) child.member = true;
    Status st = ParseNode(v, child, it.key());
    if (!st.ok()) return st;
    if (!NodeEmpty(child)) {
      Node& slot = FindOrAdd(into, *pe);
      slot = UnionNodes(&slot, &child);
    }
  }
  return Status::Ok();
}

nlohmann::json RenderNode(const Node& n) {
  nlohmann::json out = nlohmann::json::object();
  for (const Child& c : n.children) {
    nlohmann::json sub = RenderNode(c.node);
    if (c.node.member && !c.node.children.empty()) sub["."] = nlohmann::json::object();
    out[c.element.FieldsV1Key()] = std::move(sub);
  }
  return out;
}

// structured-merge-diff's emitContentsV1: "." first, then elements in path order.
void RenderNodeText(const Node& n, bool include_self, std::string& out) {
  out += '{';
  bool first = true;
  if (include_self && n.member && !n.children.empty()) {
    out += "\".\":{}";
    first = false;
  }
  for (const Child& c : n.children) {
    if (!first) out += ',';
    first = false;
    ssa::AppendGoString(out, c.element.FieldsV1Key());
    out += ':';
    RenderNodeText(c.node, true, out);
  }
  out += '}';
}

void Walk(const Node& n, FieldPath& prefix, const std::function<void(const FieldPath&)>& fn) {
  for (const Child& c : n.children) {
    if (!c.node.member) continue;
    prefix.push_back(c.element);
    fn(prefix);
    prefix.pop_back();
  }
  for (const Child& c : n.children) {
    if (c.node.children.empty()) continue;
    prefix.push_back(c.element);
    Walk(c.node, prefix, fn);
    prefix.pop_back();
  }
}

}  // namespace

Result<FieldSet> FieldSet::FromFieldsV1(const nlohmann::json& fields_v1) {
  FieldSet s;
  if (fields_v1.is_null()) return s;
  Status st = ParseNode(fields_v1, s.root_, "");
  if (!st.ok()) return st;
  return s;
}

nlohmann::json FieldSet::ToFieldsV1() const { return RenderNode(root_); }

std::string FieldSet::ToFieldsV1String() const {
  std::string out;
  RenderNodeText(root_, false, out);
  return out;
}

bool FieldSet::Has(const FieldPath& path) const {
  if (path.empty()) return false;
  const Node* n = &root_;
  for (const PathElement& pe : path) {
    n = Find(*n, pe);
    if (!n) return false;
  }
  return n->member;
}

void FieldSet::Insert(const FieldPath& path) {
  if (path.empty()) return;
  Node* n = &root_;
  for (const PathElement& pe : path) n = &FindOrAdd(*n, pe);
  n->member = true;
}

FieldSet FieldSet::Union(const FieldSet& other) const {
  FieldSet s;
  s.root_.children = Zip(root_, other.root_, UnionNodes);
  return s;
}

FieldSet FieldSet::Difference(const FieldSet& other) const {
  FieldSet s;
  s.root_.children = DifferenceChildren(root_, other.root_);
  return s;
}

FieldSet FieldSet::RecursiveDifference(const FieldSet& other) const {
  FieldSet s;
  s.root_.children = Zip(root_, other.root_, RecursiveDifferenceNode);
  return s;
}

FieldSet FieldSet::Intersection(const FieldSet& other) const {
  FieldSet s;
  s.root_.children = Zip(root_, other.root_, IntersectionNode);
  return s;
}

FieldSet FieldSet::WithPrefix(const PathElement& element) const {
  FieldSet s;
  if (const Node* n = Find(root_, element)) s.root_.children = n->children;
  return s;
}

void FieldSet::ForEach(const std::function<void(const FieldPath&)>& fn) const {
  FieldPath prefix;
  Walk(root_, prefix, fn);
}

std::vector<FieldPath> FieldSet::Paths() const {
  std::vector<FieldPath> out;
  ForEach([&](const FieldPath& p) { out.push_back(p); });
  return out;
}

bool FieldSet::operator==(const FieldSet& other) const { return NodesEqual(root_, other.root_); }

}  // namespace skiff::apis
