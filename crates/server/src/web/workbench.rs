//! The workbench (工作台) of reviewers, offices and the three administrators on their home
//! page: what waits for them, each number a link to the filtered list it counts.

use super::{render, Chrome};
use crate::error::AppResult;
use crate::AppState;
use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;
use zhichan_service::accounts::Authenticated;
use zhichan_service::workbench::Workbench;
use zhichan_service::ServiceError;

/// One counted figure: what it is, how many, and the list it counts.
pub struct Tile {
    /// Whose figure it is, a name shown as recorded before the label (empty for most).
    pub of: String,
    pub label: String,
    pub n: i64,
    pub href: String,
    /// Drawn as a warning when not zero (overdue, locks).
    pub warn: bool,
}

fn tile(label: impl Into<String>, n: i64, href: impl Into<String>, warn: bool) -> Tile {
    Tile {
        of: String::new(),
        label: label.into(),
        n,
        href: href.into(),
        warn,
    }
}

/// A row of the small bar chart: a name, its figure, its link, and the chart's largest figure
/// (the bar is a `<meter>`: the pages' content policy allows no inline style).
pub struct Bar {
    pub name: String,
    pub n: i64,
    pub href: String,
    pub max: i64,
}

/// A row of a plain table: its cells, the first a link when it has one.
pub struct Line {
    pub href: Option<String>,
    pub cells: Vec<String>,
}

pub struct Section {
    pub id: &'static str,
    pub title: String,
    pub tiles: Vec<Tile>,
    /// A caption above the bars.
    pub bars_caption: String,
    pub bars: Vec<Bar>,
    pub head: Vec<&'static str>,
    pub lines: Vec<Line>,
    /// What the table says when it has no rows.
    pub empty: &'static str,
    /// Links under the section.
    pub more: Vec<(String, &'static str)>,
}

impl Section {
    fn new(id: &'static str, title: impl Into<String>) -> Self {
        Section {
            id,
            title: title.into(),
            tiles: Vec::new(),
            bars_caption: String::new(),
            bars: Vec::new(),
            head: Vec::new(),
            lines: Vec::new(),
            empty: "暂无数据",
            more: Vec::new(),
        }
    }
}

#[derive(Template)]
#[template(path = "workbench.html")]
struct WorkbenchPage {
    chrome: Chrome,
    place: String,
    heading: String,
    intro: String,
    sections: Vec<Section>,
}

/// The kind of an audited action by its first part, in words.
fn action_kind(action: &str) -> &'static str {
    match action.split('.').next().unwrap_or("") {
        "session" => "登录与会话",
        "user" | "users" | "account" => "账号管理",
        "product" | "products" => "产品备案",
        "enterprise" | "enterprises" => "企业信息",
        "patent" | "patents" => "专利",
        "security" => "安全策略",
        "audit" => "审计日志",
        "verification" => "实名认证",
        "port" | "ports" => "管理端口",
        "directory" | "directories" => "重点名录",
        "rules" | "calendar" => "业务规则",
        "token" | "tokens" => "接口令牌",
        "password" => "密码",
        "report" | "reports" | "stats" => "统计与通报",
        _ => "其他操作",
    }
}

fn bars(rows: Vec<(String, i64, String)>) -> Vec<Bar> {
    let max = rows.iter().map(|r| r.1).max().unwrap_or(0).max(1);
    rows.into_iter()
        .map(|(name, n, href)| Bar { name, n, href, max })
        .collect()
}

fn accounts_section(awaiting_grant: i64, awaiting: &[zhichan_store::users::User]) -> Section {
    let mut s = Section::new("w-accounts", "待授权账号");
    s.tiles.push(tile(
        "等待安全管理员授予角色与区域",
        awaiting_grant,
        "/admin/users?pending=grant",
        false,
    ));
    s.head = vec!["用户名", "姓名", "角色", "创建时间"];
    s.lines = awaiting
        .iter()
        .map(|u| Line {
            href: Some("/admin/users?pending=grant".into()),
            cells: vec![
                u.username.clone(),
                u.display_name.clone(),
                u.role.label_zh().to_string(),
                u.created_at.beijing_minutes(),
            ],
        })
        .collect();
    s.empty = "暂无待授权账号";
    s.more.push(("/admin/users".into(), "全部用户"));
    s
}

