//! NDR readers for the request stubs defenders want to read: what a remote task or service
//! will run.
//!
//! The stub must be clear text (auth level below packet privacy) and complete (joined by the
//! [`FragmentAssembler`](crate::fragments::FragmentAssembler)). Both NDR transfer syntaxes are
//! read: NDR 2.0 (32-bit) and NDR64, in either byte order; the caller takes them from the bind_ack
//! result of the request's presentation context. Every reader returns `None` on anything that
//! does not parse cleanly. Passwords are never read: parsing stops before them.

use crate::dcerpc_records::{ByteOrder, NDR32_SYNTAX, NDR64_SYNTAX};
use crate::interfaces::{ATSVC, ITASKSCHEDULERSERVICE, SASEC, SVCCTL};
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
    pub const NDR32_LE: NdrSyntax = NdrSyntax {
        format: NdrFormat::Ndr32,
        order: ByteOrder::Little,
    };
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
        NdrReader {
            stub,
            pos: 0,
            syntax,
        }
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
    Some(AtJob {
        server,
        command,
        job_time,
        days_of_month,
        days_of_week,
        flags,
    })
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
    Some(ServiceCreate {
        service_name,
        display_name,
        service_type,
        start_type,
        binary_path,
        start_name,
    })
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
    Some(RegisterTask {
        path,
        actions: exec_actions(&xml),
        user_id: element_text(&xml, "UserId"),
        flags,
        logon_type,
    })
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
            RemoteExecDetail::RegisterTask(task) => task.actions.first().map(|action| {
                match &action.arguments {
                    Some(arguments) => format!("{} {}", action.command, arguments),
                    None => action.command.clone(),
                }
            }),
            RemoteExecDetail::RunTask(_) | RemoteExecDetail::AccountInformation(_) => None,
        }
    }
}

/// Decodes the stub of any operation [`remote_execution`](crate::interfaces::remote_execution)
/// classifies; `None` for other operations or stubs that do not parse.
pub fn decode_remote_exec(
    interface: &Uuid,
    opnum: u16,
    stub: &[u8],
    syntax: NdrSyntax,
) -> Option<RemoteExecDetail> {
    match (*interface, opnum) {
        (ATSVC, 0) => netr_job_add(stub, syntax).map(RemoteExecDetail::AtJob),
        (ITASKSCHEDULERSERVICE, 1) => {
            sch_rpc_register_task(stub, syntax).map(RemoteExecDetail::RegisterTask)
        }
        (ITASKSCHEDULERSERVICE, 12) => sch_rpc_run(stub, syntax).map(RemoteExecDetail::RunTask),
        (SASEC, 0) => {
            sa_set_account_information(stub, syntax).map(RemoteExecDetail::AccountInformation)
        }
        (SVCCTL, _) => create_service(opnum, stub, syntax).map(RemoteExecDetail::CreateService),
        _ => None,
    }
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
            Some(ExecAction {
                command: element_text(block, "Command")?,
                arguments: element_text(block, "Arguments"),
            })
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
        let entity = after
            .find(';')
            .filter(|&semi| semi <= 10)
            .and_then(|semi| Some((after.get(..semi)?, semi)));
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
