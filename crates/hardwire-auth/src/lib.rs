//! hardwire-auth: one decoder of authentication tokens for SMB, HTTP and DCE/RPC.
//!
//! Windows wraps the same few messages in many ways: an SMB SESSION_SETUP security buffer holds a
//! GSS-API/SPNEGO token (RFC 2743, RFC 4178, MS-SPNG) whose mechToken is NTLMSSP (MS-NLMP) or a
//! Kerberos AP-REQ (RFC 4120, RFC 4121); HTTP `Negotiate` carries the same SPNEGO or, often, raw
//! NTLMSSP; DCE/RPC auth verifiers carry raw NTLMSSP or SPNEGO. [`inspect`] accepts all of them
//! and returns a [`SecurityToken`]: the mechanisms offered, the negotiation state, and the NTLM
//! or Kerberos message inside, decoded.
//!
//! The parsers are pure functions over untrusted bytes: no I/O, no panics, every length checked
//! against the bytes present, DER nesting bounded ([`MAX_DEPTH`]).
//!
//! Secrets never reach a public value: an NTLM AUTHENTICATE keeps only the lengths of its LM/NT
//! responses, session key and MIC; a CHALLENGE drops the server nonce; a Kerberos AP-REQ keeps
//! only the encryption types of its ticket and authenticator; opaque SPNEGO token bytes print
//! only their length.
//!
//! ```
//! // A raw NTLMSSP NEGOTIATE, as sent in `Authorization: NTLM ...`.
//! let blob = b"NTLMSSP\0\x01\0\0\0\x07\x82\x08\xa2\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0";
//! let token = hardwire_auth::inspect(blob).unwrap();
//! assert_eq!(hardwire_auth::mechanism_of(&token), hardwire_auth::Mech::Ntlm);
//! ```
#![forbid(unsafe_code)]

mod der;
pub mod error;
pub mod kdc;
pub mod kerberos;
pub mod ldap;
pub mod ntlmssp;
pub mod spnego;
pub mod token;

#[cfg(test)]
mod test_vectors;

pub use der::MAX_DEPTH;
pub use error::AuthError;
pub use kerberos::{ApReq, EncType, KerberosMessage};
pub use ntlmssp::{
    AuthKind, Authenticate, AvPair, AvPairs, Challenge, Negotiate, NegotiateFlags, NtlmMessage, NtlmVersion, Secret, ServerNames,
    AV_FLAG_MIC_PRESENT,
};
pub use spnego::{MechType, MechTypes, NegState, NegTokenInit, NegTokenResp, NegotiationToken, TokenBytes};
pub use token::{inspect, mechanism_of, Framing, Mech, SecurityToken};
