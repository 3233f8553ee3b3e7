//! Any bytes, as markup or as a compiled request: no panic, and output exactly when
//! there are no errors. Run with `cargo +nightly fuzz run compile`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use timl::{compile_file, InputKind, Options};

fuzz_target!(|data: &[u8]| {
    for kind in [InputKind::Markup, InputKind::Json, InputKind::JsonLines] {
        for compiled in compile_file("fuzz.timl", data, kind, &Options::default()) {
            assert_eq!(compiled.message.is_some(), !compiled.has_errors());
            for diagnostic in &compiled.diagnostics {
                let _ = timl::render::human(diagnostic, timl::render::Colour(false));
            }
        }
    }
});
