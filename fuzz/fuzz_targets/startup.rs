//! cargo fuzz target: `litewire::fuzzing::startup` (what it exercises is documented there).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| litewire::fuzzing::startup(data));
