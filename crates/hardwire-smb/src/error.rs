//! Errors of the SMB parsers.

use nom::error::ErrorKind;

/// Why a record could not be parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SmbError {
    /// The input ends before the record does.
    #[error("record truncated")]
    Truncated,
    /// The protocol magic (`\xFFSMB`, `\xFESMB`, ...) is not the expected one.
    #[error("bad protocol magic")]
    BadMagic,
    /// A field holds a value the record cannot have.
    #[error("malformed record: {0}")]
    Malformed(&'static str),
    /// The fixed part's StructureSize (SMB2) or WordCount (SMB1) is not one this parser knows.
    #[error("unexpected structure size {found} (expected {expected})")]
    StructureSize {
        /// What the parser expected.
        expected: u16,
        /// What the message says.
        found: u16,
    },
    /// An SMB2 response carries the ERROR body (StructureSize 9) instead of the command's body.
    #[error("error response, status {0:#010X}")]
    ErrorResponse(u32),
    /// A compressed payload uses an algorithm this crate does not decompress.
    #[error("unsupported compression algorithm {0:#06x}")]
    UnsupportedCompression(u16),
}

/// Result of every parser of this crate.
pub type SmbResult<T> = Result<T, SmbError>;

impl<I> From<nom::Err<nom::error::Error<I>>> for SmbError {
    fn from(e: nom::Err<nom::error::Error<I>>) -> Self {
        match e {
            nom::Err::Incomplete(_) => SmbError::Truncated,
            nom::Err::Error(e) | nom::Err::Failure(e) => match e.code {
                ErrorKind::Eof | ErrorKind::Complete => SmbError::Truncated,
                ErrorKind::Tag => SmbError::BadMagic,
                _ => SmbError::Malformed("nom"),
            },
        }
    }
}
