//! hardwire-dcerpc: a byte stream framed PDU by PDU (`frame_pdu`, which runs `parse_pdu`),
//! request stubs through the fragment assembler and, for every interface with a stub decoder,
//! the decoder of each remote-execution operation in both NDR flavours.
#![no_main]

#[path = "../targets.rs"]
mod targets;

libfuzzer_sys::fuzz_target!(|data: &[u8]| targets::dcerpc::run(data));
