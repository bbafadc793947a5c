//! Synthetic policies for `zhichan demo --scale` and the search benchmark: province scale
//! 10,000, national 100,000 (small 500), deterministic for a seed. Lengths follow what offices
//! publish (most notices a page or two, some long measures), one in five written in
//! traditional characters, national, provincial, city and county documents with their own
//! 文号, issuers and dates over ten years. Written through the bulk path with their first
//! version, stamped for the search index (which catches up on them when next asked).

use crate::generator::Scale;
use crate::{ServiceError, ServiceResult, Services};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use zhichan_store::bulk::{self, Batch};
use zhichan_store::db::NullOf;
use zhichan_store::{Exec, Param, Sql};

/// Policies to make at a scale.
pub fn policies_at(scale: Scale) -> usize {
    match scale {
        Scale::Small => 500,
        Scale::Province => 10_000,
        Scale::National => 100_000,
    }
}

/// Phrases a policy is written from, simplified and traditional side by side (our own wording).
const PHRASES: &[(&str, &str)] = &[
    ("知识产权", "知識產權"),
    ("专利转化运用", "專利轉化運用"),
    ("高价值发明专利", "高價值發明專利"),
    ("专利质押融资", "專利質押融資"),
    ("商标品牌建设", "商標品牌建設"),
    ("地理标志保护", "地理標誌保護"),
    ("中小企业", "中小企業"),
    ("高新技术企业", "高新技術企業"),
    ("专利导航", "專利導航"),
    ("知识产权保护中心", "知識產權保護中心"),
    ("快速预审", "快速預審"),
    ("维权援助", "維權援助"),
    ("资助资金", "資助資金"),
    ("奖励标准", "獎勵標準"),
    ("申报材料", "申報材料"),
    ("审核认定", "審核認定"),
    ("数据知识产权", "數據知識產權"),
    ("专利密集型产品", "專利密集型產品"),
    ("标准必要专利", "標準必要專利"),
    ("海外纠纷应对", "海外糾紛應對"),
    ("知识产权服务机构", "知識產權服務機構"),
    ("技术转移", "技術轉移"),
    ("高校院所", "高校院所"),
    ("许可合同备案", "許可合同備案"),
    ("运营基金", "運營基金"),
    ("人才培养", "人才培養"),
    ("执法检查", "執法檢查"),
    ("信用监管", "信用監管"),
    ("公共服务平台", "公共服務平臺"),
    ("财政补贴", "財政補貼"),
];

const VERBS: &[(&str, &str)] = &[
    ("支持", "支持"),
    ("鼓励", "鼓勵"),
    ("推动", "推動"),
    ("加强", "加強"),
    ("完善", "完善"),
    ("规范", "規範"),
    ("落实", "落實"),
    ("优化", "優化"),
];

/// Words every policy uses.
const COMMON: &[(&str, &str)] = &[
    ("申报单位", "申報單位"),
    ("有关规定", "有關規定"),
    ("实施细则", "實施細則"),
    ("补助比例", "補助比例"),
    ("年度计划", "年度計劃"),
    ("主管部门", "主管部門"),
    ("评审结果", "評審結果"),
    ("相关企业", "相關企業"),
];

const KINDS: &[(&str, &str)] = &[
    ("若干措施", "若干措施"),
    ("实施办法", "實施辦法"),
    ("管理办法", "管理辦法"),
    ("工作方案", "工作方案"),
    ("通知", "通知"),
    ("实施细则", "實施細則"),
];

const OFFICES: &[(&str, &str)] = &[
    ("知识产权局", "知識產權局"),
    ("市场监督管理局", "市場監督管理局"),
    ("财政厅", "財政廳"),
    ("科学技术厅", "科學技術廳"),
    ("人民政府办公厅", "人民政府辦公廳"),
];

fn pick<'a>(rng: &mut StdRng, list: &'a [(&'a str, &'a str)], trad: bool) -> &'a str {
    let (s, t) = list[rng.gen_range(0..list.len())];
    if trad {
        t
    } else {
        s
    }
}

/// What a run made.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct GeneratedPolicies {
    pub policies: usize,
    /// Characters of text in all.
    pub characters: usize,
    pub seconds: f64,
}

const POLICY_COLUMNS: &[&str] = &[
    "id",
    "version",
    "title",
    "doc_number",
    "doc_number_key",
    "issuers",
    "level",
    "region",
    "published_on",
    "effective_on",
    "expires_on",
    "source",
    "posted_on",
    "url",
    "body",
    "text_key",
    "topics",
    "created_by",
    "created_at",
    "changed_by",
    "changed_at",
    "search_generation",
];

const VERSION_COLUMNS: &[&str] = &[
    "policy_id",
    "version",
    "document",
    "changed_by",
    "changed_at",
];

fn text_or_null(v: Option<String>) -> Param {
    v.map_or(Param::Null(NullOf::Text), Param::Text)
}

