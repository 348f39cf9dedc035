#include "controllers/node_taints.h"

#include "api/object_util.h"
#include "controllers/node_util.h"

namespace skiff::controllers {
namespace {

constexpr int kSwapAttempts = 5;

std::string Str(const json& obj, const char* field) {
  auto it = obj.find(field);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : "";
}

// The taints of `node` with `add` added and `remove` removed; `changed` says whether they differ.
json ApplySwap(const json& node, const std::vector<json>& add, const std::vector<json>& remove,
               const std::string& now, bool* changed) {
  *changed = false;
  json out = json::array();
  for (const json& t : NodeTaints(node)) {
    bool drop = false;
    for (const json& r : remove) drop = drop || MatchTaint(t, r);
    if (drop) {
      *changed = true;
    } else {
      out.push_back(t);
    }
  }
  for (const json& a : add) {
    bool present = false;
    for (const json& t : out) present = present || MatchTaint(t, a);
    if (present) continue;
    json taint = a;
    taint["timeAdded"] = now;
    out.push_back(std::move(taint));
    *changed = true;
  }
  return out;
}

}  // namespace

json MakeTaint(const std::string& key, const std::string& effect) {
  return {{"key", key}, {"effect", effect}};
}

bool MatchTaint(const json& a, const json& b) {
  return Str(a, "key") == Str(b, "key") && Str(a, "effect") == Str(b, "effect");
}

json NodeTaints(const json& node) {
  const json* taints = api::Find(node, {"spec", "taints"});
  return taints && taints->is_array() ? *taints : json::array();
}

bool HasTaint(const json& node, const json& taint) {
  for (const json& t : NodeTaints(node)) {
    if (MatchTaint(t, taint)) return true;
  }
  return false;
}

bool HasTaintKey(const json& node, const std::string& key) {
  for (const json& t : NodeTaints(node)) {
    if (Str(t, "key") == key) return true;
  }
  return false;
}

std::vector<json> TaintsWithEffect(const json& node, const std::string& effect) {
  std::vector<json> out;
  for (const json& t : NodeTaints(node)) {
    if (Str(t, "effect") == effect) out.push_back(t);
  }
  return out;
}

bool ToleratesTaint(const json& toleration, const json& taint) {
  if (!toleration.is_object() || !taint.is_object()) return false;
  const std::string effect = Str(toleration, "effect");
  if (!effect.empty() && effect != Str(taint, "effect")) return false;
  const std::string key = Str(toleration, "key");
  if (!key.empty() && key != Str(taint, "key")) return false;
  const std::string op = Str(toleration, "operator");
  if (op.empty() || op == "Equal") return Str(toleration, "value") == Str(taint, "value");
  return op == "Exists";
}

TolerationMatch MatchTolerations(const std::vector<json>& taints, const json& tolerations) {
  TolerationMatch m;
  for (const json& taint : taints) {
    const json* found = nullptr;
    if (tolerations.is_array()) {
      for (const json& t : tolerations) {
        if (ToleratesTaint(t, taint)) {
          found = &t;
          break;
        }
      }
    }
    if (!found) return TolerationMatch{false, {}};
    m.used.push_back(*found);
  }
  return m;
}

Result<json> SwapNodeTaints(client::Client& client, const json& node, const std::vector<json>& add,
                            const std::vector<json>& remove,
                            std::chrono::system_clock::time_point now) {
  const std::string name = api::GetString(node, {"metadata", "name"});
  const std::string added_at = FormatTime(now);
  json current = node;
  Status last;
  for (int attempt = 0; attempt < kSwapAttempts; ++attempt) {
    if (attempt > 0) {
      auto fresh = client.Get(client::Nodes(), "", name);
      if (!fresh.ok()) return fresh.status();
      current = std::move(fresh).value();
    }
    bool changed = false;
    json taints = ApplySwap(current, add, remove, added_at, &changed);
    if (!changed) return current;
    json updated = current;
    if (taints.empty()) {
      if (updated.contains("spec") && updated["spec"].is_object()) updated["spec"].erase("taints");
    } else {
      if (!updated.contains("spec") || !updated["spec"].is_object())
        updated["spec"] = json::object();
      updated["spec"]["taints"] = std::move(taints);
    }
    auto written = client.Update(client::Nodes(), "", updated);
    if (written.ok()) return std::move(written).value();
    last = written.status();
    if (last.code() != Code::kConflict) return last;
  }
  return last;
}

}  // namespace skiff::controllers
