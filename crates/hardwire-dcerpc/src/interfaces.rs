//! Interface UUID → name and opnum → operation name, for the interfaces that matter to
//! defenders, with the method names of the Microsoft specifications (MS-TSCH, MS-SCMR, MS-SRVS,
//! MS-WKST, MS-SAMR, MS-LSAD/LSAT, MS-RRP, MS-NRPC, MS-DRSR, MS-RPRN, MS-PAR, MS-EVEN, MS-EVEN6,
//! MS-EFSR, MS-DFSNM, MS-FSRVP, MS-WMI, MS-DCOM, MS-DSSP, MS-RPCE). Opnums the specifications mark "not used on the wire"
//! keep their historical name, which says more to a reader than `OpnumNNNotUsedOnWire`.
//!
//! An unknown interface gives `None`: report it by UUID.

use crate::uuid::Uuid;

/// An RPC interface: UUID, name and operation names indexed by opnum.
#[derive(Debug)]
pub struct Interface {
    /// Interface UUID (the abstract syntax of the bind).
    pub uuid: Uuid,
    /// Name as defenders know it (`"svcctl"`, `"ITaskSchedulerService"`...).
    pub name: &'static str,
    /// Specification that defines it (`"MS-SCMR"`).
    pub spec: &'static str,
    operations: &'static [&'static str],
}

impl Interface {
    /// The operation name for `opnum`, `None` past the table.
    pub fn operation(&self, opnum: u16) -> Option<&'static str> {
        self.operations.get(usize::from(opnum)).copied().filter(|name| !name.is_empty())
    }
}

/// ATSVC (MS-TSCH, `\PIPE\atsvc`): the `at` command.
pub const ATSVC: Uuid = Uuid::from_u128(0x1ff70682_0a51_30e8_076d_740be8cee98b);
/// ITaskSchedulerService (MS-TSCH): what `schtasks /s` uses.
pub const ITASKSCHEDULERSERVICE: Uuid = Uuid::from_u128(0x86d35949_83c9_4044_b424_db363231fd0c);
/// SASec (MS-TSCH, `\PIPE\atsvc`).
pub const SASEC: Uuid = Uuid::from_u128(0x378e52b0_c0a9_11cf_822d_00aa0051e40f);
/// svcctl (MS-SCMR): the service control manager.
pub const SVCCTL: Uuid = Uuid::from_u128(0x367abb81_9844_35f1_ad32_98f038001003);
/// The endpoint mapper (epm, port 135).
pub const EPM: Uuid = Uuid::from_u128(0xe1af8308_5d1f_11c9_91a4_08002b14a0fa);

/// MS-EFSR as PetitPotam reaches it over `\lsarpc`, `\efsrpc`, `\samr`, `\netlogon`, `\lsass`.
pub const EFSR_LSARPC: Uuid = Uuid::from_u128(0xc681d488_d850_11d0_8c52_00c04fd90f7e);
/// MS-EFSR's own interface (`\efsrpc`).
pub const EFSR: Uuid = Uuid::from_u128(0xdf1941c5_fe89_4e79_bf10_463657acf44d);
/// MS-RPRN, the print spooler (`\spoolss`).
pub const SPOOLSS: Uuid = Uuid::from_u128(0x12345678_1234_abcd_ef00_0123456789ab);
/// MS-PAR, the asynchronous print spooler (TCP).
pub const IREMOTEWINSPOOL: Uuid = Uuid::from_u128(0x76f03f96_cdfd_44fc_a22c_64950a001209);
/// MS-DFSNM, DFS namespace management (`\netdfs`).
pub const NETDFS: Uuid = Uuid::from_u128(0x4fc742e0_4a10_11cf_8273_00aa004ae673);
/// MS-FSRVP, the file server VSS agent (`\FssagentRpc`).
pub const FSRVP: Uuid = Uuid::from_u128(0xa8e0653c_2744_4389_a61d_7373df8b2292);
/// MS-DRSR, directory replication.
pub const DRSUAPI: Uuid = Uuid::from_u128(0xe3514235_4b06_11d1_ab04_00c04fc2dcd2);
/// MS-WMI IWbemServices, over DCOM.
pub const IWBEMSERVICES: Uuid = Uuid::from_u128(0x9556dc99_828c_11cf_a37e_00aa003240c7);
/// MS-NRPC, Netlogon.
pub const NETLOGON: Uuid = Uuid::from_u128(0x12345678_1234_abcd_ef00_01234567cffb);

/// What an operation is to the attack rules of RULES.md (coercion, replication, WMI, print
/// drivers, Netlogon authentication).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RpcAttack {
    /// Makes the server authenticate to a path the caller names (`dcerpc.coercion`).
    Coercion,
    /// DRSGetNCChanges: replication pulls password hashes (`dcerpc.dcsync`).
    DcSync,
    /// IWbemServices ExecMethod(Async): a method run through WMI (`dcerpc.remote_wmi`).
    RemoteWmi,
    /// A printer driver or print processor installed remotely (`dcerpc.print_driver`).
    PrintDriver,
    /// NetrServerReqChallenge: the first half of a Netlogon secure-channel setup.
    NetlogonChallenge,
    /// NetrServerAuthenticate(2, 3): the second half, with the client credential
    /// (`dcerpc.zerologon`).
    NetlogonAuthenticate,
}

/// Classifies an operation for the attack rules: the MS-EFSR methods PetitPotam uses (opnums
/// 0, 4, 5, 6, 7, 12, 13, 15 of either UUID), MS-RPRN RpcRemoteFindFirstPrinterChangeNotification(Ex)
/// (62, 65), MS-DFSNM NetrDfsAddStdRoot / NetrDfsRemoveStdRoot (12, 13), MS-FSRVP
/// IsPathSupported / IsPathShadowCopied (8, 9) are [`RpcAttack::Coercion`]; DRSUAPI
/// IDL_DRSGetNCChanges (3) is [`RpcAttack::DcSync`]; IWbemServices ExecMethod(Async) (24, 25)
/// is [`RpcAttack::RemoteWmi`]; MS-RPRN RpcAddPrinterDriverEx (89) and RpcAddPrintProcessor
/// (14), MS-PAR RpcAsyncAddPrinterDriver (39), RpcAsyncAddPrintProcessor (44) and
/// RpcAsyncInstallPrinterDriverFromPackage (62) are [`RpcAttack::PrintDriver`]; Netlogon
/// NetrServerReqChallenge (4) and NetrServerAuthenticate, 2, 3 (5, 15, 26) are the Netlogon
/// classes.
pub fn rpc_attack(interface: &Uuid, opnum: u16) -> Option<RpcAttack> {
    match (*interface, opnum) {
        (EFSR_LSARPC | EFSR, 0 | 4 | 5 | 6 | 7 | 12 | 13 | 15) | (SPOOLSS, 62 | 65) | (NETDFS, 12 | 13) | (FSRVP, 8 | 9) => {
            Some(RpcAttack::Coercion)
        }
        (DRSUAPI, 3) => Some(RpcAttack::DcSync),
        (IWBEMSERVICES, 24 | 25) => Some(RpcAttack::RemoteWmi),
        (SPOOLSS, 14 | 89) | (IREMOTEWINSPOOL, 39 | 44 | 62) => Some(RpcAttack::PrintDriver),
        (NETLOGON, 4) => Some(RpcAttack::NetlogonChallenge),
        (NETLOGON, 5 | 15 | 26) => Some(RpcAttack::NetlogonAuthenticate),
        _ => None,
    }
}

