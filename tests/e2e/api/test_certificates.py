"""Certificate renewal while skiff runs: short lifetimes make the server renew its serving and
admin certificates every few seconds while clients keep working (a watch and a keep-alive
connection held open throughout, new connections verified against the same CA, kubectl with
the rewritten kubeconfig), and `skiff certificate rotate` forces a renewal that the running
server picks up."""

import base64
import socket
import ssl
import subprocess
import time

import yaml

from skiff_e2e import running_server, skiff_binary, wait_for


def served_certificate(srv):
    """The DER bytes of the certificate a new connection is served, verified with the CA."""
    ctx = ssl.create_default_context(cafile=srv.ca_file)
    with socket.create_connection(("127.0.0.1", srv.port), timeout=10) as raw:
        with ctx.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
            return tls.getpeercert(binary_form=True)


def kubeconfig_client_cert(srv):
    cfg = yaml.safe_load(srv.kubeconfig.read_text())
    return base64.b64decode(cfg["users"][0]["user"]["client-certificate-data"])


def test_certificates_renew_while_clients_stay_connected():
    # Leaves last 40s and are renewed 32s before they expire: a renewal every ~8s, and the
    # admin certificate the clients below loaded at the start stays valid for the whole test.
    with running_server("--certificate-lifetime", "40s",
                        "--certificate-renew-before", "32s") as srv:
        srv.create_namespace("rotation")
        first_serving = served_certificate(srv)
        first_admin = kubeconfig_client_cert(srv)
        watch = srv.watch("/api/v1/namespaces/rotation/configmaps", timeout=60)
        keep_alive = srv.connection()
        keep_alive.request("GET", "/api/v1/namespaces/default")
        assert keep_alive.getresponse().read()
        held_socket = keep_alive.sock
        served = {first_serving}
        admins = {first_admin}
        created = []
        deadline = time.monotonic() + 26
        i = 0
        while time.monotonic() < deadline:
            # The connection opened before any renewal carries on.
            keep_alive.request("GET", "/api/v1/namespaces/default")
            resp = keep_alive.getresponse()
            assert resp.status == 200, resp.read()
            resp.read()
            assert keep_alive.sock is held_socket
            # A new connection with the first admin certificate is served a current
            # certificate from the same CA.
            assert srv.get("/api/v1/namespaces/default").status == 200
            served.add(served_certificate(srv))
            admins.add(kubeconfig_client_cert(srv))
            name = f"cm-{i}"
            srv.create_configmap("rotation", name)
            created.append(name)
            i += 1
            time.sleep(1)
        assert len(served) >= 3, "the serving certificate was not renewed twice in 26s"
        assert len(admins) >= 3, "the kubeconfig's admin certificate was not renewed twice"
        # The watch opened at the start saw every object created across the renewals.
        seen = []
        while len(seen) < len(created):
            event = watch.next_event()
            assert event is not None, f"the watch ended after {seen}"
            seen.append(event["object"]["metadata"]["name"])
        assert seen == created
        watch.close()
        keep_alive.close()
        # kubectl reads the rewritten kubeconfig.
        out = subprocess.run(["kubectl", "--kubeconfig", str(srv.kubeconfig), "get",
                              "configmaps", "-n", "rotation", "-o", "name"],
                             capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr
        assert f"configmap/{created[-1]}" in out.stdout
        assert "certificates renewed" in srv.log_tail(200000)


def test_certificate_rotate_is_picked_up_by_the_running_server():
    with running_server() as srv:
        before_serving = served_certificate(srv)
        before_admin = kubeconfig_client_cert(srv)
        out = subprocess.run([skiff_binary(), "certificate", "rotate", "--data-dir",
                              str(srv.data_dir)], capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr
        assert "rotated " + str(srv.data_dir / "server/tls/serving.crt") in out.stdout
        assert "client-admin.crt" in out.stdout
        # Within the server's 10s poll: new connections get the new certificate and the
        # kubeconfig holds the new admin certificate.
        wait_for(lambda: served_certificate(srv) != before_serving, timeout=25,
                 what="the rotated serving certificate to be served")
        wait_for(lambda: kubeconfig_client_cert(srv) != before_admin, timeout=25,
                 what="the kubeconfig to hold the rotated admin certificate")
        # The old admin certificate still works: same CA, not expired.
        assert srv.get("/api/v1/namespaces/default").status == 200


def test_certificate_rotate_without_a_cluster_ca_fails_clearly(tmp_path):
    out = subprocess.run([skiff_binary(), "certificate", "rotate", "--data-dir",
                          str(tmp_path / "data")], capture_output=True, text=True, timeout=60)
    assert out.returncode == 1
    assert out.stderr.startswith("skiff: certificate rotate: no cluster CA in ")
    assert "start `skiff server" in out.stderr
    assert not (tmp_path / "data" / "server" / "tls" / "ca.key").exists()
