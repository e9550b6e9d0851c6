//! hardwire-smb: NBSS framing of a stream, then each session message as the SMB state machine
//! reads it: SMB1 AndX blocks and their bodies, SMB2 compounds and their bodies, transform
//! headers, compression headers and their decompression (with a cap, as the engine uses).
#![no_main]

use hardwire_smb::nbss::{find_smb_frame_start, parse_nbss_frame, smb_protocol, NbssFrame, SmbProtocol};
use hardwire_smb::smb1_records::{parse_smb1_body, parse_smb1_message};
use hardwire_smb::smb2_records::{parse_smb2_body, smb2_compound};
use hardwire_smb::smb2_transform::{decompress, parse_smb2_compression, parse_smb2_transform};
use libfuzzer_sys::fuzz_target;

const DECOMPRESS_CAP: usize = 1 << 20;

fn smb2(message: &[u8]) {
    for part in smb2_compound(message) {
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

fuzz_target!(|data: &[u8]| {
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
});
