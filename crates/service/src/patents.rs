//! The patents an enterprise registers its products under: kept per enterprise, each with its
//! legal status and the enterprise's right to it.

use crate::audit::record;
use crate::notifications::{notify, Kind, Notice};
use crate::{Ctx, FieldViolation, ServiceError, ServiceResult, Services};
use serde_json::json;
use zhichan_domain::access::{Action, Actor};
use zhichan_domain::enterprises::{format_date, parse_date};
use zhichan_domain::patents::{LegalStatus, PatentRight};
use zhichan_domain::validation::{date_between, limits, max_chars, LATEST_DATE};
use zhichan_domain::{PatentNumber, Violation};
use zhichan_store::patents::{self, Patent};
use zhichan_store::StoreError;

/// A patent as typed.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PatentInput {
    pub number: String,
    pub title: String,
    pub patentees: Vec<String>,
    pub grant_date: Option<String>,
    pub legal_status: String,
    pub right: String,
    pub licence_record: String,
}

impl PatentInput {
    pub fn from_stored(p: &Patent) -> Self {
        PatentInput {
            number: p.number.to_string(),
            title: p.title.clone(),
            patentees: p.patentees.clone(),
            grant_date: p.grant_date.map(format_date),
            legal_status: p.legal_status.as_str().into(),
            right: p.right.as_str().into(),
            licence_record: p.licence_record.clone(),
        }
    }
}

pub fn snapshot(p: &Patent) -> serde_json::Value {
    json!({
        "number": p.number.to_string(), "title": p.title, "patentees": p.patentees,
        "grant_date": p.grant_date.map(format_date), "legal_status": p.legal_status.as_str(),
        "right": p.right.as_str(), "licence_record": p.licence_record,
    })
}