/// What a remote-execution operation does, as the rules in RULES.md classify it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RemoteExec {
    /// A scheduled task registered or started remotely (`dcerpc.remote_task`).
    Task,
    /// A service created remotely (`dcerpc.remote_service`).
    Service,
}

/// Classifies an operation for the remote-execution rules: ATSVC NetrJobAdd (0),
/// ITaskSchedulerService SchRpcRegisterTask (1) and SchRpcRun (12), SASec
/// SASetAccountInformation (0) are [`RemoteExec::Task`]; svcctl RCreateServiceW (12),
/// RCreateServiceA (24), RCreateServiceWOW64A (44), RCreateServiceWOW64W (45) and
/// RCreateWowService (60) are [`RemoteExec::Service`].
pub fn remote_execution(interface: &Uuid, opnum: u16) -> Option<RemoteExec> {
    match (*interface, opnum) {
        (ATSVC, 0) | (ITASKSCHEDULERSERVICE, 1 | 12) | (SASEC, 0) => Some(RemoteExec::Task),
        (SVCCTL, 12 | 24 | 44 | 45 | 60) => Some(RemoteExec::Service),
        _ => None,
    }
}

/// The interface with this UUID, if the table knows it.
pub fn interface(uuid: &Uuid) -> Option<&'static Interface> {
    INTERFACES.iter().find(|known| known.uuid == *uuid)
}

/// The interface name for this UUID (`"svcctl"`).
pub fn interface_name(uuid: &Uuid) -> Option<&'static str> {
    interface(uuid).map(|known| known.name)
}

/// The operation name for this interface and opnum (`"RCreateServiceW"`).
pub fn operation_name(uuid: &Uuid, opnum: u16) -> Option<&'static str> {
    interface(uuid).and_then(|known| known.operation(opnum))
}

/// Every interface of the table.
pub fn interfaces() -> &'static [Interface] {
    INTERFACES
}

const fn iface(uuid: u128, name: &'static str, spec: &'static str, operations: &'static [&'static str]) -> Interface {
    Interface { uuid: Uuid::from_u128(uuid), name, spec, operations }
}

// IUnknown methods head every DCOM interface (opnums 0-2).
const IUNKNOWN: [&str; 3] = ["QueryInterface", "AddRef", "Release"];

const ATSVC_OPS: &[&str] = &["NetrJobAdd", "NetrJobDel", "NetrJobEnum", "NetrJobGetInfo"];

const TSCH_OPS: &[&str] = &[
    "SchRpcHighestVersion",
    "SchRpcRegisterTask",
    "SchRpcRetrieveTask",
    "SchRpcCreateFolder",
    "SchRpcSetSecurity",
    "SchRpcGetSecurity",
    "SchRpcEnumFolders",
    "SchRpcEnumTasks",
    "SchRpcEnumInstances",
    "SchRpcGetInstanceInfo",
    "SchRpcStopInstance",
    "SchRpcStop",
    "SchRpcRun",
    "SchRpcDelete",
    "SchRpcRename",
    "SchRpcScheduledRuntimes",
    "SchRpcGetLastRunInfo",
    "SchRpcGetTaskInfo",
    "SchRpcGetNumberOfMissedRuns",
    "SchRpcEnableTask",
];

const SASEC_OPS: &[&str] =
    &["SASetAccountInformation", "SASetNSAccountInformation", "SAGetNSAccountInformation", "SAGetAccountInformation"];

const SVCCTL_OPS: &[&str] = &[
    "RCloseServiceHandle",
    "RControlService",
    "RDeleteService",
    "RLockServiceDatabase",
    "RQueryServiceObjectSecurity",
    "RSetServiceObjectSecurity",
    "RQueryServiceStatus",
    "RSetServiceStatus",
    "RUnlockServiceDatabase",
    "RNotifyBootConfigStatus",
    "RI_ScSetServiceBitsW",
    "RChangeServiceConfigW",
    "RCreateServiceW",
    "REnumDependentServicesW",
    "REnumServicesStatusW",
    "ROpenSCManagerW",
    "ROpenServiceW",
    "RQueryServiceConfigW",
    "RQueryServiceLockStatusW",
    "RStartServiceW",
    "RGetServiceDisplayNameW",
    "RGetServiceKeyNameW",
    "RI_ScSetServiceBitsA",
    "RChangeServiceConfigA",
    "RCreateServiceA",
    "REnumDependentServicesA",
    "REnumServicesStatusA",
    "ROpenSCManagerA",
    "ROpenServiceA",
    "RQueryServiceConfigA",
    "RQueryServiceLockStatusA",
    "RStartServiceA",
    "RGetServiceDisplayNameA",
    "RGetServiceKeyNameA",
    "RI_ScGetCurrentGroupStateW",
    "REnumServiceGroupW",
    "RChangeServiceConfig2A",
    "RChangeServiceConfig2W",
    "RQueryServiceConfig2A",
    "RQueryServiceConfig2W",
    "RQueryServiceStatusEx",
    "REnumServicesStatusExA",
    "REnumServicesStatusExW",
    "RI_ScSendTSMessage",
    "RCreateServiceWOW64A",
    "RCreateServiceWOW64W",
    "RI_ScQueryServiceTagInfo",
    "RNotifyServiceStatusChange",
    "RGetNotifyResults",
    "RCloseNotifyHandle",
    "RControlServiceExA",
    "RControlServiceExW",
    "RI_ScSendPnPMessage",
    "RI_ScValidatePnPService",
    "RI_ScOpenServiceStatusHandle",
    "Opnum55NotUsedOnWire",
    "RQueryServiceConfigEx",
    "Opnum57NotUsedOnWire",
    "Opnum58NotUsedOnWire",
    "Opnum59NotUsedOnWire",
    "RCreateWowService",
    "ROpenSCManager2",
];

const SRVSVC_OPS: &[&str] = &[
    "NetrCharDevEnum",
    "NetrCharDevGetInfo",
    "NetrCharDevControl",
    "NetrCharDevQEnum",
    "NetrCharDevQGetInfo",
    "NetrCharDevQSetInfo",
    "NetrCharDevQPurge",
    "NetrCharDevQPurgeSelf",
    "NetrConnectionEnum",
    "NetrFileEnum",
    "NetrFileGetInfo",
    "NetrFileClose",
    "NetrSessionEnum",
    "NetrSessionDel",
    "NetrShareAdd",
    "NetrShareEnum",
    "NetrShareGetInfo",
    "NetrShareSetInfo",
    "NetrShareDel",
    "NetrShareDelSticky",
    "NetrShareCheck",
    "NetrServerGetInfo",
    "NetrServerSetInfo",
    "NetrServerDiskEnum",
    "NetrServerStatisticsGet",
    "NetrServerTransportAdd",
    "NetrServerTransportEnum",
    "NetrServerTransportDel",
    "NetrRemoteTOD",
    "NetrServerSetServiceBits",
    "NetprPathType",
    "NetprPathCanonicalize",
    "NetprPathCompare",
    "NetprNameValidate",
    "NetprNameCanonicalize",
    "NetprNameCompare",
    "NetrShareEnumSticky",
    "NetrShareDelStart",
    "NetrShareDelCommit",
    "NetrpGetFileSecurity",
    "NetrpSetFileSecurity",
    "NetrServerTransportAddEx",
    "NetrServerSetServiceBitsEx",
    "NetrDfsGetVersion",
    "NetrDfsCreateLocalPartition",
    "NetrDfsDeleteLocalPartition",
    "NetrDfsSetLocalVolumeState",
    "NetrDfsSetServerInfo",
    "NetrDfsCreateExitPoint",
    "NetrDfsDeleteExitPoint",
    "NetrDfsModifyPrefix",
    "NetrDfsFixLocalVolume",
    "NetrDfsManagerReportSiteInfo",
    "NetrServerTransportDelEx",
    "NetrServerAliasAdd",
    "NetrServerAliasEnum",
    "NetrServerAliasDel",
    "NetrShareDelEx",
];

