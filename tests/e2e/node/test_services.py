"""Services through the node's service proxy (one nftables table), with real pods: a ClusterIP
service spreading a client pod's requests over three busybox httpd backends, the same from the
host, a NodePort reached on the node's address, a backend taken out and the service deleted, a
LoadBalancer on the node address (and a second one on its port refused), hairpin traffic, a
service without endpoints refused, and traffic flowing while skiff restarts.
The services here have no selector and hand-made EndpointSlices (what the EndpointSlice
mirroring of hand-made Endpoints produces), so the proxy is tested on its own."""

import contextlib
import json
import socket
import subprocess

from conftest import IMAGE, unique, wait_for

NETWORK = ("skte2e8", "10.226.0.0/16", "10.227.0.0/16")
TABLE = f"skiff-proxy-{NETWORK[0]}"


def busybox(name, command, **spec):
    s = {"containers": [{"name": "main", "image": IMAGE, "command": ["sh", "-c", command]}],
         "terminationGracePeriodSeconds": 1}
    s.update(spec)
    return {"metadata": {"name": name}, "spec": s}


# /cgi-bin/ip answers with the client address the backend sees.
CGI_IP = ("mkdir -p /www/cgi-bin && printf '#!/bin/sh\\necho Content-Type: text/plain\\n"
          "echo\\necho $REMOTE_ADDR\\n' > /www/cgi-bin/ip && chmod +x /www/cgi-bin/ip")


def httpd(name):
    # Each backend answers with its own name.
    return busybox(name, f"mkdir -p /www && echo {name} > /www/index.html && {CGI_IP} && "
                         "exec httpd -f -p 8080 -h /www")


def running_ip(node, ns, name):
    p = node.wait_pod(ns, name, lambda p: p.get("status", {}).get("phase") == "Running"
                      and p["status"].get("podIP"), what=f"{name} running with an IP")
    return p["status"]["podIP"]


def service(name, svc_type="ClusterIP", port=80):
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name},
            "spec": {"type": svc_type, "ports": [{"port": port, "targetPort": 8080,
                                                  "protocol": "TCP"}]}}


def slice_for(svc, ips, node_name, port=8080):
    return {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
            "metadata": {"name": f"{svc}-manual", "labels": {"kubernetes.io/service-name": svc}},
            "addressType": "IPv4",
            "ports": [{"name": "", "port": port, "protocol": "TCP"}],
            "endpoints": [{"addresses": [ip], "nodeName": node_name,
                           "conditions": {"ready": True}} for ip in ips]}


def fetch_from_host(ip, port, timeout=3):
    """One HTTP GET from the host; the body's first line, or the error's name."""
    try:
        with socket.create_connection((ip, port), timeout=timeout) as c:
            c.sendall(b"GET / HTTP/1.0\r\n\r\n")
            data = b""
            while chunk := c.recv(4096):
                data += chunk
        return data.split(b"\r\n\r\n", 1)[1].decode().strip()
    except OSError as e:
        return type(e).__name__


def fetch_in_pod(node, ns, pod, url, times):
    out = node.kubectl_ok("exec", "-n", ns, pod, "--", "sh", "-c",
                          f"for i in $(seq {times}); do wget -q -O - {url} || echo failed; done",
                          timeout=120).out
    return out.split()


def nft_table():
    return subprocess.run(["nft", "list", "table", "ip", TABLE], capture_output=True,
                          text=True).stdout


def programmed(ip, port=8080, table=None):
    """Whether the proxy's table DNATs to ip:port (alone, or as one of a service's endpoints)."""
    table = nft_table() if table is None else table
    return f"dnat to {ip}:{port}" in table or f"{ip} . {port}" in table