impl Services {
    /// Adds the synthetic policies of `scale` to a library that has none.
    pub async fn generate_policies(
        &self,
        scale: Scale,
        seed: u64,
    ) -> ServiceResult<GeneratedPolicies> {
        let started = std::time::Instant::now();
        let db = self.db();
        let existing: i64 = db
            .fetch_one(Sql::new("SELECT COUNT(*) FROM policies"))
            .await?;
        if existing > 0 {
            return Err(ServiceError::Conflict(
                "政策库中已有政策：合成政策只写入空库".into(),
            ));
        }
        let mut rng = StdRng::seed_from_u64(seed ^ 0x5ea4c4);
        let regions: Vec<(i64, String, String)> = {
            struct R(i64, String, String);
            impl zhichan_store::FromDbRow for R {
                fn from_row(row: &zhichan_store::DbRow) -> Result<Self, zhichan_store::StoreError> {
                    Ok(R(row.get("code")?, row.get("name")?, row.get("level")?))
                }
            }
            let all: Vec<R> = db
                .fetch_all(Sql::new(
                    "SELECT code, name, level FROM regions WHERE active ORDER BY code",
                ))
                .await?;
            all.into_iter()
                .filter(|r| scale == Scale::National || r.0 == 100_000 || r.0 / 10_000 == 36)
                .map(|r| (r.0, r.1, r.2))
                .collect()
        };
        let nation: Vec<&(i64, String, String)> =
            regions.iter().filter(|r| r.2 == "nation").collect();
        let above_county: Vec<&(i64, String, String)> = regions
            .iter()
            .filter(|r| r.2 == "province" || r.2 == "city")
            .collect();
        let counties: Vec<&(i64, String, String)> =
            regions.iter().filter(|r| r.2 == "county").collect();
        if nation.is_empty() || above_county.is_empty() || counties.is_empty() {
            return Err(ServiceError::Conflict("行政区划数据未载入".into()));
        }
        let now = self.now().to_string();
        let n = policies_at(scale);
        let generation: i64 = db
            .fetch_one(Sql::new(
                "SELECT generation FROM policy_search_state WHERE id = 1",
            ))
            .await?;
        let stamp = generation + 1;
        let mut out = GeneratedPolicies::default();
        let mut policies = Batch::new("policies", POLICY_COLUMNS);
        let mut versions = Batch::new("policy_versions", VERSION_COLUMNS);
        let mut tx = db.begin().await?;
        for i in 0..n {
            let id = i as i64 + 1;
            let trad = rng.gen_bool(0.2);
            // One in ten national, half provincial or city, the rest county.
            let roll = rng.gen_range(0..10);
            let region = if roll == 0 {
                nation[0]
            } else if roll < 5 {
                above_county[rng.gen_range(0..above_county.len())]
            } else {
                counties[rng.gen_range(0..counties.len())]
            };
            let level = region.2.clone();
            let office = pick(&mut rng, OFFICES, trad);
            let place = if level == "nation" {
                "国家".to_string()
            } else {
                region.1.clone()
            };
            let issuer = format!("{place}{office}");
            // A document speaks of a few subjects (its own five of the phrases), so that two
            // words together are found in a few per cent of the library, not in all of it.
            let mut own: Vec<(&str, &str)> = Vec::with_capacity(5);
            while own.len() < 5 {
                let p = PHRASES[rng.gen_range(0..PHRASES.len())];
                if !own.contains(&p) {
                    own.push(p);
                }
            }
            let topic = if trad { own[0].1 } else { own[0].0 };
            let title = format!(
                "{place}关于{}{topic}的{}",
                pick(&mut rng, VERBS, trad),
                pick(&mut rng, KINDS, trad)
            );
            let year = rng.gen_range(2016..=2025);
            let month = rng.gen_range(1..=12);
            let day = rng.gen_range(1..=28);
            let published = format!("{year:04}-{month:02}-{day:02}");
            let expires = rng
                .gen_bool(0.4)
                .then(|| format!("{:04}-{month:02}-{day:02}", year + rng.gen_range(1..=5)));
            let prefix: String = region.1.chars().take(1).collect();
            let number = format!("{prefix}知发〔{year}〕{id}号");
            // Paragraphs of sentences: most a page or two, a long tail to about 20,000 characters.
            let target = if rng.gen_bool(0.8) {
                rng.gen_range(800..3_000)
            } else {
                rng.gen_range(3_000..20_000)
            };
            let mut body = String::with_capacity(target * 3 + 64);
            let mut count = 0;
            let mut clause = 1;
            while count < target {
                let para = format!(
                    "第{clause}条 为{}{}，{}{}和{}，对符合条件的{}按照{}给予支持，具体{}由{}另行制定。\n",
                    pick(&mut rng, VERBS, trad),
                    pick(&mut rng, &own, trad),
                    pick(&mut rng, VERBS, trad),
                    pick(&mut rng, &own, trad),
                    pick(&mut rng, &own, trad),
                    pick(&mut rng, COMMON, trad),
                    pick(&mut rng, COMMON, trad),
                    pick(&mut rng, COMMON, trad),
                    issuer
                );
                count += para.chars().count();
                body.push_str(&para);
                clause += 1;
            }
            body.push_str(&format!("{issuer}\n{year}年{month}月{day}日\n"));
            out.characters += body.chars().count();
            let issuers = serde_json::to_string(&[&issuer]).expect("strings serialise");
            let key = zhichan_domain::policies::normalise_doc_number(&number);
            let document = serde_json::json!({
                "title": title, "doc_number": number, "issuers": [issuer],
                "region": region.0.to_string(), "published_on": published, "effective_on": null,
                "expires_on": expires, "source": null, "posted_on": null, "url": null,
                "body": body, "topics": [topic],
            })
            .to_string();
            versions.push(vec![
                id.into(),
                1i64.into(),
                document.into(),
                "zhichan".into(),
                now.clone().into(),
            ]);
            policies.push(vec![
                id.into(),
                1i64.into(),
                title.into(),
                number.into(),
                key.into(),
                issuers.into(),
                level.into(),
                region.0.into(),
                published.into(),
                Param::Null(NullOf::Text),
                text_or_null(expires),
                Param::Null(NullOf::Text),
                Param::Null(NullOf::Text),
                Param::Null(NullOf::Text),
                body.clone().into(),
                zhichan_domain::policies::text_key(&body).into(),
                serde_json::to_string(&[topic])
                    .expect("strings serialise")
                    .into(),
                "zhichan".into(),
                now.clone().into(),
                "zhichan".into(),
                now.clone().into(),
                stamp.into(),
            ]);
            out.policies += 1;
            if policies.len() >= 500 {
                policies.flush(&tx).await?;
                versions.flush(&tx).await?;
            }
            if out.policies % 10_000 == 0 {
                tx.commit().await?;
                tx = db.begin().await?;
            }
        }
        policies.flush(&tx).await?;
        versions.flush(&tx).await?;
        bulk::advance_ids(&tx, "policies").await?;
        tx.execute(
            Sql::new("UPDATE policy_search_state SET generation = $1 WHERE id = 1").bind(stamp),
        )
        .await?;
        tx.commit().await?;
        out.seconds = started.elapsed().as_secs_f64();
        Ok(out)
    }
}

