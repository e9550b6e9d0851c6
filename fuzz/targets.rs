//! The body of every fuzz target as a plain function, so the fuzz binaries (fuzz_targets/)
//! and the regression test that CI runs (tests/fuzz_regressions.rs) run the same code on the
//! same bytes. Each `run` takes arbitrary bytes and must never panic.
#![allow(dead_code)] // each includer runs its own target

/// `hardwire_wire::Decoder::decode` on every link type; the first byte picks the link type, and
/// the decoder is fed the rest twice (the second time it may hold fragments from the first).
pub mod wire_decode {
    use hardwire_wire::{Decoder, LinkType};

    const LINKS: [LinkType; 9] = [
        LinkType::Ethernet,
        LinkType::RawIp,
        LinkType::Ipv4,
        LinkType::Ipv6,
        LinkType::LinuxSll,
        LinkType::LinuxSll2,
        LinkType::Null,
        LinkType::Loop,
        LinkType::Ppp,
    ];

    pub fn run(data: &[u8]) {
        let Some((&pick, frame)) = data.split_first() else { return };
        let link = LINKS[usize::from(pick) % LINKS.len()];
        let mut decoder = Decoder::default();
        let _ = decoder.decode(0, link, frame, |_| ());
        let _ = decoder.decode(1, link, frame, |_| ());
        let _ = hardwire_wire::shard_hash(&std::hash::RandomState::new(), link, frame);
    }
}

/// hardwire-smb: NBSS framing of a stream, then each session message as the SMB state machine
/// reads it: SMB1 AndX blocks and their bodies, SMB2 compounds and their bodies, transform
/// headers, compression headers and their decompression (with a cap, as the engine uses).
pub mod smb {
    use hardwire_smb::nbss::{find_smb_frame_start, parse_nbss_frame, smb_protocol, NbssFrame, SmbProtocol};
    use hardwire_smb::smb1_records::{parse_smb1_body, parse_smb1_message};
    use hardwire_smb::smb2_records::{parse_smb2_body, smb2_compound, smb2_compound_prefix};
    use hardwire_smb::smb2_transform::{decompress, parse_smb2_compression, parse_smb2_transform};

    const DECOMPRESS_CAP: usize = 1 << 20;

    fn smb2(message: &[u8]) {
        for part in smb2_compound(message) {
            let Ok(part) = part else { break };
            let _ = parse_smb2_body(&part);
        }
        // As the head of a longer message (its bulk skipped): elements cut short.
        for part in smb2_compound_prefix(message) {
            let Ok(part) = part else { break };
            let _ = parse_smb2_body(&part);
        }
    }

    fn session_message(payload: &[u8]) {
        match smb_protocol(payload) {
            Some(SmbProtocol::Smb1) => {
                if let Ok(message) = parse_smb1_message(payload) {
                    for block in message.blocks() {
                        let Ok(block) = block else { break };
                        let _ = parse_smb1_body(&block);
                    }
                }
            }
            Some(SmbProtocol::Smb2) => smb2(payload),
            Some(SmbProtocol::Transform) => {
                let _ = parse_smb2_transform(payload);
            }
            Some(SmbProtocol::Compression) => {
                if let Ok(header) = parse_smb2_compression(payload) {
                    if let Ok(plain) = decompress(&header, DECOMPRESS_CAP) {
                        smb2(&plain.data);
                    }
                }
            }
            None => {}
        }
    }

    pub fn run(data: &[u8]) {
        let mut rest = data;
        while !rest.is_empty() {
            match parse_nbss_frame(rest) {
                NbssFrame::Complete { payload, total_len, .. } => {
                    session_message(payload);
                    rest = rest.get(total_len..).unwrap_or_default();
                }
                NbssFrame::Incomplete { .. } => break,
                NbssFrame::Invalid => match find_smb_frame_start(rest.get(1..).unwrap_or_default()) {
                    Some(at) => rest = rest.get(at + 1..).unwrap_or_default(),
                    None => break,
                },
            }
        }
        // A message without its NBSS header too (the fuzzer finds headers slowly).
        session_message(data);
    }
}

