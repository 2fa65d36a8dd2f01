//! Date, time, timestamp(tz) and interval: PostgreSQL's text input rules (with its
//! field and range checks) and binary values through the Bind decoder. Text that parses
//! prints back to the stored form, which reads back to the same value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use litewire::engine::{datetime, input};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, value)) = data.split_first() else {
        return;
    };
    let oid = [1082, 1083, 1114, 1184, 1186][selector as usize % 5];
    let _ = input::decode(oid, true, Some(value));
    let _ = input::decode(oid, false, Some(value));
    let Ok(s) = std::str::from_utf8(value) else {
        return;
    };
    if let Ok(d) = datetime::date_in(s) {
        assert_eq!(
            datetime::parse_date(&datetime::format_date(d)),
            Ok(d),
            "{s}"
        );
        // What a client is shown (`0044-03-15 BC`) reads back as the same date.
        assert_eq!(datetime::date_in(&datetime::date_out(d)), Ok(d), "{s}");
    }
    if let Ok(t) = datetime::time_in(s) {
        assert_eq!(
            datetime::parse_time(&datetime::format_time(t)),
            Ok(t),
            "{s}"
        );
    }
    for tz in [false, true] {
        let parsed = datetime::timestamp_in(s, tz);
        if let Ok(t) = parsed {
            let printed = datetime::format_timestamp_micros(t, tz);
            assert_eq!(
                datetime::parse_timestamp(&printed),
                Ok(t),
                "{s} → {printed}"
            );
            if !tz {
                let shown = datetime::timestamp_out(t);
                assert_eq!(datetime::timestamp_in(&shown, false), Ok(t), "{s} → {shown}");
            }
        }
    }
    if let Ok(iv) = datetime::parse_interval(s) {
        let printed = datetime::format_interval(iv);
        // PostgreSQL cannot read back every interval it prints either (a clock of
        // -2562047788:00:54.775808 overflows before its sign applies): what reads back
        // must be the same value.
        if let Ok(back) = datetime::parse_interval(&printed) {
            assert_eq!(back, iv, "{s} → {printed}");
        }
    }
});
