#!/usr/bin/env python3
"""A throwaway HTTPS stand-in for kube-apiserver that records kubectl's create bodies.

Test tool only (never part of skiff). It answers /version, the discovery documents and
every POST; each POST body is written to OUTDIR/last.body with its Content-Type in
OUTDIR/last.ct, and the answer is 201 with a small JSON object echoing kind and name.
Listens on 127.0.0.1 only. Usage: stub_apiserver.py CERT KEY PORTFILE OUTDIR
"""
import json
import os
import ssl
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CERT, KEY, PORTFILE, OUTDIR = sys.argv[1:5]

CORE = [  # name, kind, namespaced
    ("namespaces", "Namespace", False),
    ("secrets", "Secret", True),
    ("configmaps", "ConfigMap", True),
    ("services", "Service", True),
    ("serviceaccounts", "ServiceAccount", True),
    ("resourcequotas", "ResourceQuota", True),
    ("pods", "Pod", True),
    ("serviceaccounts/token", "TokenRequest", True),
]
GROUPS = {
    "apps/v1": [("deployments", "Deployment", True)],
    "batch/v1": [("jobs", "Job", True), ("cronjobs", "CronJob", True)],
    "rbac.authorization.k8s.io/v1": [
        ("roles", "Role", True),
        ("rolebindings", "RoleBinding", True),
        ("clusterroles", "ClusterRole", False),
        ("clusterrolebindings", "ClusterRoleBinding", False),
    ],
    "scheduling.k8s.io/v1": [("priorityclasses", "PriorityClass", False)],
    "policy/v1": [("poddisruptionbudgets", "PodDisruptionBudget", True)],
    "networking.k8s.io/v1": [("ingresses", "Ingress", True)],
}
# What `kubectl create job --from=cronjob/rich` reads: a server-side CronJob whose job template
# uses many PodSpec fields, including Go pointer fields set to zero/false.
RICH_CRONJOB = {
    "kind": "CronJob", "apiVersion": "batch/v1",
    "metadata": {"name": "rich", "namespace": "default", "uid": "0b5c1a52-3f0e-4bb6-9d63-5b1f2a7c8e11",
                 "resourceVersion": "42", "generation": 3,
                 "creationTimestamp": "2024-01-02T03:04:05Z"},
    "spec": {
        "schedule": "0 * * * *", "concurrencyPolicy": "Forbid", "suspend": False,
        "successfulJobsHistoryLimit": 0, "failedJobsHistoryLimit": 1,
        "jobTemplate": {
            "metadata": {"labels": {"team": "a"}, "annotations": {"note": "x"}},
            "spec": {
                "backoffLimit": 0, "parallelism": 1, "completions": 1,
                "activeDeadlineSeconds": 600, "ttlSecondsAfterFinished": 0,
                "completionMode": "NonIndexed", "suspend": False,
                "podReplacementPolicy": "TerminatingOrFailed",
                "template": {
                    "metadata": {"labels": {"team": "a"}},
                    "spec": {
                        "restartPolicy": "Never",
                        "terminationGracePeriodSeconds": 0,
                        "automountServiceAccountToken": False,
                        "enableServiceLinks": True,
                        "hostNetwork": False,
                        "dnsPolicy": "ClusterFirst",
                        "schedulerName": "default-scheduler",
                        "securityContext": {"runAsUser": 0, "runAsNonRoot": False, "fsGroup": 2000},
                        "tolerations": [{"key": "k", "operator": "Exists", "effect": "NoExecute",
                                         "tolerationSeconds": 0}],
                        "volumes": [
                            {"name": "cfg", "configMap": {"name": "cm", "defaultMode": 420,
                                                          "optional": False}},
                            {"name": "scratch", "emptyDir": {"sizeLimit": "64Mi"}},
                        ],
                        "containers": [{
                            "name": "main", "image": "busybox:1.36",
                            "command": ["sh", "-c"], "args": ["date; sleep 1"],
                            "env": [
                                {"name": "PLAIN", "value": "v"},
                                {"name": "EMPTY", "value": ""},
                                {"name": "FROM", "valueFrom": {"secretKeyRef": {
                                    "name": "s", "key": "a", "optional": False}}},
                                {"name": "NODE", "valueFrom": {"fieldRef": {
                                    "apiVersion": "v1", "fieldPath": "spec.nodeName"}}},
                            ],
                            "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"}],
                            "resources": {"limits": {"cpu": "500m", "memory": "128Mi"},
                                          "requests": {"cpu": "100m"}},
                            "volumeMounts": [{"name": "cfg", "mountPath": "/etc/cfg",
                                              "readOnly": True}],
                            "livenessProbe": {"httpGet": {"path": "/healthz", "port": "http",
                                                          "scheme": "HTTP"},
                                              "initialDelaySeconds": 5, "periodSeconds": 10,
                                              "timeoutSeconds": 1, "successThreshold": 1,
                                              "failureThreshold": 3},
                            "readinessProbe": {"tcpSocket": {"port": 8080}},
                            "securityContext": {"privileged": False,
                                                "allowPrivilegeEscalation": False,
                                                "readOnlyRootFilesystem": True,
                                                "capabilities": {"drop": ["ALL"]}},
                            "imagePullPolicy": "IfNotPresent",
                            "terminationMessagePath": "/dev/termination-log",
                            "terminationMessagePolicy": "File",
                        }],
                    },
                },
            },
        },
    },
    "status": {},
}
VERBS = ["create", "delete", "get", "list", "patch", "update", "watch"]


