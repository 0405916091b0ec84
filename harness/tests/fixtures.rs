//! Every fixture is a documented example byte for byte: it appears verbatim in one of the
//! provider documents of `../shared/seeds/`, and the spec example that names it parses equal.

mod common;

use webhook_harness::spec::ProviderSpec;

#[test]
fn every_fixture_is_verbatim_from_the_docs() {
    let Some(seeds) = common::seeds_dir() else {
        eprintln!("../shared/seeds is not beside the repository: the verbatim check needs it");
        return;
    };
    let docs: Vec<String> = std::fs::read_dir(&seeds)
        .unwrap()
        .flatten()
        .map(|e| std::fs::read_to_string(e.path()).unwrap())
        .collect();
    let mut checked = 0;
    for name in webhook_harness::spec::builtin_names() {
        let spec = ProviderSpec::load(&name).unwrap();
        for fixture in spec
            .events
            .iter()
            .flat_map(|e| e.examples().iter())
            .chain(spec.endpoints.iter().flat_map(|e| {
                e.request
                    .iter()
                    .chain(e.responses.iter().map(|r| &r.body))
                    .flat_map(|b| b.content.iter().flat_map(|m| m.examples.iter()))
            }))
            .filter_map(|x| x.fixture.as_ref())
        {
            let path = spec.resolve_path(fixture);
            let text = std::fs::read_to_string(&path).unwrap();
            assert!(
                docs.iter().any(|d| d.contains(&text)),
                "{} is not verbatim in any seed document",
                path.display()
            );
            checked += 1;
        }
    }
    assert!(checked >= 11, "only {checked} fixtures checked");
}
