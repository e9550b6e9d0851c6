//! NDR readers for the request stubs defenders want to read: what a remote task or service
//! will run, the path a coercion call names, who a Netlogon authentication claims to be.
//!
//! The stub must be clear text (auth level below packet privacy) and complete (joined by the
//! [`FragmentAssembler`](crate::fragments::FragmentAssembler)). Both NDR transfer syntaxes are
//! read: NDR 2.0 (32-bit) and NDR64, in either byte order; the caller takes them from the bind_ack
//! result of the request's presentation context. Every reader returns `None` on anything that
//! does not parse cleanly. Passwords are never read: parsing stops before them.

use crate::dcerpc_records::{ByteOrder, NDR32_SYNTAX, NDR64_SYNTAX};
use crate::interfaces::{ATSVC, EFSR, EFSR_LSARPC, FSRVP, ITASKSCHEDULERSERVICE, NETDFS, NETLOGON, SASEC, SPOOLSS, SVCCTL};
use crate::uuid::Uuid;

/// The NDR flavour of a presentation context.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NdrFormat {
    /// NDR 2.0: 4-byte pointers and counts.
    Ndr32,
    /// NDR64: 8-byte pointers and counts, 8-byte aligned.
    Ndr64,
}

impl NdrFormat {
    /// The format a negotiated transfer syntax UUID stands for; `None` for anything else.
    pub fn from_transfer_syntax(uuid: &Uuid) -> Option<NdrFormat> {
        match *uuid {
            NDR32_SYNTAX => Some(NdrFormat::Ndr32),
            NDR64_SYNTAX => Some(NdrFormat::Ndr64),
            _ => None,
        }
    }
}

/// How a stub is encoded: NDR flavour and the integer byte order of its PDU.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct NdrSyntax {
    /// NDR 2.0 or NDR64.
    pub format: NdrFormat,
    /// Byte order from the PDU's data representation.
    pub order: ByteOrder,
}

impl NdrSyntax {
    /// NDR 2.0, little endian: what Windows uses unless NDR64 was negotiated.
    pub const NDR32_LE: NdrSyntax = NdrSyntax { format: NdrFormat::Ndr32, order: ByteOrder::Little };
}

/// Character width of a conformant varying string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CharWidth {
    /// 8-bit characters (`char*`, the `...A` methods).
    Narrow,
    /// UTF-16 characters (`wchar_t*`, the `...W` methods).
    Wide,
}

/// A bounded cursor over an NDR stub. Alignment is relative to the start of the stub, as NDR
/// requires; every read checks the bytes present.
#[derive(Debug, Clone)]
pub struct NdrReader<'a> {
    stub: &'a [u8],
    pos: usize,
    syntax: NdrSyntax,
}

impl<'a> NdrReader<'a> {
    /// A reader at the start of `stub`.
    pub fn new(stub: &'a [u8], syntax: NdrSyntax) -> NdrReader<'a> {
        NdrReader { stub, pos: 0, syntax }
    }

    /// Offset of the next byte to read.
    pub fn position(&self) -> usize {
        self.pos
    }

    /// Skips to the next multiple of `alignment` (a power of two).
    pub fn align(&mut self, alignment: usize) -> Option<()> {
        let mask = alignment.checked_sub(1)?;
        let aligned = self.pos.checked_add(mask)? & !mask;
        if aligned > self.stub.len() {
            return None;
        }
        self.pos = aligned;
        Some(())
    }

    /// The next `len` bytes.
    pub fn bytes(&mut self, len: usize) -> Option<&'a [u8]> {
        let end = self.pos.checked_add(len)?;
        let bytes = self.stub.get(self.pos..end)?;
        self.pos = end;
        Some(bytes)
    }

    fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        self.align(N)?;
        self.bytes(N)?.try_into().ok()
    }

    /// An unsigned 8-bit integer.
    pub fn u8(&mut self) -> Option<u8> {
        self.bytes(1)?.first().copied()
    }

    /// An aligned unsigned 16-bit integer.
    pub fn u16(&mut self) -> Option<u16> {
        let bytes = self.array::<2>()?;
        Some(match self.syntax.order {
            ByteOrder::Little => u16::from_le_bytes(bytes),
            ByteOrder::Big => u16::from_be_bytes(bytes),
        })
    }

    /// An aligned unsigned 32-bit integer.
    pub fn u32(&mut self) -> Option<u32> {
        let bytes = self.array::<4>()?;
        Some(match self.syntax.order {
            ByteOrder::Little => u32::from_le_bytes(bytes),
            ByteOrder::Big => u32::from_be_bytes(bytes),
        })
    }

    /// An aligned unsigned 64-bit integer.
    pub fn u64(&mut self) -> Option<u64> {
        let bytes = self.array::<8>()?;
        Some(match self.syntax.order {
            ByteOrder::Little => u64::from_le_bytes(bytes),
            ByteOrder::Big => u64::from_be_bytes(bytes),
        })
    }

    /// A value whose size follows the transfer syntax: pointer referent ids, conformance and
    /// variance counts, `DWORD_PTR`/`ULONG_PTR` (4 bytes in NDR 2.0, 8 in NDR64).
    pub fn pointer_sized(&mut self) -> Option<u64> {
        match self.syntax.format {
            NdrFormat::Ndr32 => self.u32().map(u64::from),
            NdrFormat::Ndr64 => self.u64(),
        }
    }

    /// The referent id of a unique or full pointer (0 is NULL).
    pub fn referent(&mut self) -> Option<u64> {
        self.pointer_sized()
    }

    fn count(&mut self) -> Option<usize> {
        usize::try_from(self.pointer_sized()?).ok()
    }

    /// A context handle (`ndr_context_handle`: 4-byte attributes and a UUID, 20 bytes).
    pub fn context_handle(&mut self) -> Option<&'a [u8]> {
        self.align(4)?;
        self.bytes(20)
    }

    /// A conformant varying string (`[string]`): maximum count, offset, actual count, then the
    /// characters. Decoded up to its first NUL; UTF-16 for wide strings, UTF-8 or else Latin-1
    /// for narrow ones.
    pub fn string(&mut self, width: CharWidth) -> Option<String> {
        let max_count = self.count()?;
        let offset = self.count()?;
        let actual_count = self.count()?;
        if offset.checked_add(actual_count)? > max_count {
            return None;
        }
        match width {
            CharWidth::Wide => {
                let bytes = self.bytes(actual_count.checked_mul(2)?)?;
                let order = self.syntax.order;
                let units = bytes.chunks_exact(2).map(|pair| match order {
                    ByteOrder::Little => u16::from_le_bytes([pair[0], pair[1]]),
                    ByteOrder::Big => u16::from_be_bytes([pair[0], pair[1]]),
                });
                Some(
                    char::decode_utf16(units.take_while(|&unit| unit != 0))
                        .map(|decoded| decoded.unwrap_or(char::REPLACEMENT_CHARACTER))
                        .collect(),
                )
            }
            CharWidth::Narrow => {
                let bytes = self.bytes(actual_count)?;
                let end = bytes.iter().position(|&byte| byte == 0).unwrap_or(bytes.len());
                let text = bytes.get(..end)?;
                Some(match core::str::from_utf8(text) {
                    Ok(utf8) => utf8.to_owned(),
                    Err(_) => text.iter().map(|&byte| char::from(byte)).collect(),
                })
            }
        }
    }

    /// A `[unique, string]` pointer: `Some(None)` for NULL, the string otherwise.
    pub fn unique_string(&mut self, width: CharWidth) -> Option<Option<String>> {
        if self.referent()? == 0 {
            return Some(None);
        }
        self.string(width).map(Some)
    }

    /// Skips a `[unique, size_is(n)] byte*` (referent, then a conformant byte array).
    pub fn skip_unique_bytes(&mut self) -> Option<()> {
        if self.referent()? != 0 {
            let len = self.count()?;
            self.bytes(len)?;
        }
        Some(())
    }

    /// Alignment of a structure holding pointers or `DWORD_PTR`s.
    fn align_pointer_struct(&mut self) -> Option<()> {
        match self.syntax.format {
            NdrFormat::Ndr32 => self.align(4),
            NdrFormat::Ndr64 => self.align(8),
        }
    }
}

/// ATSVC `NetrJobAdd` (MS-TSCH 3.2.5.2.1): the `at` job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AtJob {
    /// `ServerName`, when sent (`\\host`).
    pub server: Option<String>,
    /// `AT_INFO.Command`: what the job runs.
    pub command: String,
    /// `AT_INFO.JobTime`: milliseconds after midnight.
    pub job_time: u64,
    /// `AT_INFO.DaysOfMonth` bit mask.
    pub days_of_month: u32,
    /// `AT_INFO.DaysOfWeek` bit mask.
    pub days_of_week: u8,
    /// `AT_INFO.Flags` (JOB_RUN_PERIODICALLY 0x01, JOB_NONINTERACTIVE 0x10...).
    pub flags: u8,
}

/// Reads a `NetrJobAdd` request stub.
pub fn netr_job_add(stub: &[u8], syntax: NdrSyntax) -> Option<AtJob> {
    let mut reader = NdrReader::new(stub, syntax);
    let server = reader.unique_string(CharWidth::Wide)?;
    // pAtInfo is a top-level [ref] pointer: no referent id, the AT_INFO follows.
    reader.align_pointer_struct()?;
    let job_time = reader.pointer_sized()?;
    let days_of_month = reader.u32()?;
    let days_of_week = reader.u8()?;
    let flags = reader.u8()?;
    if reader.referent()? == 0 {
        return None;
    }
    let command = reader.string(CharWidth::Wide)?;
    Some(AtJob { server, command, job_time, days_of_month, days_of_week, flags })
}