const WKSSVC_OPS: &[&str] = &[
    "NetrWkstaGetInfo",
    "NetrWkstaSetInfo",
    "NetrWkstaUserEnum",
    "NetrWkstaUserGetInfo",
    "NetrWkstaUserSetInfo",
    "NetrWkstaTransportEnum",
    "NetrWkstaTransportAdd",
    "NetrWkstaTransportDel",
    "NetrUseAdd",
    "NetrUseGetInfo",
    "NetrUseDel",
    "NetrUseEnum",
    "NetrMessageBufferSend",
    "NetrWorkstationStatisticsGet",
    "NetrLogonDomainNameAdd",
    "NetrLogonDomainNameDel",
    "NetrJoinDomain",
    "NetrUnjoinDomain",
    "NetrRenameMachineInDomain",
    "NetrValidateName",
    "NetrGetJoinInformation",
    "NetrGetJoinableOUs",
    "NetrJoinDomain2",
    "NetrUnjoinDomain2",
    "NetrRenameMachineInDomain2",
    "NetrValidateName2",
    "NetrGetJoinableOUs2",
    "NetrAddAlternateComputerName",
    "NetrRemoveAlternateComputerName",
    "NetrSetPrimaryComputerName",
    "NetrEnumerateComputerNames",
];

const SAMR_OPS: &[&str] = &[
    "SamrConnect",
    "SamrCloseHandle",
    "SamrSetSecurityObject",
    "SamrQuerySecurityObject",
    "SamrShutdownSamServer",
    "SamrLookupDomainInSamServer",
    "SamrEnumerateDomainsInSamServer",
    "SamrOpenDomain",
    "SamrQueryInformationDomain",
    "SamrSetInformationDomain",
    "SamrCreateGroupInDomain",
    "SamrEnumerateGroupsInDomain",
    "SamrCreateUserInDomain",
    "SamrEnumerateUsersInDomain",
    "SamrCreateAliasInDomain",
    "SamrEnumerateAliasesInDomain",
    "SamrGetAliasMembership",
    "SamrLookupNamesInDomain",
    "SamrLookupIdsInDomain",
    "SamrOpenGroup",
    "SamrQueryInformationGroup",
    "SamrSetInformationGroup",
    "SamrAddMemberToGroup",
    "SamrDeleteGroup",
    "SamrRemoveMemberFromGroup",
    "SamrGetMembersInGroup",
    "SamrSetMemberAttributesOfGroup",
    "SamrOpenAlias",
    "SamrQueryInformationAlias",
    "SamrSetInformationAlias",
    "SamrDeleteAlias",
    "SamrAddMemberToAlias",
    "SamrRemoveMemberFromAlias",
    "SamrGetMembersInAlias",
    "SamrOpenUser",
    "SamrDeleteUser",
    "SamrQueryInformationUser",
    "SamrSetInformationUser",
    "SamrChangePasswordUser",
    "SamrGetGroupsForUser",
    "SamrQueryDisplayInformation",
    "SamrGetDisplayEnumerationIndex",
    "SamrTestPrivateFunctionsDomain",
    "SamrTestPrivateFunctionsUser",
    "SamrGetUserDomainPasswordInformation",
    "SamrRemoveMemberFromForeignDomain",
    "SamrQueryInformationDomain2",
    "SamrQueryInformationUser2",
    "SamrQueryDisplayInformation2",
    "SamrGetDisplayEnumerationIndex2",
    "SamrCreateUser2InDomain",
    "SamrQueryDisplayInformation3",
    "SamrAddMultipleMembersToAlias",
    "SamrRemoveMultipleMembersFromAlias",
    "SamrOemChangePasswordUser2",
    "SamrUnicodeChangePasswordUser2",
    "SamrGetDomainPasswordInformation",
    "SamrConnect2",
    "SamrSetInformationUser2",
    "SamrSetBootKeyInformation",
    "SamrGetBootKeyInformation",
    "SamrConnect3",
    "SamrConnect4",
    "SamrUnicodeChangePasswordUser3",
    "SamrConnect5",
    "SamrRidToSid",
    "SamrSetDSRMPassword",
    "SamrValidatePassword",
];

const LSARPC_OPS: &[&str] = &[
    "LsarClose",
    "LsarDelete",
    "LsarEnumeratePrivileges",
    "LsarQuerySecurityObject",
    "LsarSetSecurityObject",
    "LsarChangePassword",
    "LsarOpenPolicy",
    "LsarQueryInformationPolicy",
    "LsarSetInformationPolicy",
    "LsarClearAuditLog",
    "LsarCreateAccount",
    "LsarEnumerateAccounts",
    "LsarCreateTrustedDomain",
    "LsarEnumerateTrustedDomains",
    "LsarLookupNames",
    "LsarLookupSids",
    "LsarCreateSecret",
    "LsarOpenAccount",
    "LsarEnumeratePrivilegesAccount",
    "LsarAddPrivilegesToAccount",
    "LsarRemovePrivilegesFromAccount",
    "LsarGetQuotasForAccount",
    "LsarSetQuotasForAccount",
    "LsarGetSystemAccessAccount",
    "LsarSetSystemAccessAccount",
    "LsarOpenTrustedDomain",
    "LsarQueryInfoTrustedDomain",
    "LsarSetInformationTrustedDomain",
    "LsarOpenSecret",
    "LsarSetSecret",
    "LsarQuerySecret",
    "LsarLookupPrivilegeValue",
    "LsarLookupPrivilegeName",
    "LsarLookupPrivilegeDisplayName",
    "LsarDeleteObject",
    "LsarEnumerateAccountsWithUserRight",
    "LsarEnumerateAccountRights",
    "LsarAddAccountRights",
    "LsarRemoveAccountRights",
    "LsarQueryTrustedDomainInfo",
    "LsarSetTrustedDomainInfo",
    "LsarDeleteTrustedDomain",
    "LsarStorePrivateData",
    "LsarRetrievePrivateData",
    "LsarOpenPolicy2",
    "LsarGetUserName",
    "LsarQueryInformationPolicy2",
    "LsarSetInformationPolicy2",
    "LsarQueryTrustedDomainInfoByName",
    "LsarSetTrustedDomainInfoByName",
    "LsarEnumerateTrustedDomainsEx",
    "LsarCreateTrustedDomainEx",
    "LsarCloseTrustedDomainEx",
    "LsarQueryDomainInformationPolicy",
    "LsarSetDomainInformationPolicy",
    "LsarOpenTrustedDomainByName",
    "LsarTestCall",
    "LsarLookupSids2",
    "LsarLookupNames2",
    "LsarCreateTrustedDomainEx2",
    "CredrWrite",
    "CredrRead",
    "CredrEnumerate",
    "CredrWriteDomainCredentials",
    "CredrReadDomainCredentials",
    "CredrDelete",
    "CredrGetTargetInfo",
    "CredrProfileLoaded",
    "LsarLookupNames3",
    "CredrGetSessionTypes",
    "LsarRegisterAuditEvent",
    "LsarGenAuditEvent",
    "LsarUnregisterAuditEvent",
    "LsarQueryForestTrustInformation",
    "LsarSetForestTrustInformation",
    "CredrRename",
    "LsarLookupSids3",
    "LsarLookupNames4",
    "LsarOpenPolicySce",
    "LsarAdtRegisterSecurityEventSource",
    "LsarAdtUnregisterSecurityEventSource",
    "LsarAdtReportSecurityEvent",
];