/// `zhichan bench policies`: a two-word search through the index (the whole service call:
/// index, rows, highlights) against the same words found by a naive SQL LIKE over the same
/// text, in this process on the same pool.
#[derive(Clone, Debug, serde::Serialize)]
pub struct PolicySearchTiming {
    pub query: String,
    pub policies: i64,
    pub index: crate::bench::Percentiles,
    pub naive: crate::bench::Percentiles,
    /// Naive median over index median.
    pub speedup: f64,
    /// Matches found by each (the index by words, LIKE by substrings: close, not always equal).
    pub index_total: i64,
    pub naive_total: i64,
    /// Bringing the index in step first (a rebuild on a freshly generated library).
    pub sync_seconds: f64,
}

impl Services {
    pub async fn bench_policy_search(
        &self,
        query: &str,
        runs: usize,
        naive_runs: usize,
    ) -> ServiceResult<PolicySearchTiming> {
        let started = std::time::Instant::now();
        self.sync_policy_search().await?;
        let sync_seconds = started.elapsed().as_secs_f64();
        let policies: i64 = self
            .db()
            .fetch_one(Sql::new("SELECT COUNT(*) FROM policies"))
            .await?;
        let q = crate::policies::PolicyQuery {
            q: Some(query.to_string()),
            ..Default::default()
        };
        let mut index_total = 0;
        let mut times = Vec::with_capacity(runs);
        for _ in 0..runs.max(1) {
            let t = std::time::Instant::now();
            let (_, total) = self.policies(&q, 20, 0).await?;
            times.push(t.elapsed().as_secs_f64());
            index_total = total;
        }
        let filter = zhichan_store::policies::Filter {
            words: query.split_whitespace().map(str::to_string).collect(),
            ..Default::default()
        };
        let mut naive_total = 0;
        let mut naive = Vec::with_capacity(naive_runs);
        for _ in 0..naive_runs.max(1) {
            let t = std::time::Instant::now();
            let (_, total) = zhichan_store::policies::list(self.db(), &filter, 20, 0).await?;
            naive.push(t.elapsed().as_secs_f64());
            naive_total = total;
        }
        let index = crate::bench::Percentiles::of(times);
        let naive = crate::bench::Percentiles::of(naive);
        Ok(PolicySearchTiming {
            query: query.to_string(),
            policies,
            speedup: if index.p50_ms > 0.0 {
                naive.p50_ms / index.p50_ms
            } else {
                0.0
            },
            index,
            naive,
            index_total,
            naive_total,
            sync_seconds,
        })
    }
}