def test_cluster_ip_and_node_port_spread_over_the_backends(node):
    ns = unique("svc")
    node.create("/api/v1/namespaces", {"metadata": {"name": ns}})
    backends = [f"web-{i}" for i in range(3)]
    for b in backends:
        node.create_pod(ns, httpd(b))
    node.create_pod(ns, busybox("client", "exec sleep 3600"))
    ips = [running_ip(node, ns, b) for b in backends]
    running_ip(node, ns, "client")

    svc = node.create(f"/api/v1/namespaces/{ns}/services", service("web", "NodePort"))
    vip = svc["spec"]["clusterIP"]
    node_port = svc["spec"]["ports"][0]["nodePort"]
    assert vip.startswith("10.227."), vip
    node.create(f"/apis/discovery.k8s.io/v1/namespaces/{ns}/endpointslices",
                slice_for("web", ips, node.node_name))

    # From a pod: every backend answers some of 30 requests (random spreading).
    wait_for(lambda: fetch_in_pod(node, ns, "client", f"http://{vip}/", 1) != ["failed"],
             timeout=10, what="the service answering the client pod")
    answers = fetch_in_pod(node, ns, "client", f"http://{vip}/", 30)
    assert set(answers) == set(backends), answers
    # By name: the short name through the search path, and the full name.
    wait_for(lambda: fetch_in_pod(node, ns, "client", "http://web/", 1) != ["failed"],
             timeout=10, what="the service's name answering")
    for url in ("http://web/", f"http://web.{ns}.svc.cluster.local/"):
        answers = fetch_in_pod(node, ns, "client", url, 30)
        assert set(answers) == set(backends), (url, answers)

    # ClientIP affinity: one client keeps its backend.
    node.patch(f"/api/v1/namespaces/{ns}/services/web", {"spec": {"sessionAffinity": "ClientIP"}},
               "application/merge-patch+json")
    wait_for(lambda: "flags dynamic,timeout" in nft_table(), timeout=2, interval=0.02,
             what="the affinity sets programmed")
    answers = fetch_in_pod(node, ns, "client", f"http://{vip}/", 15)
    assert len(set(answers)) == 1 and answers[0] in backends, answers
    assert len({fetch_from_host(vip, 80) for _ in range(10)}) == 1
    node.patch(f"/api/v1/namespaces/{ns}/services/web", {"spec": {"sessionAffinity": "None"}},
               "application/merge-patch+json")
    wait_for(lambda: "flags dynamic,timeout" not in nft_table(), timeout=2, interval=0.02,
             what="the affinity sets gone")

    # From the host, through the route to the bridge and the nat output path.
    from_host = {fetch_from_host(vip, 80) for _ in range(20)}
    assert from_host <= set(backends) and len(from_host) >= 2, from_host

    # A NodePort on the node's own address.
    n = node.get(f"/api/v1/nodes/{node.node_name}").json()
    address = next(a["address"] for a in n["status"]["addresses"] if a["type"] == "InternalIP")
    assert fetch_from_host(address, node_port) in backends

    # The table names the service and its endpoints.
    table = nft_table()
    assert f"{vip} . tcp . 80 : goto svc-" in table, table
    for ip in ips:
        assert programmed(ip, table=table), table

    # One backend out: within a second it gets no more traffic.
    node.patch(f"/apis/discovery.k8s.io/v1/namespaces/{ns}/endpointslices/web-manual",
               {"endpoints": [{"addresses": [ip], "nodeName": node.node_name,
                               "conditions": {"ready": ip != ips[0]}} for ip in ips]},
               "application/merge-patch+json")
    wait_for(lambda: not programmed(ips[0]), timeout=1, interval=0.02,
             what="the not-ready backend gone from the rules")
    answers = fetch_in_pod(node, ns, "client", f"http://{vip}/", 20)
    assert set(answers) <= set(backends[1:]) and answers, answers

    # The service deleted: its address and node port are gone from the rules.
    node.delete(f"/api/v1/namespaces/{ns}/services/web")
    wait_for(lambda: vip not in nft_table(), timeout=2, interval=0.02,
             what="the service's rules gone")
    assert f"tcp . {node_port} :" not in nft_table()
    for b in backends + ["client"]:
        node.delete_pod_and_wait(ns, b)


# A host outside the node: a network namespace behind a veth, its default route via the node.
OUTSIDE_NS, OUTSIDE_LINK, NODE_SIDE, OUTSIDE_IP = "skte2e8-out", "skte2e8o", "10.228.8.1", "10.228.8.2"


