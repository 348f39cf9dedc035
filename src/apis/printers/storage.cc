// core/v1 PersistentVolume and PersistentVolumeClaim; storage.k8s.io/v1 StorageClass.
#include <string>

#include "descriptions.h"
#include "kinds.h"
#include "quantity.h"
#include "util.h"

namespace skiff::apis::printers {
namespace {

constexpr const char kBetaStorageClassAnnotation[] = "volume.beta.kubernetes.io/storage-class";

// helper.GetAccessModesAsString: "RWO,ROX,RWX,RWOP" order, duplicates dropped.
std::string AccessModes(const json& modes) {
  auto has = [&](std::string_view m) {
    for (const json& v : modes) {
      if (v.is_string() && v.get<std::string>() == m) return true;
    }
    return false;
  };
  std::vector<std::string> out;
  if (has("ReadWriteOnce")) out.push_back("RWO");
  if (has("ReadOnlyMany")) out.push_back("ROX");
  if (has("ReadWriteMany")) out.push_back("RWX");
  if (has("ReadWriteOncePod")) out.push_back("RWOP");
  return Join(out, ",");
}

// The beta annotation, when present, wins over spec.storageClassName.
std::string StorageClassOf(const json& obj) {
  const json* ann = Find(obj, {"metadata", "annotations", kBetaStorageClassAnnotation});
  if (ann && ann->is_string()) return ann->get<std::string>();
  return Str(obj, {"spec", "storageClassName"});
}

std::string OrUnset(const json& obj, Path path) {
  const json* v = Find(obj, path);
  return v && v->is_string() ? v->get<std::string>() : "<unset>";
}

std::vector<json> PersistentVolumeCells(const json& pv, TableClock::time_point now) {
  std::string claim;
  if (const json* ref = Find(pv, {"spec", "claimRef"})) {
    claim = Str(*ref, {"namespace"}) + "/" + Str(*ref, {"name"});
  }
  std::string phase = Str(pv, {"status", "phase"});
  if (Has(pv, {"metadata", "deletionTimestamp"})) phase = "Terminating";
  const json* storage = Find(pv, {"spec", "capacity", "storage"});
  return {Str(pv, {"metadata", "name"}),
          CanonicalQuantity(storage ? *storage : json()),
          AccessModes(Arr(pv, {"spec", "accessModes"})),
          Str(pv, {"spec", "persistentVolumeReclaimPolicy"}),
          phase,
          claim,
          StorageClassOf(pv),
          OrUnset(pv, {"spec", "volumeAttributesClassName"}),
          Str(pv, {"status", "reason"}),
          Age(pv, now),
          OrUnset(pv, {"spec", "volumeMode"})};
}

std::vector<json> PersistentVolumeClaimCells(const json& pvc, TableClock::time_point now) {
  std::string phase = Str(pvc, {"status", "phase"});
  if (Has(pvc, {"metadata", "deletionTimestamp"})) phase = "Terminating";
  std::string volume = Str(pvc, {"spec", "volumeName"});
  std::string capacity, access_modes;
  if (!volume.empty()) {
    access_modes = AccessModes(Arr(pvc, {"status", "accessModes"}));
    const json* storage = Find(pvc, {"status", "capacity", "storage"});
    capacity = CanonicalQuantity(storage ? *storage : json());
  }
  return {Str(pvc, {"metadata", "name"}),
          phase,
          volume,
          capacity,
          access_modes,
          StorageClassOf(pvc),
          OrUnset(pvc, {"spec", "volumeAttributesClassName"}),
          Age(pvc, now),
          OrUnset(pvc, {"spec", "volumeMode"})};
}

bool IsDefaultClass(const json& sc) {
  return Str(sc, {"metadata", "annotations", "storageclass.kubernetes.io/is-default-class"}) ==
             "true" ||
         Str(sc, {"metadata", "annotations", "storageclass.beta.kubernetes.io/is-default-class"}) ==
             "true";
}

std::vector<json> StorageClassCells(const json& sc, TableClock::time_point now) {
  std::string name = Str(sc, {"metadata", "name"});
  if (IsDefaultClass(sc)) name += " (default)";
  std::string reclaim = Str(sc, {"reclaimPolicy"});
  std::string binding = Str(sc, {"volumeBindingMode"});
  return {name,
          Str(sc, {"provisioner"}),
          reclaim.empty() ? "Delete" : reclaim,
          binding.empty() ? "Immediate" : binding,
          Bool(sc, {"allowVolumeExpansion"}),
          Age(sc, now)};
}

}  // namespace

const TablePrinter& PersistentVolumePrinter() {
  static const TablePrinter kPrinter{
      {NameColumn(), Column("Capacity", "string", desc::kPVCapacity),
       Column("Access Modes", "string", desc::kPVAccessModes),
       Column("Reclaim Policy", "string", desc::kPVReclaimPolicy),
       Column("Status", "string", desc::kPVStatusPhase),
       Column("Claim", "string", desc::kPVClaimRef),
       Column("StorageClass", "string", "StorageClass of the pv"),
       Column("VolumeAttributesClass", "string", "VolumeAttributesClass of the pv"),
       Column("Reason", "string", desc::kPVStatusReason), AgeColumn(),
       Column("VolumeMode", "string", desc::kPVVolumeMode, 1)},
      &Guarded<PersistentVolumeCells>};
  return kPrinter;
}

const TablePrinter& PersistentVolumeClaimPrinter() {
  static const TablePrinter kPrinter{
      {NameColumn(), Column("Status", "string", desc::kPVCStatusPhase),
       Column("Volume", "string", desc::kPVCVolumeName),
       Column("Capacity", "string", desc::kPVCStatusCapacity),
       Column("Access Modes", "string", desc::kPVCStatusAccessModes),
       Column("StorageClass", "string", "StorageClass of the pvc"),
       Column("VolumeAttributesClass", "string", "VolumeAttributesClass of the pvc"), AgeColumn(),
       Column("VolumeMode", "string", desc::kPVCVolumeMode, 1)},
      &Guarded<PersistentVolumeClaimCells>};
  return kPrinter;
}

const TablePrinter& StorageClassPrinter() {
  static const TablePrinter kPrinter{
      {NameColumn(), Column("Provisioner", "string", desc::kStorageClassProvisioner),
       Column("ReclaimPolicy", "string", desc::kStorageClassReclaimPolicy),
       Column("VolumeBindingMode", "string", desc::kStorageClassVolumeBindingMode),
       Column("AllowVolumeExpansion", "string", desc::kStorageClassAllowVolumeExpansion),
       AgeColumn()},
      &Guarded<StorageClassCells>};
  return kPrinter;
}

}  // namespace skiff::apis::printers
