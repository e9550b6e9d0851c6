//! DCE/RPC conversations, over an SMB named pipe or directly over TCP.
//!
//! The SMB state machine owns one [`Conversation`] per open pipe (file id) and hands it the
//! bytes of each WRITE, READ and IOCTL FSCTL_PIPE_TRANSCEIVE; the TCP app hands it stream bytes.
//! Either way the conversation parses PDUs and emits `dcerpc` records.

use hardwire_flow::Direction;

use crate::app::AppContext;
use crate::event::Objects;

/// One DCE/RPC conversation: a pipe or a TCP connection.
#[derive(Debug, Default)]
pub(crate) struct Conversation {
    /// The pipe name, lower case, without `\PIPE\`; `None` over TCP.
    pub pipe: Option<String>,
}

impl Conversation {
    pub fn new(pipe: Option<String>) -> Self {
        Conversation { pipe }
    }

    /// Bytes of one direction as the transport delivers them. `evidence` holds what the
    /// transport knows of who is talking (the SMB session's `smb` and `ntlm` objects), to be
    /// attached to the records. Returns the bytes consumed (see `App::data`).
    pub fn data(&mut self, dir: Direction, data: &[u8], evidence: &Objects, cx: &mut AppContext) -> u64 {
        let _ = (dir, evidence, cx);
        data.len() as u64
    }

    /// Bytes of one direction were lost.
    pub fn gap(&mut self, dir: Direction, cx: &mut AppContext) {
        let _ = (dir, cx);
    }
}