/// The workbench page of the caller, or `None` when its role has none (then the plain home
/// page shows). An office whose port is closed is told so on the plain home page.
pub async fn page(state: &AppState, auth: &Authenticated) -> AppResult<Option<Response>> {
    if auth.restriction.is_some() || !auth.actor.verified {
        return Ok(None);
    }
    let bench = match state.services.workbench(&auth.actor).await {
        Ok(Some(b)) => b,
        Ok(None) | Err(ServiceError::PortClosed) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let role = auth.actor.role.label_zh();
    // The office's region, shown as recorded before the heading.
    let mut place = String::new();
    let (heading, intro, sections) = match bench {
        Workbench::Reviewer(b) => {
            // Declarations and self-entered qualifications an award waits on.
            let facts = state.services.declaration_queue(&auth.actor).await?.len()
                + state.services.qualification_queue(&auth.actor).await?.len();
            let mut queue = Section::new("w-queue", "待审核的备案");
            queue.tiles = vec![
                tile("待审核", b.queue, "/products?status=submitted", false),
                tile(
                    format!("已超过 {} 个工作日", b.working_days),
                    b.overdue,
                    "/products?status=submitted&wait=overdue",
                    b.overdue > 0,
                ),
                tile(
                    "退回后重新提交",
                    b.resubmitted,
                    "/products?status=submitted&wait=resubmitted",
                    false,
                ),
                tile(
                    "待审核的变更",
                    b.amendments,
                    "/products?amendment=submitted",
                    false,
                ),
                tile(
                    "待审核的实名认证",
                    b.verifications,
                    "/reviews/verifications?status=pending",
                    false,
                ),
                tile(
                    "待审核的企业变更",
                    b.enterprise_changes,
                    "/reviews/enterprise-changes",
                    false,
                ),
                tile("待确认的奖补事实", facts as i64, "/reviews/facts", false),
            ];
            let mut again = Section::new("w-again", "退回后重新提交");
            again.head = vec!["产品", "型号", "重新提交时间", "修改内容"];
            again.lines = b
                .resubmitted_items
                .iter()
                .map(|r| Line {
                    href: Some(format!("/products/{}", r.id)),
                    cells: vec![
                        r.name.clone(),
                        r.model.clone(),
                        r.submitted_at
                            .map(|t| t.beijing_minutes())
                            .unwrap_or_default(),
                        match r.returned_version {
                            Some(v) if v < r.version => {
                                format!("/products/{}/diff?from={v}&to={}", r.id, r.version)
                            }
                            _ => String::new(),
                        },
                    ],
                })
                .collect();
            again.empty = "暂无退回后重新提交的备案";
            (
                format!("{} · 审核工作台", b.region_name),
                format!(
                    "{role}：本辖区（{}）内等待您处理的事项。审核时限为 {} 个工作日。",
                    b.region_name, b.working_days
                ),
                vec![queue, again],
            )
        }
        Workbench::Office(b) => {
            let month = &b.month;
            let mut month_s = Section::new("w-month", format!("{month} 新增备案"));
            month_s.tiles = vec![
                Tile {
                    of: b.region_name.clone(),
                    ..tile(
                        "本月新增备案产品",
                        b.month_total,
                        format!("/reports/monthly?month={month}"),
                        false,
                    )
                },
                tile(
                    "有效备案产品",
                    b.summary.products,
                    "/products?status=approved",
                    false,
                ),
                tile("备案企业", b.summary.enterprises, "/enterprises", false),
                tile(
                    format!("{} 年认定的专利密集型产品", b.year),
                    b.identified_this_year,
                    "/stats#h-identified",
                    false,
                ),
                tile(
                    "历年认定的专利密集型产品",
                    b.identified_total,
                    "/stats#h-identified",
                    false,
                ),
            ];
            month_s.bars_caption = "按下级地区".into();
            month_s.bars = bars(
                b.sub_regions
                    .iter()
                    .map(|r| {
                        (
                            crate::locale::reference_name(r.name.clone()),
                            r.registered,
                            format!("/reports/monthly?region={}&month={month}", r.code),
                        )
                    })
                    .collect(),
            );
            let mut dirs = Section::new("w-dirs", "重点名录覆盖");
            dirs.head = vec!["名录", "企业数", "已备案", "覆盖率"];
            dirs.lines = b
                .directories
                .iter()
                .map(|d| Line {
                    href: Some(format!("/directories/{}", d.id)),
                    cells: vec![
                        d.name.clone(),
                        d.listed.to_string(),
                        d.covered.to_string(),
                        format!("{}.{}%", d.permille() / 10, d.permille() % 10),
                    ],
                })
                .collect();
            dirs.empty = "暂无本级导入的重点名录";
            dirs.more.push(("/directories".into(), "重点名录"));
            let mut waiting = Section::new("w-waiting", "等待处理");
            waiting.tiles = vec![
                tile(
                    "待审批的端口申请",
                    b.ports_waiting,
                    "/ports",
                    b.ports_waiting > 0,
                ),
                tile(
                    "尚未开通管理端口的下级地区",
                    b.ports_unopened,
                    "/ports",
                    false,
                ),
            ];
            waiting.more.push(("/stats".into(), "统计"));
            waiting.more.push(("/reports/monthly".into(), "月度通报"));
            waiting.more.push(("/payouts".into(), "奖补兑现"));
            (
                {
                    place = b.region_name.clone();
                    "· 工作台".to_string()
                },
                format!("{role}：本辖区的备案情况、重点名录覆盖和等待处理的事项。"),
                vec![month_s, dirs, waiting],
            )
        }
        Workbench::Sysadmin(b) => (
            "系统管理员工作台".to_string(),
            format!("{role}：新建的账号须经安全管理员授予角色与区域后才能办理业务。"),
            vec![accounts_section(b.awaiting_grant, &b.awaiting)],
        ),
        Workbench::Secadmin(b) => {
            let accounts = accounts_section(b.awaiting_grant, &b.awaiting);
            let mut sec = Section::new("w-locks", "安全事件");
            sec.tiles = vec![tile(
                "正在锁定的登录",
                b.lockouts,
                "#w-locks-table",
                b.lockouts > 0,
            )];
            sec.head = vec!["用户名", "来源地址", "锁定至"];
            sec.lines = b
                .locks
                .iter()
                .map(|l| Line {
                    href: None,
                    cells: vec![l.username.clone(), l.ip.clone(), l.until.beijing_minutes()],
                })
                .collect();
            sec.empty = "暂无锁定的登录";
            sec.more.push(("/admin/security".into(), "安全策略"));
            (
                "安全管理员工作台".to_string(),
                format!("{role}：等待授权的账号和正在生效的登录锁定。"),
                vec![accounts, sec],
            )
        }
        Workbench::Auditor(b) => {
            let mut s = Section::new("w-audit", "审计动态");
            s.tiles = vec![
                tile(
                    "今日审计记录",
                    b.entries_today,
                    format!("/audit?from={}", b.today),
                    false,
                ),
                tile(
                    "今日登录",
                    b.logins_today,
                    format!("/audit?action=session.login&from={}", b.today),
                    false,
                ),
            ];
            s.head = vec!["时间", "用户", "操作", "结果"];
            s.lines = b
                .recent
                .iter()
                .map(|e| Line {
                    href: Some(format!("/audit?user={}", e.username)),
                    cells: vec![
                        e.at.beijing_minutes(),
                        e.username.clone(),
                        zhichan_domain::names::audit_action_zh(&e.action)
                            .unwrap_or_else(|| action_kind(&e.action))
                            .to_string(),
                        match e.outcome.as_str() {
                            "ok" | "success" => "成功".to_string(),
                            "denied" => "被拒绝".to_string(),
                            "failed" | "failure" => "失败".to_string(),
                            other => other.to_string(),
                        },
                    ],
                })
                .collect();
            s.empty = "暂无审计记录";
            s.more.push(("/audit".into(), "审计日志"));
            (
                "安全审计员工作台".to_string(),
                format!("{role}：最近的审计记录，链式校验见审计日志页。"),
                vec![s],
            )
        }
    };
    Ok(Some(render(
        StatusCode::OK,
        &WorkbenchPage {
            chrome: Chrome::for_user("工作台", "/", Some(auth)),
            place,
            heading,
            intro,
            sections,
        },
    )))
}
