#!/usr/bin/env python3
"""A lease break from smbd (make.sh lease_break): client A opens lease.txt on [share] asking for
a read/handle/write lease (SMB2_CREATE_REQUEST_LEASE_V2), then client B, on a connection of
its own, opens the same file for writing, and smbd sends A a lease break notification
(SMB2 OPLOCK_BREAK, MessageId all ones). smbprotocol (1.17) does not acknowledge it: its
receiver stops on the unsolicited message id and A's connection closes, which ends the break.
Both clients are the smbprotocol library; only the calls are chosen here."""
import os
import uuid

from smbprotocol import open as smb_open
from smbprotocol.connection import Connection
from smbprotocol.create_contexts import (CreateContextName, LeaseState, SMB2CreateContextRequest,
                                         SMB2CreateRequestLeaseV2)
from smbprotocol.session import Session
from smbprotocol.tree import TreeConnect

HOST, USER, PASSWORD = os.environ["SRV_IP"], os.environ["SMB_USER"], os.environ["SMB_PASS"]
ACCESS = smb_open.FilePipePrinterAccessMask.GENERIC_READ | smb_open.FilePipePrinterAccessMask.GENERIC_WRITE
SHARE = smb_open.ShareAccess.FILE_SHARE_READ | smb_open.ShareAccess.FILE_SHARE_WRITE


def tree():
    connection = Connection(uuid.uuid4(), HOST, 445)
    connection.connect()
    session = Session(connection, USER, PASSWORD, require_encryption=False, auth_protocol="ntlm")
    session.connect()
    share = TreeConnect(session, "\\\\%s\\share" % HOST)
    share.connect()
    return connection, share


def open_file(share, contexts=None):
    handle = smb_open.Open(share, "lease.txt")
    oplock = smb_open.RequestedOplockLevel.SMB2_OPLOCK_LEVEL_LEASE if contexts else smb_open.RequestedOplockLevel.SMB2_OPLOCK_LEVEL_NONE
    handle.create(smb_open.ImpersonationLevel.Impersonation, ACCESS, smb_open.FileAttributes.FILE_ATTRIBUTE_NORMAL, SHARE,
                  smb_open.CreateDisposition.FILE_OPEN_IF, smb_open.CreateOptions.FILE_NON_DIRECTORY_FILE,
                  oplock_level=oplock, create_contexts=contexts)
    return handle


def main():
    lease = SMB2CreateRequestLeaseV2()
    lease["lease_key"] = uuid.uuid4().bytes
    lease["lease_state"] = (LeaseState.SMB2_LEASE_READ_CACHING | LeaseState.SMB2_LEASE_HANDLE_CACHING
                            | LeaseState.SMB2_LEASE_WRITE_CACHING)
    lease["parent_lease_key"] = b"\0" * 16
    lease["epoch"] = 0
    context = SMB2CreateContextRequest()
    context["buffer_name"] = CreateContextName.SMB2_CREATE_REQUEST_LEASE_V2
    context["buffer_data"] = lease
    connection_a, share_a = tree()
    open_file(share_a, [context])
    connection_b, share_b = tree()
    open_file(share_b).close()
    connection_b.disconnect()
    try:
        connection_a.disconnect()
    except Exception as error:  # its receiver stopped at the break notification
        print("client A:", type(error).__name__)


if __name__ == "__main__":
    main()
