//! What the engine emits: typed records and alerts, shaped as `../shared/SCHEMA.md` says.
//!
//! Every object writes itself as JSON ([`JsonValue`]) with the contract's field names; absent
//! knowledge is an absent field. Each writer names every field of its struct (a destructuring
//! without `..`), so a field added and not written, or written under no decision, does not
//! compile. Sinks add nothing but the envelope (timestamp, event_type, flow fields).

use std::borrow::Cow;
use std::net::IpAddr;
use std::sync::Arc;

use hardwire_flow::community_id::CommunityId;
use hardwire_http::{AuthScheme, WinrmContent};

use crate::detect::catalog::{RuleId, Severity};
use crate::json_text::{JsonObject, JsonValue, PlainString};
use crate::time::Timestamp;

/// The flow fields every record and alert carries. `src` is the client. `Copy`: every event of a
/// flow carries its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FlowInfo {
    pub flow_id: u64,
    pub src_ip: IpAddr,
    pub src_port: u16,
    pub dest_ip: IpAddr,
    pub dest_port: u16,
    pub proto: &'static str,
    pub community_id: CommunityId,
}

impl FlowInfo {
    /// The flow fields, as members of the line.
    pub fn write_members(&self, line: &mut JsonObject) {
        let FlowInfo { flow_id, src_ip, src_port, dest_ip, dest_port, proto, community_id } = self;
        line.member("flow_id", flow_id);
        line.member("src_ip", src_ip);
        line.member("src_port", src_port);
        line.member("dest_ip", dest_ip);
        line.member("dest_port", dest_port);
        line.member("proto", &PlainString(proto.as_bytes()));
        line.member("community_id", &PlainString(community_id.as_bytes()));
    }
}

/// `smb`: one per SMB session (connection + SessionId). Names from the protocol's tables
/// (dialects, ciphers, statuses) are borrowed, not copied: an SMB brute force makes a record per
/// failed logon, and copying them was most of the cost of making one.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SmbObject {
    /// `1` for SMB1 sessions, `2` for SMB2/3 (SMB2-only field of ours).
    pub version: Option<u8>,
    pub session_id: Option<SessionIdText>,
    pub dialects_offered: Option<Arc<[Cow<'static, str>]>>,
    pub dialect: Option<Cow<'static, str>>,
    pub signing_required: Option<bool>,
    pub client_signing_required: Option<bool>,
    pub signed: Option<bool>,
    pub preauth_hash: Option<&'static str>,
    pub ciphers_offered: Option<Vec<Cow<'static, str>>>,
    pub cipher: Option<&'static str>,
    pub signing_algorithm: Option<&'static str>,
    pub compression: Option<Vec<&'static str>>,
    pub encrypted: Option<bool>,
    pub guest: Option<bool>,
    pub anonymous: Option<bool>,
    pub auth: Option<&'static str>,
    pub status: Option<Cow<'static, str>>,
    pub shares: Option<Vec<String>>,
    /// What each of `shares` is, in the same order: the typed fact `smb.admin_share` matches
    /// (never written out).
    pub share_kinds: Vec<ShareKind>,
    pub server_name: Option<String>,
    /// The best dialect this server had negotiated before this session, as the sensor
    /// remembers it (evidence for `smb.dialect.downgrade`).
    pub previous_best_dialect: Option<Cow<'static, str>>,
}

/// `smb.session_id`: `0x` and the id in sixteen lowercase hex digits, held inline (no
/// allocation for a field every `smb` record has).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct SessionIdText([u8; 18]);

impl SessionIdText {
    pub fn of(id: u64) -> Self {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut text = *b"0x0000000000000000";
        for (at, digit) in text.iter_mut().skip(2).enumerate() {
            *digit = HEX[(id >> (4 * (15 - at)) & 0xf) as usize];
        }
        SessionIdText(text)
    }

