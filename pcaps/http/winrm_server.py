#!/usr/bin/env python3
"""A small WinRM-shaped server (ours) for pcaps/http/make.sh.

It answers POST /wsman like a Windows WinRM listener closely enough for pywinrm to run one
command end to end (Create shell, Command, Receive, Signal, Delete).  Authentication is real:
Basic is checked against --basic, NTLM / Negotiate and CredSSP are accepted by pyspnego
(the NTLM acceptor reads the NTLM_USER_FILE environment variable), and WinRM message
encryption (multipart/encrypted, MS-WSMV 2.2.9.1) is unwrapped and wrapped with the
pyspnego context of the connection.  The client side in every capture is pywinrm itself.
"""
import argparse
import base64
import http.server
import re
import ssl
import struct
import sys
import uuid

import spnego

BOUNDARY = b"--Encrypted Boundary"
PROTOCOLS = {
    "ntlm": "application/HTTP-SPNEGO-session-encrypted",
    "credssp": "application/HTTP-CredSSP-session-encrypted",
}
NS = (
    'xmlns:s="http://www.w3.org/2003/05/soap-envelope" '
    'xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" '
    'xmlns:x="http://schemas.xmlsoap.org/ws/2004/09/transfer" '
    'xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd" '
    'xmlns:rsp="http://schemas.microsoft.com/wbem/wsman/1/windows/shell"'
)
SHELL_URI = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell"


def envelope(action, relates_to, body):
    """A WS-Management response envelope, as a Windows listener shapes it."""
    return (
        f'<s:Envelope xml:lang="en-US" {NS}><s:Header>'
        f"<a:Action>{action}</a:Action>"
        f"<a:MessageID>uuid:{str(uuid.uuid4()).upper()}</a:MessageID>"
        "<a:To>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:To>"
        f"<a:RelatesTo>{relates_to}</a:RelatesTo>"
        f"</s:Header><s:Body>{body}</s:Body></s:Envelope>"
    ).encode()


def soap_answer(request, shell_id, command_id, output):
    """Answer one WS-Man request: pick the response by the request's wsa:Action."""
    text = request.decode("utf-8", "replace")
    action = re.search(r"Action[^>]*>([^<]+)<", text)
    message_id = re.search(r"MessageID[^>]*>([^<]+)<", text)
    action = action.group(1) if action else ""
    relates_to = message_id.group(1) if message_id else ""
    if action.endswith("/transfer/Create"):
        body = (
            "<x:ResourceCreated><a:Address>http://10.88.0.1:5985/wsman</a:Address>"
            f'<a:ReferenceParameters><w:ResourceURI>{SHELL_URI}/cmd</w:ResourceURI>'
            f'<w:SelectorSet><w:Selector Name="ShellId">{shell_id}</w:Selector></w:SelectorSet>'
            "</a:ReferenceParameters></x:ResourceCreated>"
            f"<rsp:Shell><rsp:ShellId>{shell_id}</rsp:ShellId></rsp:Shell>"
        )
        return envelope("http://schemas.xmlsoap.org/ws/2004/09/transfer/CreateResponse", relates_to, body)
    if action.endswith("/shell/Command"):
        body = f"<rsp:CommandResponse><rsp:CommandId>{command_id}</rsp:CommandId></rsp:CommandResponse>"
        return envelope(f"{SHELL_URI}/CommandResponse", relates_to, body)
    if action.endswith("/shell/Receive"):
        stdout = base64.b64encode(output).decode()
        body = (
            "<rsp:ReceiveResponse>"
            f'<rsp:Stream Name="stdout" CommandId="{command_id}">{stdout}</rsp:Stream>'
            f'<rsp:Stream Name="stdout" CommandId="{command_id}" End="true"></rsp:Stream>'
            f'<rsp:Stream Name="stderr" CommandId="{command_id}" End="true"></rsp:Stream>'
            f'<rsp:CommandState CommandId="{command_id}" State="{SHELL_URI}/CommandState/Done">'
            "<rsp:ExitCode>0</rsp:ExitCode></rsp:CommandState></rsp:ReceiveResponse>"
        )
        return envelope(f"{SHELL_URI}/ReceiveResponse", relates_to, body)
    if action.endswith("/shell/Signal"):
        return envelope(f"{SHELL_URI}/SignalResponse", relates_to, "<rsp:SignalResponse/>")
    if action.endswith("/transfer/Delete"):
        return envelope("http://schemas.xmlsoap.org/ws/2004/09/transfer/DeleteResponse", relates_to, "")
    return envelope("http://schemas.xmlsoap.org/ws/2004/08/addressing/fault", relates_to, "")


