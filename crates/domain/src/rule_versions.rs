//! What every rule officials keep as versioned data has in common (an identification method, an
//! award rule): a name, a check of its fields, and worked examples that must hold before a
//! version is published — so that the versioning around them is written once.

use crate::validation::Violation;
use serde::{de::DeserializeOwned, Serialize};

/// A worked example that did not give its expected result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExampleFailure {
    pub index: usize,
    pub name: String,
    pub message_zh: String,
}

/// A rule kept as versioned data: drafts until published, its examples checked to publish.
pub trait VersionedRule: Clone + Serialize + DeserializeOwned + Send + Sync {
    /// What its examples check, for the message that asks for one (`用来核对…`).
    const EXAMPLES_CHECK_ZH: &'static str;

    fn name(&self) -> &str;
    /// Every field that does not hold (paths as in the JSON).
    fn check(&self) -> Vec<(String, Violation)>;
    fn has_examples(&self) -> bool;
    /// Runs the worked examples; the ones that do not hold.
    fn run_examples(&self) -> Vec<ExampleFailure>;

    /// Why this version may not be published: a bad field, no example, or a failing example.
    fn publish_errors(&self, failures: &[ExampleFailure]) -> Vec<(String, Violation)> {
        let mut errs = self.check();
        if !self.has_examples() {
            errs.push((
                "examples".into(),
                Violation::new(
                    "required",
                    format!("发布前至少需要一个算例，{}", Self::EXAMPLES_CHECK_ZH),
                    "at least one worked example is required to publish",
                ),
            ));
        }
        for f in failures {
            errs.push((
                format!("examples[{}]", f.index),
                Violation::new(
                    "example_failed",
                    f.message_zh.clone(),
                    format!("worked example \"{}\" fails", f.name),
                ),
            ));
        }
        errs
    }
}

impl VersionedRule for crate::identification::Method {
    const EXAMPLES_CHECK_ZH: &'static str = "用来核对方法给出预期的结论";

    fn name(&self) -> &str {
        &self.name
    }
    fn check(&self) -> Vec<(String, Violation)> {
        crate::identification::Method::check(self)
    }
    fn has_examples(&self) -> bool {
        !self.examples.is_empty()
    }
    fn run_examples(&self) -> Vec<ExampleFailure> {
        crate::identification::run_examples(self)
    }
}

impl VersionedRule for crate::awards::AwardRule {
    const EXAMPLES_CHECK_ZH: &'static str = "用来核对规则给出预期的金额或理由";

    fn name(&self) -> &str {
        &self.name
    }
    fn check(&self) -> Vec<(String, Violation)> {
        crate::awards::AwardRule::check(self)
    }
    fn has_examples(&self) -> bool {
        !self.examples.is_empty()
    }
    fn run_examples(&self) -> Vec<ExampleFailure> {
        crate::awards::run_examples(self)
    }
}
