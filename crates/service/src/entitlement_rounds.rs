//! Notification rounds of entitlements (免申即享通知): publishing an award rule, or an office
//! asking for a year, starts a round that tells every enterprise of the rule's region that
//! qualifies, and answers at once. The round runs in a task of its own, a chunk of
//! notifications to a transaction, each chunk writing its progress with it (reached, told now,
//! the last enterprise), so that the rule's page and the API show it move. Nobody is told twice
//! (the key is the rule version, the year and the enterprise). A round the server stopped during
//! is resumed when the server starts again, after the last enterprise it reached, and says so.

use crate::audit::record;
use crate::notifications::{notify_many, Kind, Notice};
use crate::{Ctx, ServiceError, ServiceResult, Services};
use serde_json::json;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use tokio::sync::{watch, Semaphore};
use zhichan_domain::access::{Actor, Scope};
use zhichan_domain::awards::Outcome;
use zhichan_domain::RegionCode;
use zhichan_store::awards::Whose;
use zhichan_store::entitlement_rounds::{self as store, Round};
use zhichan_store::payouts as budgets;

/// Entitlement notifications written to a transaction.
pub const CHUNK: usize = 500;

/// The rounds this process is running, and a signal that moves whenever one of them writes.
#[derive(Debug)]
pub struct Tracker {
    running: Mutex<HashMap<i64, tokio::task::AbortHandle>>,
    moved: watch::Sender<u64>,
    /// A test's hand on the rounds: when set, each chunk waits for a permit of it.
    gate: Option<Arc<Semaphore>>,
}

impl Default for Tracker {
    fn default() -> Self {
        Tracker {
            running: Mutex::default(),
            moved: watch::Sender::new(0),
            gate: None,
        }
    }
}

impl Tracker {
    fn is_running(&self, id: i64) -> bool {
        self.running.lock().expect("rounds lock").contains_key(&id)
    }

    fn bump(&self) {
        self.moved.send_modify(|n| *n += 1);
    }
}

/// One pending notification of a round: the enterprise, the body and the key.
struct Pending {
    enterprise: i64,
    body: String,
    key: String,
}

impl Services {
    /// The same services whose rounds wait, before each chunk, for a permit of `gate`: a story
    /// holds a round where it wants it to be seen, and lets it go a chunk at a time.
    pub fn with_round_gate(mut self, gate: Arc<Semaphore>) -> Self {
        self.rounds = Arc::new(Tracker {
            gate: Some(gate),
            ..Tracker::default()
        });
        self
    }

    /// Starts the round of a published rule version for `year`, or answers the one already
    /// running for it (resuming it when no task of this process runs it any more).
    pub(crate) async fn start_round(
        &self,
        ctx: &Ctx,
        actor: Option<&Actor>,
        v: crate::awards::Version,
        year: i32,
    ) -> ServiceResult<Round> {
        if let Some(r) = store::running_for(self.db(), v.id, v.version, year).await? {
            if !self.rounds.is_running(r.id) {
                self.resume(ctx, r.id, v, year).await?;
            }
            return self.round(r.id).await;
        }
        let id = store::insert(
            self.db(),
            v.id,
            v.version,
            year,
            actor.map(|a| a.username.as_str()),
            self.now(),
        )
        .await?;
        self.spawn_round(ctx, actor, id, v, year);
        self.round(id).await
    }

    async fn round(&self, id: i64) -> ServiceResult<Round> {
        store::get(self.db(), id)
            .await?
            .ok_or(ServiceError::NotFound)
    }

    async fn resume(
        &self,
        ctx: &Ctx,
        id: i64,
        v: crate::awards::Version,
        year: i32,
    ) -> ServiceResult<()> {
        let now = self.now();
        let tx = self.db().begin().await?;
        store::resumed(&tx, id, now).await?;
        record(
            &tx,
            ctx,
            None,
            "entitlement.notify_resume",
            &format!("award_rule:{}", v.id),
            "ok",
            json!({"round": id, "version": v.version, "year": year}),
            now,
        )
        .await?;
        tx.commit().await?;
        tracing::info!(round = id, rule = v.id, year, "entitlement round resumed");
        self.spawn_round(ctx, None, id, v, year);
        Ok(())
    }

