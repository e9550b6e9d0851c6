//! hardwire's engine: a passive sensor for the protocol weaknesses attackers use on Windows
//! networks (SMB1, guest and null sessions, unsigned SMB, NTLM, Basic on WinRM, WebDAV
//! fallback, remote task and service creation over DCE/RPC).
//!
//! The engine is sans-IO: feed it timestamped frames with their link type, receive typed
//! events. It reads no file, opens no socket and never looks at the wall clock.
//!
//! ```no_run
//! use std::sync::Arc;
//! use hardwire::{Config, Engine, LinkType, Shared, Timestamp};
//!
//! let config = Arc::new(Config::default());
//! let shared = Arc::new(Shared::new(&config));
//! let mut engine = Engine::new(config, shared);
//! let mut events = Vec::new();
//! # let frame: &[u8] = &[];
//! engine.feed(Timestamp(1_700_000_000_000_000), LinkType::Ethernet, frame, frame.len(), &mut events);
//! engine.finish(&mut events);
//! for event in &events {
//!     println!("{} {:?}", event.kind.name(), event.objects.smb);
//! }
//! ```
//!
//! Layers, each in its own place: decoding in `hardwire-wire`, flows and TCP reassembly in
//! `hardwire-flow`, pure protocol parsers in `hardwire-smb`, `hardwire-auth`, `hardwire-http` and
//! `hardwire-dcerpc`; here the [`engine`] (the packet path), [`dispatch`] (which protocol a flow
//! speaks), `app` (per-protocol state machines, crate-private), [`detect`] (rules, one file each, and
//! suppression) and [`config`].

mod app;
pub mod config;
pub mod detect;
pub mod dispatch;
pub mod engine;
pub mod event;
pub mod ip_text;
pub mod json_text;
pub mod shared;
pub mod stats;
#[doc(hidden)]
pub mod test_support;
pub mod time;

pub use config::{Config, ConfigError, Suppression};
pub use detect::catalog::{RuleId, Severity};
pub use detect::suppress::Suppressor;
pub use engine::Engine;
pub use event::{Event, EventKind, FlowInfo, Objects};
pub use hardwire_wire::LinkType;
pub use shared::Shared;
pub use stats::{EngineStats, MemoryStats, SaslPdus};
pub use time::Timestamp;