def decrypt(ctx, kind, body):
    """Unwrap a multipart/encrypted body (MS-WSMV 2.2.9.1.1 / 2.2.9.1.3)."""
    parts = [p for p in body.split(BOUNDARY + b"\r\n") if p]
    payload = parts[1]
    if payload.endswith(BOUNDARY + b"--\r\n"):
        payload = payload[: -len(BOUNDARY + b"--\r\n")]
    data = payload.replace(b"\tContent-Type: application/octet-stream\r\n", b"", 1)
    header_len = struct.unpack("<i", data[:4])[0]
    if kind == "credssp":
        return ctx.unwrap(data[4:]).data
    return ctx.unwrap_winrm(data[4 : 4 + header_len], data[4 + header_len :])


def encrypt(ctx, kind, message):
    """Wrap a SOAP response into a multipart/encrypted body."""
    wrapped = ctx.wrap_winrm(message)
    stream = struct.pack("<i", len(wrapped.header)) + wrapped.header + wrapped.data
    return (
        BOUNDARY + b"\r\n"
        + b"\tContent-Type: " + PROTOCOLS[kind].encode() + b"\r\n"
        + b"\tOriginalContent: type=application/soap+xml;charset=UTF-8;Length="
        + str(len(message)).encode() + b"\r\n"
        + BOUNDARY + b"\r\n"
        + b"\tContent-Type: application/octet-stream\r\n"
        + stream + BOUNDARY + b"--\r\n"
    )


class WinRMHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "Microsoft-HTTPAPI/2.0"
    sys_version = ""

    def setup(self):
        super().setup()
        self.ctx = None  # connection-bound security context, as HTTP.sys keeps it
        self.kind = None
        self.authenticated = False
        self.shell_id = str(uuid.uuid4()).upper()
        self.command_id = str(uuid.uuid4()).upper()

    def log_message(self, fmt, *args):
        sys.stderr.write("winrm_server: " + (fmt % args) + "\n")

    def send(self, code, body=b"", headers=()):
        self.send_response(code)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def challenge(self, extra=()):
        headers = list(extra) or [
            ("WWW-Authenticate", "Negotiate"),
            ("WWW-Authenticate", 'Basic realm="WSMAN"'),
            ("WWW-Authenticate", "CredSSP"),
        ]
        self.send(401, b"", headers)

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length) if length else b""
        if self.path.lower() != "/wsman":
            self.send(404)
            return
        auth = self.headers.get("Authorization", "")
        scheme, _, token = auth.partition(" ")
        scheme = scheme.lower()
        if scheme == "basic":
            user, _, password = base64.b64decode(token).decode().partition(":")
            self.authenticated = f"{user}:{password}" == self.server.basic
            if not self.authenticated:
                self.challenge()
                return
        elif scheme in ("negotiate", "ntlm", "credssp"):
            raw = base64.b64decode(token)
            if self.ctx is None or self.ctx.complete:
                self.kind = "credssp" if scheme == "credssp" else "ntlm"
                protocol = "credssp" if scheme == "credssp" else (
                    "ntlm" if raw.startswith(b"NTLMSSP\0") else "negotiate")
                self.ctx = spnego.server(protocol=protocol)
            out = self.ctx.step(raw)
            if not self.ctx.complete:
                name = "CredSSP" if scheme == "credssp" else auth.split(" ")[0]
                self.challenge([("WWW-Authenticate", f"{name} {base64.b64encode(out).decode()}")])
                return
            self.authenticated = True
            if out:
                self.log_message("final token of %d bytes not sent", len(out))
        elif not self.authenticated:
            self.challenge()
            return
        if not body:
            self.send(200)  # the empty POST that only completes authentication
            return
        encrypted = self.headers.get("Content-Type", "").startswith("multipart/encrypted")
        request = decrypt(self.ctx, self.kind, body) if encrypted else body
        answer = soap_answer(request, self.shell_id, self.command_id, self.server.output)
        if encrypted:
            content_type = (f'multipart/encrypted;protocol="{PROTOCOLS[self.kind]}";'
                            'boundary="Encrypted Boundary"')
            self.send(200, encrypt(self.ctx, self.kind, answer), [("Content-Type", content_type)])
        else:
            self.send(200, answer, [("Content-Type", "application/soap+xml;charset=UTF-8")])


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bind", default="0.0.0.0")
    parser.add_argument("--port", type=int, default=5985)
    parser.add_argument("--basic", default="alice:Hardw1re-test", help="user:password for Basic")
    parser.add_argument("--cert", help="PEM file with certificate and key: serve HTTPS")
    args = parser.parse_args()
    server = http.server.ThreadingHTTPServer((args.bind, args.port), WinRMHandler)
    server.basic = args.basic
    server.output = b"hardwire\\alice\r\n"
    if args.cert:
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.load_cert_chain(args.cert)
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