    /// Resumes every round the database holds as running that no task of this process runs:
    /// what the server does when it starts (a round it stopped during goes on where it was).
    /// Answers the rounds resumed.
    pub async fn resume_rounds(&self) -> ServiceResult<Vec<i64>> {
        let mut out = Vec::new();
        for r in store::running(self.db()).await? {
            if self.rounds.is_running(r.id) {
                continue;
            }
            let v = self
                .rule_history::<zhichan_domain::awards::AwardRule>(r.rule_id, Some(r.rule_version))
                .await?
                .current;
            self.resume(&Ctx::cli(), r.id, v, r.year).await?;
            out.push(r.id);
        }
        Ok(out)
    }

    fn spawn_round(
        &self,
        ctx: &Ctx,
        actor: Option<&Actor>,
        id: i64,
        v: crate::awards::Version,
        year: i32,
    ) {
        let (s, ctx, actor) = (self.clone(), ctx.clone(), actor.cloned());
        // Registered before it can run, so that it is never seen as orphaned by this process.
        let mut running = self.rounds.running.lock().expect("rounds lock");
        let task = tokio::spawn(async move {
            let done = s.run_round(&ctx, actor.as_ref(), id, &v, year).await;
            if let Err(e) = &done {
                tracing::warn!(round = id, rule = v.id, year, error = %e, "entitlement round failed");
                let _ = store::finish(s.db(), id, Some(e.to_string().as_str()), s.now()).await;
            }
            s.rounds.running.lock().expect("rounds lock").remove(&id);
            s.rounds.bump();
        });
        running.insert(id, task.abort_handle());
    }

    /// Tells, after the round's last enterprise, every enterprise of the rule's region that
    /// qualifies in `year`: the facts read once, the notifications a chunk to a transaction with
    /// the round's progress. Answers the round as it ended.
    async fn run_round(
        &self,
        ctx: &Ctx,
        actor: Option<&Actor>,
        id: i64,
        v: &crate::awards::Version,
        year: i32,
    ) -> ServiceResult<Round> {
        let after = self.round(id).await?.last_enterprise;
        let table = self
            .read_facts(
                Whose::Within(v.rule.region),
                year,
                std::slice::from_ref(&v.rule),
            )
            .await?;
        let mut names: HashMap<RegionCode, String> = HashMap::new();
        for r in table
            .enterprises
            .iter()
            .map(|e| e.region)
            .chain([v.rule.region])
        {
            if let std::collections::hash_map::Entry::Vacant(slot) = names.entry(r) {
                slot.insert(self.reference().region_full_name(r).await?);
            }
        }
        let name_of = |r: RegionCode| names.get(&r).cloned().unwrap_or_else(|| r.to_string());
        let budget = crate::payouts::budget_of(
            budgets::budget_versions(self.db(), v.id, year)
                .await?
                .first(),
        );
        let policy = zhichan_store::policies::get(self.db(), v.rule.policy)
            .await?
            .and_then(|p| p.title);
        let title = format!("免申即享：{}", v.rule.name);
        let source = match &policy {
            Some(t) => format!("《{t}》{}", v.rule.clause),
            None => v.rule.clause.clone(),
        };
        let link = format!("/entitlements?year={year}");
        let mut eligible = 0i64;
        let mut todo: Vec<Pending> = Vec::new();
        for e in &table.enterprises {
            let Outcome::Eligible {
                amount,
                explanation,
            } = v.rule.evaluate(year, &table.facts[&e.id], &name_of)
            else {
                continue;
            };
            eligible += 1;
            if e.id <= after {
                continue;
            }
            let payable = budget.payable(amount);
            todo.push(Pending {
                enterprise: e.id,
                body: format!(
                    "{}年度，贵企业符合{source}“{}”的条件，无需申请：可兑现 {} 元（条款上限 {} 元，{}）。\
                     依据：{explanation} 请在“我的免申即享”中确认。",
                    year,
                    v.rule.name,
                    payable.grouped(),
                    amount.grouped(),
                    budget.describe(),
                ),
                key: format!("{}:{}:{}:{}", v.id, v.version, year, e.id),
            });
        }
        store::set_eligible(self.db(), id, eligible).await?;
        self.rounds.bump();
        for chunk in todo.chunks(CHUNK) {
            if let Some(gate) = &self.rounds.gate {
                // A closed gate lets every chunk through.
                if let Ok(permit) = gate.acquire().await {
                    permit.forget();
                }
            }
            self.notify_chunk(id, &title, &link, chunk).await?;
            self.rounds.bump();
        }
        let round = self.round(id).await?;
        let now = self.now();
        let tx = self.db().begin().await?;
        store::finish(&tx, id, None, now).await?;
        record(
            &tx,
            ctx,
            actor,
            "entitlement.notify",
            &format!("award_rule:{}", v.id),
            "ok",
            json!({"round": id, "version": v.version, "year": year, "eligible": eligible,
                   "notified": round.notified, "resumes": round.resumes}),
            now,
        )
        .await?;
        tx.commit().await?;
        self.round(id).await
    }

