//! hardwire-dcerpc: a byte stream framed PDU by PDU (`frame_pdu`, which runs `parse_pdu`),
//! request stubs through the fragment assembler and, for every interface with a stub decoder,
//! the decoder of each remote-execution operation in both NDR flavours.
#![no_main]

use hardwire_dcerpc::{decode_remote_exec, frame_pdu, interfaces, ByteOrder, Frame, FragmentAssembler, NdrFormat, NdrSyntax, PduBody};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
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
});