@contextlib.contextmanager
def outside_host():
    def sh(*cmd, check=True):
        r = subprocess.run(cmd, capture_output=True, text=True)
        assert r.returncode == 0 or not check, (cmd, r.stderr)

    def remove():
        sh("ip", "netns", "del", OUTSIDE_NS, check=False)
        sh("ip", "link", "del", OUTSIDE_LINK, check=False)

    remove()
    try:
        sh("ip", "netns", "add", OUTSIDE_NS)
        sh("ip", "link", "add", OUTSIDE_LINK, "type", "veth", "peer", "name", "eth0", "netns",
           OUTSIDE_NS)
        sh("ip", "addr", "add", f"{NODE_SIDE}/30", "dev", OUTSIDE_LINK)
        sh("ip", "link", "set", OUTSIDE_LINK, "up")
        for cmd in (["ip", "addr", "add", f"{OUTSIDE_IP}/30", "dev", "eth0"],
                    ["ip", "link", "set", "eth0", "up"], ["ip", "link", "set", "lo", "up"],
                    ["ip", "route", "add", "default", "via", NODE_SIDE]):
            sh("ip", "netns", "exec", OUTSIDE_NS, *cmd)
        yield
    finally:
        remove()


def fetch_from_outside(url):
    r = subprocess.run(["ip", "netns", "exec", OUTSIDE_NS, "curl", "-s", "--max-time", "2", url],
                       capture_output=True, text=True)
    return r.stdout.strip() if r.returncode == 0 else f"curl exit {r.returncode}"


def client_seen_from_outside(url):
    # busybox httpd listens on IPv6 too: an IPv4 client shows as "[::ffff:a.b.c.d]".
    return fetch_from_outside(url).strip("[]").removeprefix("::ffff:")


def test_the_outside_reaches_pods_only_through_services(node):
    # From a host outside the node: a pod's own address is closed; a NodePort answers, with
    # the client's address masqueraded (Cluster policy) or kept and this node's endpoints
    # only (externalTrafficPolicy Local).
    ns = unique("outside")
    node.create("/api/v1/namespaces", {"metadata": {"name": ns}})
    for b in ("here", "there"):
        node.create_pod(ns, httpd(b))
    ips = {b: running_ip(node, ns, b) for b in ("here", "there")}
    cluster = node.create(f"/api/v1/namespaces/{ns}/services", service("cluster", "NodePort"))
    local = service("local", "NodePort")
    local["spec"]["externalTrafficPolicy"] = "Local"
    local = node.create(f"/api/v1/namespaces/{ns}/services", local)
    for svc in ("cluster", "local"):
        # "there" stands for a pod on another node.
        s = slice_for(svc, [], node.node_name)
        s["endpoints"] = [{"addresses": [ip], "nodeName": node.node_name if b == "here"
                           else "another-node", "conditions": {"ready": True}}
                          for b, ip in ips.items()]
        node.create(f"/apis/discovery.k8s.io/v1/namespaces/{ns}/endpointslices", s)
    cluster_port = cluster["spec"]["ports"][0]["nodePort"]
    local_port = local["spec"]["ports"][0]["nodePort"]
    with outside_host():
        wait_for(lambda: fetch_from_outside(f"http://{NODE_SIDE}:{cluster_port}/") in ips,
                 timeout=10, what="the NodePort answering the outside")
        spread = {fetch_from_outside(f"http://{NODE_SIDE}:{cluster_port}/") for _ in range(20)}
        assert spread == {"here", "there"}, spread
        seen = client_seen_from_outside(f"http://{NODE_SIDE}:{cluster_port}/cgi-bin/ip")
        assert seen == NETWORK[1].replace("0.0/16", "0.1"), seen  # masqueraded to the bridge
        # Local: this node's endpoint only, and the client's own address.
        only = {fetch_from_outside(f"http://{NODE_SIDE}:{local_port}/") for _ in range(10)}
        assert only == {"here"}, only
        seen = client_seen_from_outside(f"http://{NODE_SIDE}:{local_port}/cgi-bin/ip")
        assert seen == OUTSIDE_IP, seen
        # The pods' own addresses are closed to the outside.
        for ip in ips.values():
            assert fetch_from_outside(f"http://{ip}:8080/").startswith("curl exit"), ip
        # The host itself still reaches them.
        assert fetch_from_host(ips["here"], 8080) == "here"
    node.delete(f"/api/v1/namespaces/{ns}/services/cluster")
    node.delete(f"/api/v1/namespaces/{ns}/services/local")
    for b in ("here", "there"):
        node.delete_pod_and_wait(ns, b)


