//! The rule catalog of `../shared/RULES.md`: ids (public, never renamed), default severities,
//! ATT&CK techniques and what each rule means. `hardwire rules` prints this table.

use serde::{Deserialize, Serialize};

/// Alert severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub fn name(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

macro_rules! rules {
    ($($variant:ident = $id:literal, $sev:ident, [$($mitre:literal),*], $what:literal;)*) => {
        /// A rule id of RULES.md.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum RuleId { $($variant,)* }

        impl RuleId {
            /// Every rule, in catalog order.
            pub const ALL: &'static [RuleId] = &[$(RuleId::$variant,)*];

            /// The public id, e.g. `smb.guest`.
            pub fn id(self) -> &'static str {
                match self { $(RuleId::$variant => $id,)* }
            }

            pub fn default_severity(self) -> Severity {
                match self { $(RuleId::$variant => Severity::$sev,)* }
            }

            pub fn mitre(self) -> &'static [&'static str] {
                match self { $(RuleId::$variant => &[$($mitre),*],)* }
            }

            /// What makes the rule fire, in one sentence.
            pub fn description(self) -> &'static str {
                match self { $(RuleId::$variant => $what,)* }
            }

            pub fn from_id(id: &str) -> Option<RuleId> {
                match id { $($id => Some(RuleId::$variant),)* _ => None }
            }
        }
    };
}

rules! {
    SmbV1Negotiated = "smb.v1.negotiated", High, ["T1557"], "a server answers a negotiate with SMB1, or an SMB1 command past negotiate is seen";
    SmbV1Offered = "smb.v1.offered", Low, ["T1557"], "a client's SMB1-format negotiate offers an SMB1 dialect, even if SMB2 wins";
    SmbGuest = "smb.guest", High, ["T1557", "T1078"], "SESSION_SETUP succeeds with the guest flag";
    SmbAnonymous = "smb.anonymous", Medium, ["T1087"], "SESSION_SETUP succeeds as a null session";
    SmbDialectLegacy = "smb.dialect.legacy", Medium, ["T1557"], "the negotiated SMB2 dialect is below 3.1.1 (no pre-authentication integrity)";
    SmbDialectDowngrade = "smb.dialect.downgrade", High, ["T1557"], "a client offered 3.1.1 and a server seen negotiating 3.1.1 before chose lower";
    SmbSigningNotRequired = "smb.signing.not_required", Medium, ["T1557"], "neither side requires signing and the session is not encrypted";
    SmbSessionUnsigned = "smb.session.unsigned", High, ["T1557"], "requests of an authenticated, unencrypted session carry no signature";
    SmbEncryptionNone = "smb.encryption.none", Low, ["T1040"], "an authenticated SMB 3.x session runs without any encryption";
    SmbOutboundExternal = "smb.outbound_external", High, ["T1187", "T1048"], "a home host opens TCP 445 or 139 to an address outside the home networks";
    SmbAdminShare = "smb.admin_share", Low, ["T1021.002"], "TREE_CONNECT to ADMIN$ or a drive share such as C$";
    NtlmUsed = "ntlm.used", Medium, ["T1550.002", "T1557.001"], "an NTLMSSP AUTHENTICATE is seen: NTLM proves nothing about the server and is relayable";
    NtlmV1 = "ntlm.v1", High, ["T1550.002"], "the AUTHENTICATE carries an LM / NTLMv1 response";
    KerberosRc4 = "kerberos.rc4", Medium, ["T1558.003"], "a Kerberos ticket or key uses RC4-HMAC or DES instead of AES: an AP-REQ's ticket or authenticator, or a ticket or reply key a KDC issues";
    KerberosAsrepRoastable = "kerberos.asrep_roastable", High, ["T1558.004"], "the KDC returns an AS-REP to an AS-REQ without pre-authentication: the account's reply can be cracked offline";
    KerberosKerberoast = "kerberos.kerberoast", High, ["T1558.003"], "a TGS-REQ for a user service offers RC4 and no AES, or one client asks for tickets to 5 or more such services within 60 s";
    KerberosPreauthRc4 = "kerberos.preauth_rc4", Medium, ["T1550.002"], "an AS-REQ is pre-authenticated with an RC4-HMAC encrypted timestamp (overpass-the-hash)";
    KerberosUserEnum = "kerberos.user_enum", Medium, ["T1087.002"], "one client gets KDC_ERR_C_PRINCIPAL_UNKNOWN for 10 or more distinct names within 300 s";
    AuthSpray = "auth.spray", High, ["T1110.003"], "one client fails to log on as 5 or more distinct accounts within 300 s (Kerberos, SMB, HTTP, LDAP)";
    AuthBruteforce = "auth.bruteforce", High, ["T1110.001"], "one client fails 10 or more times for one account within 300 s (Kerberos, SMB, HTTP, LDAP)";
    HttpBasicCleartext = "http.basic.cleartext", High, ["T1040", "T1552"], "an HTTP Authorization: Basic header crosses the wire without TLS";
    WinrmBasicCleartext = "winrm.basic.cleartext", Critical, ["T1021.006", "T1552"], "Basic authentication to WinRM over plain HTTP";
    WinrmUnencrypted = "winrm.unencrypted", High, ["T1021.006", "T1040"], "a WinRM SOAP body travels in clear";
    WinrmCredssp = "winrm.credssp", Medium, ["T1021.006"], "CredSSP authentication: the user's credentials are delegated to the server";
    WinrmNtlm = "winrm.ntlm", Medium, ["T1021.006"], "WinRM authenticated with NTLM";
    WebdavFallback = "webdav.fallback", Medium, ["T1557"], "WebDAV methods over plain HTTP: SMB's signing and encryption do not apply";
    WebdavNtlm = "webdav.ntlm", High, ["T1187", "T1557.001"], "NTLM authentication over WebDAV / plain HTTP (critical to an external server)";
    DcerpcRemoteTask = "dcerpc.remote_task", High, ["T1053.002", "T1053.005"], "a task is registered or started remotely (ATSVC, ITaskSchedulerService, SASec)";
    DcerpcRemoteService = "dcerpc.remote_service", High, ["T1569.002", "T1543.003"], "svcctl creates a service over the network";
    NamePoisoning = "name.poisoning", High, ["T1557.001"], "one host answers LLMNR, NBT-NS or mDNS queries for names not its own: 3 distinct names within 300 s, a name another host owns, or wpad";
    NtlmToPoisoner = "ntlm.to_poisoner", Critical, ["T1557.001", "T1187"], "within 60 s of a poisoned name answer, the host that asked authenticates with NTLM to the host that answered";
    NtlmRelay = "ntlm.relay", Critical, ["T1557.001"], "the same NTLM server challenge in connections to two servers, or the same NTLMv2 proof from two clients, within 60 s";
    NtlmMicRemoved = "ntlm.mic_removed", Critical, ["T1557.001"], "an NTLMv2 AUTHENTICATE announces a MIC in MsvAvFlags but its MIC field is absent or zero (drop-the-MIC)";
    LdapCleartextBind = "ldap.cleartext_bind", High, ["T1040", "T1552"], "an LDAP simple bind with a non-empty password outside TLS (plain 389 or 3268, before any StartTLS)";
    LdapUnsignedBind = "ldap.unsigned_bind", Medium, ["T1557"], "a successful LDAP SASL bind (NTLM, GSSAPI, GSS-SPNEGO) outside TLS that negotiates neither signing nor sealing";
    DcerpcCoercion = "dcerpc.coercion", High, ["T1187"], "a call that makes a server authenticate to a path the caller names (PetitPotam, PrinterBug, DFSCoerce, ShadowCoerce)";
    DcerpcDcsync = "dcerpc.dcsync", Critical, ["T1003.006"], "DRSUAPI DRSGetNCChanges from a client that is not a configured domain controller";
    DcerpcRemoteWmi = "dcerpc.remote_wmi", High, ["T1047"], "IWbemServices ExecMethod or ExecMethodAsync over DCOM from the network";
    DcerpcPrintDriver = "dcerpc.print_driver", High, ["T1210"], "a printer driver or print processor installed over the network (PrintNightmare)";
    DcerpcZerologon = "dcerpc.zerologon", Critical, ["T1210"], "Netlogon authentication with an all-zero client credential, or 5 or more attempts from one client within 60 s";
    StreamOverlapConflict = "stream.overlap.conflict", Medium, [], "a TCP segment overlaps bytes already seen in the same direction with different content (insertion or evasion)";
}