    /// Writes one chunk of a round's notifications and its progress in one transaction.
    async fn notify_chunk(
        &self,
        round: i64,
        title: &str,
        link: &str,
        chunk: &[Pending],
    ) -> ServiceResult<()> {
        let Some(last) = chunk.last() else {
            return Ok(());
        };
        let notices: Vec<Notice<'_>> = chunk
            .iter()
            .map(|p| Notice {
                enterprise_id: p.enterprise,
                kind: Kind::Entitlement,
                title,
                body: &p.body,
                link,
                key: &p.key,
            })
            .collect();
        let tx = self.db().begin().await?;
        let n = notify_many(&tx, &notices, self.now()).await?;
        store::advance(&tx, round, chunk.len() as i64, n as i64, last.enterprise).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Runs a round to its end before answering (the demo's start, a command): the same round
    /// as a published rule starts, not waited for by a request.
    pub(crate) async fn round_now(
        &self,
        ctx: &Ctx,
        v: &crate::awards::Version,
        year: i32,
    ) -> ServiceResult<Round> {
        let id = store::insert(self.db(), v.id, v.version, year, None, self.now()).await?;
        self.run_round(ctx, None, id, v, year).await
    }

    /// Whether `actor` sees the rounds of rule `rule`: those who keep it (the administrators
    /// and reviewers of its region and above); others who may read the rule see none.
    async fn sees_rounds(&self, actor: &Actor, rule: i64) -> ServiceResult<bool> {
        let h = self.award_rule(actor, rule, None).await?;
        Ok(
            match zhichan_domain::access::authorize(
                actor,
                zhichan_domain::access::Action::ReadAwardRules,
            )? {
                Scope::Region(own) => own.contains(h.current.rule.region),
                _ => true,
            },
        )
    }

    /// The rounds of a rule, newest first (the twenty newest).
    pub async fn rule_rounds(&self, actor: &Actor, rule: i64) -> ServiceResult<Vec<Round>> {
        if !self.sees_rounds(actor, rule).await? {
            return Ok(Vec::new());
        }
        Ok(store::of_rule(self.db(), rule, 20).await?)
    }

    /// One round of a rule (404 when it is not one of the rule's rounds the caller sees).
    pub async fn rule_round(&self, actor: &Actor, rule: i64, id: i64) -> ServiceResult<Round> {
        if !self.sees_rounds(actor, rule).await? {
            return Err(ServiceError::NotFound);
        }
        match store::get(self.db(), id).await? {
            Some(r) if r.rule_id == rule => Ok(r),
            _ => Err(ServiceError::NotFound),
        }
    }

    /// Waits until no round of this process is running (a story's hook: what publishing
    /// started has ended, without sleeping).
    pub async fn rounds_settled(&self) {
        let mut moved = self.rounds.moved.subscribe();
        loop {
            if self.rounds.running.lock().expect("rounds lock").is_empty() {
                return;
            }
            if moved.changed().await.is_err() {
                return;
            }
        }
    }

    /// Waits until round `id` satisfies `ready` as stored (a story's hook, no sleeping).
    pub async fn round_when(
        &self,
        id: i64,
        ready: impl Fn(&Round) -> bool,
    ) -> ServiceResult<Round> {
        let mut moved = self.rounds.moved.subscribe();
        loop {
            let r = self.round(id).await?;
            if ready(&r) {
                return Ok(r);
            }
            if moved.changed().await.is_err() {
                return Ok(r);
            }
        }
    }

    /// Stops every round of this process where it is, as a server that stops does (a story's
    /// hook for what a restart leaves behind): their rows stay running.
    pub fn halt_rounds(&self) {
        let halted: HashSet<i64> = {
            let mut running = self.rounds.running.lock().expect("rounds lock");
            for task in running.values() {
                task.abort();
            }
            running.drain().map(|(id, _)| id).collect()
        };
        if !halted.is_empty() {
            self.rounds.bump();
        }
    }
}