    pub fn as_str(&self) -> &str {
        // Always "0x" and hex digits, so always UTF-8.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

impl std::ops::Deref for SessionIdText {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl std::fmt::Debug for SessionIdText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.as_str().fmt(f)
    }
}

impl JsonValue for SessionIdText {
    fn write_json(&self, out: &mut Vec<u8>) {
        PlainString(&self.0).write_json(out);
    }
}

impl JsonValue for SmbObject {
    fn write_json(&self, out: &mut Vec<u8>) {
        let SmbObject {
            version,
            session_id,
            dialects_offered,
            dialect,
            signing_required,
            client_signing_required,
            signed,
            preauth_hash,
            ciphers_offered,
            cipher,
            signing_algorithm,
            compression,
            encrypted,
            guest,
            anonymous,
            auth,
            status,
            shares,
            share_kinds: _,
            server_name,
            previous_best_dialect,
        } = self;
        let mut object = JsonObject::open(out);
        object.optional("version", version);
        object.optional("session_id", session_id);
        object.optional("dialects_offered", dialects_offered);
        object.optional("dialect", dialect);
        object.optional("signing_required", signing_required);
        object.optional("client_signing_required", client_signing_required);
        object.optional("signed", signed);
        object.optional("preauth_hash", preauth_hash);
        object.optional("ciphers_offered", ciphers_offered);
        object.optional("cipher", cipher);
        object.optional("signing_algorithm", signing_algorithm);
        object.optional("compression", compression);
        object.optional("encrypted", encrypted);
        object.optional("guest", guest);
        object.optional("anonymous", anonymous);
        object.optional("auth", auth);
        object.optional("status", status);
        object.optional("shares", shares);
        object.optional("server_name", server_name);
        object.optional("previous_best_dialect", previous_best_dialect);
        object.close();
    }
}

/// `ntlm`: from an NTLMSSP AUTHENTICATE (and the CHALLENGE before it).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NtlmObject {
    pub user: Option<String>,
    pub domain: Option<String>,
    pub host: Option<String>,
    pub version: Option<NtlmKind>,
    /// Where the carrying protocol shows the logon's outcome.
    pub status: Option<Outcome>,
    pub server_nb_name: Option<String>,
    pub server_dns_name: Option<String>,
    pub server_nb_domain: Option<String>,
    pub server_dns_domain: Option<String>,
    /// The AUTHENTICATE carries a MIC that is not all zero.
    pub mic: Option<bool>,
    /// NTLMv2 only: the response's MsvAvFlags has the MIC-present bit.
    pub mic_flagged: Option<bool>,
    /// MsvAvTargetName of the NTLMv2 response (the SPN the client meant).
    pub target_name: Option<String>,
    /// NTLMSSP_NEGOTIATE_SIGN / NTLMSSP_NEGOTIATE_SEAL in the AUTHENTICATE's flags.
    pub signing: Option<bool>,
    pub sealing: Option<bool>,
    /// Keyed hashes (per process, see `app::auth`) of the server challenge and the NTProofStr,
    /// for `ntlm.relay`: never written out.
    pub challenge_key: Option<u64>,
    pub proof_key: Option<u64>,
}

impl JsonValue for NtlmObject {
    fn write_json(&self, out: &mut Vec<u8>) {
        let NtlmObject {
            user,
            domain,
            host,
            version,
            status,
            server_nb_name,
            server_dns_name,
            server_nb_domain,
            server_dns_domain,
            mic,
            mic_flagged,
            target_name,
            signing,
            sealing,
            challenge_key: _,
            proof_key: _,
        } = self;
        let mut object = JsonObject::open(out);
        object.optional("user", user);
        object.optional("domain", domain);
        object.optional("host", host);
        object.optional("version", version);
        object.optional("status", status);
        object.optional("server_nb_name", server_nb_name);
        object.optional("server_dns_name", server_dns_name);
        object.optional("server_nb_domain", server_nb_domain);
        object.optional("server_dns_domain", server_dns_domain);
        object.optional("mic", mic);
        object.optional("mic_flagged", mic_flagged);
        object.optional("target_name", target_name);
        object.optional("signing", signing);
        object.optional("sealing", sealing);
        object.close();
    }
}