/// svcctl `RCreateServiceW/A`, `RCreateServiceWOW64A/W`, `RCreateWowService` (MS-SCMR 3.1.4):
/// the service being created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceCreate {
    /// `lpServiceName`.
    pub service_name: String,
    /// `lpDisplayName`, when sent.
    pub display_name: Option<String>,
    /// `dwServiceType` (0x10 own process, 0x20 shared, 0x01 kernel driver...).
    pub service_type: u32,
    /// `dwStartType` (2 auto, 3 demand...).
    pub start_type: u32,
    /// `lpBinaryPathName`: the command line the service runs.
    pub binary_path: String,
    /// `lpServiceStartName`: the account the service runs as, when sent.
    pub start_name: Option<String>,
}

/// Reads the request stub of a svcctl service creation; `opnum` selects the method (12, 24, 44,
/// 45 or 60; any other gives `None`).
pub fn create_service(opnum: u16, stub: &[u8], syntax: NdrSyntax) -> Option<ServiceCreate> {
    let width = match opnum {
        12 | 45 | 60 => CharWidth::Wide,
        24 | 44 => CharWidth::Narrow,
        _ => return None,
    };
    let mut reader = NdrReader::new(stub, syntax);
    reader.context_handle()?;
    let service_name = reader.string(width)?;
    let display_name = reader.unique_string(width)?;
    let _desired_access = reader.u32()?;
    let service_type = reader.u32()?;
    let start_type = reader.u32()?;
    let _error_control = reader.u32()?;
    let binary_path = reader.string(width)?;
    let _load_order_group = reader.unique_string(width)?;
    if reader.referent()? != 0 {
        let _tag_id = reader.u32()?;
    }
    reader.skip_unique_bytes()?; // lpDependencies
    let _depend_size = reader.u32()?;
    let start_name = reader.unique_string(width)?;
    // lpPassword follows: never read.
    Some(ServiceCreate { service_name, display_name, service_type, start_type, binary_path, start_name })
}

/// One `<Exec>` action of a task definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecAction {
    /// `<Command>`.
    pub command: String,
    /// `<Arguments>`, when present.
    pub arguments: Option<String>,
}

/// ITaskSchedulerService `SchRpcRegisterTask` (MS-TSCH 3.2.5.4.2): the task being registered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterTask {
    /// `path`: the task's path (`\Microsoft\Windows\...`), when sent.
    pub path: Option<String>,
    /// The `<Exec>` actions of the task XML.
    pub actions: Vec<ExecAction>,
    /// The first `<UserId>` of the task XML (the principal it runs as), when present.
    pub user_id: Option<String>,
    /// `flags` (TASK_CREATE 0x2, TASK_UPDATE 0x4...).
    pub flags: u32,
    /// `logonType`.
    pub logon_type: u32,
}

/// Reads a `SchRpcRegisterTask` request stub.
pub fn sch_rpc_register_task(stub: &[u8], syntax: NdrSyntax) -> Option<RegisterTask> {
    let mut reader = NdrReader::new(stub, syntax);
    let path = reader.unique_string(CharWidth::Wide)?;
    let xml = reader.string(CharWidth::Wide)?;
    let flags = reader.u32()?;
    let _sddl = reader.unique_string(CharWidth::Wide)?;
    let logon_type = reader.u32()?;
    // cCreds and pCreds (credentials) follow: never read.
    Some(RegisterTask { path, actions: exec_actions(&xml), user_id: element_text(&xml, "UserId"), flags, logon_type })
}

/// Reads the task path of a `SchRpcRun` request stub (MS-TSCH 3.2.5.4.13).
pub fn sch_rpc_run(stub: &[u8], syntax: NdrSyntax) -> Option<String> {
    NdrReader::new(stub, syntax).string(CharWidth::Wide)
}

/// SASec `SASetAccountInformation` (MS-TSCH 3.2.5.3.4): which job runs as which account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountInformation {
    /// `pwszJobName`.
    pub job_name: String,
    /// `pwszAccount`.
    pub account: String,
}

/// Reads a `SASetAccountInformation` request stub, stopping before the password.
pub fn sa_set_account_information(stub: &[u8], syntax: NdrSyntax) -> Option<AccountInformation> {
    let mut reader = NdrReader::new(stub, syntax);
    let _handle = reader.unique_string(CharWidth::Wide)?;
    let job_name = reader.string(CharWidth::Wide)?;
    let account = reader.string(CharWidth::Wide)?;
    Some(AccountInformation { job_name, account })
}

/// What a remote-execution request asks for, decoded from its stub.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RemoteExecDetail {
    /// ATSVC `NetrJobAdd`.
    AtJob(AtJob),
    /// svcctl service creation.
    CreateService(ServiceCreate),
    /// ITaskSchedulerService `SchRpcRegisterTask`.
    RegisterTask(RegisterTask),
    /// ITaskSchedulerService `SchRpcRun`: the task path.
    RunTask(String),
    /// SASec `SASetAccountInformation`.
    AccountInformation(AccountInformation),
}