def test_a_service_with_a_selector_follows_pod_readiness(node):
    # The EndpointSlice controller at work: pods selected by label, their readiness from a
    # real readiness probe; a pod failing its probe leaves the backends within a second or so.
    ns = unique("sel")
    node.create("/api/v1/namespaces", {"metadata": {"name": ns}})
    for name in ("app-a", "app-b"):
        p = httpd(name)
        p["metadata"]["labels"] = {"app": "sel"}
        p["spec"]["containers"][0]["readinessProbe"] = {
            "exec": {"command": ["test", "!", "-e", "/tmp/unready"]}, "periodSeconds": 1,
            "failureThreshold": 1}
        node.create_pod(ns, p)
    node.create_pod(ns, busybox("client", "exec sleep 3600"))
    for name in ("app-a", "app-b", "client"):
        running_ip(node, ns, name)
    svc = service("sel")
    svc["spec"]["selector"] = {"app": "sel"}
    vip = node.create(f"/api/v1/namespaces/{ns}/services", svc)["spec"]["clusterIP"]

    def answers():
        return set(fetch_in_pod(node, ns, "client", f"http://{vip}/", 20))

    wait_for(lambda: answers() == {"app-a", "app-b"}, timeout=20,
             what="both ready pods behind the service")
    eps = node.kubectl_ok("get", "endpoints", "-n", ns, "sel").out
    assert ":8080" in eps, eps
    node.kubectl_ok("exec", "-n", ns, "app-a", "--", "touch", "/tmp/unready")
    wait_for(lambda: answers() == {"app-b"}, timeout=10, what="the unready pod out of the service")
    slices = node.get(f"/apis/discovery.k8s.io/v1/namespaces/{ns}/endpointslices"
                      "?labelSelector=kubernetes.io/service-name=sel").json()["items"]
    assert len(slices) == 1, slices
    conditions = {e["targetRef"]["name"]: e["conditions"]["ready"]
                  for e in slices[0]["endpoints"]}
    assert conditions == {"app-a": False, "app-b": True}, conditions
    node.delete(f"/api/v1/namespaces/{ns}/services/sel")
    for name in ("app-a", "app-b", "client"):
        node.delete_pod_and_wait(ns, name)