const WINREG_OPS: &[&str] = &[
    "OpenClassesRoot",
    "OpenCurrentUser",
    "OpenLocalMachine",
    "OpenPerformanceData",
    "OpenUsers",
    "BaseRegCloseKey",
    "BaseRegCreateKey",
    "BaseRegDeleteKey",
    "BaseRegDeleteValue",
    "BaseRegEnumKey",
    "BaseRegEnumValue",
    "BaseRegFlushKey",
    "BaseRegGetKeySecurity",
    "BaseRegLoadKey",
    "BaseRegNotifyChangeKeyValue",
    "BaseRegOpenKey",
    "BaseRegQueryInfoKey",
    "BaseRegQueryValue",
    "BaseRegReplaceKey",
    "BaseRegRestoreKey",
    "BaseRegSaveKey",
    "BaseRegSetKeySecurity",
    "BaseRegSetValue",
    "BaseRegUnLoadKey",
    "BaseInitiateSystemShutdown",
    "BaseAbortSystemShutdown",
    "BaseRegGetVersion",
    "OpenCurrentConfig",
    "OpenDynData",
    "BaseRegQueryMultipleValues",
    "BaseInitiateSystemShutdownEx",
    "BaseRegSaveKeyEx",
    "OpenPerformanceText",
    "OpenPerformanceNlsText",
    "BaseRegQueryMultipleValues2",
    "BaseRegDeleteKeyEx",
];

const NETLOGON_OPS: &[&str] = &[
    "NetrLogonUasLogon",
    "NetrLogonUasLogoff",
    "NetrLogonSamLogon",
    "NetrLogonSamLogoff",
    "NetrServerReqChallenge",
    "NetrServerAuthenticate",
    "NetrServerPasswordSet",
    "NetrDatabaseDeltas",
    "NetrDatabaseSync",
    "NetrAccountDeltas",
    "NetrAccountSync",
    "NetrGetDCName",
    "NetrLogonControl",
    "NetrGetAnyDCName",
    "NetrLogonControl2",
    "NetrServerAuthenticate2",
    "NetrDatabaseSync2",
    "NetrDatabaseRedo",
    "NetrLogonControl2Ex",
    "NetrEnumerateTrustedDomains",
    "DsrGetDcName",
    "NetrLogonGetCapabilities",
    "NetrLogonSetServiceBits",
    "NetrLogonGetTrustRid",
    "NetrLogonComputeServerDigest",
    "NetrLogonComputeClientDigest",
    "NetrServerAuthenticate3",
    "DsrGetDcNameEx",
    "DsrGetSiteName",
    "NetrLogonGetDomainInfo",
    "NetrServerPasswordSet2",
    "NetrServerPasswordGet",
    "NetrLogonSendToSam",
    "DsrAddressToSiteNamesW",
    "DsrGetDcNameEx2",
    "NetrLogonGetTimeServiceParentDomain",
    "NetrEnumerateTrustedDomainsEx",
    "DsrAddressToSiteNamesExW",
    "DsrGetDcSiteCoverageW",
    "NetrLogonSamLogonEx",
    "DsrEnumerateDomainTrusts",
    "DsrDeregisterDnsHostRecords",
    "NetrServerTrustPasswordsGet",
    "DsrGetForestTrustInformation",
    "NetrGetForestTrustInformation",
    "NetrLogonSamLogonWithFlags",
    "NetrServerGetTrustInfo",
    "",
    "DsrUpdateReadOnlyServerDnsRecords",
    "NetrChainSetClientAttributes",
];

const DRSUAPI_OPS: &[&str] = &[
    "IDL_DRSBind",
    "IDL_DRSUnbind",
    "IDL_DRSReplicaSync",
    "IDL_DRSGetNCChanges",
    "IDL_DRSUpdateRefs",
    "IDL_DRSReplicaAdd",
    "IDL_DRSReplicaDel",
    "IDL_DRSReplicaModify",
    "IDL_DRSVerifyNames",
    "IDL_DRSGetMemberships",
    "IDL_DRSInterDomainMove",
    "IDL_DRSGetNT4ChangeLog",
    "IDL_DRSCrackNames",
    "IDL_DRSWriteSPN",
    "IDL_DRSRemoveDsServer",
    "IDL_DRSRemoveDsDomain",
    "IDL_DRSDomainControllerInfo",
    "IDL_DRSAddEntry",
    "IDL_DRSExecuteKCC",
    "IDL_DRSGetReplInfo",
    "IDL_DRSAddSidHistory",
    "IDL_DRSGetMemberships2",
    "IDL_DRSReplicaVerifyObjects",
    "IDL_DRSGetObjectExistence",
    "IDL_DRSQuerySitesByCost",
    "IDL_DRSInitDemotion",
    "IDL_DRSReplicaDemotion",
    "IDL_DRSFinishDemotion",
    "IDL_DRSAddCloneDC",
    "IDL_DRSWriteNgcKey",
    "IDL_DRSReadNgcKey",
];

const EPM_OPS: &[&str] =
    &["ept_insert", "ept_delete", "ept_lookup", "ept_map", "ept_lookup_handle_free", "ept_inq_object", "ept_mgmt_delete"];

