//! Bind parameters of every type litewire decodes, in text and binary format, through
//! `engine::input::decode`: any bytes give a value or an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

/// The OIDs `input.rs` treats specially, a few arrays, and unknown/other types.
const OIDS: &[u32] = &[
    0, 16, 17, 19, 20, 21, 23, 25, 26, 114, 700, 701, 705, 1042, 1043, 1082, 1083, 1114, 1184,
    1186, 1700, 2950, 3802, 1000, 1005, 1007, 1016, 1009, 1182, 1231, 2951, 3807, 600,
];

fuzz_target!(|data: &[u8]| {
    let Some((&selector, value)) = data.split_first() else {
        return;
    };
    let oid = OIDS[(selector >> 1) as usize % OIDS.len()];
    let binary = selector & 1 == 1;
    let _ = litewire::engine::input::decode(oid, binary, Some(value));
});
