//! What the report says about each finding: the area it belongs to, a title a manager reads, and
//! the remediation from the public hardening guidance (Microsoft's on SMB signing and dialects,
//! NTLM auditing and restriction, Kerberos encryption types and armoring, WinRM, WebClient,
//! LLMNR/NBT-NS, LDAP signing), as the setting, registry value, policy or command to apply.
//!
//! Rules are looked up by id, so a rule the sensor learns later (RULES.md) lands in its area by
//! its prefix even before it has its own entry here.

use serde::Serialize;

/// The report's areas, in the order they are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Area {
    Smb,
    Ntlm,
    Kerberos,
    Ldap,
    Winrm,
    Webdav,
    NameResolution,
    LateralMovement,
    Interception,
    Credentials,
    Other,
}

impl Area {
    pub const ALL: [Area; 11] = [
        Area::Smb,
        Area::Ntlm,
        Area::Kerberos,
        Area::Ldap,
        Area::Winrm,
        Area::Webdav,
        Area::NameResolution,
        Area::LateralMovement,
        Area::Interception,
        Area::Credentials,
        Area::Other,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Area::Smb => "SMB",
            Area::Ntlm => "NTLM",
            Area::Kerberos => "Kerberos",
            Area::Ldap => "LDAP",
            Area::Winrm => "WinRM",
            Area::Webdav => "WebDAV and HTTP",
            Area::NameResolution => "Name resolution",
            Area::LateralMovement => "Lateral movement",
            Area::Interception => "Interception",
            Area::Credentials => "Credential attacks",
            Area::Other => "Other",
        }
    }
}

/// What the report knows about one finding id.
pub struct Guidance {
    pub area: Area,
    pub title: &'static str,
    pub remediation: &'static str,
}

/// Severity weights of the area score: `score = max(0, 100 - sum of the weights of the area's
/// findings)`, each finding counted once whatever its count.
pub fn weight(severity: &str) -> u32 {
    match severity {
        "critical" => 40,
        "high" => 25,
        "medium" => 10,
        "low" => 4,
        _ => 0,
    }
}

pub const SCORE_FORMULA: &str = "score = max(0, 100 - sum over the area's findings of critical 40, high 25, medium 10, low 4, info 0); \
each finding counts once, whatever its count; grade A >= 90, B >= 75, C >= 50, D >= 25, else F; \
an area with no traffic and no finding is 'not observed', not 100";

pub fn grade(score: u32) -> &'static str {
    match score {
        90.. => "A",
        75..=89 => "B",
        50..=74 => "C",
        25..=49 => "D",
        _ => "F",
    }
}

/// Severity order, most severe first.
pub fn severity_rank(severity: &str) -> u8 {
    match severity {
        "critical" => 0,
        "high" => 1,
        "medium" => 2,
        "low" => 3,
        "info" => 4,
        _ => 5,
    }
}

pub const SEVERITIES: [&str; 5] = ["critical", "high", "medium", "low", "info"];

const SIGNING: &str = "Require SMB signing on servers and clients: `Set-SmbServerConfiguration -RequireSecuritySignature $true` and \
`Set-SmbClientConfiguration -RequireSecuritySignature $true` (GPO \"Microsoft network server/client: Digitally sign communications (always)\" = Enabled; \
Samba: `server signing = mandatory`). Harden UNC paths: GPO Network > Network Provider > Hardened UNC Paths, \
`\\\\*\\SYSVOL` and `\\\\*\\NETLOGON` = `RequireMutualAuthentication=1, RequireIntegrity=1`.";

const LLMNR: &str = "Turn off LLMNR: GPO Computer Configuration > Administrative Templates > Network > DNS Client > \
\"Turn off multicast name resolution\" = Enabled (`EnableMulticast` = 0 under `HKLM\\Software\\Policies\\Microsoft\\Windows NT\\DNSClient`).";

const NBNS: &str = "Turn off NetBIOS over TCP/IP: DHCP option 001 (Microsoft Disable Netbios Option) = 2, or `NetbiosOptions` = 2 under \
`HKLM\\SYSTEM\\CurrentControlSet\\Services\\NetBT\\Parameters\\Interfaces\\Tcpip_*`.";

const RELAY: &str =
    "Make relayed authentication fail: require SMB signing (`Set-SmbServerConfiguration -RequireSecuritySignature $true`), \
LDAP signing and channel binding (`LDAPServerIntegrity` = 2, `LdapEnforceChannelBinding` = 2), and Extended Protection for \
Authentication on HTTP services (IIS, AD CS web enrollment); find and isolate the machine in the middle.";