const SPOOLSS_OPS: &[&str] = &[
    "RpcEnumPrinters",
    "RpcOpenPrinter",
    "RpcSetJob",
    "RpcGetJob",
    "RpcEnumJobs",
    "RpcAddPrinter",
    "RpcDeletePrinter",
    "RpcSetPrinter",
    "RpcGetPrinter",
    "RpcAddPrinterDriver",
    "RpcEnumPrinterDrivers",
    "RpcGetPrinterDriver",
    "RpcGetPrinterDriverDirectory",
    "RpcDeletePrinterDriver",
    "RpcAddPrintProcessor",
    "RpcEnumPrintProcessors",
    "RpcGetPrintProcessorDirectory",
    "RpcStartDocPrinter",
    "RpcStartPagePrinter",
    "RpcWritePrinter",
    "RpcEndPagePrinter",
    "RpcAbortPrinter",
    "RpcReadPrinter",
    "RpcEndDocPrinter",
    "RpcAddJob",
    "RpcScheduleJob",
    "RpcGetPrinterData",
    "RpcSetPrinterData",
    "RpcWaitForPrinterChange",
    "RpcClosePrinter",
    "RpcAddForm",
    "RpcDeleteForm",
    "RpcGetForm",
    "RpcSetForm",
    "RpcEnumForms",
    "RpcEnumPorts",
    "RpcEnumMonitors",
    "RpcAddPort",
    "RpcConfigurePort",
    "RpcDeletePort",
    "RpcCreatePrinterIC",
    "RpcPlayGdiScriptOnPrinterIC",
    "RpcDeletePrinterIC",
    "RpcAddPrinterConnection",
    "RpcDeletePrinterConnection",
    "RpcPrinterMessageBox",
    "RpcAddMonitor",
    "RpcDeleteMonitor",
    "RpcDeletePrintProcessor",
    "RpcAddPrintProvidor",
    "RpcDeletePrintProvidor",
    "RpcEnumPrintProcessorDatatypes",
    "RpcResetPrinter",
    "RpcGetPrinterDriver2",
    "RpcClientFindFirstPrinterChangeNotification",
    "RpcFindNextPrinterChangeNotification",
    "RpcFindClosePrinterChangeNotification",
    "RpcRouterFindFirstPrinterChangeNotificationOld",
    "RpcReplyOpenPrinter",
    "RpcRouterReplyPrinter",
    "RpcReplyClosePrinter",
    "RpcAddPortEx",
    "RpcRemoteFindFirstPrinterChangeNotification",
    "RpcSpoolerInit",
    "RpcResetPrinterEx",
    "RpcRemoteFindFirstPrinterChangeNotificationEx",
    "RpcRouterReplyPrinterEx",
    "RpcRouterRefreshPrinterChangeNotification",
    "RpcSetAllocFailCount",
    "RpcOpenPrinterEx",
    "RpcAddPrinterEx",
    "RpcSetPort",
    "RpcEnumPrinterData",
    "RpcDeletePrinterData",
    "RpcClusterSplOpen",
    "RpcClusterSplClose",
    "RpcClusterSplIsAlive",
    "RpcSetPrinterDataEx",
    "RpcGetPrinterDataEx",
    "RpcEnumPrinterDataEx",
    "RpcEnumPrinterKey",
    "RpcDeletePrinterDataEx",
    "RpcDeletePrinterKey",
    "RpcSeekPrinter",
    "RpcDeletePrinterDriverEx",
    "RpcAddPerMachineConnection",
    "RpcDeletePerMachineConnection",
    "RpcEnumPerMachineConnections",
    "RpcXcvData",
    "RpcAddPrinterDriverEx",
    "RpcSplOpenPrinter",
    "RpcGetSpoolFileInfo",
    "RpcCommitSpoolData",
    "RpcCloseSpoolFileHandle",
    "RpcFlushPrinter",
    "RpcSendRecvBidiData",
    "RpcAddDriverCatalog",
    "RpcAddPrinterConnection2",
    "RpcDeletePrinterConnection2",
    "RpcInstallPrinterDriverFromPackage",
    "RpcUploadPrinterDriverPackage",
    "RpcGetCorePrinterDrivers",
    "RpcCorePrinterDriverInstalled",
    "RpcGetPrinterDriverPackagePath",
    "RpcReportJobProcessingProgress",
];

const WINSPOOL_OPS: &[&str] = &[
    "RpcAsyncOpenPrinter",
    "RpcAsyncAddPrinter",
    "RpcAsyncSetJob",
    "RpcAsyncGetJob",
    "RpcAsyncEnumJobs",
    "RpcAsyncAddJob",
    "RpcAsyncScheduleJob",
    "RpcAsyncDeletePrinter",
    "RpcAsyncSetPrinter",
    "RpcAsyncGetPrinter",
    "RpcAsyncStartDocPrinter",
    "RpcAsyncStartPagePrinter",
    "RpcAsyncWritePrinter",
    "RpcAsyncEndPagePrinter",
    "RpcAsyncEndDocPrinter",
    "RpcAsyncAbortPrinter",
    "RpcAsyncGetPrinterData",
    "RpcAsyncGetPrinterDataEx",
    "RpcAsyncSetPrinterData",
    "RpcAsyncSetPrinterDataEx",
    "RpcAsyncClosePrinter",
    "RpcAsyncAddForm",
    "RpcAsyncDeleteForm",
    "RpcAsyncGetForm",
    "RpcAsyncSetForm",
    "RpcAsyncEnumForms",
    "RpcAsyncGetPrinterDriver",
    "RpcAsyncEnumPrinterData",
    "RpcAsyncEnumPrinterDataEx",
    "RpcAsyncEnumPrinterKey",
    "RpcAsyncDeletePrinterData",
    "RpcAsyncDeletePrinterDataEx",
    "RpcAsyncDeletePrinterKey",
    "RpcAsyncXcvData",
    "RpcAsyncSendRecvBidiData",
    "RpcAsyncCreatePrinterIC",
    "RpcAsyncPlayGdiScriptOnPrinterIC",
    "RpcAsyncDeletePrinterIC",
    "RpcAsyncEnumPrinters",
    "RpcAsyncAddPrinterDriver",
    "RpcAsyncEnumPrinterDrivers",
    "RpcAsyncGetPrinterDriverDirectory",
    "RpcAsyncDeletePrinterDriver",
    "RpcAsyncDeletePrinterDriverEx",
    "RpcAsyncAddPrintProcessor",
    "RpcAsyncEnumPrintProcessors",
    "RpcAsyncGetPrintProcessorDirectory",
    "RpcAsyncEnumPorts",
    "RpcAsyncEnumMonitors",
    "RpcAsyncAddPort",
    "RpcAsyncSetPort",
    "RpcAsyncAddMonitor",
    "RpcAsyncDeleteMonitor",
    "RpcAsyncDeletePrintProcessor",
    "RpcAsyncEnumPrintProcessorDatatypes",
    "RpcAsyncAddPerMachineConnection",
    "RpcAsyncDeletePerMachineConnection",
    "RpcAsyncEnumPerMachineConnections",
    "RpcSyncRegisterForRemoteNotifications",
    "RpcSyncUnRegisterForRemoteNotifications",
    "RpcSyncRefreshRemoteNotifications",
    "RpcAsyncGetRemoteNotifications",
    "RpcAsyncInstallPrinterDriverFromPackage",
    "RpcAsyncUploadPrinterDriverPackage",
    "RpcAsyncGetCorePrinterDrivers",
    "RpcAsyncCorePrinterDriverInstalled",
    "RpcAsyncGetPrinterDriverPackagePath",
    "RpcAsyncDeletePrinterDriverPackage",
    "RpcAsyncReadPrinter",
    "RpcAsyncResetPrinter",
    "RpcAsyncGetJobNamedPropertyValue",
    "RpcAsyncSetJobNamedProperty",
    "RpcAsyncDeleteJobNamedProperty",
    "RpcAsyncEnumJobNamedProperties",
    "RpcAsyncLogJobInfoForBranchOffice",
];

