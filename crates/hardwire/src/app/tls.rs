//! TLS: the two hellos, then nothing. The ClientHello names the server (SNI), the ServerHello
//! the version in force; one `tls` record says both and the rest of the flow is skipped. On
//! WinRM's 5986 that is all there is to know: the HTTP inside is encrypted.

use hardwire_flow::Direction;
use hardwire_http::{parse_tls_hello, Parsed, TlsHello};

use super::AppContext;
use crate::event::{EventKind, Objects, TlsObject};

/// Progress of one direction's hello.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum Hello {
    #[default]
    Waiting,
    /// Read, or given up on (unparseable, a gap): nothing more to learn from this side.
    Done,
}

/// The TLS side of one connection.
#[derive(Debug, Default)]
pub(crate) struct Tls {
    client: Hello,
    server: Hello,
    tls: TlsObject,
    emitted: bool,
}

impl Tls {
    /// In-order bytes of one direction: the hello is read once whole (the reassembler holds
    /// its records until then; `parse_tls_hello` bounds them), everything else is skipped.
    pub fn data(&mut self, dir: Direction, data: &[u8], cx: &mut AppContext) -> u64 {
        if *self.side(dir) == Hello::Done {
            return data.len() as u64;
        }
        match parse_tls_hello(data) {
            Ok(Parsed::Partial) => return 0,
            Ok(Parsed::Complete(TlsHello::Client(hello))) => self.tls.sni = hello.server_name,
            Ok(Parsed::Complete(TlsHello::Server(hello))) => {
                self.tls.version = Some(hello.version().as_str().to_string());
            }
            Err(_) => cx.parse_error("tls"),
        }
        *self.side(dir) = Hello::Done;
        if self.client == Hello::Done && self.server == Hello::Done {
            self.emit(cx);
        }
        data.len() as u64
    }

    /// Bytes lost: this side's hello will not be read.
    pub fn gap(&mut self, dir: Direction, cx: &mut AppContext) {
        *self.side(dir) = Hello::Done;
        if self.client == Hello::Done && self.server == Hello::Done {
            self.emit(cx);
        }
    }

    /// The connection ended before both hellos were read: report what one of them said.
    pub fn close(&mut self, cx: &mut AppContext) {
        if self.tls.sni.is_some() || self.tls.version.is_some() {
            self.emit(cx);
        }
    }

    /// Both hellos are behind us and the record is out.
    pub fn seen_enough(&self) -> bool {
        self.emitted
    }

    fn side(&mut self, dir: Direction) -> &mut Hello {
        match dir {
            Direction::ToServer => &mut self.client,
            Direction::ToClient => &mut self.server,
        }
    }

    fn emit(&mut self, cx: &mut AppContext) {
        if !self.emitted {
            self.emitted = true;
            cx.emit(EventKind::Tls, Objects { tls: Some(Box::new(self.tls.clone())), ..Objects::default() });
        }
    }
}
