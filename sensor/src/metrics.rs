//! The Prometheus endpoint: a minimal HTTP/1.x server on a std `TcpListener`. One endpoint,
//! scraped every few seconds by one or two Prometheus servers, needs no HTTP library: requests
//! are served one at a time with short timeouts, so a slow or hostile client holds nothing for
//! long, and nothing but `GET /metrics` (and `/` pointing to it) is answered.

use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

use hardwire_sinks::metrics::CONTENT_TYPE;

/// The most a request head may take; Prometheus sends a few hundred bytes.
const MAX_REQUEST: usize = 8 << 10;
const IO_TIMEOUT: Duration = Duration::from_secs(5);

/// Serves `render()` at `/metrics` until the process exits.
pub fn serve(listener: TcpListener, render: impl Fn() -> String) -> Result<(), String> {
    // A failed accept or a broken client is that client's problem, not the daemon's.
    for stream in listener.incoming().flatten() {
        let _ = answer(stream, &render);
    }
    Ok(())
}

fn answer(mut stream: TcpStream, render: &impl Fn() -> String) -> io::Result<()> {
    stream.set_read_timeout(Some(IO_TIMEOUT))?;
    stream.set_write_timeout(Some(IO_TIMEOUT))?;
    let head = read_head(&mut stream)?;
    let request_line = head.split(|&b| b == b'\r' || b == b'\n').next().unwrap_or_default();
    let mut parts = request_line.split(|&b| b == b' ');
    let (method, target) = (parts.next().unwrap_or_default(), parts.next().unwrap_or_default());
    // Query strings (`?name[]=...`) are ignored: every figure is always exposed.
    let path = target.split(|&b| b == b'?').next().unwrap_or_default();
    let (status, content_type, body) = match (method, path) {
        (b"GET" | b"HEAD", b"/metrics") => ("200 OK", CONTENT_TYPE, render()),
        (b"GET" | b"HEAD", b"/") => ("200 OK", "text/plain; charset=utf-8", "hardwire: metrics at /metrics\n".to_string()),
        (b"GET" | b"HEAD", _) => ("404 Not Found", "text/plain; charset=utf-8", "not found\n".to_string()),
        _ => ("405 Method Not Allowed", "text/plain; charset=utf-8", "only GET\n".to_string()),
    };
    let mut response =
        format!("HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len());
    if method != b"HEAD" {
        response.push_str(&body);
    }
    stream.write_all(response.as_bytes())?;
    stream.flush()
}

/// Reads up to the blank line that ends the request head (or the cap).
fn read_head(stream: &mut TcpStream) -> io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(512);
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < MAX_REQUEST {
        match stream.read(&mut buf)? {
            0 => break,
            n => head.extend_from_slice(buf.get(..n).unwrap_or_default()),
        }
    }
    Ok(head)
}