/// `ntlm.version`: what the AUTHENTICATE's responses are. LM-only responses are `V1` (as weak,
/// and `ntlm.v1` covers them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NtlmKind {
    V1,
    V2,
    /// Empty user and responses: the anonymous logon.
    Anonymous,
    Unknown,
}

impl NtlmKind {
    pub fn as_str(self) -> &'static str {
        match self {
            NtlmKind::V1 => "v1",
            NtlmKind::V2 => "v2",
            NtlmKind::Anonymous => "anonymous",
            NtlmKind::Unknown => "unknown",
        }
    }
}

/// Did a logon work? (`ntlm.status`, and what `auth.spray` / `auth.bruteforce` count.)
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Success,
    /// Wrong password (or a refused logon of a known account).
    Failure,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::Failure => "failure",
        }
    }
}

impl JsonValue for NtlmKind {
    fn write_json(&self, out: &mut Vec<u8>) {
        PlainString(self.as_str().as_bytes()).write_json(out);
    }
}

impl JsonValue for Outcome {
    fn write_json(&self, out: &mut Vec<u8>) {
        PlainString(self.as_str().as_bytes()).write_json(out);
    }
}

/// `kerberos`: from an AP-REQ inside SPNEGO.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KerberosObject {
    pub realm: Option<String>,
    pub sname: Option<String>,
    pub ticket_etype: Option<String>,
    pub authenticator_etype: Option<String>,
}

impl JsonValue for KerberosObject {
    fn write_json(&self, out: &mut Vec<u8>) {
        let KerberosObject { realm, sname, ticket_etype, authenticator_etype } = self;
        let mut object = JsonObject::open(out);
        object.optional("realm", realm);
        object.optional("sname", sname);
        object.optional("ticket_etype", ticket_etype);
        object.optional("authenticator_etype", authenticator_etype);
        object.close();
    }
}

/// `krb5`: one per KDC exchange (a request and its reply or error).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Krb5Object {
    /// `"AS"` or `"TGS"`.
    pub request_type: Option<&'static str>,
    pub cname: Option<String>,
    pub realm: Option<String>,
    pub sname: Option<String>,
    pub req_etypes: Option<Vec<String>>,
    pub padata_types: Option<Vec<i32>>,
    /// AS only: `"enc_timestamp"`, `"pkinit"`, `"fast"` or `"none"`.
    pub preauth: Option<&'static str>,
    pub preauth_etype: Option<String>,
    /// `"success"` or the error's name.
    pub status: Option<String>,
    pub error_code: Option<i32>,
    pub ticket_etype: Option<String>,
    pub reply_etype: Option<String>,
    pub kdc_options: Option<Vec<&'static str>>,
    pub s4u: Option<&'static str>,
}

impl JsonValue for Krb5Object {
    fn write_json(&self, out: &mut Vec<u8>) {
        let Krb5Object {
            request_type,
            cname,
            realm,
            sname,
            req_etypes,
            padata_types,
            preauth,
            preauth_etype,
            status,
            error_code,
            ticket_etype,
            reply_etype,
            kdc_options,
            s4u,
        } = self;
        let mut object = JsonObject::open(out);
        object.optional("request_type", request_type);
        object.optional("cname", cname);
        object.optional("realm", realm);
        object.optional("sname", sname);
        object.optional("req_etypes", req_etypes);
        object.optional("padata_types", padata_types);
        object.optional("preauth", preauth);
        object.optional("preauth_etype", preauth_etype);
        object.optional("status", status);
        object.optional("error_code", error_code);
        object.optional("ticket_etype", ticket_etype);
        object.optional("reply_etype", reply_etype);
        object.optional("kdc_options", kdc_options);
        object.optional("s4u", s4u);
        object.close();
    }
}

