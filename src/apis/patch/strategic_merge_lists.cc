// Strategic merge patch: lists. Merge lists of maps by merge key, union lists of scalars,
// the list directives ({"$patch": "delete"|"replace"} elements, $setElementOrder) and the
// element order kube-apiserver produces.
#include <algorithm>
#include <utility>

#include "go_text.h"
#include "smp_internal.h"

namespace skiff::apis::patch_internal {
namespace {

constexpr std::string_view kMapType = "map[string]interface {}";
constexpr std::string_view kSliceType = "[]interface {}";

// The merge key's value of a list element (null when absent), or the element itself for
// lists of scalars: what strategicpatch compares elements by.
const json& Identity(const json& item, const std::string& merge_key, bool maps) {
  static const json kNull;
  if (!maps) return item;
  if (!item.is_object()) return kNull;
  auto it = item.find(merge_key);
  return it == item.end() ? kNull : *it;
}

// Position of `item` in `list` by identity, or -1.
long IndexOf(const json& list, const json& item, const std::string& merge_key, bool maps) {
  const json& id = Identity(item, merge_key, maps);
  for (size_t i = 0; i < list.size(); ++i) {
    if (Identity(list[i], merge_key, maps) == id) return static_cast<long>(i);
  }
  return -1;
}

// sliceElementType: every element of both lists has one Go type, which is not a list.
// Sets *maps (elements are objects) and *empty (no elements at all).
Status ElementType(const json& a, const json& b, bool* maps, bool* empty) {
  std::string first;
  *empty = true;
  for (const json* list : {&a, &b}) {
    for (const json& v : *list) {
      std::string type = GoTypeName(v);
      if (*empty) {
        *empty = false;
        first = type;
        if (v.is_array()) return InvalidArgumentError(std::string(kErrNoListOfLists));
      } else if (type != first) {
        return InvalidArgumentError("list element types are not identical: " +
                                    GoFormat(json::array({a, b})));
      }
    }
  }
  *maps = first == kMapType;
  return Status::Ok();
}

// Every item is a map carrying the merge key (validateMergeKeyInLists).
Status CheckMergeKeys(const json& list, const std::string& merge_key) {
  for (const json& item : list) {
    if (!item.is_object()) return InvalidArgumentError(ErrBadArgType(kMapType, item));
    if (!item.contains(merge_key)) return InvalidArgumentError(ErrNoMergeKey(item, merge_key));
  }
  return Status::Ok();
}

bool IsDeleteElement(const json& item) {
  if (!item.is_object()) return false;
  auto it = item.find(std::string(kDirectiveMarker));
  return it != item.end() && *it == "delete";
}

// normalizeSliceOrder: sorts `items` by their position in `order` with Go's stable sort and
// its comparator (an item missing from `order` compares as "less"), delete elements last.
Status SortByOrder(json& items, const json& order, const std::string& merge_key, bool maps) {
  json to_delete = json::array();
  if (maps) {
    if (Status s = CheckMergeKeys(items, merge_key); !s.ok()) return s;
    if (Status s = CheckMergeKeys(order, merge_key); !s.ok()) return s;
    json kept = json::array();
    for (json& item : items) (IsDeleteElement(item) ? to_delete : kept).push_back(std::move(item));
    items = std::move(kept);
  }
  auto less = [&](const json& x, const json& y) {
    long ix = IndexOf(order, x, merge_key, maps);
    long iy = IndexOf(order, y, merge_key, maps);
    return ix >= 0 && iy >= 0 ? ix < iy : true;
  };
  for (size_t i = 1; i < items.size(); ++i) {  // insertion sort, as Go's SliceStable does
    for (size_t j = i; j > 0 && less(items[j], items[j - 1]); --j)
      std::swap(items[j], items[j - 1]);
  }
  for (json& item : to_delete) items.push_back(std::move(item));
  return Status::Ok();
}

// mergeSortedSlice: interleaves server-only items (`left`) with patch items (`right`). A
// server-only item goes first only when both are in `server_order` and it is earlier there.
json MergeSorted(const json& left, const json& right, const json& server_order,
                 const std::string& merge_key, bool maps) {
  json out = json::array();
  size_t i = 0, j = 0;
  while (i < left.size() || j < right.size()) {
    if (i >= left.size()) {
      out.push_back(right[j++]);
    } else if (j >= right.size()) {
      out.push_back(left[i++]);
    } else {
      long li = IndexOf(server_order, left[i], merge_key, maps);
      long ri = IndexOf(server_order, right[j], merge_key, maps);
      if (li >= 0 && ri >= 0 && li < ri) {
        out.push_back(left[i++]);
      } else {
        out.push_back(right[j++]);
      }
    }
  }
  return out;
}

// Splits `merged` into the items present in `by` and the others (partition*ByPresentInList).
Status Partition(const json& merged, const json& by, const std::string& merge_key, bool maps,
                 json* present, json* others) {
  for (const json& item : merged) {
    if (maps) {
      if (!item.is_object()) return InvalidArgumentError(ErrBadArgType(kMapType, item));
      if (!item.contains(merge_key)) return InvalidArgumentError(ErrNoMergeKey(item, merge_key));
      for (size_t k = 0; k < by.size(); ++k) {
        if (!by[k].is_object()) {
          return InvalidArgumentError("value for key " + std::to_string(k) + " is not a map.");
        }
      }
    }
    (IndexOf(by, item, merge_key, maps) >= 0 ? present : others)->push_back(item);
  }
  return Status::Ok();
}

// normalizeElementOrder: patch items in `patch_order`, server-only items in `server_order`,
// then interleaved.
Status NormalizeOrder(json patch_items, json server_only, const json& patch_order,
                      const json& server_order, const std::string& merge_key, bool maps,
                      json* out) {
  if (Status s = SortByOrder(patch_items, patch_order, merge_key, maps); !s.ok()) return s;
  if (Status s = SortByOrder(server_only, server_order, merge_key, maps); !s.ok()) return s;
  *out = MergeSorted(server_only, patch_items, server_order, merge_key, maps);
  return Status::Ok();
}

Status MergeScalarList(const json& original, const json& patch, MergedList* out) {
  json merged = json::array();
  for (const json* list : {&original, &patch}) {
    for (const json& v : *list) {
      if (std::find(merged.begin(), merged.end(), v) == merged.end()) merged.push_back(v);
    }
  }
  json patch_items = json::array(), server_only = json::array();
  if (Status s = Partition(merged, patch, "", false, &patch_items, &server_only); !s.ok()) {
    return s;
  }
  out->server_view = original;
  return NormalizeOrder(std::move(patch_items), std::move(server_only), patch, original, "", false,
                        &out->list);
}

Status MergeMapList(const json& original, json patch, const FieldMeta& meta, MergedList* out) {
  const std::string& key = meta.merge_key;
  if (key.empty())
    return InvalidArgumentError("cannot merge lists without merge key for type struct");

  // Directive elements first: deletions by merge key, and whether the list is replaced.
  json survivors = original;
  json plain = json::array();
  bool replace = false;
  for (json& item : patch) {
    auto directive = item.find(std::string(kDirectiveMarker));
    if (directive == item.end()) {
      plain.push_back(std::move(item));
    } else if (*directive == "delete") {
      auto id = item.find(key);
      if (id == item.end()) return InvalidArgumentError(ErrNoMergeKey(item, key));
      json kept = json::array();
      for (json& s : survivors) {
        if (!(s.is_object() && s.contains(key) && s[key] == *id)) kept.push_back(std::move(s));
      }
      survivors = std::move(kept);
    } else if (*directive == "replace") {
      replace = true;  // keep going: later directive elements are still consumed
    } else if (*directive == "merge") {
      return InvalidArgumentError("merging lists cannot yet be specified in the patch");
    } else {
      return InvalidArgumentError(ErrBadPatchType(*directive, item));
    }
  }

  json base = survivors;
  json patch_list = std::move(plain);
  if (replace) {
    base = json::array();
    for (json& item : patch_list) {
      json fresh = json::object();
      if (Status s = MergeMap(fresh, std::move(item), meta.child); !s.ok()) return s;
      base.push_back(std::move(fresh));
    }
    patch_list = json::array();
  }
  const json server_order = base;  // the list the patch elements merge into

  json appended = json::array();
  for (const json& item : patch_list) {
    auto id = item.find(key);
    if (id == item.end()) return InvalidArgumentError(ErrNoMergeKey(item, key));
    auto match = std::find_if(base.begin(), base.end(), [&](const json& b) {
      return b.is_object() && b.contains(key) && b[key] == *id;
    });
    if (match != base.end()) {
      if (Status s = MergeMap(*match, item, meta.child); !s.ok()) return s;
    } else {
      json fresh = json::object();
      if (Status s = MergeMap(fresh, item, meta.child); !s.ok()) return s;
      appended.push_back(fresh);
      base.push_back(std::move(fresh));
    }
  }

  // The view of the original slice that Go's $setElementOrder step reads (see MergedList).
  if (replace) {
    out->server_view = survivors;
  } else {
    out->server_view = json::array();
    for (size_t i = 0; i < survivors.size(); ++i) out->server_view.push_back(base[i]);
    size_t freed = original.size() - survivors.size();
    for (size_t i = 0; i < appended.size() && i < freed; ++i) {
      out->server_view.push_back(appended[i]);
    }
  }

  json patch_items = json::array(), server_only = json::array();
  if (Status s = Partition(base, patch_list, key, true, &patch_items, &server_only); !s.ok()) {
    return s;
  }
  return NormalizeOrder(std::move(patch_items), std::move(server_only), patch_list, server_order,
                        key, true, &out->list);
}

// validatePatchWithSetOrderList: the patch list's items appear in $setElementOrder, in the
// same relative order.
Status ValidateSetOrder(const json& patch_list, const json& set_order,
                        const std::string& merge_key) {
  if (set_order.empty() || patch_list.empty()) return Status::Ok();
  json non_delete = json::array();
  for (const json& item : patch_list) {
    if (!merge_key.empty()) {
      if (!item.is_object()) return InvalidArgumentError(ErrBadArgType(kMapType, item));
      if (IsDeleteElement(item)) continue;
    }
    non_delete.push_back(item);
  }
  size_t p = 0, s = 0;
  while (p < non_delete.size() && s < set_order.size()) {
    const json& item = non_delete[p];
    if (item.is_object() && item.contains(std::string(kDirectiveMarker))) {
      ++p;
      continue;
    }
    bool equal = false;
    if (merge_key.empty()) {
      equal = item == set_order[s];
    } else {
      const json& other = set_order[s];
      if (!other.is_object()) return InvalidArgumentError(ErrBadArgType(kMapType, other));
      if (!item.contains(merge_key)) return InvalidArgumentError(ErrNoMergeKey(item, merge_key));
      if (!other.contains(merge_key)) {
        return InvalidArgumentError(ErrNoMergeKey(other, merge_key));
      }
      equal = item[merge_key] == other[merge_key];
    }
    if (equal) ++p;
    ++s;
  }
  if (p < non_delete.size() && s >= set_order.size()) {
    return InvalidArgumentError("The order in patch list:\n" + GoFormat(patch_list) +
                                "\n doesn't match " + std::string(kSetElementOrderPrefix) +
                                " list:\n" + GoFormat(set_order) + "\n");
  }
  return Status::Ok();
}

}  // namespace

Status MergeList(const json& original, json patch, const FieldMeta& meta, MergedList* out) {
  if (!meta.merge_list) {  // replace: the patch's list, its maps cleaned of directives/nulls
    out->list = json::array();
    for (json& item : patch) {
      if (item.is_object()) {
        json fresh = json::object();
        if (Status s = MergeMap(fresh, std::move(item), meta.child); !s.ok()) return s;
        out->list.push_back(std::move(fresh));
      } else {
        out->list.push_back(std::move(item));
      }
    }
    out->server_view = original;
    return Status::Ok();
  }
  if (original.empty() && patch.empty()) {
    out->list = json::array();
    out->server_view = json::array();
    return Status::Ok();
  }
  bool maps = false, empty = true;
  if (Status s = ElementType(original, patch, &maps, &empty); !s.ok()) return s;
  if (!maps) return MergeScalarList(original, patch, out);
  return MergeMapList(original, std::move(patch), meta, out);
}

Status ApplySetElementOrder(json& original, json& patch, const std::string& directive_key,
                            const SchemaContext& ctx) {
  json set_order = std::move(patch[directive_key]);
  patch.erase(directive_key);
  if (!set_order.is_array()) return InvalidArgumentError(ErrBadArgType(kSliceType, set_order));
  std::string list_key;
  if (!ExtractDirectiveKey(directive_key, kSetElementOrderPrefix, &list_key)) {
    return InvalidArgumentError(std::string(kErrBadPatchFormatForSetElementOrderList));
  }
  auto orig_it = original.find(list_key);
  auto patch_it = patch.find(list_key);
  bool in_original = orig_it != original.end() && !orig_it->is_null();
  bool in_patch = patch_it != patch.end() && !patch_it->is_null();
  if (in_original && !orig_it->is_array()) {
    return InvalidArgumentError(ErrBadArgType(kSliceType, *orig_it));
  }
  if (in_patch && !patch_it->is_array()) {
    return InvalidArgumentError(ErrBadArgType(kSliceType, *patch_it));
  }
  if (!in_original && !in_patch) return Status::Ok();

  FieldMeta meta = LookupField(ctx, list_key);
  const std::string& merge_key = meta.merge_key;
  const json original_list = in_original ? *orig_it : json::array();
  const json patch_list = in_patch ? *patch_it : json::array();
  if (Status s = ValidateSetOrder(patch_list, set_order, merge_key); !s.ok()) return s;

  MergedList merged;
  if (in_original && !in_patch) {
    merged.list = original_list;
    merged.server_view = original_list;
  } else {
    Status s = MergeList(original_list, patch_list, meta, &merged);
    if (!s.ok()) return s;
  }
  if (in_patch) patch.erase(list_key);

  bool maps = false, empty = true;
  if (Status s = ElementType(original_list, patch_list, &maps, &empty); !s.ok()) return s;
  if (!meta.merge_list || empty) {  // nothing to order (or a replaced list)
    original[list_key] = std::move(merged.list);
    return Status::Ok();
  }
  const std::string key = maps ? merge_key : "";
  json patch_items = json::array(), server_only = json::array();
  if (Status s = Partition(merged.list, set_order, key, maps, &patch_items, &server_only);
      !s.ok()) {
    return s;
  }
  json ordered;
  if (Status s = NormalizeOrder(std::move(patch_items), std::move(server_only), set_order,
                                merged.server_view, key, maps, &ordered);
      !s.ok()) {
    return s;
  }
  original[list_key] = std::move(ordered);
  return Status::Ok();
}

}  // namespace skiff::apis::patch_internal
