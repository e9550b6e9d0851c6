//! NTLM on protocols without a state machine of ours (LDAP binds, MS-SQL TDS logins, SMTP,
//! IMAP...). NTLM where Kerberos should be is the point, whatever carries it, so the first bytes
//! of every flow no protocol claims are searched for NTLMSSP messages. The search is bounded
//! ([`SCAN_LIMIT`] bytes per direction); then the flow is skipped.

use hardwire_flow::Direction;
use memchr::memmem;

use crate::app::auth::AuthState;
use crate::app::AppContext;
use crate::event::{EventKind, Objects};

/// Bytes of each direction searched: authentication happens at the start of a connection.
const SCAN_LIMIT: u64 = 64 << 10;
const SIGNATURE: &[u8] = b"NTLMSSP\0";
/// NTLMSSP message type 3, AUTHENTICATE.
const AUTHENTICATE: [u8; 4] = [3, 0, 0, 0];

/// The scan of one flow.
#[derive(Debug, Default)]
pub(crate) struct NtlmScan {
    scanned: [u64; 2],
    auth: AuthState,
    reported: bool,
}

impl NtlmScan {
    pub fn data(&mut self, dir: Direction, data: &[u8], cx: &mut AppContext) -> u64 {
        let i = dir.index();
        let budget = SCAN_LIMIT.saturating_sub(self.scanned[i]) as usize;
        let window = &data[..data.len().min(budget)];
        self.scanned[i] += window.len() as u64;
        for at in memmem::find_iter(window, SIGNATURE) {
            let message = &window[at..];
            // CHALLENGEs carry the server's names; AUTHENTICATEs the user's.
            if self.auth.observe(message).is_err() {
                continue;
            }
            if message.get(8..12) == Some(&AUTHENTICATE[..]) && !self.reported {
                self.reported = true;
                cx.emit(EventKind::Ntlm, Objects { ntlm: self.auth.ntlm_object(), ..Objects::default() });
            }
        }
        data.len() as u64
    }

    pub fn seen_enough(&self) -> bool {
        self.reported || self.scanned.iter().all(|&n| n >= SCAN_LIMIT)
    }
}