/// `name`: one per answered LLMNR, NBT-NS or mDNS query (and responder).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameObject {
    /// `"llmnr"`, `"nbns"` or `"mdns"`.
    pub protocol: &'static str,
    /// As asked; NetBIOS names decoded with their suffix (`WPAD<00>`).
    pub query: String,
    pub querier: IpAddr,
    pub responder: IpAddr,
    /// The addresses the answer gives for the name (A, AAAA, NB).
    pub answers: Vec<IpAddr>,
    pub ttl: Option<u32>,
    /// NBT-NS: the answer is for a group name (a domain, a workgroup), which many hosts answer.
    pub group: bool,
}

impl JsonValue for NameObject {
    fn write_json(&self, out: &mut Vec<u8>) {
        let NameObject { protocol, query, querier, responder, answers, ttl, group: _ } = self;
        let mut object = JsonObject::open(out);
        object.member("protocol", protocol);
        object.member("query", query);
        object.member("querier", querier);
        object.member("responder", responder);
        object.member("answers", answers);
        object.optional("ttl", ttl);
        object.close();
    }
}

/// `http`: one per request/response pair.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HttpObject {
    pub method: Option<String>,
    pub uri: Option<String>,
    pub host: Option<String>,
    pub user_agent: Option<String>,
    pub status: Option<u16>,
    pub auth_scheme: Option<String>,
    pub auth_mech: Option<String>,
    pub user: Option<String>,
    pub content_type: Option<String>,
    pub response_content_type: Option<String>,
    pub www_authenticate: Option<Vec<String>>,
    pub app: Option<String>,
    /// WinRM body protection: `"none"`, `"spnego"`, `"kerberos"`, `"credssp"`.
    pub encryption: Option<String>,
    /// The request as typed values (the fields above are written from the same state).
    pub request: HttpRequest,
}

impl JsonValue for HttpObject {
    fn write_json(&self, out: &mut Vec<u8>) {
        let HttpObject {
            method,
            uri,
            host,
            user_agent,
            status,
            auth_scheme,
            auth_mech,
            user,
            content_type,
            response_content_type,
            www_authenticate,
            app,
            encryption,
            request: _,
        } = self;
        let mut object = JsonObject::open(out);
        object.optional("method", method);
        object.optional("uri", uri);
        object.optional("host", host);
        object.optional("user_agent", user_agent);
        object.optional("status", status);
        object.optional("auth_scheme", auth_scheme);
        object.optional("auth_mech", auth_mech);
        object.optional("user", user);
        object.optional("content_type", content_type);
        object.optional("response_content_type", response_content_type);
        object.optional("www_authenticate", www_authenticate);
        object.optional("app", app);
        object.optional("encryption", encryption);
        object.close();
    }
}

/// An HTTP request head as the connection read it: the typed fact the `http.*`, `winrm.*` and
/// `webdav.*` rules match (never written out).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HttpRequest {
    pub app: Option<HttpApp>,
    /// The credentials' scheme (`Authorization` or `Proxy-Authorization`).
    pub scheme: Option<AuthScheme>,
    /// The mechanism the credentials carried (a Negotiate token's NTLM or Kerberos).
    pub mechanism: Option<HttpAuthMechanism>,
    /// A WinRM request's body: clear SOAP or sealed by its security context.
    pub winrm_body: Option<WinrmContent>,
}

/// What an HTTP connection serves, from the request (MS-WSMV's WinRM, or WebDAV's methods and
/// the WebDAV redirector's user agent).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HttpApp {
    Winrm,
    Webdav,
}

impl HttpApp {
    pub fn as_str(self) -> &'static str {
        match self {
            HttpApp::Winrm => "winrm",
            HttpApp::Webdav => "webdav",
        }
    }
}

/// What the credentials of a request really used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HttpAuthMechanism {
    /// A user name and password (Basic).
    Password,
    Ntlm,
    Kerberos,
    /// CredSSP's TLS channel (whatever it carries inside).
    CredSsp,
}

