//! Array parameters: text literals (`{1,{2}}`) and PostgreSQL's binary array format, for
//! a few element types. Any bytes give JSON text or an error, never a panic; the work is
//! linear in the input (a timeout here is a bug too).
#![no_main]

use libfuzzer_sys::fuzz_target;
use litewire::engine::array;

const ELEMENTS: &[u32] = &[0, 16, 20, 21, 23, 25, 701, 1082, 1700, 2950, 3802];

fuzz_target!(|data: &[u8]| {
    let Some((&selector, value)) = data.split_first() else {
        return;
    };
    let elem = ELEMENTS[(selector >> 1) as usize % ELEMENTS.len()];
    if selector & 1 == 1 {
        let _ = array::binary_to_json(value, elem);
    } else if let Ok(text) = std::str::from_utf8(value) {
        if let Ok(json) = array::text_to_json(text, elem) {
            assert!(json.starts_with('['), "{json}");
        }
    }
});
