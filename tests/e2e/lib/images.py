"""Test images built from busybox-static, as the node e2e tests need them.

build_busybox_layout() makes an OCI image layout with umoci (one layer: /bin/busybox and a
symlink per applet); docker_archive() turns it into a `docker save` tarball with a RepoTag
(the airgap path); push() copies it into a registry with skopeo (the pull path).
"""

import os
import shutil
import subprocess
from pathlib import Path

APPLETS = ["sh", "echo", "cat", "ls", "sleep", "env", "id", "mkdir", "touch", "printf", "true",
           "false", "head", "tail", "ps", "grep", "wc", "hostname", "wget", "nc", "httpd",
           "ping", "dd", "tr", "test", "[", "kill", "trap", "date", "rm", "cp", "stat",
           "readlink", "df", "mount", "uname", "whoami", "seq", "yes", "sort", "cut", "ip"]


def run(*argv, **kw):
    p = subprocess.run(list(argv), capture_output=True, text=True, timeout=120, **kw)
    assert p.returncode == 0, f"{argv}: {p.returncode}\n{p.stdout}\n{p.stderr}"
    return p.stdout


def build_busybox_layout(workdir, tag="v1", cmd=("sh",)):
    """An OCI image layout at workdir/layout holding tag `tag`; returns the layout path."""
    workdir = Path(workdir)
    layout = workdir / "layout"
    bundle = workdir / "bundle"
    if layout.exists():
        shutil.rmtree(layout)
    if bundle.exists():
        shutil.rmtree(bundle)
    run("umoci", "init", "--layout", str(layout))
    run("umoci", "new", "--image", f"{layout}:{tag}")
    run("umoci", "unpack", "--image", f"{layout}:{tag}", str(bundle))
    rootfs = bundle / "rootfs"
    for d in ("bin", "etc", "tmp", "proc", "sys", "dev", "root", "var"):
        (rootfs / d).mkdir(exist_ok=True)
    os.chmod(rootfs / "tmp", 0o1777)
    shutil.copy2("/bin/busybox", rootfs / "bin" / "busybox")
    for applet in APPLETS:
        link = rootfs / "bin" / applet
        if not link.exists():
            link.symlink_to("busybox")
    (rootfs / "etc" / "passwd").write_text(
        "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n"
        "app:x:1000:1000:app:/tmp:/bin/sh\n")
    (rootfs / "etc" / "group").write_text("root:x:0:\nnogroup:x:65534:\napp:x:1000:\n")
    run("umoci", "repack", "--image", f"{layout}:{tag}", str(bundle))
    args = ["umoci", "config", "--image", f"{layout}:{tag}", "--config.env",
            "PATH=/bin:/usr/bin", "--config.workingdir", "/"]
    for c in cmd:
        args += ["--config.cmd", c]
    run(*args)
    run("umoci", "gc", "--layout", str(layout))
    shutil.rmtree(bundle)
    return layout


def docker_archive(layout, tag, out_tar, name):
    """A `docker save` tarball of layout:tag named `name` (e.g. skiff.local/e2e/busybox:v1)."""
    if os.path.exists(out_tar):
        os.unlink(out_tar)
    run("skopeo", "copy", "--quiet", f"oci:{layout}:{tag}", f"docker-archive:{out_tar}:{name}")
    return out_tar


def oci_archive(layout, tag, out_tar, name):
    """An OCI image-layout tarball of layout:tag whose index names it `name` (the
    org.opencontainers.image.ref.name annotation)."""
    if os.path.exists(out_tar):
        os.unlink(out_tar)
    run("skopeo", "copy", "--quiet", f"oci:{layout}:{tag}", f"oci-archive:{out_tar}:{name}")
    return out_tar


def push(layout, tag, registry, name):
    """Pushes layout:tag to registry (host:port, plain HTTP) as name:tag."""
    run("skopeo", "copy", "--quiet", "--dest-tls-verify=false", f"oci:{layout}:{tag}",
        f"docker://{registry}/{name}:{tag}")