impl RemoteExecDetail {
    /// The command line the request will run, when it says: the job command, the service binary
    /// path, or the first exec action of a task (command and arguments).
    pub fn command_line(&self) -> Option<String> {
        match self {
            RemoteExecDetail::AtJob(job) => Some(job.command.clone()),
            RemoteExecDetail::CreateService(service) => Some(service.binary_path.clone()),
            RemoteExecDetail::RegisterTask(task) => task.actions.first().map(|action| match &action.arguments {
                Some(arguments) => format!("{} {}", action.command, arguments),
                None => action.command.clone(),
            }),
            RemoteExecDetail::RunTask(_) | RemoteExecDetail::AccountInformation(_) => None,
        }
    }
}

/// Decodes the stub of any operation [`remote_execution`](crate::interfaces::remote_execution)
/// classifies; `None` for other operations or stubs that do not parse.
pub fn decode_remote_exec(interface: &Uuid, opnum: u16, stub: &[u8], syntax: NdrSyntax) -> Option<RemoteExecDetail> {
    match (*interface, opnum) {
        (ATSVC, 0) => netr_job_add(stub, syntax).map(RemoteExecDetail::AtJob),
        (ITASKSCHEDULERSERVICE, 1) => sch_rpc_register_task(stub, syntax).map(RemoteExecDetail::RegisterTask),
        (ITASKSCHEDULERSERVICE, 12) => sch_rpc_run(stub, syntax).map(RemoteExecDetail::RunTask),
        (SASEC, 0) => sa_set_account_information(stub, syntax).map(RemoteExecDetail::AccountInformation),
        (SVCCTL, _) => create_service(opnum, stub, syntax).map(RemoteExecDetail::CreateService),
        _ => None,
    }
}

/// The path a coercion call makes the server reach, as sent: the `FileName` of the MS-EFSR
/// methods, `pszLocalMachine` of RpcRemoteFindFirstPrinterChangeNotification(Ex),
/// `\\ServerName\RootShare` of NetrDfsAddStdRoot / NetrDfsRemoveStdRoot, `ShareName` of
/// IsPathSupported / IsPathShadowCopied. `None` for other operations, for a NULL path and for
/// stubs that do not parse.
pub fn coercion_path(interface: &Uuid, opnum: u16, stub: &[u8], syntax: NdrSyntax) -> Option<String> {
    let mut reader = NdrReader::new(stub, syntax);
    match (*interface, opnum) {
        // [in, string] wchar_t* FileName first (a top-level [ref] pointer: no referent id).
        (EFSR_LSARPC | EFSR, 0 | 4 | 5 | 6 | 7 | 12 | 13) | (FSRVP, 8 | 9) => reader.string(CharWidth::Wide),
        // dwFlags, [unique] EFS_RPC_BLOB* Reserved (NULL in every tool), then FileName.
        (EFSR_LSARPC | EFSR, 15) => {
            reader.u32()?;
            if reader.referent()? != 0 {
                return None;
            }
            reader.string(CharWidth::Wide)
        }
        // hPrinter, fdwFlags, fdwOptions, [unique, string] pszLocalMachine.
        (SPOOLSS, 62 | 65) => {
            reader.context_handle()?;
            reader.u32()?;
            reader.u32()?;
            reader.unique_string(CharWidth::Wide)?
        }
        (NETDFS, 12 | 13) => {
            let server = reader.string(CharWidth::Wide)?;
            let share = reader.string(CharWidth::Wide)?;
            Some(format!("\\\\{}\\{share}", server.trim_start_matches('\\')))
        }
        _ => None,
    }
}

/// Netlogon NetrServerAuthenticate, 2 and 3 (MS-NRPC 3.5.4.4.1-3): who asks for a secure
/// channel, and whether its credential is all zero (Zerologon, CVE-2020-1472). The credential
/// itself is read only to be compared with zero, never kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetlogonAuthenticate {
    /// `AccountName` (`"DC1$"`).
    pub account: String,
    /// `SecureChannelType` (2 workstation, 6 server, 4 domain trust...).
    pub secure_channel_type: u32,
    /// `ComputerName`.
    pub computer: String,
    /// `ClientCredential` is eight zero bytes.
    pub zero_credential: bool,
}

/// Reads a Netlogon authenticate request stub (opnum 5, 15 or 26; any other gives `None`).
pub fn netlogon_authenticate(opnum: u16, stub: &[u8], syntax: NdrSyntax) -> Option<NetlogonAuthenticate> {
    if !matches!(opnum, 5 | 15 | 26) {
        return None;
    }
    let mut reader = NdrReader::new(stub, syntax);
    let _primary_name = reader.unique_string(CharWidth::Wide)?;
    let account = reader.string(CharWidth::Wide)?;
    // An NDR enum is 16 bits in NDR 2.0, 32 in NDR64.
    let secure_channel_type = match syntax.format {
        NdrFormat::Ndr32 => u32::from(reader.u16()?),
        NdrFormat::Ndr64 => reader.u32()?,
    };
    let computer = reader.string(CharWidth::Wide)?;
    let credential = reader.bytes(8)?;
    Some(NetlogonAuthenticate { account, secure_channel_type, computer, zero_credential: credential.iter().all(|&b| b == 0) })
}

