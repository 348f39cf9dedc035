// networking.k8s.io/v1 Ingress, IngressClass, NetworkPolicy; admissionregistration.k8s.io/v1
// Mutating- and ValidatingWebhookConfiguration.
#include <string>

#include "descriptions.h"
#include "kinds.h"
#include "util.h"

namespace skiff::apis::printers {
namespace {

// formatHosts: the first three rule hosts, "*" when none.
std::string Hosts(const json& ing) {
  const json& rules = Arr(ing, {"spec", "rules"});
  constexpr size_t kMax = 3;
  std::vector<std::string> list;
  bool more = false;
  for (const json& rule : rules) {
    if (list.size() == kMax) more = true;
    std::string host = Str(rule, {"host"});
    if (!more && !host.empty()) list.push_back(host);
  }
  if (list.empty()) return "*";
  std::string ret = Join(list, ",");
  if (more) return ret + " + " + std::to_string(rules.size() - kMax) + " more...";
  return ret;
}

std::vector<json> IngressCells(const json& ing, TableClock::time_point now) {
  const json* cls = Find(ing, {"spec", "ingressClassName"});
  return {Str(ing, {"metadata", "name"}),
          cls && cls->is_string() ? cls->get<std::string>() : "<none>",
          Hosts(ing),
          LoadBalancerIngress(ing),
          Arr(ing, {"spec", "tls"}).empty() ? "80" : "80, 443",
          Age(ing, now)};
}

std::vector<json> IngressClassCells(const json& ic, TableClock::time_point now) {
  std::string parameters = "<none>";
  if (const json* p = Find(ic, {"spec", "parameters"})) {
    parameters = Str(*p, {"kind"});
    if (const json* group = Find(*p, {"apiGroup"}); group && group->is_string()) {
      parameters += "." + group->get<std::string>();
    }
    parameters += "/" + Str(*p, {"name"});
  }
  return {Str(ic, {"metadata", "name"}), Str(ic, {"spec", "controller"}), parameters, Age(ic, now)};
}

std::vector<json> NetworkPolicyCells(const json& np, TableClock::time_point now) {
  // spec.podSelector is a struct, never nil: a missing one is the empty selector.
  const json* selector = Find(np, {"spec", "podSelector"});
  return {Str(np, {"metadata", "name"}), FormatLabelSelector(selector ? *selector : json::object()),
          Age(np, now)};
}

std::vector<json> WebhookConfigurationCells(const json& wc, TableClock::time_point now) {
  return {Str(wc, {"metadata", "name"}), static_cast<std::int64_t>(Arr(wc, {"webhooks"}).size()),
          Age(wc, now)};
}

const std::vector<TableColumn>& WebhookColumns() {
  static const std::vector<TableColumn> kColumns{
      NameColumn(),
      Column("Webhooks", "integer",
             "Webhooks indicates the number of webhooks registered in this configuration"),
      AgeColumn()};
  return kColumns;
}

}  // namespace

const TablePrinter& IngressPrinter() {
  static const TablePrinter kPrinter{
      {NameColumn(),
       Column("Class", "string",
              "The name of the IngressClass resource that should be used for additional "
              "configuration"),
       Column("Hosts", "string",
              "Hosts that incoming requests are matched against before the ingress rule"),
       Column("Address", "string",
              "Address is a list containing ingress points for the load-balancer"),
       Column("Ports", "string", "Ports of TLS configurations that open"), AgeColumn()},
      &Guarded<IngressCells>};
  return kPrinter;
}

const TablePrinter& IngressClassPrinter() {
  static const TablePrinter kPrinter{
      {NameColumn(),
       Column("Controller", "string", "Controller that is responsible for handling this class"),
       Column("Parameters", "string", "A reference to a resource with additional parameters"),
       AgeColumn()},
      &Guarded<IngressClassCells>};
  return kPrinter;
}

const TablePrinter& NetworkPolicyPrinter() {
  static const TablePrinter kPrinter{
      {NameColumn(), Column("Pod-Selector", "string", desc::kNetworkPolicyPodSelector),
       AgeColumn()},
      &Guarded<NetworkPolicyCells>};
  return kPrinter;
}

const TablePrinter& MutatingWebhookConfigurationPrinter() {
  static const TablePrinter kPrinter{WebhookColumns(), &Guarded<WebhookConfigurationCells>};
  return kPrinter;
}

const TablePrinter& ValidatingWebhookConfigurationPrinter() {
  static const TablePrinter kPrinter{WebhookColumns(), &Guarded<WebhookConfigurationCells>};
  return kPrinter;
}

}  // namespace skiff::apis::printers
