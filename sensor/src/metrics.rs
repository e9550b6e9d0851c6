//! The Prometheus endpoint: hyper's HTTP/1 server on a one-thread tokio runtime. Each client is
//! a task, so a slow or hostile client never delays a scrape; each connection has a whole-request
//! deadline (hyper's header-read timeout inside an overall one) and at most [`MAX_CLIENTS`] are
//! served at once (more are closed at once). Only `GET /metrics` (and `/` pointing to it) is
//! answered.

use std::convert::Infallible;
use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use http_body_util::Full;
use hyper::body::Bytes;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{header, Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::sync::Semaphore;

use hardwire_sinks::metrics::CONTENT_TYPE;

/// The request head must have arrived within this; Prometheus sends it at once.
const HEAD_TIMEOUT: Duration = Duration::from_secs(5);
/// A connection, request and answer, lasts at most this.
const CONNECTION_TIMEOUT: Duration = Duration::from_secs(10);
/// Clients served at once.
const MAX_CLIENTS: usize = 64;
/// hyper's read buffer (its smallest): a request head larger than this is refused.
const MAX_HEAD: usize = 8 << 10;

/// Serves `render()` at `/metrics` until the process exits.
pub fn serve(listener: TcpListener, render: impl Fn() -> String + Send + Sync + 'static) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_io().enable_time().build().map_err(|e| format!("metrics: {e}"))?;
    listener.set_nonblocking(true).map_err(|e| format!("metrics: {e}"))?;
    let render = Arc::new(render);
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::from_std(listener).map_err(|e| format!("metrics: {e}"))?;
        let slots = Arc::new(Semaphore::new(MAX_CLIENTS));
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                // Out of descriptors, or a client gone before it was accepted: try again shortly.
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            };
            // Past the limit a client is closed at once (dropped with the stream).
            let Ok(slot) = slots.clone().try_acquire_owned() else { continue };
            let render = render.clone();
            tokio::spawn(async move {
                let service = service_fn(move |request| {
                    let response = answer(&request, render.as_ref());
                    async move { Ok::<_, Infallible>(response) }
                });
                let connection = http1::Builder::new()
                    .timer(TokioTimer::new())
                    .header_read_timeout(HEAD_TIMEOUT)
                    .max_buf_size(MAX_HEAD)
                    .keep_alive(false)
                    .serve_connection(TokioIo::new(stream), service);
                // A client past its deadline is dropped, whatever it is doing.
                let _ = tokio::time::timeout(CONNECTION_TIMEOUT, connection).await;
                drop(slot);
            });
        }
    })
}

fn answer<B>(request: &Request<B>, render: &impl Fn() -> String) -> Response<Full<Bytes>> {
    let (status, content_type, body) = match (request.method(), request.uri().path()) {
        (&Method::GET | &Method::HEAD, "/metrics") => (StatusCode::OK, CONTENT_TYPE, render()),
        (&Method::GET | &Method::HEAD, "/") => (StatusCode::OK, "text/plain; charset=utf-8", "hardwire: metrics at /metrics\n".to_string()),
        (&Method::GET | &Method::HEAD, _) => (StatusCode::NOT_FOUND, "text/plain; charset=utf-8", "not found\n".to_string()),
        _ => (StatusCode::METHOD_NOT_ALLOWED, "text/plain; charset=utf-8", "only GET\n".to_string()),
    };
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    response.headers_mut().insert(header::CONTENT_TYPE, header::HeaderValue::from_static(content_type));
    response
}
