#!/bin/bash
# Re-captures the fixtures in ../fixtures: runs every `kubectl create <kind>` generator below
# against stub_apiserver.py (127.0.0.1 only) with kubectl 1.32 and 1.33 (protobuf bodies) and
# 1.31 (JSON bodies, the expected decoding). Test tool only; see README.md.
#   usage: capture.sh [KUBECTL_DIR]   (default /usr/lib/google-cloud-sdk/bin)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
fixtures=$here/../fixtures
bin=${1:-/usr/lib/google-cloud-sdk/bin}
work=$(mktemp -d)
trap 'kill "$stub_pid" 2>/dev/null || true; rm -rf "$work"' EXIT

openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 \
  -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null
python3 "$here/stub_apiserver.py" "$work/cert.pem" "$work/key.pem" "$work/port" "$work" &
stub_pid=$!
for _ in $(seq 50); do [ -s "$work/port" ] && break; sleep 0.1; done
cat >"$work/kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: stub
  cluster: {server: "https://127.0.0.1:$(cat "$work/port")", insecure-skip-tls-verify: true}
users:
- name: stub
  user: {token: capture-token}
contexts:
- name: stub
  context: {cluster: stub, user: stub, namespace: default}
current-context: stub
EOF

# name|kubectl arguments (split on spaces; '~' stands for a space inside an argument)
commands=(
  "namespace|create namespace ns1"
  "secret-generic|create secret generic s --from-literal=a=b --from-literal=empty="
  "secret-docker-registry|create secret docker-registry reg --docker-server=r.example --docker-username=u --docker-password=p"
  "configmap|create configmap cm --from-literal=k=v --from-literal=x=y"
  "deployment|create deployment web --image=nginx --replicas=2 --port=80"
  "deployment-zero-replicas|create deployment idle --image=nginx --replicas=0"
  "service-nodeport|create service nodeport web --tcp=80:8080"
  "service-clusterip-headless|create service clusterip hl --clusterip=None"
  "service-externalname|create service externalname ext --external-name=example.com --tcp=443"
  "job|create job j --image=busybox -- echo hi"
  "cronjob|create cronjob c --image=busybox --schedule=*/5~*~*~*~* -- echo hi"
  "serviceaccount|create serviceaccount sa"
  "role|create role r --verb=get,list --resource=pods,deployments.apps --resource-name=a"
  "rolebinding|create rolebinding rb --role=r --user=alice --serviceaccount=default:sa"
  "clusterrole|create clusterrole cr --verb=get --non-resource-url=/logs/*"
  "clusterrolebinding|create clusterrolebinding crb --clusterrole=cr --group=devs"
  "quota|create quota q --hard=cpu=1,memory=1Gi,pods=10 --scopes=BestEffort"
  "priorityclass|create priorityclass high --value=1000 --description=urgent --preemption-policy=Never --global-default"
  "priorityclass-zero|create priorityclass zero --value=0"
  "pdb-min-available|create poddisruptionbudget p --selector=app=web --min-available=1"
  "pdb-min-available-zero|create poddisruptionbudget p0 --selector=app=web --min-available=0"
  "ingress|create ingress ing --class=nginx --rule=foo.com/bar*=svc1:8080,tls=cert --annotation=a=b"
  "token|create token sa --duration=1h --audience=api --audience=vault"
  "job-from-cronjob|create job manual --from=cronjob/rich"
  "pdb-max-unavailable|create poddisruptionbudget p2 --selector=app=web --max-unavailable=50%"
)

mkdir -p "$fixtures"
for entry in "${commands[@]}"; do
  name=${entry%%|*}
  read -r -a args <<<"${entry#*|}"
  args=("${args[@]//\~/ }")
  for v in 1.31 1.32 1.33; do
    rm -f "$work/last.body" "$work/last.ct"
    "$bin/kubectl.$v" --kubeconfig "$work/kubeconfig" "${args[@]}" >/dev/null
    ct=$(head -1 "$work/last.ct")
    case $v in
      1.31)
        [ "$ct" = application/json ] || { echo "$name: 1.31 sent $ct" >&2; exit 1; }
        python3 -m json.tool --indent 2 "$work/last.body" >"$fixtures/$name.json" ;;
      1.32)
        [ "$ct" = application/vnd.kubernetes.protobuf ] || { echo "$name: $v sent $ct" >&2; exit 1; }
        cp "$work/last.body" "$fixtures/$name.pb" ;;
      1.33)
        [ "$ct" = application/vnd.kubernetes.protobuf ] || { echo "$name: $v sent $ct" >&2; exit 1; }
        if ! cmp -s "$work/last.body" "$fixtures/$name.pb"; then
          cp "$work/last.body" "$fixtures/$name.1.33.pb"
        fi ;;
    esac
  done
  echo "captured $name"
done