/// What an attack-class request names, decoded from its stub.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttackDetail {
    /// The path a coercion call points the server at.
    CoercionPath(String),
    /// A Netlogon authenticate request.
    Netlogon(NetlogonAuthenticate),
}

/// Decodes the stub of a coercion or Netlogon authenticate request; `None` for other
/// operations or stubs that do not parse.
pub fn decode_attack(interface: &Uuid, opnum: u16, stub: &[u8], syntax: NdrSyntax) -> Option<AttackDetail> {
    if *interface == NETLOGON {
        return netlogon_authenticate(opnum, stub, syntax).map(AttackDetail::Netlogon);
    }
    coercion_path(interface, opnum, stub, syntax).map(AttackDetail::CoercionPath)
}

/// The `<Exec>` actions of a task definition (MS-TSCH 2.5): `<Command>` and `<Arguments>` of
/// each, entities decoded. Tags with a namespace prefix are not recognised.
pub fn exec_actions(xml: &str) -> Vec<ExecAction> {
    xml.split("<Exec")
        .skip(1)
        // "<Exec>" or "<Exec attr=...>", not "<ExecutionTimeLimit>".
        .filter(|block| block.starts_with('>') || block.starts_with(char::is_whitespace))
        .filter_map(|block| {
            let block = block.split("</Exec>").next().unwrap_or(block);
            Some(ExecAction { command: element_text(block, "Command")?, arguments: element_text(block, "Arguments") })
        })
        .collect()
}

/// Text of the first `<name>...</name>` element, trimmed and with entities decoded.
fn element_text(xml: &str, name: &str) -> Option<String> {
    let open = format!("<{name}>");
    let close = format!("</{name}>");
    let start = xml.find(&open)? + open.len();
    let rest = xml.get(start..)?;
    let end = rest.find(&close)?;
    Some(decode_entities(rest.get(..end)?.trim()))
}

