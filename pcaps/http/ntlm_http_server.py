#!/usr/bin/env python3
"""A minimal HTTP server (ours) that really does NTLM, for pcaps/http/make.sh.

Apache mod_auth_gssapi with gss-ntlmssp 1.2.0 rejects curl's 32-byte NTLM NEGOTIATE
("Failed to decode data"), so curl --ntlm is recorded against this server instead: it answers
401 with `WWW-Authenticate: NTLM`, runs the three-leg exchange with pyspnego's NTLM acceptor
(credentials from the NTLM_USER_FILE environment variable), keeps the context per connection
as IIS does, and serves a short text body once authenticated.
"""
import argparse
import base64
import http.server
import sys

import spnego


class NtlmHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "Microsoft-IIS/10.0"
    sys_version = ""

    def setup(self):
        super().setup()
        self.ctx = None

    def log_message(self, fmt, *args):
        sys.stderr.write("ntlm_http_server: " + (fmt % args) + "\n")

    def send(self, code, body, headers=()):
        self.send_response(code)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        scheme, _, token = self.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "ntlm" or not token:
            self.send(401, b"401 Unauthorized\n", [("WWW-Authenticate", "NTLM")])
            return
        if self.ctx is None or self.ctx.complete:
            self.ctx = spnego.server(protocol="ntlm")
        out = self.ctx.step(base64.b64decode(token))
        if not self.ctx.complete:
            challenge = "NTLM " + base64.b64encode(out).decode()
            self.send(401, b"401 Unauthorized\n", [("WWW-Authenticate", challenge)])
            return
        self.send(200, f"hello {self.ctx.client_principal}\n".encode())


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bind", default="0.0.0.0")
    parser.add_argument("--port", type=int, default=80)
    args = parser.parse_args()
    http.server.ThreadingHTTPServer((args.bind, args.port), NtlmHandler).serve_forever()


if __name__ == "__main__":
    main()
