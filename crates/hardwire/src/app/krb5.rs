//! Kerberos to a KDC: AS and TGS requests paired with their replies or errors, one `krb5`
//! record per exchange. Over UDP a message is a datagram; over TCP each message is preceded by
//! a 4-byte record mark (RFC 4120 §7.2.2) and may span segments: the reassembler holds a
//! partial record (up to `limits.max_pending_bytes`) until it is whole.

use std::collections::VecDeque;

use hardwire_auth::kdc::{parse_kdc_message, Exchange, KdcError, KdcMessage, KdcReply, KdcRequest};
use hardwire_auth::EncType;
use hardwire_flow::Direction;

use super::{AppContext, ENTRY_OVERHEAD};
use crate::event::{EventKind, Krb5Object, Objects};

/// Requests of one flow awaiting their answer; beyond, the oldest is reported unanswered.
const MAX_PENDING: usize = 8;
/// The record mark's high bit is reserved (RFC 4120 §7.2.2); the rest is the length.
const RECORD_LENGTH_MASK: u32 = 0x7fff_ffff;

/// The Kerberos side of one flow (TCP connection or UDP conversation with a KDC).
#[derive(Debug, Default)]
pub(crate) struct Kdc {
    pending: VecDeque<Krb5Object>,
    /// TCP: this direction lost its record framing (a gap, an oversized record) and is skipped.
    lost: [bool; 2],
}

impl Kdc {
    /// The requests waiting for their answer, for the memory budget.
    pub fn memory(&self) -> usize {
        self.pending.len() * (std::mem::size_of::<Krb5Object>() + ENTRY_OVERHEAD)
    }

    /// A request waits for the KDC's answer: a logon (or a ticket) under way.
    pub fn authenticating(&self) -> bool {
        !self.pending.is_empty()
    }

    /// One UDP datagram: one message.
    pub fn datagram(&mut self, data: &[u8], cx: &mut AppContext) {
        self.message(data, cx);
    }

    /// In-order TCP bytes of one direction: whole records are read, a partial one is left to
    /// the reassembler.
    pub fn data(&mut self, dir: Direction, data: &[u8], cx: &mut AppContext) -> u64 {
        if self.lost[dir.index()] {
            return data.len() as u64;
        }
        let mut used = 0;
        while let Some(&[a, b, c, d]) = data.get(used..used + 4) {
            let len = u32::from_be_bytes([a, b, c, d]) & RECORD_LENGTH_MASK;
            let whole = u64::from(len) + 4;
            if whole > cx.config.limits.max_pending_bytes as u64 {
                cx.parse_error("krb5");
                self.lost[dir.index()] = true;
                return data.len() as u64;
            }
            let Some(message) = data.get(used + 4..).and_then(|rest| rest.get(..len as usize)) else { break };
            self.message(message, cx);
            used += 4 + len as usize;
        }
        used as u64
    }

    /// Bytes lost: the record boundaries of this direction are gone.
    pub fn gap(&mut self, dir: Direction) {
        self.lost[dir.index()] = true;
    }

    /// The flow ended: requests never answered are reported as they are.
    pub fn close(&mut self, cx: &mut AppContext) {
        while let Some(unanswered) = self.pending.pop_front() {
            emit(unanswered, cx);
        }
    }

    fn message(&mut self, bytes: &[u8], cx: &mut AppContext) {
        match parse_kdc_message(bytes) {
            Ok(KdcMessage::Request(request)) => {
                if self.pending.len() >= MAX_PENDING {
                    if let Some(oldest) = self.pending.pop_front() {
                        emit(oldest, cx);
                    }
                }
                count_request(&request, cx);
                self.pending.push_back(of_request(&request));
            }
            Ok(KdcMessage::Reply(reply)) => {
                let mut krb5 = self.pending.pop_front().unwrap_or_default();
                answer_with_reply(&mut krb5, &reply);
                count_reply(&krb5, &reply, cx);
                emit(krb5, cx);
            }
            Ok(KdcMessage::Error(error)) => {
                let mut krb5 = self.pending.pop_front().unwrap_or_default();
                answer_with_error(&mut krb5, &error);
                emit(krb5, cx);
            }
            Err(_) => cx.parse_error("krb5"),
        }
    }
}

fn emit(krb5: Krb5Object, cx: &mut AppContext) {
    cx.emit(EventKind::Krb5, Objects { krb5: Some(Box::new(krb5)), ..Objects::default() });
}

/// A request's share of the posture figures: the KDC's AS-REQs and how they are protected.
fn count_request(request: &KdcRequest, cx: &mut AppContext) {
    if request.exchange == Exchange::As {
        let cap = cx.config.limits.max_posture_labels;
        cx.stats.kerberos.as_request(&cx.server_ip.to_string(), request.preauth().as_str(), cap);
    }
}

/// A reply's share: a weak ticket issued, an account answered without pre-authentication.
fn count_reply(krb5: &Krb5Object, reply: &KdcReply, cx: &mut AppContext) {
    let cap = cx.config.limits.max_posture_labels;
    if reply.ticket_etype.is_weak() {
        cx.stats.kerberos.weak_ticket(krb5.sname.as_deref().unwrap_or("unknown"), cap);
    }
    if krb5.request_type == Some("AS") && krb5.preauth == Some("none") {
        cx.stats.kerberos.without_preauth(krb5.cname.as_deref().unwrap_or("unknown"), cap);
    }
}

fn name(etype: EncType) -> String {
    etype.name().into_owned()
}

fn of_request(request: &KdcRequest) -> Krb5Object {
    let is_as = request.exchange == Exchange::As;
    Krb5Object {
        request_type: Some(request.exchange.as_str()),
        cname: request.cname.clone(),
        realm: request.realm.clone(),
        sname: request.sname.clone(),
        req_etypes: Some(request.etypes.iter().copied().map(name).collect()),
        padata_types: Some(request.padata_types.clone()),
        preauth: is_as.then(|| request.preauth().as_str()),
        preauth_etype: request.timestamp_etype.map(name),
        kdc_options: Some(request.kdc_options.clone()),
        s4u: request.s4u.map(|s| s.as_str()),
        ..Krb5Object::default()
    }
}

fn answer_with_reply(krb5: &mut Krb5Object, reply: &KdcReply) {
    krb5.request_type.get_or_insert(reply.exchange.as_str());
    fill(&mut krb5.cname, &reply.cname);
    fill(&mut krb5.realm, &reply.crealm);
    fill(&mut krb5.sname, &reply.sname);
    krb5.status = Some("success".into());
    krb5.ticket_etype = Some(name(reply.ticket_etype));
    krb5.reply_etype = Some(name(reply.reply_etype));
}

fn answer_with_error(krb5: &mut Krb5Object, error: &KdcError) {
    fill(&mut krb5.cname, &error.cname);
    fill(&mut krb5.realm, &error.realm);
    fill(&mut krb5.sname, &error.sname);
    krb5.status = Some(error.name());
    krb5.error_code = Some(error.code);
}

/// What the request did not say, the answer may.
fn fill(field: &mut Option<String>, answer: &Option<String>) {
    if field.is_none() {
        field.clone_from(answer);
    }
}
