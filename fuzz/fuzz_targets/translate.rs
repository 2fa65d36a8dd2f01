//! cargo fuzz target: `litewire::fuzzing::translate` (what it exercises is documented there).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| litewire::fuzzing::translate(data));