/// hardwire_auth::inspect: any security blob (SPNEGO, raw NTLMSSP, Kerberos AP-REQ).
pub mod auth_inspect {
    pub fn run(data: &[u8]) {
        if let Ok(token) = hardwire_auth::inspect(data) {
            let _ = hardwire_auth::mechanism_of(&token);
            let _ = token.ap_req();
            let _ = token.ntlm_authenticate();
            let _ = token.ntlm_challenge();
        }
    }
}

/// hardwire_auth::ldap: a stream framed into messages as the LDAP app frames it, each message
/// parsed, each position also read as the first PDU after a SASL bind.
pub mod ldap {
    use hardwire_auth::ldap::{message_head, parse_message, sasl_layer};

    pub fn run(data: &[u8]) {
        let mut rest = data;
        while let Ok(Some(head)) = message_head(rest) {
            let _ = sasl_layer(rest);
            let Some(message) = rest.get(..head.len) else { break };
            let _ = parse_message(message);
            rest = &rest[head.len..];
        }
        let _ = parse_message(rest);
        let _ = sasl_layer(rest);
    }
}

/// hardwire-http: the first byte picks a parser: request head, response head, chunked body
/// decoder, Authorization / WWW-Authenticate values, TLS hello; the sniffers run on everything.
pub mod http {
    use hardwire_http::{
        looks_like_http_request, looks_like_http_response, looks_like_tls_handshake, parse_authorization, parse_challenges,
        parse_request_head, parse_response_head, parse_tls_hello, request_body_framing, response_body_framing, BodyDecoder, ChunkedDecoder,
        Parsed,
    };

    fn body(decoder: &mut BodyDecoder, mut input: &[u8]) {
        while !input.is_empty() {
            match decoder.feed(input) {
                Ok(progress) if progress.consumed > 0 && !progress.done => input = input.get(progress.consumed..).unwrap_or_default(),
                _ => break,
            }
        }
    }

    pub fn run(data: &[u8]) {
        let Some((&pick, input)) = data.split_first() else { return };
        let _ = looks_like_http_request(input);
        let _ = looks_like_http_response(input);
        let _ = looks_like_tls_handshake(input);
        match pick % 5 {
            0 => {
                if let Ok(Parsed::Complete(head)) = parse_request_head(input) {
                    if let Some(authorization) = &head.authorization {
                        let _ = authorization.parse();
                    }
                    if let Ok(framing) = request_body_framing(&head) {
                        body(&mut BodyDecoder::new(framing), input.get(head.head_len..).unwrap_or_default());
                    }
                }
            }
            1 => {
                if let Ok(Parsed::Complete(head)) = parse_response_head(input) {
                    let _ = response_body_framing(Some("GET"), &head);
                }
            }
            2 => {
                let mut chunked = ChunkedDecoder::new();
                for piece in input.chunks(7) {
                    if chunked.feed(piece).is_err() {
                        break;
                    }
                }
            }
            3 => {
                let text = String::from_utf8_lossy(input);
                if let Ok(value) = parse_authorization(&text) {
                    let _ = format!("{value:?}");
                }
                let _ = parse_challenges(&text);
            }
            _ => {
                let _ = parse_tls_hello(input);
            }
        }
    }
}

/// hardwire-dcerpc: a byte stream framed PDU by PDU (`frame_pdu`, which runs `parse_pdu`),
/// request stubs through the fragment assembler and, for every interface with a stub decoder,
/// the decoder of each remote-execution operation in both NDR flavours.
pub mod dcerpc {
    use hardwire_dcerpc::{decode_remote_exec, frame_pdu, interfaces, ByteOrder, FragmentAssembler, Frame, NdrFormat, NdrSyntax, PduBody};

    pub fn run(data: &[u8]) {
        let mut assembler = FragmentAssembler::new(64 << 10);
        let mut rest = data;
        while let Frame::Complete { pdu, len } = frame_pdu(rest) {
            if let PduBody::Request(request) = &pdu.body {
                let _ = assembler.push(pdu.header.call_id, pdu.header.flags, request.stub);
            }
            rest = rest.get(len.max(1)..).unwrap_or_default();
        }
        // The stub decoders on the raw input, as the stub of each known operation.
        let Some((&pick, stub)) = data.split_first() else { return };
        let format = if pick & 1 == 0 { NdrFormat::Ndr32 } else { NdrFormat::Ndr64 };
        let order = if pick & 2 == 0 { ByteOrder::Little } else { ByteOrder::Big };
        let syntax = NdrSyntax { format, order };
        let opnum = u16::from(pick >> 2);
        for interface in interfaces::interfaces() {
            let _ = decode_remote_exec(&interface.uuid, opnum, stub, syntax);
        }
    }
}

