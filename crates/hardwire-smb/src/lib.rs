//! hardwire-smb: pure nom parsers for what SMB says about its own security.
//!
//! Files, one record family each (the layout of rusticata / Suricata):
//! - `nbss.rs`: NetBIOS session service / direct-TCP framing ([`nbss::parse_nbss_frame`]) and
//!   resynchronisation after a TCP gap ([`nbss::find_smb_frame_start`]).
//! - `smb1_records.rs`: SMB1 header, AndX chains, NEGOTIATE, SESSION_SETUP_ANDX,
//!   TREE_CONNECT_ANDX, NT_CREATE_ANDX, WRITE_ANDX, READ_ANDX, TRANSACTION (TransactNmPipe).
//! - `smb2_records.rs`: SMB2 header, compound chains, NEGOTIATE and all negotiate contexts,
//!   SESSION_SETUP, TREE_CONNECT, CREATE, READ, WRITE, IOCTL, CLOSE, ERROR responses.
//! - `smb2_transform.rs`: TRANSFORM (`\xFDSMB`, encrypted) and COMPRESSION_TRANSFORM
//!   (`\xFCSMB`) headers, decompression of NONE, Pattern_V1 and plain LZ77.
//! - `names.rs`: dialect, cipher, signing, hash, compression and NT status names as the
//!   output contract (SCHEMA.md) spells them.
//! - `error.rs`: [`SmbError`].
//!
//! Parsers borrow the input: security blobs, pipe data and encrypted payloads are `&[u8]`
//! slices of it (hardwire-auth decodes the blobs); names are decoded to `String`. No parser
//! panics, allocates by a length field, or recurses.

#![forbid(unsafe_code)]

pub mod error;
pub mod names;
pub mod nbss;
pub mod smb1_records;
pub mod smb2_records;
pub mod smb2_transform;
#[cfg(test)]
mod test_util;
mod util;

pub use error::{SmbError, SmbResult};