def test_pods_find_services_by_dns_name(node):
    # The embedded DNS behind the kube-dns service: names resolve from a pod (its resolv.conf
    # points at --cluster-dns, with the namespace's search path), and traffic follows them.
    ns = unique("dns")
    node.create("/api/v1/namespaces", {"metadata": {"name": ns}})
    p = httpd("named")
    p["metadata"]["labels"] = {"app": "named"}
    node.create_pod(ns, p)
    node.create_pod(ns, busybox("asker", "exec sleep 3600"))
    running_ip(node, ns, "named")
    running_ip(node, ns, "asker")
    svc = service("web")
    svc["spec"]["selector"] = {"app": "named"}
    vip = node.create(f"/api/v1/namespaces/{ns}/services", svc)["spec"]["clusterIP"]
    dns = node.get("/api/v1/namespaces/kube-system/services/kube-dns").json()
    assert dns["spec"]["clusterIP"] == NETWORK[2].replace("0.0/16", "0.10")

    def lookup(name):
        return node.kubectl_ok("exec", "-n", ns, "asker", "--", "sh", "-c",
                               f"nslookup {name} 2>&1; true").out

    out = wait_for(lambda: (lambda o: o if vip in o else None)(
        lookup(f"web.{ns}.svc.cluster.local")), timeout=15, what="the service's name resolving")
    assert f"web.{ns}.svc.cluster.local" in out, out
    # The search path: the bare name, from the same namespace.
    assert fetch_in_pod(node, ns, "asker", "http://web/", 3) == ["named"] * 3
    assert fetch_in_pod(node, ns, "asker", f"http://web.{ns}/", 1) == ["named"]
    # A name that does not exist is NXDOMAIN, quickly.
    missing = lookup(f"nothing.{ns}.svc.cluster.local")
    assert "NXDOMAIN" in missing, missing

    # dnsPolicy None: only what dnsConfig says, here the cluster DNS with a search path of its
    # own; dnsPolicy Default: the node's own resolv.conf.
    custom = busybox("custom", "exec sleep 3600", dnsPolicy="None", dnsConfig={
        "nameservers": [dns["spec"]["clusterIP"]], "searches": ["svc.cluster.local"],
        "options": [{"name": "ndots", "value": "2"}]})
    node.create_pod(ns, custom)
    node.create_pod(ns, busybox("plain", "exec sleep 3600", dnsPolicy="Default"))
    running_ip(node, ns, "custom")
    running_ip(node, ns, "plain")
    conf = node.kubectl_ok("exec", "-n", ns, "custom", "--", "cat", "/etc/resolv.conf").out
    assert conf == (f"search svc.cluster.local\nnameserver {dns['spec']['clusterIP']}\n"
                    "options ndots:2\n"), conf
    assert fetch_in_pod(node, ns, "custom", f"http://web.{ns}/", 1) == ["named"]
    host_servers = [line.split()[1] for line in open("/etc/resolv.conf")
                    if line.startswith("nameserver")][:3]
    conf = node.kubectl_ok("exec", "-n", ns, "plain", "--", "cat", "/etc/resolv.conf").out
    assert [line.split()[1] for line in conf.splitlines()
            if line.startswith("nameserver")] == host_servers, conf
    node.delete(f"/api/v1/namespaces/{ns}/services/web")
    for name in ("named", "asker", "custom", "plain"):
        node.delete_pod_and_wait(ns, name)


def test_a_load_balancer_is_exposed_on_the_node_address(node):
    ns = unique("lb")
    node.create("/api/v1/namespaces", {"metadata": {"name": ns}})
    node.create_pod(ns, httpd("lb-backend"))
    ip = running_ip(node, ns, "lb-backend")
    port = 18089
    node.create(f"/api/v1/namespaces/{ns}/services", service("front", "LoadBalancer", port))
    node.create(f"/apis/discovery.k8s.io/v1/namespaces/{ns}/endpointslices",
                slice_for("front", [ip], node.node_name))
    n = node.get(f"/api/v1/nodes/{node.node_name}").json()
    address = next(a["address"] for a in n["status"]["addresses"] if a["type"] == "InternalIP")

    def ingress():
        svc = node.get(f"/api/v1/namespaces/{ns}/services/front").json()
        return svc.get("status", {}).get("loadBalancer", {}).get("ingress")

    assert wait_for(ingress, timeout=10, what="the ingress address") == [
        {"ip": address, "ipMode": "VIP"}]
    wait_for(lambda: fetch_from_host(address, port) == "lb-backend", timeout=5,
             what="the load balancer answering on the node address")
    out = node.kubectl_ok("get", "service", "-n", ns, "front").out
    assert address in out and f"{port}:" in out, out

    # A second balancer on the same port is not exposed, and says why.
    node.create(f"/api/v1/namespaces/{ns}/services", service("again", "LoadBalancer", port))

    def port_in_use():
        for e in node.get(f"/api/v1/namespaces/{ns}/events").json()["items"]:
            if e["involvedObject"]["name"] == "again" and e["reason"] == "PortInUse":
                return e["message"]
        return None

    msg = wait_for(port_in_use, timeout=10, what="a PortInUse event")
    assert msg.startswith(f"port {port}/TCP is already used by LoadBalancer service {ns}/front"), msg
    described = node.kubectl_ok("describe", "service", "-n", ns, "again").out
    assert "PortInUse" in described, described
    node.delete(f"/api/v1/namespaces/{ns}/services/again")
    node.delete(f"/api/v1/namespaces/{ns}/services/front")
    node.delete_pod_and_wait(ns, "lb-backend")