pub(crate) fn parse(
    input: &PatentInput,
    enterprise_id: i64,
    today: time::Date,
) -> ServiceResult<Patent> {
    let mut errors = Vec::new();
    let number = PatentNumber::parse(&input.number)
        .map_err(|v| errors.push(FieldViolation::new("number", v)))
        .ok();
    if input.title.trim().is_empty() {
        errors.push(FieldViolation::new(
            "title",
            Violation::new("required", "请填写专利名称", "title is required"),
        ));
    }
    let patentees: Vec<String> = input
        .patentees
        .iter()
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect();
    if patentees.is_empty() {
        errors.push(FieldViolation::new(
            "patentees",
            Violation::new("required", "请填写专利权人", "at least one patentee"),
        ));
    }
    for (field, value, limit) in [
        ("title", input.title.as_str(), limits::PATENT_TITLE),
        (
            "licence_record",
            input.licence_record.as_str(),
            limits::LICENCE_RECORD,
        ),
    ] {
        if let Err(v) = max_chars(value, limit) {
            errors.push(FieldViolation::new(field, v));
        }
    }
    if let Some(twice) = patentees
        .iter()
        .enumerate()
        .find(|(i, p)| patentees[..*i].contains(p))
        .map(|(_, p)| p)
    {
        errors.push(FieldViolation::new(
            "patentees",
            Violation::new(
                "duplicate",
                format!(
                    "专利权人“{}”填写了两次",
                    zhichan_domain::validation::echo(twice)
                ),
                "a patentee listed twice",
            ),
        ));
    } else if patentees.len() > limits::PATENTEES {
        errors.push(FieldViolation::new(
            "patentees",
            Violation::new(
                "too_long",
                format!("专利权人不能超过 {} 个", limits::PATENTEES),
                "too many patentees",
            ),
        ));
    } else if let Some(v) = patentees
        .iter()
        .find_map(|p| max_chars(p, limits::PATENTEE).err())
    {
        errors.push(FieldViolation::new(
            "patentees",
            Violation::new(
                v.code,
                format!("每个专利权人{}", v.message_zh),
                v.message_en,
            ),
        ));
    }
    let grant_date = match input.grant_date.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(raw) => match parse_date(raw) {
            Some(d) if d > today && d <= LATEST_DATE => {
                errors.push(FieldViolation::new(
                    "grant_date",
                    Violation::new(
                        "future_date",
                        format!("授权日不能晚于今天（{}）", format_date(today)),
                        "grant date in the future",
                    ),
                ));
                None
            }
            Some(d) if date_between(d, today, "授权日").is_err() => {
                errors.push(FieldViolation::new(
                    "grant_date",
                    date_between(d, today, "授权日").unwrap_err(),
                ));
                None
            }
            Some(d) => {
                if let Some(n) = &number {
                    if i32::from(n.application_year()) > d.year() {
                        errors.push(FieldViolation::new(
                            "grant_date",
                            Violation::new(
                                "invalid_date",
                                "授权日不能早于申请年份",
                                "granted before applied",
                            ),
                        ));
                    }
                }
                Some(d)
            }
            None => {
                errors.push(FieldViolation::new(
                    "grant_date",
                    Violation::new(
                        "invalid_date",
                        "日期格式应为 YYYY-MM-DD",
                        "a date is YYYY-MM-DD",
                    ),
                ));
                None
            }
        },
    };
    let legal_status = LegalStatus::parse(&input.legal_status)
        .map_err(|v| errors.push(FieldViolation::new("legal_status", v)))
        .ok();
    let right = PatentRight::parse(&input.right)
        .map_err(|v| errors.push(FieldViolation::new("right", v)))
        .ok();
    if right.is_some_and(PatentRight::is_licence) && input.licence_record.trim().is_empty() {
        errors.push(FieldViolation::new(
            "licence_record",
            Violation::new(
                "licence_record_required",
                "以许可方式实施的专利须填写专利实施许可合同备案号",
                "a licence needs its record number",
            ),
        ));
    }
    if !errors.is_empty() {
        return Err(ServiceError::Invalid(errors));
    }
    let now = zhichan_domain::Timestamp::from_unix_seconds(0).expect("epoch");
    Ok(Patent {
        id: 0,
        enterprise_id,
        number: number.expect("checked"),
        title: input.title.trim().to_string(),
        patentees,
        grant_date,
        legal_status: legal_status.expect("checked"),
        right: right.expect("checked"),
        licence_record: input.licence_record.trim().to_string(),
        status_since: now,
        created_at: now,
        updated_at: now,
        version: 1,
    })
}

impl Services {
    /// The patents of an enterprise inside the caller's scope.
    pub async fn patents(&self, actor: &Actor, credit_code: &str) -> ServiceResult<Vec<Patent>> {
        let e = self.enterprise(actor, credit_code).await?;
        Ok(patents::of_enterprise(self.db(), e.id).await?)
    }

