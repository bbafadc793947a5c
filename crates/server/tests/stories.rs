//! The server's stories, one module a file, in one test binary: linked once rather than once a
//! file, and run together, so that the stories of every file share the cores instead of waiting
//! for the slowest story of the file before them. A story file left out of the list below would
//! silently not run: [`every_story_file_is_listed`] fails then.
//!
//! Run one file's stories with `cargo test -p zhichan-server --test stories FILE::`.

mod support;

mod accounts;
mod amendments;
mod api;
mod awards;
mod bad_bodies;
mod batches;
mod contract;
mod declarations;
mod delivery;
mod enterprise_changes;
mod enterprises;
mod entitlement_rounds;
mod forms;
mod hardening;
mod i18n;
mod identification;
mod industries;
mod labels;
mod lists;
mod notices;
mod oversight;
mod pages;
mod panels;
mod payouts;
mod pickers;
mod policies;
mod policy_search;
mod products;
mod qualification_reviews;
mod separation;
mod uploads;
mod verification;
mod workbench;

#[test]
fn every_story_file_is_listed() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let this = std::fs::read_to_string(dir.join("stories.rs")).expect("stories.rs");
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("the tests folder") {
        let name = entry
            .expect("an entry")
            .file_name()
            .into_string()
            .expect("a UTF-8 name");
        if let Some(module) = name.strip_suffix(".rs") {
            if module != "stories" && !this.contains(&format!("\nmod {module};\n")) {
                missing.push(module.to_string());
            }
        }
    }
    assert!(
        missing.is_empty(),
        "not listed in tests/stories.rs, so never run: {missing:?}"
    );
}