/// The guidance for a finding id (a RULES.md rule id or one of the report's own `posture.*` ids).
pub fn of(id: &str) -> Guidance {
    let (area, title, remediation) = match id {
        "smb.v1.negotiated" => (Area::Smb, "Servers still speak SMB1",
            "Remove SMB1 from the server: `Set-SmbServerConfiguration -EnableSMB1Protocol $false` and \
`Disable-WindowsOptionalFeature -Online -FeatureName SMB1Protocol`; Samba: `server min protocol = SMB2_10` (better SMB3_11)."),
        "smb.v1.offered" => (Area::Smb, "Clients still offer SMB1",
            "Remove the SMB1 client: `Disable-WindowsOptionalFeature -Online -FeatureName SMB1Protocol-Client` \
(`sc.exe config lanmanworkstation depend= bowser/mrxsmb20/nsi` and `sc.exe config mrxsmb10 start= disabled` on older systems); Samba: `client min protocol = SMB2_10`."),
        "smb.guest" => (Area::Smb, "Guest logons to SMB shares",
            "Refuse insecure guest logons on clients: GPO Network > Lanman Workstation > \"Enable insecure guest logons\" = Disabled \
(`Set-SmbClientConfiguration -EnableInsecureGuestLogons $false`); on the server disable the Guest account (Samba: `map to guest = Never`)."),
        "smb.anonymous" => (Area::Smb, "Null (anonymous) SMB sessions accepted",
            "Restrict null sessions: \"Network access: Restrict anonymous access to Named Pipes and Shares\" = Enabled, \
`RestrictNullSessAccess` = 1 under `HKLM\\SYSTEM\\CurrentControlSet\\Services\\LanmanServer\\Parameters`, `RestrictAnonymous` = 1 under \
`HKLM\\SYSTEM\\CurrentControlSet\\Control\\Lsa`; Samba: `restrict anonymous = 2`."),
        "smb.dialect.legacy" => (Area::Smb, "SMB dialects older than 3.1.1 in use",
            "Require SMB 3.1.1 (pre-authentication integrity): `Set-SmbServerConfiguration -Smb2DialectMin SMB311` where available, \
otherwise `MinSMB2Dialect` = 0x311 (DWORD) under `HKLM\\SYSTEM\\CurrentControlSet\\Services\\LanmanServer\\Parameters`; Samba: `server min protocol = SMB3_11`."),
        "smb.dialect.downgrade" => (Area::Smb, "SMB dialect downgrades",
            "A server that negotiated 3.1.1 before answered lower: look for a machine in the path. Make downgrades fail: \
`MinSMB2Dialect` 0x311 and `Set-SmbServerConfiguration -RequireSecuritySignature $true`."),
        "smb.signing.not_required" => (Area::Smb, "SMB signing not required", SIGNING),
        "smb.session.unsigned" => (Area::Smb, "SMB sessions moving data unsigned", SIGNING),
        "smb.encryption.none" => (Area::Smb, "SMB 3 sessions without encryption",
            "Encrypt sensitive shares or the whole server: `Set-SmbShare -Name <share> -EncryptData $true` or \
`Set-SmbServerConfiguration -EncryptData $true -RejectUnencryptedAccess $true`; Samba: `server smb encrypt = required`."),
        "smb.outbound_external" => (Area::Smb, "SMB leaving the network",
            "Block outbound TCP 445 and 139 at the perimeter, and on hosts: `New-NetFirewallRule -DisplayName \"Block outbound SMB\" \
-Direction Outbound -Protocol TCP -RemotePort 445,139 -RemoteAddress Internet -Action Block`; find what made the host connect (a UNC link: forced authentication)."),
        "smb.admin_share" => (Area::Smb, "Connections to administrative shares",
            "Confirm each source is an administration host; keep local administrator rights scarce (LAPS, tiered administration, \
`LocalAccountTokenFilterPolicy` = 0) and block SMB between workstations with the host firewall."),
        "ntlm.used" => (Area::Ntlm, "NTLM used instead of Kerberos",
            "Audit NTLM before restricting it: GPO \"Network security: Restrict NTLM: Audit incoming NTLM traffic\" = Enable auditing for all accounts \
and \"Restrict NTLM: Audit NTLM authentication in this domain\" = Enable all (events 8001-8004); move each pair below to Kerberos (connect by name, \
not IP; register the SPN), then set \"Restrict NTLM: Incoming NTLM traffic\" = Deny all."),
        "ntlm.v1" => (Area::Ntlm, "NTLMv1 / LM responses",
            "Refuse LM and NTLMv1: \"Network security: LAN Manager authentication level\" = Send NTLMv2 response only. Refuse LM & NTLM \
(`LmCompatibilityLevel` = 5 under `HKLM\\SYSTEM\\CurrentControlSet\\Control\\Lsa`); Samba: `ntlm auth = ntlmv2-only`."),
        "ntlm.relay" => (Area::Interception, "NTLM authentication relayed", RELAY),
        "ntlm.mic_removed" => (Area::Interception, "NTLM MIC removed (drop-the-MIC)",
            "Install the CVE-2019-1040 updates everywhere; require SMB signing and LDAP signing and channel binding so the tampered logon fails; isolate the relaying host."),
        "ntlm.to_poisoner" => (Area::Interception, "NTLM sent to a name poisoner",
            "The user's NTLM response reached the host that poisoned the name: reset that account's password, isolate the responder, \
and turn off LLMNR and NBT-NS (see Name resolution)."),
        "kerberos.rc4" => (Area::Kerberos, "RC4 or DES Kerberos tickets",
            "Move to AES: GPO \"Network security: Configure encryption types allowed for Kerberos\" = AES128_HMAC_SHA1, AES256_HMAC_SHA1; \
`msDS-SupportedEncryptionTypes` = 0x18 on service accounts (`Set-ADUser <svc> -KerberosEncryptionType AES128,AES256`); reset the passwords of accounts with only RC4 keys."),
        "kerberos.asrep_roastable" => (Area::Kerberos, "Accounts without Kerberos pre-authentication",
            "Require pre-authentication: `Set-ADAccountControl -Identity <account> -DoesNotRequirePreAuth $false`, then reset the account's password."),
        "kerberos.kerberoast" => (Area::Kerberos, "Service tickets harvested (Kerberoasting)",
            "Use group Managed Service Accounts or 25+ character passwords for accounts with SPNs, AES only (`msDS-SupportedEncryptionTypes` = 0x18); investigate the requesting client."),
        "kerberos.preauth_rc4" => (Area::Kerberos, "RC4 pre-authentication (overpass-the-hash)",
            "Investigate the client; allow AES only (\"Configure encryption types allowed for Kerberos\") and put privileged accounts in Protected Users."),
        "kerberos.user_enum" => (Area::Kerberos, "Kerberos account enumeration",
            "Investigate the client; watch event 4768 with result 0x6 on the domain controllers."),
        "posture.kerberos.no_fast" => (Area::Kerberos, "Kerberos logons without FAST armoring",
            "Turn on Kerberos armoring: GPO \"KDC support for claims, compound authentication and Kerberos armoring\" = Supported (then Always provide claims / \
Fail unarmored authentication requests) on domain controllers, and \"Kerberos client support for claims, compound authentication and Kerberos armoring\" = Enabled on clients."),
        "auth.spray" => (Area::Credentials, "Password spraying",
            "Investigate the client; enforce the lockout policy (or smart lockout), MFA for remote access, and ban common passwords."),
        "auth.bruteforce" => (Area::Credentials, "Password guessing against one account",
            "Investigate the client; enforce the account lockout policy."),
        "http.basic.cleartext" => (Area::Webdav, "HTTP Basic credentials in clear",
            "Serve the site over HTTPS only and turn off Basic authentication on plain HTTP; change the exposed user's password."),
        "winrm.basic.cleartext" => (Area::Winrm, "WinRM Basic authentication over HTTP",
            "`winrm set winrm/config/service/auth @{Basic=\"false\"}` and `winrm set winrm/config/service @{AllowUnencrypted=\"false\"}` \
(GPO Windows Remote Management > WinRM Service: \"Allow Basic authentication\" and \"Allow unencrypted traffic\" = Disabled); use the HTTPS listener (5986); change the exposed password."),
        "winrm.unencrypted" => (Area::Winrm, "WinRM SOAP in clear",
            "`winrm set winrm/config/service @{AllowUnencrypted=\"false\"}` on servers and `winrm set winrm/config/client @{AllowUnencrypted=\"false\"}` on clients."),
        "winrm.credssp" => (Area::Winrm, "WinRM CredSSP delegation",
            "Turn CredSSP off where it is not needed: `Disable-WSManCredSSP -Role Server` (and `-Role Client`); use Kerberos constrained delegation or JEA instead."),
        "winrm.ntlm" => (Area::Winrm, "WinRM authenticated with NTLM",
            "Connect by host name (Kerberos), not by IP address; empty TrustedHosts (`Set-Item WSMan:\\localhost\\Client\\TrustedHosts -Value ''`); use HTTPS where an IP is unavoidable."),
        "webdav.fallback" => (Area::Webdav, "SMB falling back to WebDAV",
            "Disable the WebClient service where WebDAV is not needed: `Stop-Service WebClient; Set-Service WebClient -StartupType Disabled` (GPO System Services > WebClient = Disabled)."),
        "webdav.ntlm" => (Area::Webdav, "NTLM over WebDAV / plain HTTP",
            "Disable the WebClient service (`Set-Service WebClient -StartupType Disabled`); restrict outgoing NTLM to remote servers \
(\"Restrict NTLM: Outgoing NTLM traffic to remote servers\" = Audit all, then Deny all with exceptions); require LDAP signing and channel binding so relayed logons fail."),
        "dcerpc.remote_task" => (Area::LateralMovement, "Scheduled tasks created remotely",
            "Confirm each task with its owner; only administration hosts may reach workstations' RPC and SMB (host firewall), tiered administration, LAPS."),
        "dcerpc.remote_service" => (Area::LateralMovement, "Services created remotely (PsExec-style)",
            "Confirm each service with its owner; keep local administrator rights scarce (LAPS, tiering) and block SMB and RPC between workstations."),
        "dcerpc.remote_wmi" => (Area::LateralMovement, "Remote WMI execution",
            "Confirm; disable the \"Windows Management Instrumentation (WMI-In)\" firewall rules on workstations except from administration hosts."),
        "dcerpc.dcsync" => (Area::LateralMovement, "Directory replication from a non-DC (DCSync)",
            "Remove replication rights (DS-Replication-Get-Changes-All) from every principal that is not a domain controller; if unexpected, treat domain credentials as stolen (reset krbtgt twice)."),
        "dcerpc.zerologon" => (Area::LateralMovement, "Zerologon attempts",
            "Install the August 2020 Netlogon updates and enforcement (`FullSecureChannelProtection` = 1); investigate the client."),
        "dcerpc.print_driver" => (Area::LateralMovement, "Remote printer driver installation (PrintNightmare)",
            "Install the PrintNightmare updates and set `RestrictDriverInstallationToAdministrators` = 1 under \
`HKLM\\Software\\Policies\\Microsoft\\Windows NT\\Printers\\PointAndPrint`; stop the spooler where nothing prints."),
        "dcerpc.coercion" => (Area::Interception, "Authentication coercion (PetitPotam, PrinterBug...)",
            "Filter the coercible interfaces (`netsh rpc filter` for MS-EFSR), stop the Print Spooler on domain controllers and servers that do not print \
(`Set-Service Spooler -StartupType Disabled`), and require EPA and signing on the relay targets (AD CS web enrollment, LDAP)."),
        "name.poisoning" => (Area::Interception, "Name resolution poisoning", "Isolate the answering host (Responder-like); turn off LLMNR and NBT-NS; give WPAD a DNS entry or disable WPAD."),
        "posture.name.llmnr" => (Area::NameResolution, "LLMNR still in use", LLMNR),
        "posture.name.nbns" => (Area::NameResolution, "NBT-NS still in use", NBNS),
        "posture.name.mdns" => (Area::NameResolution, "mDNS answered", "Block mDNS (UDP 5353) on Windows clients where it is not needed (GPO firewall rule or `EnableMDNS` = 0 under `HKLM\\SYSTEM\\CurrentControlSet\\Services\\Dnscache\\Parameters`)."),
        "ldap.cleartext_bind" => (Area::Ldap, "LDAP simple binds in clear",
            "Require LDAPS or StartTLS for simple binds and \"Domain controller: LDAP server signing requirements\" = Require signing; change the exposed account's password."),
        "ldap.unsigned_bind" => (Area::Ldap, "LDAP binds without signing",
            "GPO \"Domain controller: LDAP server signing requirements\" = Require signing (`LDAPServerIntegrity` = 2) and \"LDAP server channel binding token requirements\" = Always \
(`LdapEnforceChannelBinding` = 2); clients: \"Network security: LDAP client signing requirements\" = Require signing."),
        "stream.overlap.conflict" => (Area::Other, "Conflicting TCP retransmissions (evasion)",
            "A host sent two different versions of the same bytes: compare with the endpoints' own logs; look for insertion or evasion tools."),
        other => {
            let area = match other.split('.').next().unwrap_or_default() {
                "smb" => Area::Smb,
                "ntlm" => Area::Ntlm,
                "kerberos" | "krb5" => Area::Kerberos,
                "ldap" => Area::Ldap,
                "winrm" => Area::Winrm,
                "webdav" | "http" => Area::Webdav,
                "name" => Area::NameResolution,
                "dcerpc" => Area::LateralMovement,
                "auth" => Area::Credentials,
                _ => Area::Other,
            };
            (area, "", "See the rule in RULES.md (`hardwire rules`).")
        }
    };
    Guidance { area, title, remediation }
}