impl HttpAuthMechanism {
    /// `http.auth_mech`.
    pub fn as_str(self) -> &'static str {
        match self {
            HttpAuthMechanism::Password => "basic",
            HttpAuthMechanism::Ntlm => "ntlm",
            HttpAuthMechanism::Kerberos => "kerberos",
            HttpAuthMechanism::CredSsp => "credssp",
        }
    }
}

/// `tls`: what the hellos say.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TlsObject {
    pub version: Option<String>,
    pub sni: Option<String>,
}

impl JsonValue for TlsObject {
    fn write_json(&self, out: &mut Vec<u8>) {
        let TlsObject { version, sni } = self;
        let mut object = JsonObject::open(out);
        object.optional("version", version);
        object.optional("sni", sni);
        object.close();
    }
}

/// What a tree connect reached, from the last component of its path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShareKind {
    /// `IPC$`, the named-pipe share.
    Ipc,
    /// `ADMIN$`.
    Admin,
    /// A drive letter and `$` (`C$`).
    Drive,
    Other,
}

impl ShareKind {
    pub fn of(path: &str) -> ShareKind {
        let share = path.rsplit('\\').next().unwrap_or(path);
        match share.as_bytes() {
            [letter, b'$'] if letter.is_ascii_alphabetic() => ShareKind::Drive,
            _ if share.eq_ignore_ascii_case("IPC$") => ShareKind::Ipc,
            _ if share.eq_ignore_ascii_case("ADMIN$") => ShareKind::Admin,
            _ => ShareKind::Other,
        }
    }

    /// `ADMIN$` or a drive share: what only administrators may connect to.
    pub fn is_administrative(self) -> bool {
        matches!(self, ShareKind::Admin | ShareKind::Drive)
    }
}

/// A DCE/RPC request as the conversation read it: the typed fact the `dcerpc.*` rules match
/// (never written out; the record's fields are made from the same state).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RpcCall {
    /// The interface its context was bound to; `None` when the bind was never seen.
    pub interface: Option<hardwire_dcerpc::Uuid>,
    pub opnum: u16,
    pub context_id: u16,
    /// The auth verifier's level, else the bind's; `None` without either.
    pub auth_level: Option<hardwire_dcerpc::AuthLevel>,
}

/// `dcerpc`: one per bind and per request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DcerpcObject {
    pub pipe: Option<String>,
    pub interface: Option<String>,
    pub interface_version: Option<String>,
    /// Names from the protocol's tables, borrowed.
    pub interface_name: Option<&'static str>,
    pub opnum: Option<u16>,
    pub operation: Option<&'static str>,
    pub auth_level: Option<&'static str>,
    pub auth_type: Option<&'static str>,
    pub bind_result: Option<&'static str>,
    /// The task or service command line, where the stub is readable.
    pub command: Option<String>,
    pub service_name: Option<String>,
    pub task_name: Option<String>,
    /// The UNC path a coercion call points the server at, where the stub is readable.
    pub path: Option<String>,
    /// Netlogon authenticate: the account and computer named, and whether the client
    /// credential is all zero (never the credential itself).
    pub account: Option<String>,
    pub computer: Option<String>,
    pub zero_credential: Option<bool>,
    /// A request's call (none for a bind record).
    pub call: Option<RpcCall>,
}

impl JsonValue for DcerpcObject {
    fn write_json(&self, out: &mut Vec<u8>) {
        let DcerpcObject {
            pipe,
            interface,
            interface_version,
            interface_name,
            opnum,
            operation,
            auth_level,
            auth_type,
            bind_result,
            command,
            service_name,
            task_name,
            path,
            account,
            computer,
            zero_credential,
            call: _,
        } = self;
        let mut object = JsonObject::open(out);
        object.optional("pipe", pipe);
        object.optional("interface", interface);
        object.optional("interface_version", interface_version);
        object.optional("interface_name", interface_name);
        object.optional("opnum", opnum);
        object.optional("operation", operation);
        object.optional("auth_level", auth_level);
        object.optional("auth_type", auth_type);
        object.optional("bind_result", bind_result);
        object.optional("command", command);
        object.optional("service_name", service_name);
        object.optional("task_name", task_name);
        object.optional("path", path);
        object.optional("account", account);
        object.optional("computer", computer);
        object.optional("zero_credential", zero_credential);
        object.close();
    }
}