def resource_list(group_version, resources):
    return {
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": group_version,
        "resources": [
            {"name": n, "singularName": n[:-1], "namespaced": ns, "kind": k, "verbs": VERBS}
            for n, k, ns in resources
        ],
    }


def read_varint(b, i):
    shift = value = 0
    while True:
        c = b[i]
        i += 1
        value |= (c & 0x7F) << shift
        shift += 7
        if c < 0x80:
            return value, i


def fields(b):
    """Yields (number, value) for the length-delimited fields of a message."""
    i = 0
    while i < len(b):
        key, i = read_varint(b, i)
        wt = key & 7
        if wt == 0:
            _, i = read_varint(b, i)
        elif wt == 1:
            i += 8
        elif wt == 5:
            i += 4
        elif wt == 2:
            n, i = read_varint(b, i)
            yield key >> 3, b[i : i + n]
            i += n
        else:
            return


def echo(body, ctype):
    """The kind, apiVersion and name of the posted object, as a small JSON object."""
    if ctype.startswith("application/json"):
        o = json.loads(body)
        return {"kind": o.get("kind"), "apiVersion": o.get("apiVersion"),
                "metadata": {"name": o.get("metadata", {}).get("name", "")}}
    out = {"metadata": {"name": ""}}
    for num, val in fields(body[4:]):  # runtime.Unknown after the "k8s\0" magic
        if num == 1:
            tm = dict(fields(val))
            out["apiVersion"] = tm.get(1, b"").decode()
            out["kind"] = tm.get(2, b"").decode()
        elif num == 2:
            meta = dict(fields(val)).get(1, b"")
            out["metadata"]["name"] = dict(fields(meta)).get(1, b"").decode()
    return out


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def send_json(self, code, obj):
        data = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        path = self.path.split("?")[0]
        if path == "/version":
            return self.send_json(200, {"major": "1", "minor": "32", "gitVersion": "v1.32.0",
                                        "platform": "linux/amd64"})
        if path == "/api":
            return self.send_json(200, {"kind": "APIVersions", "versions": ["v1"],
                                        "serverAddressByClientCIDRs": []})
        if path == "/apis":
            groups = []
            for gv in GROUPS:
                g, v = gv.split("/")
                ver = {"groupVersion": gv, "version": v}
                groups.append({"name": g, "versions": [ver], "preferredVersion": ver})
            return self.send_json(200, {"kind": "APIGroupList", "apiVersion": "v1",
                                        "groups": groups})
        if path == "/apis/batch/v1/namespaces/default/cronjobs/rich":
            return self.send_json(200, RICH_CRONJOB)
        if path == "/api/v1":
            return self.send_json(200, resource_list("v1", CORE))
        if path.startswith("/apis/") and path[6:] in GROUPS:
            return self.send_json(200, resource_list(path[6:], GROUPS[path[6:]]))
        self.send_json(404, {"kind": "Status", "apiVersion": "v1", "status": "Failure",
                             "reason": "NotFound", "code": 404, "message": "not found"})

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        ctype = self.headers.get("Content-Type", "")
        with open(os.path.join(OUTDIR, "last.body"), "wb") as f:
            f.write(body)
        with open(os.path.join(OUTDIR, "last.ct"), "w") as f:
            f.write(ctype + "\n" + self.path + "\n")
        answer = echo(body, ctype)
        if self.path.split("?")[0].endswith("/token"):
            answer["status"] = {"token": "stub-token",
                                "expirationTimestamp": "2030-01-01T00:00:00Z"}
        self.send_json(201, answer)

    def log_message(self, fmt, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(CERT, KEY)
ctx.set_alpn_protocols(["http/1.1"])
server.socket = ctx.wrap_socket(server.socket, server_side=True)
with open(PORTFILE, "w") as f:
    f.write(str(server.server_address[1]))
server.serve_forever()