def test_a_pod_reaches_itself_through_its_own_service(node):
    # Hairpin: the only backend is the client itself; the reply must come back through the
    # service address (masqueraded), not straight from the pod to itself.
    ns = unique("hairpin")
    node.create("/api/v1/namespaces", {"metadata": {"name": ns}})
    node.create_pod(ns, httpd("self"))
    ip = running_ip(node, ns, "self")
    vip = node.create(f"/api/v1/namespaces/{ns}/services", service("self"))["spec"]["clusterIP"]
    node.create(f"/apis/discovery.k8s.io/v1/namespaces/{ns}/endpointslices",
                slice_for("self", [ip], node.node_name))
    wait_for(lambda: programmed(ip), timeout=5, what="the backend programmed")
    assert fetch_in_pod(node, ns, "self", f"http://{vip}/", 3) == ["self"] * 3
    node.delete(f"/api/v1/namespaces/{ns}/services/self")
    node.delete_pod_and_wait(ns, "self")


def test_a_service_without_endpoints_refuses_at_once(node):
    ns = unique("empty")
    node.create("/api/v1/namespaces", {"metadata": {"name": ns}})
    svc = node.create(f"/api/v1/namespaces/{ns}/services", service("nothing"))
    vip = svc["spec"]["clusterIP"]
    wait_for(lambda: f"{vip} . tcp . 80 : goto reject-chain" in nft_table(), timeout=2,
             interval=0.02, what="the empty service rejected")
    # Rejected (not dropped): the host's client fails at once instead of timing out.
    assert fetch_from_host(vip, 80, timeout=5) == "ConnectionRefusedError"
    # A port the service does not have is rejected too.
    assert fetch_from_host(vip, 81, timeout=5) == "ConnectionRefusedError"
    node.delete(f"/api/v1/namespaces/{ns}/services/nothing")


def test_the_kubernetes_service_points_at_the_api_server(node):
    vip = node.get("/api/v1/namespaces/default/services/kubernetes").json()["spec"]["clusterIP"]
    eps = node.get("/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/kubernetes").json()
    address = eps["endpoints"][0]["addresses"][0]
    assert eps["ports"] == [{"name": "https", "port": node.port, "protocol": "TCP"}]
    # (This test server listens on 127.0.0.1 only, so pods cannot connect: check the rules.)
    wait_for(lambda: programmed(address, node.port), timeout=5,
             what="the kubernetes service programmed")
    assert f"{vip} . tcp . 443 : goto svc-" in nft_table()


def test_service_traffic_flows_while_skiff_restarts(node):
    ns = unique("restart")
    node.create("/api/v1/namespaces", {"metadata": {"name": ns}})
    node.create_pod(ns, httpd("steady"))
    ip = running_ip(node, ns, "steady")
    vip = node.create(f"/api/v1/namespaces/{ns}/services", service("steady"))["spec"]["clusterIP"]
    node.create(f"/apis/discovery.k8s.io/v1/namespaces/{ns}/endpointslices",
                slice_for("steady", [ip], node.node_name))
    wait_for(lambda: fetch_from_host(vip, 80) == "steady", timeout=5, what="the service answering")
    node.stop()
    try:
        # skiff is down: its table stays, the pod runs on, the service answers.
        assert TABLE in subprocess.run(["nft", "list", "tables"], capture_output=True,
                                       text=True).stdout
        assert fetch_from_host(vip, 80) == "steady"
    finally:
        node.start(port=node.port, timeout=60)
    # Back up: the first sync replaces the table in one transaction; traffic never stops.
    for _ in range(20):
        assert fetch_from_host(vip, 80) == "steady"
    node.delete(f"/api/v1/namespaces/{ns}/services/steady")
    node.delete_pod_and_wait(ns, "steady")


def wait_lookup(node, ns, pod, name, expect, timeout=20):
    """nslookup `name` in `pod` until its output contains `expect`; the output."""
    def check():
        out = node.kubectl_ok("exec", "-n", ns, pod, "--", "sh", "-c",
                              f"nslookup {name} 2>&1; true").out
        return out if expect in out else None
    return wait_for(check, timeout=timeout, what=f"{name} resolving to {expect}")