const EVENTLOG_OPS: &[&str] = &[
    "ElfrClearELFW",
    "ElfrBackupELFW",
    "ElfrCloseEL",
    "ElfrDeregisterEventSource",
    "ElfrNumberOfRecords",
    "ElfrOldestRecord",
    "ElfrChangeNotify",
    "ElfrOpenELW",
    "ElfrRegisterEventSourceW",
    "ElfrOpenBELW",
    "ElfrReadELW",
    "ElfrReportEventW",
    "ElfrClearELFA",
    "ElfrBackupELFA",
    "ElfrOpenELA",
    "ElfrRegisterEventSourceA",
    "ElfrOpenBELA",
    "ElfrReadELA",
    "ElfrReportEventA",
    "ElfrRegisterClusterSvc",
    "ElfrDeregisterClusterSvc",
    "ElfrWriteClusterEvents",
    "ElfrGetLogInformation",
    "ElfrFlushEL",
    "ElfrReportEventAndSourceW",
];

const EVEN6_OPS: &[&str] = &[
    "EvtRpcRegisterRemoteSubscription",
    "EvtRpcRemoteSubscriptionNextAsync",
    "EvtRpcRemoteSubscriptionNext",
    "EvtRpcRemoteSubscriptionWaitAsync",
    "EvtRpcRegisterControllableOperation",
    "EvtRpcRegisterLogQuery",
    "EvtRpcClearLog",
    "EvtRpcExportLog",
    "EvtRpcLocalizeExportLog",
    "EvtRpcMessageRender",
    "EvtRpcMessageRenderDefault",
    "EvtRpcQueryNext",
    "EvtRpcQuerySeek",
    "EvtRpcClose",
    "EvtRpcCancel",
    "EvtRpcAssertConfig",
    "EvtRpcRetractConfig",
    "EvtRpcOpenLogHandle",
    "EvtRpcGetLogFileInfo",
    "EvtRpcGetChannelList",
    "EvtRpcGetChannelConfig",
    "EvtRpcPutChannelConfig",
    "EvtRpcGetPublisherList",
    "EvtRpcGetPublisherListForChannel",
    "EvtRpcGetPublisherMetadata",
    "EvtRpcGetPublisherResourceMetadata",
    "EvtRpcGetEventMetadataEnum",
    "EvtRpcGetNextEventMetadata",
    "EvtRpcGetClassicLogDisplayName",
];

const EFSRPC_OPS: &[&str] = &[
    "EfsRpcOpenFileRaw",
    "EfsRpcReadFileRaw",
    "EfsRpcWriteFileRaw",
    "EfsRpcCloseRaw",
    "EfsRpcEncryptFileSrv",
    "EfsRpcDecryptFileSrv",
    "EfsRpcQueryUsersOnFile",
    "EfsRpcQueryRecoveryAgents",
    "EfsRpcRemoveUsersFromFile",
    "EfsRpcAddUsersToFile",
    "",
    "EfsRpcNotSupported",
    "EfsRpcFileKeyInfo",
    "EfsRpcDuplicateEncryptionInfoFile",
    "",
    "EfsRpcAddUsersToFileEx",
    "EfsRpcFileKeyInfoEx",
    "",
    "EfsRpcGetEncryptedFileMetadata",
    "EfsRpcSetEncryptedFileMetadata",
    "EfsRpcFlushEfsCache",
    "EfsRpcEncryptFileExSrv",
    "EfsRpcQueryProtectors",
];

const NETDFS_OPS: &[&str] = &[
    "NetrDfsManagerGetVersion",
    "NetrDfsAdd",
    "NetrDfsRemove",
    "NetrDfsSetInfo",
    "NetrDfsGetInfo",
    "NetrDfsEnum",
    "NetrDfsMove",
    "NetrDfsRename",
    "NetrDfsManagerGetConfigInfo",
    "NetrDfsManagerSendSiteInfo",
    "NetrDfsAddFtRoot",
    "NetrDfsRemoveFtRoot",
    "NetrDfsAddStdRoot",
    "NetrDfsRemoveStdRoot",
    "NetrDfsManagerInitialize",
    "NetrDfsAddStdRootForced",
    "NetrDfsGetDcAddress",
    "NetrDfsSetDcAddress",
    "NetrDfsFlushFtTable",
    "NetrDfsAdd2",
    "NetrDfsRemove2",
    "NetrDfsEnumEx",
    "NetrDfsSetInfo2",
    "NetrDfsAddRootTarget",
    "NetrDfsRemoveRootTarget",
    "NetrDfsGetSupportedNamespaceVersion",
];

const FSRVP_OPS: &[&str] = &[
    "GetSupportedVersion",
    "SetContext",
    "StartShadowCopySet",
    "AddToShadowCopySet",
    "CommitShadowCopySet",
    "ExposeShadowCopySet",
    "RecoveryCompleteShadowCopySet",
    "AbortShadowCopySet",
    "IsPathSupported",
    "IsPathShadowCopied",
    "GetShareMapping",
    "DeleteShareMapping",
    "PrepareShadowCopySet",
];

const WBEM_SERVICES_OPS: &[&str] = &[
    IUNKNOWN[0],
    IUNKNOWN[1],
    IUNKNOWN[2],
    "OpenNamespace",
    "CancelAsyncCall",
    "QueryObjectSink",
    "GetObject",
    "GetObjectAsync",
    "PutClass",
    "PutClassAsync",
    "DeleteClass",
    "DeleteClassAsync",
    "CreateClassEnum",
    "CreateClassEnumAsync",
    "PutInstance",
    "PutInstanceAsync",
    "DeleteInstance",
    "DeleteInstanceAsync",
    "CreateInstanceEnum",
    "CreateInstanceEnumAsync",
    "ExecQuery",
    "ExecQueryAsync",
    "ExecNotificationQuery",
    "ExecNotificationQueryAsync",
    "ExecMethod",
    "ExecMethodAsync",
];

const REMOTE_SCM_ACTIVATOR_OPS: &[&str] = &[IUNKNOWN[0], IUNKNOWN[1], IUNKNOWN[2], "RemoteGetClassObject", "RemoteCreateInstance"];

const OXID_RESOLVER_OPS: &[&str] = &["ResolveOxid", "SimplePing", "ComplexPing", "ServerAlive", "ResolveOxid2", "ServerAlive2"];

const REM_UNKNOWN_OPS: &[&str] =
    &[IUNKNOWN[0], IUNKNOWN[1], IUNKNOWN[2], "RemQueryInterface", "RemAddRef", "RemRelease", "RemQueryInterface2"];

const WBEM_LEVEL1_LOGIN_OPS: &[&str] =
    &[IUNKNOWN[0], IUNKNOWN[1], IUNKNOWN[2], "EstablishPosition", "RequestChallenge", "WBEMLogin", "NTLMLogin"];

const MGMT_OPS: &[&str] = &["inq_if_ids", "inq_stats", "is_server_listening", "stop_server_listening", "inq_princ_name"];

const DSSETUP_OPS: &[&str] = &[
    "DsRolerGetPrimaryDomainInformation",
    "DsRolerDnsNameToFlatName",
    "DsRolerDcAsDc",
    "DsRolerDcAsReplica",
    "DsRolerDemoteDc",
    "DsRolerGetDcOperationProgress",
    "DsRolerGetDcOperationResults",
    "DsRolerCancel",
    "DsRolerServerSaveStateForUpgrade",
    "DsRolerUpgradeDownlevelServer",
    "DsRolerAbortDownlevelServerUpgrade",
];