/// hardwire-names: one LLMNR, NBT-NS or mDNS datagram (the first byte picks the protocol).
pub mod names {
    use hardwire_names::{parse, Flavor};

    pub fn run(data: &[u8]) {
        let Some((&pick, message)) = data.split_first() else { return };
        let flavor = [Flavor::Llmnr, Flavor::Nbns, Flavor::Mdns][usize::from(pick % 3)];
        if let Ok(parsed) = parse(flavor, message) {
            assert!(parsed.questions.len() <= hardwire_names::MAX_QUESTIONS && parsed.answers.len() <= hardwire_names::MAX_ANSWERS);
        }
    }
}

/// The whole pipeline: an `Engine` fed several raw-IP frames per input (each prefixed by a
/// 2-byte length) with increasing timestamps, then finished. Raw IP gets the fuzzer to TCP and
/// the protocol state machines with the fewest bytes.
pub mod engine {
    use std::sync::{Arc, OnceLock};

    use hardwire::{Config, Engine, LinkType, Shared, Timestamp};

    fn config() -> Arc<Config> {
        static CONFIG: OnceLock<Arc<Config>> = OnceLock::new();
        CONFIG.get_or_init(|| Arc::new(Config::default())).clone()
    }

    pub fn run(data: &[u8]) {
        let config = config();
        let shared = Arc::new(Shared::new(&config));
        let mut engine = Engine::new(config, shared);
        let mut events = Vec::new();
        let mut rest = data;
        let mut now = 1_700_000_000_000_000u64;
        while let [hi, lo, tail @ ..] = rest {
            let len = usize::from(u16::from_be_bytes([*hi, *lo])).min(tail.len());
            let (frame, next) = tail.split_at(len);
            engine.feed(Timestamp(now), LinkType::RawIp, frame, frame.len(), &mut events);
            events.clear();
            now += 1_000;
            rest = next;
        }
        engine.finish(&mut events);
    }
}

/// hardwire-smb's decompressors on raw streams: the first three bytes are the size the payload
/// declares (little-endian, up to 16 MiB, so past the 1 MiB cap too), the rest goes to every
/// algorithm in turn (LZNT1, LZ77+Huffman, plain LZ77, LZ4) inside an unchained
/// COMPRESSION_TRANSFORM header, with the engine's cap.
pub mod xca {
    use hardwire_smb::smb2_transform::{
        decompress, parse_smb2_compression, COMPRESSION_LZ4, COMPRESSION_LZ77, COMPRESSION_LZ77_HUFFMAN, COMPRESSION_LZNT1,
        DEFAULT_DECOMPRESS_CAP, SMB2_COMPRESSION_MAGIC,
    };

    pub fn run(data: &[u8]) {
        let Some((size, stream)) = data.split_first_chunk::<3>() else { return };
        let size = u32::from_le_bytes([size[0], size[1], size[2], 0]);
        for algorithm in [COMPRESSION_LZNT1, COMPRESSION_LZ77_HUFFMAN, COMPRESSION_LZ77, COMPRESSION_LZ4] {
            let mut message = SMB2_COMPRESSION_MAGIC.to_vec();
            message.extend_from_slice(&size.to_le_bytes());
            message.extend_from_slice(&algorithm.to_le_bytes());
            message.extend_from_slice(&[0; 6]); // Flags, Offset
            message.extend_from_slice(stream);
            if let Ok(header) = parse_smb2_compression(&message) {
                if let Ok(out) = decompress(&header, DEFAULT_DECOMPRESS_CAP) {
                    assert!(out.data.len() <= DEFAULT_DECOMPRESS_CAP.min(size as usize), "{} bytes out", out.data.len());
                }
            }
        }
    }
}
