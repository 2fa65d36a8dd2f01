//! cargo fuzz target: `litewire::fuzzing::scram` (what it exercises is documented there).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| litewire::fuzzing::scram(data));