fn decode_entities(text: &str) -> String {
    let mut decoded = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        decoded.push_str(rest.get(..amp).unwrap_or_default());
        let after = rest.get(amp + 1..).unwrap_or_default();
        let entity = after.find(';').filter(|&semi| semi <= 10).and_then(|semi| Some((after.get(..semi)?, semi)));
        let replacement = entity.and_then(|(name, semi)| {
            let character = match name {
                "amp" => '&',
                "lt" => '<',
                "gt" => '>',
                "quot" => '"',
                "apos" => '\'',
                _ => {
                    let code = match name.strip_prefix("#x").or_else(|| name.strip_prefix("#X")) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                        None => name.strip_prefix('#')?.parse().ok()?,
                    };
                    char::from_u32(code)?
                }
            };
            Some((character, semi))
        });
        match replacement {
            Some((character, semi)) => {
                decoded.push(character);
                rest = after.get(semi + 1..).unwrap_or_default();
            }
            None => {
                decoded.push('&');
                rest = after;
            }
        }
    }
    decoded.push_str(rest);
    decoded
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dcerpc_records::tests::{hex, REQUEST_3109};
    use crate::dcerpc_records::{parse_pdu, PduBody};
    use proptest::prelude::*;

    // suricata-verify/filestore-filecontainer-smb1-data-offset/input.pcap frame 790 (SMB1):
    // svcctl CreateServiceW, NDR 2.0. tshark: service and display name
    // 12zcytvobte007cok1akhmrr_jud32303366jbc3p9x9my1rl9gwtlqfjqx20osk, service type 0x10,
    // SERVICE_AUTO_START, binary path below, NULL service start name.
    const CREATE_SERVICE_W_SMB1: &str = "0500000310000000c802000003000000b002000000000c000000000005d85b8b8e8e7048944719f9ae414e2d410000000000000041000000310032007a0063007900740076006f0062007400650030003000370063006f006b00310061006b0068006d00720072005f006a0075006400330032003300300033003300360036006a0062006300330070003900780039006d007900310072006c0039006700770074006c00710066006a0071007800320030006f0073006b000000aaaa34120000410000000000000041000000310032007a0063007900740076006f0062007400650030003000370063006f006b00310061006b0068006d00720072005f006a0075006400330032003300300033003300360036006a0062006300330070003900780039006d007900310072006c0039006700770074006c00710066006a0071007800320030006f0073006b000000bfbfff010f00100000000200000000000000a000000000000000a000000043003a005c00570049004e0044004f00570053005c00310032007a0063007900740076006f0062007400650030003000370063006f006b00310061006b0068006d00720072005f006a0075006400330032003300300033003300360036006a0062006300330070003900780039006d007900310072006c0039006700770074006c00710066006a0071007800320030006f0073006b002e00650078006500200043003a005c00570049004e0044004f00570053005c006800620069006b003400320034007a00670065006f006b006b003900710065006e003400350038003200770078006f0068006b006d0075003000320069006a0063006c00690064003300660079006700340032006c00700066006700640068006e0031006d00770063005f0079007400790035006200640063006600330067002e00650078006500000000000000000000000000000000000000000000000000000000000000";
    // suricata-verify/filestore-filecontainer-smb/filecontainer-smb.pcap frame 1557: PsExec's
    // CreateServiceW. tshark: PSEXESVC, display name PsExec, type 0x10, SERVICE_DEMAND_START,
    // %SystemRoot%\PSEXESVC.EXE.
    const CREATE_SERVICE_W_PSEXEC: &str = "0500000310000000d800000002000000c000000000000c0000000000123f21c4edd438498b593212cb74c55909000000000000000900000050005300450058004500530056004300000000000000020007000000000000000700000050007300450078006500630000000000ff010f001000000003000000000000001a000000000000001a0000002500530079007300740065006d0052006f006f00740025005c00500053004500580045005300560043002e00450058004500000000000000000000000000000000000000000000000000000000000000";
    // Same capture, frame 7208: PsKill's CreateServiceA (opnum 24). tshark names the operation
    // but does not dissect its stub; the strings are those of the ASCII column of `tshark -x`:
    // PSKLLSVC, PsKill, %SystemRoot%\PSKLLSVC.EXE.
    const CREATE_SERVICE_A_PSKILL: &str = "0500000310000000b000000002000000980000000000180000000000a5c0dcfdb187e34b8d0353c80e551b4609000000000000000900000050534b4c4c535643001048600000020007000000000000000700000050734b696c6c0000ff010f001000000003000000000000001a000000000000001a0000002553797374656d526f6f74255c50534b4c4c5356432e45584500000000000000000000000000000000000000000000000000000000000000";

    fn request_stub(text: &str) -> (u16, Vec<u8>) {
        let bytes = hex(text);
        let pdu = parse_pdu(&bytes).expect("real PDU");
        match pdu.body {
            PduBody::Request(request) => (request.opnum, request.stub.to_vec()),
            other => panic!("not a request: {other:?}"),
        }
    }

    #[test]
    fn netr_job_add_ndr64() {
        // tshark -V -Y atsvc: Server \\admin-pc, Job Time 47100000, Days Of Month 0,
        // Days Of Week 0, Command c:\mimikatz.exe; the bind_ack accepted NDR64 for context 1.
        let (opnum, stub) = request_stub(REQUEST_3109);
        let syntax = NdrSyntax { format: NdrFormat::Ndr64, order: ByteOrder::Little };
        let job = netr_job_add(&stub, syntax).expect("NetrJobAdd");
        assert_eq!(job.server.as_deref(), Some("\\\\admin-pc"));
        assert_eq!(job.command, "c:\\mimikatz.exe");
        assert_eq!((job.job_time, job.days_of_month, job.days_of_week), (47_100_000, 0, 0));
        let detail = decode_remote_exec(&ATSVC, opnum, &stub, syntax).expect("decoded");
        assert_eq!(detail.command_line().as_deref(), Some("c:\\mimikatz.exe"));
        // Read as NDR 2.0 the same bytes do not parse cleanly.
        assert_eq!(netr_job_add(&stub, NdrSyntax::NDR32_LE), None);
    }

    #[test]
    fn create_service_w_over_smb1() {
        let (opnum, stub) = request_stub(CREATE_SERVICE_W_SMB1);
        assert_eq!(opnum, 12);
        let service = create_service(opnum, &stub, NdrSyntax::NDR32_LE).expect("RCreateServiceW");
        let name = "12zcytvobte007cok1akhmrr_jud32303366jbc3p9x9my1rl9gwtlqfjqx20osk";
        assert_eq!(service.service_name, name);
        assert_eq!(service.display_name.as_deref(), Some(name));
        assert_eq!((service.service_type, service.start_type), (0x10, 2));
        assert_eq!(
            service.binary_path,
            "C:\\WINDOWS\\12zcytvobte007cok1akhmrr_jud32303366jbc3p9x9my1rl9gwtlqfjqx20osk.exe \
             C:\\WINDOWS\\hbik424zgeokk9qen4582wxohkmu02ijclid3fyg42lpfgdhn1mwc_yty5bdcf3g.exe"
        );
        assert_eq!(service.start_name, None);
    }

    #[test]
    fn psexec_and_pskill_services() {
        let (opnum, stub) = request_stub(CREATE_SERVICE_W_PSEXEC);
        let detail = decode_remote_exec(&SVCCTL, opnum, &stub, NdrSyntax::NDR32_LE);
        let Some(RemoteExecDetail::CreateService(service)) = detail else { panic!("not decoded: {detail:?}") };
        assert_eq!(service.service_name, "PSEXESVC");
        assert_eq!(service.display_name.as_deref(), Some("PsExec"));
        assert_eq!((service.service_type, service.start_type), (0x10, 3));
        assert_eq!(service.binary_path, "%SystemRoot%\\PSEXESVC.EXE");

        let (opnum, stub) = request_stub(CREATE_SERVICE_A_PSKILL);
        assert_eq!(opnum, 24);
        let service = create_service(opnum, &stub, NdrSyntax::NDR32_LE).expect("RCreateServiceA");
        assert_eq!(service.service_name, "PSKLLSVC");
        assert_eq!(service.display_name.as_deref(), Some("PsKill"));
        assert_eq!(service.binary_path, "%SystemRoot%\\PSKLLSVC.EXE");
        // Wrong method or interface: nothing.
        assert_eq!(create_service(15, &stub, NdrSyntax::NDR32_LE), None);
        assert_eq!(decode_remote_exec(&ATSVC, 1, &stub, NdrSyntax::NDR32_LE), None);
    }

    /// Builds NDR 2.0 little-endian stubs for the methods no public capture carries in clear.
    #[derive(Default)]
    struct Ndr32(Vec<u8>);

    impl Ndr32 {
        fn align(&mut self) -> &mut Self {
            while !self.0.len().is_multiple_of(4) {
                self.0.push(0);
            }
            self
        }
        fn u32(&mut self, value: u32) -> &mut Self {
            self.align();
            self.0.extend_from_slice(&value.to_le_bytes());
            self
        }
        fn wstring(&mut self, text: &str) -> &mut Self {
            let units: Vec<u16> = text.encode_utf16().chain([0]).collect();
            let count = units.len() as u32;
            self.u32(count).u32(0).u32(count);
            for unit in units {
                self.0.extend_from_slice(&unit.to_le_bytes());
            }
            self
        }
        fn unique_wstring(&mut self, text: &str) -> &mut Self {
            self.u32(0x0002_0000).wstring(text)
        }
    }

    const TASK_XML: &str = r#"<?xml version="1.0" encoding="UTF-16"?>
