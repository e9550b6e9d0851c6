#!/usr/bin/env python3
"""OUR server side: impacket's own SMB server (SimpleSMBServer) standing in for
a Windows host that exposes \\PIPE\\atsvc.

It authenticates the test user with NTLM, serves IPC$ and ADMIN$ (a scratch
folder, so atexec.py can fetch its output file) and forwards the atsvc named
pipe to responder.py, which speaks DCE/RPC behind it.
"""
import argparse
import logging
import os

from impacket import ntlm
from impacket.smbserver import SimpleSMBServer


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--listen", required=True, help="address to listen on (port 445)")
    parser.add_argument("--pipe-backend", required=True, help="HOST:PORT of responder.py --pipe")
    parser.add_argument("--admin-dir", required=True, help="folder served as ADMIN$")
    parser.add_argument("--user", default="hwadmin")
    parser.add_argument("--password", default="Hardw1re!")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="pipe_server: %(message)s")

    os.makedirs(os.path.join(args.admin_dir, "Temp"), exist_ok=True)
    server = SimpleSMBServer(listenAddress=args.listen, listenPort=445)
    server.setSMB2Support(True)
    server.addShare("ADMIN$", args.admin_dir, "Remote Admin")
    server.addCredential(args.user, 0, ntlm.compute_lmhash(args.password).hex(),
                         ntlm.compute_nthash(args.password).hex())
    host, port = args.pipe_backend.rsplit(":", 1)
    server.registerNamedPipe("atsvc", (host, int(port)))
    server.start()


if __name__ == "__main__":
    main()