/// `ldap`: one per bind (request and response, across its steps), and one per StartTLS.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LdapObject {
    /// `"simple"`, `"anonymous"`, `"sasl"`, or `"sicily"` (Microsoft's NTLM bind choices).
    pub bind_type: Option<&'static str>,
    pub bind_dn: Option<String>,
    pub sasl_mech: Option<String>,
    /// RFC 4511's name of the final result code.
    pub result: Option<String>,
    /// The bind ran inside TLS (after StartTLS).
    pub tls: Option<bool>,
    /// `"none"`, `"signed"` or `"sealed"`: the SASL security layer after the bind.
    pub signing: Option<&'static str>,
    /// A simple bind carried a non-empty password (never the password itself).
    pub password_sent: Option<bool>,
    /// A StartTLS request and its answer (this record is no bind).
    pub starttls: Option<bool>,
    /// The message id of the bind's last request.
    pub message_id: Option<u32>,
}

impl JsonValue for LdapObject {
    fn write_json(&self, out: &mut Vec<u8>) {
        let LdapObject { bind_type, bind_dn, sasl_mech, result, tls, signing, password_sent, starttls, message_id } = self;
        let mut object = JsonObject::open(out);
        object.optional("bind_type", bind_type);
        object.optional("bind_dn", bind_dn);
        object.optional("sasl_mech", sasl_mech);
        object.optional("result", result);
        object.optional("tls", tls);
        object.optional("signing", signing);
        object.optional("password_sent", password_sent);
        object.optional("starttls", starttls);
        object.optional("message_id", message_id);
        object.close();
    }
}

/// `tcp`: two copies of the same stream bytes that differ (`stream.overlap.conflict`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TcpObject {
    /// `"to_server"` or `"to_client"`.
    pub direction: &'static str,
    /// Stream offset of the overlap: bytes after the SYN (or after the first byte seen).
    pub offset: u64,
    pub overlap_bytes: u64,
    pub differing_bytes: u64,
    /// `"first"` or `"last"`: which copy was kept.
    pub kept: &'static str,
}

impl JsonValue for TcpObject {
    fn write_json(&self, out: &mut Vec<u8>) {
        let TcpObject { direction, offset, overlap_bytes, differing_bytes, kept } = self;
        let mut object = JsonObject::open(out);
        object.member("direction", direction);
        object.member("offset", offset);
        object.member("overlap_bytes", overlap_bytes);
        object.member("differing_bytes", differing_bytes);
        object.member("kept", kept);
        object.close();
    }
}

/// `alert`: a rule that fired.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertObject {
    pub rule: RuleId,
    pub severity: Severity,
    pub message: String,
    pub mitre: &'static [&'static str],
    pub count: u64,
}

impl JsonValue for AlertObject {
    fn write_json(&self, out: &mut Vec<u8>) {
        let AlertObject { rule, severity, message, mitre, count } = self;
        let mut object = JsonObject::open(out);
        object.member("rule", &PlainString(rule.id().as_bytes()));
        object.member("severity", &PlainString(severity.name().as_bytes()));
        object.member("message", message);
        object.member("mitre", mitre);
        object.member("count", count);
        object.close();
    }
}