static INTERFACES: &[Interface] = &[
    iface(0x1ff70682_0a51_30e8_076d_740be8cee98b, "ATSVC", "MS-TSCH", ATSVC_OPS),
    iface(0x86d35949_83c9_4044_b424_db363231fd0c, "ITaskSchedulerService", "MS-TSCH", TSCH_OPS),
    iface(0x378e52b0_c0a9_11cf_822d_00aa0051e40f, "SASec", "MS-TSCH", SASEC_OPS),
    iface(0x367abb81_9844_35f1_ad32_98f038001003, "svcctl", "MS-SCMR", SVCCTL_OPS),
    iface(0x4b324fc8_1670_01d3_1278_5a47bf6ee188, "srvsvc", "MS-SRVS", SRVSVC_OPS),
    iface(0x6bffd098_a112_3610_9833_46c3f87e345a, "wkssvc", "MS-WKST", WKSSVC_OPS),
    iface(0x12345778_1234_abcd_ef00_0123456789ac, "samr", "MS-SAMR", SAMR_OPS),
    iface(0x12345778_1234_abcd_ef00_0123456789ab, "lsarpc", "MS-LSAD", LSARPC_OPS),
    iface(0x338cd001_2244_31f1_aaaa_900038001003, "winreg", "MS-RRP", WINREG_OPS),
    iface(0x12345678_1234_abcd_ef00_01234567cffb, "netlogon", "MS-NRPC", NETLOGON_OPS),
    iface(0xe3514235_4b06_11d1_ab04_00c04fc2dcd2, "drsuapi", "MS-DRSR", DRSUAPI_OPS),
    iface(0xe1af8308_5d1f_11c9_91a4_08002b14a0fa, "epm", "MS-RPCE", EPM_OPS),
    iface(0x12345678_1234_abcd_ef00_0123456789ab, "spoolss", "MS-RPRN", SPOOLSS_OPS),
    iface(0x76f03f96_cdfd_44fc_a22c_64950a001209, "IRemoteWinspool", "MS-PAR", WINSPOOL_OPS),
    iface(0x82273fdc_e32a_18c3_3f78_827929dc23ea, "eventlog", "MS-EVEN", EVENTLOG_OPS),
    iface(0xf6beaff7_1e19_4fbb_9f8f_b89e2018337c, "even6", "MS-EVEN6", EVEN6_OPS),
    iface(0xc681d488_d850_11d0_8c52_00c04fd90f7e, "efsrpc", "MS-EFSR", EFSRPC_OPS),
    iface(0xdf1941c5_fe89_4e79_bf10_463657acf44d, "efsrpc", "MS-EFSR", EFSRPC_OPS),
    iface(0x000001a0_0000_0000_c000_000000000046, "IRemoteSCMActivator", "MS-DCOM", REMOTE_SCM_ACTIVATOR_OPS),
    iface(0x4d9f4ab8_7d1c_11cf_861e_0020af6e7c57, "IActivation", "MS-DCOM", &["RemoteActivation"]),
    iface(0x99fcfec4_5260_101b_bbcb_00aa0021347a, "IOXIDResolver", "MS-DCOM", OXID_RESOLVER_OPS),
    iface(0x00000131_0000_0000_c000_000000000046, "IRemUnknown", "MS-DCOM", REM_UNKNOWN_OPS),
    iface(0x00000143_0000_0000_c000_000000000046, "IRemUnknown2", "MS-DCOM", REM_UNKNOWN_OPS),
    iface(0xf309ad18_d86a_11d0_a075_00c04fb68820, "IWbemLevel1Login", "MS-WMI", WBEM_LEVEL1_LOGIN_OPS),
    iface(0x9556dc99_828c_11cf_a37e_00aa003240c7, "IWbemServices", "MS-WMI", WBEM_SERVICES_OPS),
    iface(0x4fc742e0_4a10_11cf_8273_00aa004ae673, "netdfs", "MS-DFSNM", NETDFS_OPS),
    iface(0xa8e0653c_2744_4389_a61d_7373df8b2292, "FileServerVssAgent", "MS-FSRVP", FSRVP_OPS),
    iface(0xafa8bd80_7d8a_11c9_bef4_08002b102989, "mgmt", "MS-RPCE", MGMT_OPS),
    iface(0x3919286a_b10c_11d0_9ba8_00c04fd92ef5, "dssetup", "MS-DSSP", DSSETUP_OPS),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn uuid(text: &str) -> Uuid {
        Uuid::parse_str(text).expect("test UUID")
    }

    #[test]
    fn rules_classification() {
        assert_eq!(remote_execution(&ATSVC, 0), Some(RemoteExec::Task));
        assert_eq!(remote_execution(&ATSVC, 1), None);
        assert_eq!(remote_execution(&ITASKSCHEDULERSERVICE, 1), Some(RemoteExec::Task));
        assert_eq!(remote_execution(&ITASKSCHEDULERSERVICE, 12), Some(RemoteExec::Task));
        assert_eq!(remote_execution(&ITASKSCHEDULERSERVICE, 13), None);
        assert_eq!(remote_execution(&SASEC, 0), Some(RemoteExec::Task));
        for opnum in [12, 24, 44, 45, 60] {
            assert_eq!(remote_execution(&SVCCTL, opnum), Some(RemoteExec::Service));
        }
        for opnum in [0, 15, 16, 19, 27, 31] {
            assert_eq!(remote_execution(&SVCCTL, opnum), None);
        }
        assert_eq!(remote_execution(&EPM, 0), None);
    }

    #[test]
    fn names_of_the_rule_operations() {
        let cases = [
            (ATSVC, 0, "ATSVC", "NetrJobAdd"),
            (ITASKSCHEDULERSERVICE, 1, "ITaskSchedulerService", "SchRpcRegisterTask"),
            (ITASKSCHEDULERSERVICE, 12, "ITaskSchedulerService", "SchRpcRun"),
            (SASEC, 0, "SASec", "SASetAccountInformation"),
            (SVCCTL, 12, "svcctl", "RCreateServiceW"),
            (SVCCTL, 24, "svcctl", "RCreateServiceA"),
            (SVCCTL, 44, "svcctl", "RCreateServiceWOW64A"),
            (SVCCTL, 45, "svcctl", "RCreateServiceWOW64W"),
            (SVCCTL, 60, "svcctl", "RCreateWowService"),
        ];
        for (uuid, opnum, name, operation) in cases {
            assert_eq!(interface_name(&uuid), Some(name));
            assert_eq!(operation_name(&uuid, opnum), Some(operation));
        }
    }

    // Interfaces and opnums that tshark-facts.jsonl (dce_bind_uuids, dce_req_ops) lists for the
    // corpus; operation names as the Microsoft specifications give them.
    #[test]
    fn corpus_interfaces_are_known() {
        let cases = [
            ("e1af8308-5d1f-11c9-91a4-08002b14a0fa", 3, "epm", "ept_map"),
            ("12345778-1234-abcd-ef00-0123456789ac", 64, "samr", "SamrConnect5"),
            ("12345778-1234-abcd-ef00-0123456789ab", 44, "lsarpc", "LsarOpenPolicy2"),
            ("12345778-1234-abcd-ef00-0123456789ab", 68, "lsarpc", "LsarLookupNames3"),
            ("4b324fc8-1670-01d3-1278-5a47bf6ee188", 15, "srvsvc", "NetrShareEnum"),
            ("4b324fc8-1670-01d3-1278-5a47bf6ee188", 16, "srvsvc", "NetrShareGetInfo"),
            ("6bffd098-a112-3610-9833-46c3f87e345a", 0, "wkssvc", "NetrWkstaGetInfo"),
            ("338cd001-2244-31f1-aaaa-900038001003", 22, "winreg", "BaseRegSetValue"),
            ("12345678-1234-abcd-ef00-01234567cffb", 26, "netlogon", "NetrServerAuthenticate3"),
            ("12345678-1234-abcd-ef00-01234567cffb", 30, "netlogon", "NetrServerPasswordSet2"),
            ("12345678-1234-abcd-ef00-01234567cffb", 45, "netlogon", "NetrLogonSamLogonWithFlags"),
            ("e3514235-4b06-11d1-ab04-00c04fc2dcd2", 3, "drsuapi", "IDL_DRSGetNCChanges"),
            ("e3514235-4b06-11d1-ab04-00c04fc2dcd2", 12, "drsuapi", "IDL_DRSCrackNames"),
            ("12345678-1234-abcd-ef00-0123456789ab", 89, "spoolss", "RpcAddPrinterDriverEx"),
            ("12345678-1234-abcd-ef00-0123456789ab", 65, "spoolss", "RpcRemoteFindFirstPrinterChangeNotificationEx"),
            ("76f03f96-cdfd-44fc-a22c-64950a001209", 39, "IRemoteWinspool", "RpcAsyncAddPrinterDriver"),
            ("c681d488-d850-11d0-8c52-00c04fd90f7e", 0, "efsrpc", "EfsRpcOpenFileRaw"),
            ("df1941c5-fe89-4e79-bf10-463657acf44d", 4, "efsrpc", "EfsRpcEncryptFileSrv"),
            ("000001a0-0000-0000-c000-000000000046", 4, "IRemoteSCMActivator", "RemoteCreateInstance"),
            ("99fcfec4-5260-101b-bbcb-00aa0021347a", 5, "IOXIDResolver", "ServerAlive2"),
            ("afa8bd80-7d8a-11c9-bef4-08002b102989", 4, "mgmt", "inq_princ_name"),
            ("3919286a-b10c-11d0-9ba8-00c04fd92ef5", 9, "dssetup", "DsRolerUpgradeDownlevelServer"),
            ("82273fdc-e32a-18c3-3f78-827929dc23ea", 0, "eventlog", "ElfrClearELFW"),
            ("f6beaff7-1e19-4fbb-9f8f-b89e2018337c", 6, "even6", "EvtRpcClearLog"),
        ];
        for (text, opnum, name, operation) in cases {
            let id = uuid(text);
            assert_eq!(interface_name(&id), Some(name), "{text}");
            assert_eq!(operation_name(&id, opnum), Some(operation), "{text} {opnum}");
        }
    }

    // The operations RULES.md names for the attack rules, by name: the table and the
    // classification must agree on every opnum.
    #[test]
    fn attack_operations_by_name() {
        let cases = [
            (EFSR_LSARPC, "EfsRpcOpenFileRaw", RpcAttack::Coercion),
            (EFSR, "EfsRpcEncryptFileSrv", RpcAttack::Coercion),
            (EFSR, "EfsRpcDecryptFileSrv", RpcAttack::Coercion),
            (EFSR, "EfsRpcQueryUsersOnFile", RpcAttack::Coercion),
            (EFSR, "EfsRpcQueryRecoveryAgents", RpcAttack::Coercion),
            (EFSR, "EfsRpcFileKeyInfo", RpcAttack::Coercion),
            (EFSR_LSARPC, "EfsRpcDuplicateEncryptionInfoFile", RpcAttack::Coercion),
            (EFSR_LSARPC, "EfsRpcAddUsersToFileEx", RpcAttack::Coercion),
            (SPOOLSS, "RpcRemoteFindFirstPrinterChangeNotification", RpcAttack::Coercion),
            (SPOOLSS, "RpcRemoteFindFirstPrinterChangeNotificationEx", RpcAttack::Coercion),
            (NETDFS, "NetrDfsAddStdRoot", RpcAttack::Coercion),
            (NETDFS, "NetrDfsRemoveStdRoot", RpcAttack::Coercion),
            (FSRVP, "IsPathSupported", RpcAttack::Coercion),
            (FSRVP, "IsPathShadowCopied", RpcAttack::Coercion),
            (DRSUAPI, "IDL_DRSGetNCChanges", RpcAttack::DcSync),
            (IWBEMSERVICES, "ExecMethod", RpcAttack::RemoteWmi),
            (IWBEMSERVICES, "ExecMethodAsync", RpcAttack::RemoteWmi),
            (SPOOLSS, "RpcAddPrinterDriverEx", RpcAttack::PrintDriver),
            (SPOOLSS, "RpcAddPrintProcessor", RpcAttack::PrintDriver),
            (IREMOTEWINSPOOL, "RpcAsyncAddPrinterDriver", RpcAttack::PrintDriver),
            (IREMOTEWINSPOOL, "RpcAsyncAddPrintProcessor", RpcAttack::PrintDriver),
            (IREMOTEWINSPOOL, "RpcAsyncInstallPrinterDriverFromPackage", RpcAttack::PrintDriver),
            (NETLOGON, "NetrServerReqChallenge", RpcAttack::NetlogonChallenge),
            (NETLOGON, "NetrServerAuthenticate", RpcAttack::NetlogonAuthenticate),
            (NETLOGON, "NetrServerAuthenticate2", RpcAttack::NetlogonAuthenticate),
            (NETLOGON, "NetrServerAuthenticate3", RpcAttack::NetlogonAuthenticate),
        ];
        for (uuid, name, class) in cases {
            let opnum = (0..=u16::MAX).find(|&op| operation_name(&uuid, op) == Some(name)).expect(name);
            assert_eq!(rpc_attack(&uuid, opnum), Some(class), "{name}");
        }
        let classified = (0..=200u16).filter(|&op| rpc_attack(&EFSR, op).is_some()).count();
        assert_eq!(classified, 8);
        assert_eq!(rpc_attack(&SPOOLSS, 1), None);
        assert_eq!(rpc_attack(&DRSUAPI, 12), None);
        assert_eq!(rpc_attack(&IWBEMSERVICES, 20), None);
        assert_eq!(interface_name(&NETDFS), Some("netdfs"));
        assert_eq!(interface_name(&FSRVP), Some("FileServerVssAgent"));
    }

    #[test]
    fn unknown_interface_and_opnum() {
        let unknown = uuid("5d2b62aa-ee0a-4a95-91ae-b064fdb471fc");
        assert_eq!(interface(&unknown).map(|known| known.name), None);
        assert_eq!(operation_name(&SVCCTL, 999), None);
        assert_eq!(operation_name(&EPM, 7), None);
        // Gaps in a table are not names.
        assert_eq!(operation_name(&uuid("c681d488-d850-11d0-8c52-00c04fd90f7e"), 10), None);
    }

    #[test]
    fn table_has_no_duplicate_uuids() {
        for (index, known) in interfaces().iter().enumerate() {
            assert!(interfaces().iter().skip(index + 1).all(|other| other.uuid != known.uuid), "{} listed twice", known.uuid);
        }
    }
}