impl Serialize for RuleId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.id())
    }
}

impl Serialize for Severity {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rules RULES.md names whose detectors are not built yet, each with the issue that builds
    /// it. A rule leaves this list in the commit that adds its detector to the catalog.
    const NOT_YET_BUILT: &[(&str, u32)] = &[];

    /// Every rule id of RULES.md is in the catalog with its severity and ATT&CK techniques, or
    /// is listed above as not built yet; the catalog has no rule RULES.md does not name.
    #[test]
    fn catalog_matches_rules_md() {
        let Some(rules) = crate::test_support::shared_file("RULES.md") else { return };
        let mut in_catalog = 0;
        let mut named = Vec::new();
        for line in rules.lines().filter(|l| l.starts_with("| `")) {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            let id = cells[1].trim_matches('`');
            named.push(id);
            let pending = NOT_YET_BUILT.iter().find(|(pending, _)| *pending == id);
            match (RuleId::from_id(id), pending) {
                (Some(_), Some((_, issue))) => panic!("{id} is built: take it off NOT_YET_BUILT (issue {issue})"),
                (None, Some(_)) => continue,
                (None, None) => panic!("{id} is missing from the catalog and from NOT_YET_BUILT"),
                (Some(rule), None) => {
                    assert_eq!(rule.default_severity().name(), cells[2], "{id}");
                    // "—" (an em dash) is RULES.md's "no technique".
                    let mitre: Vec<&str> = cells[3].split(", ").filter(|t| *t != "\u{2014}").collect();
                    assert_eq!(rule.mitre(), &mitre[..], "{id}");
                    in_catalog += 1;
                }
            }
        }
        for (pending, issue) in NOT_YET_BUILT {
            assert!(named.contains(pending), "{pending} (issue {issue}) is not in RULES.md");
        }
        assert_eq!(in_catalog, RuleId::ALL.len(), "the catalog has rules RULES.md does not name");
    }
}
