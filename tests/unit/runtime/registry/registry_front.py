#!/usr/bin/python3
"""A test front for a real docker-registry on loopback (the registry cannot issue tokens).

It answers /v2/... with 401 and a Bearer (or Basic) challenge unless the token it issued (or
the right basic credentials) is presented, issues tokens on /token only for the right
credentials, and proxies everything else to the real registry. Options make it misbehave the
ways a test needs: blob requests redirected to a second listener (which refuses requests that
still carry an Authorization header), Range headers ignored, bytes corrupted, transfers stalled.

Every request is logged as one line to --log:
  <listener> <METHOD> <path> range=<Range or -> auth=<bearer|basic|none> status=<code>
Once listening it writes "<front port> <redirect port>" to --port-file.
"""
import argparse
import base64
import http.client
import http.server
import os
import re
import secrets
import threading
import time
import urllib.parse

ARGS = None
TOKENS = {}  # token -> requests it may still authorize (None: unlimited)
LOCK = threading.Lock()
PORTS = {}


def log(line):
    with LOCK:
        with open(ARGS.log, "a") as f:
            f.write(line + "\n")


def basic_ok(header):
    if not header.startswith("Basic "):
        return False
    try:
        user, _, password = base64.b64decode(header[6:]).decode().partition(":")
    except Exception:
        return False
    return user == ARGS.user and password == ARGS.password


def repo_of(path):
    m = re.match(r"^/v2/(.+)/(manifests|blobs)/", path)
    return m.group(1) if m else ""


class Handler(http.server.BaseHTTPRequestHandler):
    listener = "front"

    def log_message(self, *args):
        pass

    def reply(self, status, body=b"", headers=None):
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        self.logged(status)

    def logged(self, status):
        auth = self.headers.get("Authorization", "")
        kind = auth.split(" ")[0].lower() if auth else "none"
        log("%s %s %s range=%s auth=%s status=%d" % (self.listener, self.command, self.path,
                                                      self.headers.get("Range", "-"), kind, status))

    # --- token service ---------------------------------------------------------------------
    def token(self):
        if self.command == "POST":
            length = int(self.headers.get("Content-Length", "0"))
            form = urllib.parse.parse_qs(self.rfile.read(length).decode())
            ok = (form.get("grant_type") == ["refresh_token"] and ARGS.identity_token and
                  form.get("refresh_token") == [ARGS.identity_token])
        elif ARGS.user:
            ok = basic_ok(self.headers.get("Authorization", ""))
        else:
            ok = True
        if not ok:
            return self.reply(401, b'{"details":"incorrect username or password"}',
                              {"Content-Type": "application/json"})
        tok = secrets.token_hex(16)
        with LOCK:
            TOKENS[tok] = ARGS.token_uses or None
        body = ('{"token":"%s","access_token":"%s","expires_in":%d}' %
                (tok, tok, ARGS.token_expires)).encode()
        self.reply(200, body, {"Content-Type": "application/json"})

    def authorized(self):
        header = self.headers.get("Authorization", "")
        if ARGS.auth == "none":
            return True
        if ARGS.auth == "basic":
            if basic_ok(header):
                return True
            self.reply(401, b'{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}',
                       {"WWW-Authenticate": 'Basic realm="skiff-test"',
                        "Content-Type": "application/json"})
            return False
        if header.startswith("Bearer "):
            with LOCK:
                left = TOKENS.get(header[7:], 0)
                if left is None:
                    return True
                if left > 0:
                    TOKENS[header[7:]] = left - 1  # a token that "expires" after N uses
                    return True
        challenge = ('Bearer realm="http://127.0.0.1:%d/token",service="skiff-test",'
                     'scope="repository:%s:pull"' % (PORTS["front"], repo_of(self.path)))
        self.reply(401, b'{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}',
                   {"WWW-Authenticate": challenge, "Content-Type": "application/json"})
        return False

    # --- proxy -------------------------------------------------------------------------------
    def proxy(self):
        headers = {}
        for name in ("Accept", "Range"):
            if self.headers.get(name) and not (name == "Range" and ARGS.ignore_range):
                headers[name] = self.headers[name]
        conn = http.client.HTTPConnection(ARGS.upstream, timeout=30)
        conn.request(self.command, self.path, headers=headers)
        resp = conn.getresponse()
        body = resp.read()
        conn.close()
        is_blob = "/blobs/" in self.path
        if resp.status in (200, 206):
            if (ARGS.corrupt == "manifest" and "/manifests/" in self.path) or \
               (ARGS.corrupt == "blob" and is_blob and len(body) > 100):
                body = body[:50] + bytes([body[50] ^ 0xFF]) + body[51:]
        out = {}
        for name in ("Content-Type", "Docker-Content-Digest", "Content-Range", "Accept-Ranges"):
            if resp.getheader(name):
                out[name] = resp.getheader(name)
        if ARGS.stall_blobs and is_blob and resp.status in (200, 206):
            self.send_response(resp.status)
            for k, v in out.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[:1000])
            self.wfile.flush()
            self.logged(resp.status)
            time.sleep(ARGS.stall_seconds)
            return
        self.reply(resp.status, body, out)

    def do_GET(self):
        if self.listener == "redirect":
            if self.headers.get("Authorization"):
                return self.reply(400, b"credentials were sent to another host")
            return self.proxy()
        if self.path.startswith("/token"):
            return self.token()
        if not self.authorized():
            return
        if ARGS.redirect_blobs and "/blobs/" in self.path:
            return self.reply(307, b"", {"Location": "http://127.0.0.1:%d%s" %
                                         (PORTS["redirect"], self.path)})
        self.proxy()

    do_HEAD = do_GET

    def do_POST(self):
        if self.path.startswith("/token"):
            return self.token()
        self.reply(405)


class RedirectHandler(Handler):
    listener = "redirect"


def main():
    global ARGS
    p = argparse.ArgumentParser()
    p.add_argument("--upstream", required=True)
    p.add_argument("--port-file", required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--auth", choices=["none", "bearer", "basic"], default="bearer")
    p.add_argument("--user", default="")
    p.add_argument("--password", default="")
    p.add_argument("--identity-token", default="")
    p.add_argument("--token-expires", type=int, default=300)
    p.add_argument("--token-uses", type=int, default=0)
    p.add_argument("--redirect-blobs", action="store_true")
    p.add_argument("--ignore-range", action="store_true")
    p.add_argument("--corrupt", choices=["", "manifest", "blob"], default="")
    p.add_argument("--stall-blobs", action="store_true")
    p.add_argument("--stall-seconds", type=float, default=60)
    ARGS = p.parse_args()
    front = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    redirect = http.server.ThreadingHTTPServer(("127.0.0.1", 0), RedirectHandler)
    front.daemon_threads = redirect.daemon_threads = True
    PORTS["front"] = front.server_address[1]
    PORTS["redirect"] = redirect.server_address[1]
    threading.Thread(target=redirect.serve_forever, daemon=True).start()
    tmp = ARGS.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d %d\n" % (PORTS["front"], PORTS["redirect"]))
    os.rename(tmp, ARGS.port_file)
    front.serve_forever()


if __name__ == "__main__":
    main()
