// rbac.authorization.k8s.io/v1 RoleBinding and ClusterRoleBinding (Role and ClusterRole have
// no printer in Kubernetes: they get the default NAME / CREATED AT table).
#include <string>

#include "descriptions.h"
#include "kinds.h"
#include "util.h"

namespace skiff::apis::printers {
namespace {

std::vector<json> BindingCells(const json& b, TableClock::time_point now) {
  // rbac.SubjectsStrings: users, groups and "namespace/name" service accounts.
  std::vector<std::string> users, groups, sas;
  for (const json& s : Arr(b, {"subjects"})) {
    std::string kind = Str(s, {"kind"});
    if (kind == "ServiceAccount") {
      sas.push_back(Str(s, {"namespace"}) + "/" + Str(s, {"name"}));
    } else if (kind == "User") {
      users.push_back(Str(s, {"name"}));
    } else if (kind == "Group") {
      groups.push_back(Str(s, {"name"}));
    }
  }
  return {Str(b, {"metadata", "name"}),
          Str(b, {"roleRef", "kind"}) + "/" + Str(b, {"roleRef", "name"}),
          Age(b, now),
          Join(users, ", "),
          Join(groups, ", "),
          Join(sas, ", ")};
}

std::vector<TableColumn> BindingColumns(const char* role_ref_doc, const std::string& what) {
  return {NameColumn(),
          Column("Role", "string", role_ref_doc),
          AgeColumn(),
          Column("Users", "string", "Users in the " + what, 1),
          Column("Groups", "string", "Groups in the " + what, 1),
          Column("ServiceAccounts", "string", "ServiceAccounts in the " + what, 1)};
}

}  // namespace

const TablePrinter& RoleBindingPrinter() {
  static const TablePrinter kPrinter{BindingColumns(desc::kRoleBindingRoleRef, "roleBinding"),
                                     &Guarded<BindingCells>};
  return kPrinter;
}

const TablePrinter& ClusterRoleBindingPrinter() {
  static const TablePrinter kPrinter{
      BindingColumns(desc::kClusterRoleBindingRoleRef, "clusterRoleBinding"),
      &Guarded<BindingCells>};
  return kPrinter;
}

}  // namespace skiff::apis::printers