def test_statefulset_pods_external_names_and_recreated_pods_resolve(node):
    ns = unique("names")
    node.create("/api/v1/namespaces", {"metadata": {"name": ns}})
    node.create_pod(ns, busybox("asker", "exec sleep 3600"))
    running_ip(node, ns, "asker")

    # A headless service and its StatefulSet: each pod has a name of its own.
    node.create(f"/api/v1/namespaces/{ns}/services",
                {"metadata": {"name": "db"},
                 "spec": {"clusterIP": "None", "selector": {"app": "db"},
                          "ports": [{"name": "http", "port": 8080}]}})
    template = httpd("db")
    template["metadata"]["labels"] = {"app": "db"}
    node.create(f"/apis/apps/v1/namespaces/{ns}/statefulsets",
                {"metadata": {"name": "db"},
                 "spec": {"serviceName": "db", "replicas": 2,
                          "selector": {"matchLabels": {"app": "db"}},
                          "template": {"metadata": template["metadata"],
                                       "spec": template["spec"]}}})
    ips = {name: running_ip(node, ns, name) for name in ("db-0", "db-1")}
    for name, ip in ips.items():
        wait_lookup(node, ns, "asker", f"{name}.db.{ns}.svc.cluster.local", ip)
    both = wait_lookup(node, ns, "asker", f"db.{ns}.svc.cluster.local", ips["db-1"])
    assert ips["db-0"] in both, both

    # An ExternalName service is a CNAME to its target.
    node.create(f"/api/v1/namespaces/{ns}/services",
                {"metadata": {"name": "alias"},
                 "spec": {"type": "ExternalName",
                          "externalName": f"db-0.db.{ns}.svc.cluster.local"}})
    wait_lookup(node, ns, "asker", f"alias.{ns}.svc.cluster.local", ips["db-0"])

    # A pod replaced under a Deployment comes back with a new address, under the same name.
    web = httpd("web")
    web["metadata"]["labels"] = {"app": "web"}
    node.create(f"/apis/apps/v1/namespaces/{ns}/deployments",
                {"metadata": {"name": "web"},
                 "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}},
                          "template": {"metadata": web["metadata"], "spec": web["spec"]}}})
    svc = service("web")
    svc["spec"]["selector"] = {"app": "web"}
    node.create(f"/api/v1/namespaces/{ns}/services", svc)

    def web_pod():
        items = node.get(f"/api/v1/namespaces/{ns}/pods?labelSelector=app=web").json()["items"]
        ready = [p for p in items if p["status"].get("phase") == "Running"
                 and not p["metadata"].get("deletionTimestamp")]
        return ready[0] if len(items) == 1 and ready else None

    first = wait_for(web_pod, timeout=30, what="the web pod running")
    wait_for(lambda: fetch_in_pod(node, ns, "asker", "http://web/", 1) == ["web"], timeout=15,
             what="http://web answering")
    node.delete(f"/api/v1/namespaces/{ns}/pods/{first['metadata']['name']}"
                "?gracePeriodSeconds=1")
    second = wait_for(lambda: (lambda p: p if p and p["metadata"]["uid"] !=
                               first["metadata"]["uid"] else None)(web_pod()),
                      timeout=30, what="the replacement pod running")
    # host-local hands out addresses round-robin: the replacement has a new one.
    assert second["status"]["podIP"] != first["status"]["podIP"]
    wait_for(lambda: fetch_in_pod(node, ns, "asker", "http://web/", 1) == ["web"], timeout=15,
             what="http://web answering from the replacement")
    node.delete(f"/apis/apps/v1/namespaces/{ns}/deployments/web")
    node.delete(f"/apis/apps/v1/namespaces/{ns}/statefulsets/db")
    for svc_name in ("web", "db", "alias"):
        node.delete(f"/api/v1/namespaces/{ns}/services/{svc_name}")
    node.delete_pod_and_wait(ns, "asker")