/// The protocol objects a line carries (its own, and the evidence of an alert).
///
/// The objects of most lines (`smb`, `ntlm`, `http`) are held inline, the others boxed: every
/// record allocates its `Objects` (in an `Arc`), and all of them inline made that 2,000 bytes,
/// past the allocator's per-thread cache (1,032 bytes), so each record paid the slow path of
/// `malloc` and `free`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Objects {
    pub smb: Option<SmbObject>,
    pub ntlm: Option<NtlmObject>,
    pub kerberos: Option<Box<KerberosObject>>,
    pub krb5: Option<Box<Krb5Object>>,
    pub http: Option<HttpObject>,
    pub tls: Option<Box<TlsObject>>,
    pub dcerpc: Option<Box<DcerpcObject>>,
    pub name: Option<Box<NameObject>>,
    pub ldap: Option<Box<LdapObject>>,
    pub tcp: Option<Box<TcpObject>>,
}

impl Objects {
    /// What the boxed objects present hold, for the memory budget (an `Objects` itself counts
    /// only their pointers): their structs' sizes, as when they were held inline. Their strings
    /// are not counted, as no record's are.
    pub fn boxed_bytes(&self) -> usize {
        let Objects { smb: _, ntlm: _, kerberos, krb5, http: _, tls, dcerpc, name, ldap, tcp } = self;
        fn held<T>(object: &Option<Box<T>>) -> usize {
            object.as_deref().map_or(0, std::mem::size_of_val)
        }
        held(kerberos) + held(krb5) + held(tls) + held(dcerpc) + held(name) + held(ldap) + held(tcp)
    }

    /// The objects, as members of the line.
    pub fn write_members(&self, line: &mut JsonObject) {
        let Objects { smb, ntlm, kerberos, krb5, http, tls, dcerpc, name, ldap, tcp } = self;
        line.optional("smb", smb);
        line.optional("ntlm", ntlm);
        line.optional("kerberos", kerberos);
        line.optional("krb5", krb5);
        line.optional("http", http);
        line.optional("tls", tls);
        line.optional("dcerpc", dcerpc);
        line.optional("name", name);
        line.optional("ldap", ldap);
        line.optional("tcp", tcp);
    }
}

/// What kind of line an event is.
#[derive(Debug, Clone, PartialEq)]
pub enum EventKind {
    Smb,
    Http,
    Dcerpc,
    /// A TLS connection with no HTTP inside visible (5986 and others).
    Tls,
    /// NTLM seen on a protocol without a record of its own (MS-SQL, SMTP...).
    Ntlm,
    /// A KDC exchange.
    Krb5,
    /// An answered LLMNR, NBT-NS or mDNS query.
    Name,
    /// An LDAP bind or StartTLS.
    Ldap,
    /// An alert before the suppressor: its sentence still to be worded ([`Event::worded`]).
    Raised(crate::detect::Raised),
    /// An alert as written.
    Alert(AlertObject),
}

impl EventKind {
    /// The `event_type` field.
    pub fn name(&self) -> &'static str {
        match self {
            EventKind::Smb => "smb",
            EventKind::Http => "http",
            EventKind::Dcerpc => "dcerpc",
            EventKind::Tls => "tls",
            EventKind::Ntlm => "ntlm",
            EventKind::Krb5 => "krb5",
            EventKind::Name => "name",
            EventKind::Ldap => "ldap",
            EventKind::Raised(_) | EventKind::Alert(_) => "alert",
        }
    }
}

/// One output line before serialisation.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub timestamp: Timestamp,
    pub flow: Option<FlowInfo>,
    pub kind: EventKind,
    /// Shared: an alert's evidence is its record's objects, not a copy of them.
    pub objects: Arc<Objects>,
}

impl Event {
    /// The event as its line is written: a raised alert worded, carrying `count` occurrences
    /// (every alert has its flow); any other event as it is.
    pub fn worded(mut self, count: u64) -> Event {
        if let (EventKind::Raised(raised), Some(flow)) = (&self.kind, &self.flow) {
            self.kind = EventKind::Alert(raised.word(flow, &self.objects, count));
        }
        self
    }

    pub fn alert(&self) -> Option<&AlertObject> {
        match &self.kind {
            EventKind::Alert(a) => Some(a),
            _ => None,
        }
    }
}
