//! The send_group_msg page's request examples, written as timl: each must compile to
//! exactly the expected body, byte for byte (pretty JSON, the API page's key order).

use std::fs;
use std::path::Path;

#[test]
fn every_conformance_case_compiles_to_its_expected_body() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance");
    let mut cases = 0;
    for entry in fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("timl") {
            continue;
        }
        let source = fs::read_to_string(&path).unwrap();
        let expected = fs::read_to_string(path.with_extension("json")).unwrap();
        let compiled = timl::compile_markup(
            &path.display().to_string(),
            &source,
            &timl::Options::default(),
        );
        let message = compiled.message.unwrap_or_else(|| {
            panic!(
                "{} did not compile: {:#?}",
                path.display(),
                compiled.diagnostics
            )
        });
        assert_eq!(message.to_pretty_json(), expected, "{}", path.display());
        // And the compiled body reads back to the same message.
        let again = timl::compile_json("x.json", &expected, &timl::Options::default());
        assert_eq!(again.message.as_ref(), Some(&message), "{}", path.display());
        cases += 1;
    }
    assert!(cases >= 7, "only {cases} conformance cases found");
}
