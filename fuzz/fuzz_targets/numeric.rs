//! numeric in both directions: binary input (`from_binary`, PostgreSQL's numeric_recv
//! checks) and decimal text to binary output (`to_binary`). What `to_binary` encodes,
//! `from_binary` must accept, with the same value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use litewire::engine::numeric;

fuzz_target!(|data: &[u8]| {
    let _ = numeric::from_binary(data);
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut encoded = Vec::new();
    if numeric::to_binary(text, &mut encoded).is_some() {
        let decoded = numeric::from_binary(&encoded)
            .unwrap_or_else(|e| panic!("{text:?} encoded to {encoded:?}, refused: {e:?}"));
        // Same value, as far as a float tells.
        if let (Ok(a), Ok(b)) = (text.trim().parse::<f64>(), decoded.parse::<f64>()) {
            if a.is_finite() && b.is_finite() {
                assert!(
                    a == b || (a - b).abs() <= a.abs() * 1e-12,
                    "{text} → {decoded}"
                );
            }
        }
    }
});
