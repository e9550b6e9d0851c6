//! Which Windows application an HTTP request belongs to: WinRM (WS-Management, MS-WSMV) or the
//! WebDAV redirector (the WebClient service).

/// WebDAV methods of RFC 4918 that plain HTTP clients do not send.
const WEBDAV_METHODS: [&str; 7] = ["PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK"];

/// Ports of the WinRM HTTP listener: 5985, and 47001 for the WinRM service's own listener.
pub const WINRM_HTTP_PORTS: [u16; 2] = [5985, 47001];

/// The `User-Agent` of Windows' WinRM client (PowerShell remoting, winrs).
const WINRM_AGENT: &str = "Microsoft WinRM Client";

/// The `User-Agent` prefix of the WebDAV mini-redirector (`Microsoft-WebDAV-MiniRedir/10.0.x`).
const WEBDAV_AGENT: &str = "Microsoft-WebDAV-MiniRedir";

fn starts_with_ignore_case(text: &str, prefix: &str) -> bool {
    text.get(..prefix.len()).is_some_and(|head| head.eq_ignore_ascii_case(prefix))
}

/// Is this a WebDAV-only method (PROPFIND, PROPPATCH, MKCOL, COPY, MOVE, LOCK, UNLOCK)?
pub fn is_webdav_method(method: &str) -> bool {
    WEBDAV_METHODS.iter().any(|m| method.eq_ignore_ascii_case(m))
}

/// Is this the WebDAV mini-redirector's `User-Agent` (`Microsoft-WebDAV-MiniRedir/*`)?
pub fn is_webdav_agent(user_agent: &str) -> bool {
    starts_with_ignore_case(user_agent.trim_start(), WEBDAV_AGENT)
}

/// The path of a request target: without query or fragment, and without scheme and
/// authority for the absolute form (`http://host:5985/wsman`).
fn target_path(uri: &str) -> &str {
    let path = match scheme_separator(uri) {
        Some(i) => uri.get(i + 3..).map_or("", |rest| rest.find('/').and_then(|p| rest.get(p..)).unwrap_or("")),
        None => uri,
    };
    path.split(['?', '#']).next().unwrap_or_default()
}

/// Where the first `://` of a target starts (a colon is rare in a path, so this costs less
/// than a substring search, which builds its searcher first).
fn scheme_separator(uri: &str) -> Option<usize> {
    let bytes = uri.as_bytes();
    memchr::memchr_iter(b':', bytes).find(|&colon| bytes.get(colon + 1..colon + 3) == Some(b"//"))
}

/// Is this request WinRM? True on a WinRM HTTP port ([`WINRM_HTTP_PORTS`]), for a path
/// `/wsman` or below it (any case, any query) on any port, or for the `Microsoft WinRM Client`
/// agent.
pub fn is_winrm(uri: &str, user_agent: Option<&str>, dest_port: u16) -> bool {
    let path = target_path(uri);
    let wsman_path = starts_with_ignore_case(path, "/wsman") && matches!(path.as_bytes().get("/wsman".len()), None | Some(b'/'));
    WINRM_HTTP_PORTS.contains(&dest_port)
        || wsman_path
        || user_agent.is_some_and(|ua| starts_with_ignore_case(ua.trim_start(), WINRM_AGENT))
}