    /// Adds a patent to an enterprise the caller may edit.
    pub async fn add_patent(
        &self,
        actor: &Actor,
        ctx: &Ctx,
        credit_code: &str,
        input: PatentInput,
    ) -> ServiceResult<Patent> {
        let e = self.enterprise_for_edit(actor, credit_code).await?;
        let now = self.now();
        let p = parse(&input, e.id, now.datetime().date())?;
        let tx = self.db().begin().await?;
        let id = patents::insert(&tx, &p, now)
            .await
            .map_err(|err| match err {
                StoreError::Unique { .. } => {
                    ServiceError::Conflict(format!("专利 {} 已登记", p.number))
                }
                other => other.into(),
            })?;
        let stored = patents::by_number(&tx, e.id, &p.number)
            .await?
            .ok_or(ServiceError::NotFound)?;
        record(
            &tx,
            ctx,
            Some(actor),
            "patent.add",
            &format!("patent:{id}"),
            "ok",
            json!({"enterprise": e.credit_code, "after": snapshot(&stored)}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(stored)
    }

    /// Changes a patent (its number never changes) if `version` is still current.
    pub async fn update_patent(
        &self,
        actor: &Actor,
        ctx: &Ctx,
        credit_code: &str,
        number: &str,
        version: i64,
        change: impl FnOnce(&mut PatentInput),
    ) -> ServiceResult<Patent> {
        let e = self.enterprise_for_edit(actor, credit_code).await?;
        let number = PatentNumber::parse(number).map_err(|_| ServiceError::NotFound)?;
        let before = patents::by_number(self.db(), e.id, &number)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let mut input = PatentInput::from_stored(&before);
        change(&mut input);
        input.number = before.number.to_string();
        let now = self.now();
        let after = Patent {
            id: before.id,
            ..parse(&input, e.id, now.datetime().date())?
        };
        let status_changed = after.legal_status != before.legal_status;
        let tx = self.db().begin().await?;
        if patents::update(&tx, &after, version, status_changed, now)
            .await?
            .is_none()
        {
            return Err(ServiceError::Conflict(
                "专利信息已被他人修改，请刷新后重试".into(),
            ));
        }
        let stored = patents::by_number(&tx, e.id, &number)
            .await?
            .ok_or(ServiceError::NotFound)?;
        // The products that name it answer with it as it now stands.
        let linked = zhichan_store::products::linked_ids(&tx, before.id).await?;
        self.write_documents(&tx, &linked).await?;
        record(&tx, ctx, Some(actor), "patent.update", &format!("patent:{}", before.id), "ok",
            json!({"enterprise": e.credit_code, "before": snapshot(&before), "after": snapshot(&stored)}), now)
            .await?;
        if before.legal_status.in_force() && !stored.legal_status.in_force() {
            self.patent_left_force(&tx, &stored, now).await?;
        }
        tx.commit().await?;
        Ok(stored)
    }

    /// A patent lapsed or was transferred away: its registered products are flagged (their
    /// pages say so) and the enterprise is told; a product left with no patent in force is to be
    /// withdrawn, and the enterprise is prompted to.
    async fn patent_left_force(
        &self,
        tx: &zhichan_store::Tx,
        patent: &Patent,
        now: zhichan_domain::Timestamp,
    ) -> ServiceResult<()> {
        // Read after the change, with their linked patents as they now stand.
        let linked = zhichan_store::products::linked_to_patent(tx, patent.id).await?;
        for p in linked
            .iter()
            .filter(|p| p.registered_on.is_some() && p.withdrawn_on.is_none())
        {
            let link = format!("/products/{}", p.id);
            let status = patent.legal_status.label_zh();
            notify(
                tx,
                &Notice {
                    enterprise_id: p.enterprise_id,
                    kind: Kind::PatentLapsed,
                    title: &format!("“{}”关联的专利{}", p.name, status),
                    body: &format!(
                        "专利 {} 的法律状态已变为“{}”，不能再支撑该产品的备案。",
                        patent.number, status
                    ),
                    link: &link,
                    key: &format!(
                        "patent:{}:{}:product:{}",
                        patent.id,
                        patent.legal_status.as_str(),
                        p.id
                    ),
                },
                now,
            )
            .await?;
            let none_left = p.links.iter().all(|l| {
                p.patents
                    .iter()
                    .find(|x| x.id == l.patent_id)
                    .is_some_and(|x| !x.legal_status.in_force())
            });
            if none_left {
                notify(
                    tx,
                    &Notice {
                        enterprise_id: p.enterprise_id,
                        kind: Kind::WithdrawPrompt,
                        title: &format!("“{}”已无有效专利，请撤销备案", p.name),
                        body: "该产品关联的专利已全部失效或转让，请在产品页面撤销备案并说明原因。",
                        link: &link,
                        key: &format!("product:{}:patent:{}", p.id, patent.id),
                    },
                    now,
                )
                .await?;
            }
        }
        Ok(())
    }

    /// The enterprise, if the caller may edit it (read scope first, so that outside it the
    /// answer is 404 rather than 403).
    async fn enterprise_for_edit(
        &self,
        actor: &Actor,
        credit_code: &str,
    ) -> ServiceResult<zhichan_store::enterprises::Enterprise> {
        let e = self.enterprise(actor, credit_code).await?;
        zhichan_domain::access::authorize(actor, Action::EditEnterprise)?;
        Ok(e)
    }
}
