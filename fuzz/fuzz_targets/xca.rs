//! hardwire-smb's decompressors (LZNT1, LZ77+Huffman, plain LZ77, LZ4) on raw streams, bounded
//! by the engine's cap.
#![no_main]

#[path = "../targets.rs"]
mod targets;

libfuzzer_sys::fuzz_target!(|data: &[u8]| targets::xca::run(data));