<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">
  <Principals><Principal id="Author"><UserId>S-1-5-18</UserId><RunLevel>HighestAvailable</RunLevel></Principal></Principals>
  <Settings><ExecutionTimeLimit>P3D</ExecutionTimeLimit></Settings>
  <Actions Context="Author">
    <Exec>
      <Command>cmd.exe</Command>
      <Arguments>/C whoami &gt; C:\Windows\Temp\out.tmp 2&gt;&amp;1</Arguments>
    </Exec>
    <Exec><Command>&#x63;alc.exe</Command></Exec>
  </Actions>
</Task>"#;

    #[test]
    fn sch_rpc_register_task_xml_actions() {
        let mut stub = Ndr32::default();
        stub.unique_wstring("\\Updater")
            .wstring(TASK_XML)
            .u32(6)
            .u32(0) // NULL sddl
            .u32(3)
            .u32(0) // cCreds
            .u32(0); // NULL pCreds
        let task = sch_rpc_register_task(&stub.0, NdrSyntax::NDR32_LE).expect("register task");
        assert_eq!(task.path.as_deref(), Some("\\Updater"));
        assert_eq!((task.flags, task.logon_type), (6, 3));
        assert_eq!(task.user_id.as_deref(), Some("S-1-5-18"));
        assert_eq!(
            task.actions,
            [
                ExecAction { command: "cmd.exe".into(), arguments: Some("/C whoami > C:\\Windows\\Temp\\out.tmp 2>&1".into()) },
                ExecAction { command: "calc.exe".into(), arguments: None },
            ]
        );
        let detail = RemoteExecDetail::RegisterTask(task);
        assert_eq!(detail.command_line().as_deref(), Some("cmd.exe /C whoami > C:\\Windows\\Temp\\out.tmp 2>&1"));
        // Cut anywhere, the stub never decodes to something else.
        for end in 0..stub.0.len() {
            let _ = sch_rpc_register_task(&stub.0[..end], NdrSyntax::NDR32_LE);
        }
    }

    #[test]
    fn sch_rpc_run_and_sasec() {
        let mut run = Ndr32::default();
        run.wstring("\\Updater").u32(0).u32(0);
        assert_eq!(
            decode_remote_exec(&ITASKSCHEDULERSERVICE, 12, &run.0, NdrSyntax::NDR32_LE),
            Some(RemoteExecDetail::RunTask("\\Updater".into()))
        );
        let mut account = Ndr32::default();
        account.unique_wstring("\\\\server").wstring("At1.job").wstring("CORP\\svc_backup").unique_wstring("Secret!").u32(0);
        let info = sa_set_account_information(&account.0, NdrSyntax::NDR32_LE).expect("SASec");
        assert_eq!(info.job_name, "At1.job");
        assert_eq!(info.account, "CORP\\svc_backup");
        assert!(!format!("{info:?}").contains("Secret"));
    }

    #[test]
    fn strings_are_bounded() {
        // max_count smaller than offset + actual_count.
        let mut stub = Ndr32::default();
        stub.u32(2).u32(0).u32(3).u32(0x0041_0041);
        assert_eq!(NdrReader::new(&stub.0, NdrSyntax::NDR32_LE).string(CharWidth::Wide), None);
        // actual_count past the bytes present.
        let mut stub = Ndr32::default();
        stub.u32(0x4000_0000).u32(0).u32(0x4000_0000);
        assert_eq!(NdrReader::new(&stub.0, NdrSyntax::NDR32_LE).string(CharWidth::Wide), None);
        // Big endian.
        let big = [0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 2, 0, b'A', 0, 0];
        let syntax = NdrSyntax { format: NdrFormat::Ndr32, order: ByteOrder::Big };
        assert_eq!(NdrReader::new(&big, syntax).string(CharWidth::Wide).as_deref(), Some("A"));
        assert_eq!(NdrFormat::from_transfer_syntax(&NDR64_SYNTAX), Some(NdrFormat::Ndr64));
        assert_eq!(NdrFormat::from_transfer_syntax(&SVCCTL), None);
    }

    #[test]
    fn every_truncation_of_real_stubs() {
        for text in [REQUEST_3109, CREATE_SERVICE_W_SMB1, CREATE_SERVICE_W_PSEXEC, CREATE_SERVICE_A_PSKILL] {
            let (opnum, stub) = request_stub(text);
            for end in 0..stub.len() {
                for format in [NdrFormat::Ndr32, NdrFormat::Ndr64] {
                    let syntax = NdrSyntax { format, order: ByteOrder::Little };
                    let _ = netr_job_add(&stub[..end], syntax);
                    let _ = create_service(opnum, &stub[..end], syntax);
                }
            }
        }
    }

    // EfsRpcOpenFileRaw as pcaps/mitm/coerce.py sends it (impacket's NDR encoder, as
    // PetitPotam's): FileName \\10.79.0.66\test\Settings.ini, Flags 0. Samba serves no
    // MS-EFSR, so the capture holds only the rejected bind: these are the request's stub bytes.
    const EFS_OPEN_FILE_RAW: &str = "1f000000000000001f0000005c005c00310030002e00370039002e0030002e00360036005c0074006500730074005c00530065007400740069006e00670073002e0069006e0069000000bfbf00000000";

    #[test]
    fn coercion_paths() {
        let stub = hex(EFS_OPEN_FILE_RAW);
        let path = "\\\\10.79.0.66\\test\\Settings.ini";
        for interface in [EFSR, EFSR_LSARPC] {
            assert_eq!(coercion_path(&interface, 0, &stub, NdrSyntax::NDR32_LE).as_deref(), Some(path));
        }
        assert_eq!(decode_attack(&EFSR, 0, &stub, NdrSyntax::NDR32_LE), Some(AttackDetail::CoercionPath(path.to_string())));
        // Not a coercion method, not a coercion interface.
        assert_eq!(coercion_path(&EFSR, 1, &stub, NdrSyntax::NDR32_LE), None);
        assert_eq!(coercion_path(&SVCCTL, 0, &stub, NdrSyntax::NDR32_LE), None);
        for end in 0..stub.len() {
            for opnum in [0, 15] {
                let _ = coercion_path(&EFSR, opnum, &stub[..end], NdrSyntax::NDR32_LE);
            }
            let _ = netlogon_authenticate(26, &stub[..end], NdrSyntax::NDR32_LE);
        }
    }

    proptest! {
        #[test]
        fn arbitrary_attack_stubs_never_panic(stub in proptest::collection::vec(any::<u8>(), 0..256), opnum in 0u16..100, ndr64 in any::<bool>()) {
            let syntax = NdrSyntax { format: if ndr64 { NdrFormat::Ndr64 } else { NdrFormat::Ndr32 }, order: ByteOrder::Little };
            for interface in [EFSR, EFSR_LSARPC, SPOOLSS, NETDFS, FSRVP, NETLOGON] {
                let _ = decode_attack(&interface, opnum, &stub, syntax);
            }
        }

        #[test]
        fn arbitrary_stubs_never_panic(
            stub in proptest::collection::vec(any::<u8>(), 0..256),
            opnum in 0u16..64,
            big in any::<bool>(),
            ndr64 in any::<bool>(),
        ) {
            let syntax = NdrSyntax {
                format: if ndr64 { NdrFormat::Ndr64 } else { NdrFormat::Ndr32 },
                order: if big { ByteOrder::Big } else { ByteOrder::Little },
            };
            for interface in [ATSVC, ITASKSCHEDULERSERVICE, SASEC, SVCCTL] {
                let _ = decode_remote_exec(&interface, opnum, &stub, syntax);
            }
        }

        #[test]
        fn arbitrary_xml_never_panics(xml in ".{0,200}") {
            let _ = exec_actions(&xml);
            let _ = element_text(&xml, "Command");
        }
    }
}
