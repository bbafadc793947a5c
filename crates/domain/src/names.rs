//! Chinese names for the codes that have no enum of their own elsewhere: management port
//! states, audit outcomes, audit actions, the keys of audit details and the field paths of
//! form errors. One name per value; a page shows the name, never the code.

use crate::validation::Violation;

code_enum!(
    /// Where a management port (管理端口) stands.
    PortStatus, "port_status", {
        Applied = "applied" / "待审核",
        Open = "open" / "已开通",
        Rejected = "rejected" / "未予开通",
        Closed = "closed" / "已关闭",
    }
);

code_enum!(
    /// How an audited action ended.
    AuditOutcome, "outcome", {
        Ok = "ok" / "成功",
        Denied = "denied" / "拒绝",
        Failed = "failed" / "失败",
    }
);

/// The audit log's actions by name.
const ACTIONS: &[(&str, &str)] = &[
    ("access.csrf", "跨站请求被拒"),
    ("access.denied", "越权访问被拒"),
    ("access.out_of_scope", "访问辖区外数据被拒"),
    ("audit.archive", "归档审计日志"),
    ("audit.export", "导出审计日志"),
    ("audit.search", "查询审计日志"),
    ("award_rule.create", "新建奖补规则"),
    ("award_rule.edit", "修改奖补规则"),
    ("award_rule.load", "载入奖补规则文件"),
    ("award_rule.publish", "发布奖补规则"),
    ("directory.import", "导入重点名录"),
    ("enterprise.account_add", "添加企业账号"),
    ("enterprise.amendment_approve", "通过企业变更"),
    ("enterprise.amendment_discard", "放弃企业变更"),
    ("enterprise.amendment_return", "退回企业变更"),
    ("enterprise.amendment_submit", "提交企业变更"),
    ("enterprise.create", "创建企业信息"),
    ("enterprise.qualification_resubmit", "重新提交企业资质"),
    ("enterprise.qualifications_review", "审核企业资质"),
    ("enterprise.update", "修改企业信息"),
    ("entitlement.confirm", "确认免申即享申请"),
    ("entitlement.notify", "通知符合条件的企业"),
    ("entitlement.notify_resume", "续发免申即享通知"),
    ("identification.formal_check", "认定形式审查"),
    ("identification.opt_in", "申报认定"),
    (
        "identification.opt_in_many",
        "批量申报认定（含未找到的产品）",
    ),
    ("identification_batch.announce", "公告认定结果"),
    ("identification_batch.compute", "计算认定批次"),
    ("identification_batch.close_opt_in", "提前截止认定申报"),
    ("identification_batch.create", "创建认定批次"),
    ("identification_batch.evaluate", "开始产业性评价"),
    ("identification_batch.publish", "公示认定名单"),
    ("identification_batch.review", "审核认定名单"),
    ("identification_method.create", "新建认定方法"),
    ("identification_method.edit", "修改认定方法"),
    ("identification_method.load_starter", "载入认定方法模板"),
    ("identification_method.publish", "发布认定方法"),
    ("limit.exceeded", "超出频率限制"),
    ("notice.announce", "发布公告"),
    ("notice.answer", "答复异议"),
    ("notice.object", "提出异议"),
    ("notice.publish", "发布公示"),
    ("outbox.retry", "重发消息"),
    ("panel.assign", "指派评审专家"),
    ("panel.create", "组建专家评审组"),
    ("panel.score", "专家评分"),
    ("patent.add", "添加专利"),
    ("patent.update", "修改专利"),
    ("port.apply", "申请管理端口"),
    ("port.approve", "批准管理端口"),
    ("port.close", "关闭管理端口"),
    ("port.open", "开通管理端口"),
    ("port.reject", "不予开通管理端口"),
    ("port.reopen", "重新开通管理端口"),
    ("product.amendment.approve", "通过产品变更"),
    ("product.amendment.discard", "放弃产品变更"),
    ("product.amendment.return", "退回产品变更"),
    ("product.amendment.submit", "提交产品变更"),
    ("product.amendment.update", "修改产品变更"),
    ("product.annual_update", "年度信息更新"),
    ("product.annual_update.approve", "通过年度信息更新"),
    ("product.annual_update.return", "退回年度信息更新"),
    ("product.approve", "备案通过"),
    ("product.create", "创建产品"),
    ("product.import", "批量导入产品"),
    ("product.return", "备案退回"),
    ("product.revoke", "撤销备案"),
    ("product.submit", "提交备案"),
    ("product.update", "修改产品"),
    ("product.withdraw", "撤回备案"),
    ("registration.verify", "查验备案证明"),
    ("security.update", "修改安全设置"),
    ("session.end", "结束会话"),
    ("session.login", "登录"),
    ("session.logout", "退出登录"),
    ("token.issue", "签发访问令牌"),
    ("token.revoke", "吊销访问令牌"),
    ("user.contact", "修改账号联系方式"),
    ("user.expert_profile", "维护专家信息"),
    ("user.create", "创建账号"),
    ("user.disable", "停用账号"),
    ("user.enable", "启用账号"),
    ("user.grant", "授予角色与区域"),
    ("user.lock", "锁定账号"),
    ("user.password_change", "修改密码"),
    ("user.password_reset", "重置密码"),
    ("user.password_setup", "设置密码"),
    ("user.totp_enrol", "绑定动态验证码"),
    ("user.unlock", "解锁账号"),
    ("verification.approve", "实名认证通过"),
    ("verification.return", "实名认证退回"),
    ("verification.submit", "提交实名认证"),
];

/// The groups of audit actions (the part before the first `.`), by name: the audit page's
/// filter offers each group as a whole.
const ACTION_GROUPS: &[(&str, &str)] = &[
    ("access", "访问控制"),
    ("audit", "审计日志"),
    ("award_rule", "奖补规则"),
    ("directory", "重点名录"),
    ("enterprise", "企业信息"),
    ("entitlement", "免申即享"),
    ("identification", "认定申报"),
    ("identification_batch", "认定批次"),
    ("identification_method", "认定方法"),
    ("limit", "频率限制"),
    ("notice", "公示与异议"),
    ("outbox", "消息投递"),
    ("panel", "专家评审"),
    ("patent", "专利"),
    ("port", "管理端口"),
    ("product", "产品备案"),
    ("registration", "备案证明查验"),
    ("security", "安全设置"),
    ("session", "登录与会话"),
    ("token", "访问令牌"),
    ("user", "账号"),
    ("verification", "实名认证"),
];

/// Every audit action zhichan records, with its name, in the order of their codes.
pub fn audit_actions() -> &'static [(&'static str, &'static str)] {
    ACTIONS
}

/// The groups of audit actions (`session` for `session.login`, `session.logout`, …) by name.
pub fn audit_action_groups() -> &'static [(&'static str, &'static str)] {
    ACTION_GROUPS
}

/// The name of an audit action, if it is one zhichan records.
pub fn audit_action_zh(action: &str) -> Option<&'static str> {
    ACTIONS.iter().find(|(a, _)| *a == action).map(|(_, n)| *n)
}

/// The names of the keys that audit details and forms use.
const KEYS: &[(&str, &str)] = &[
    ("action", "操作"),
    ("address", "地址"),
    ("address_only", "仅锁定来源地址"),
    ("after", "变更后"),
    ("amendment", "变更"),
    ("amount", "金额"),
    ("announced", "公告数"),
    ("announced_on", "公告日期"),
    ("annual_updates_approved", "通过的信息更新"),
    ("assignment", "评审任务编号"),
    ("attachment", "附件编号"),
    ("attempts", "已尝试次数"),
    ("batch", "批次编号"),
    ("before", "变更前"),
    ("calendar_version", "工作日历版本"),
    ("candidates", "候选数"),
    ("ceiling", "应发上限"),
    ("certificate", "证书编号"),
    ("channel", "渠道"),
    ("children", "下级"),
    ("closes_on", "截止日期"),
    ("code", "代码"),
    ("codes_cancelled", "作废的设置码"),
    ("contact", "联系方式"),
    ("contact_email", "电子邮箱"),
    ("contact_name", "联系人"),
    ("contact_phone", "联系电话"),
    ("content", "内容"),
    ("core", "核心专利"),
    ("count", "数量"),
    ("covered", "已覆盖"),
    ("covers_field", "熟悉该领域"),
    ("credit_code", "统一社会信用代码"),
    ("cumulative_products", "累计备案产品"),
    ("days", "有效天数"),
    ("deadline_days", "期限（工作日）"),
    ("decision", "决定"),
    ("description", "产品说明"),
    ("detail", "详情"),
    ("digest", "输入摘要"),
    ("directories", "重点名录"),
    ("disabled", "已停用"),
    ("display_name", "姓名"),
    ("doc_number", "文号"),
    ("due_on", "到期日"),
    ("eligible", "符合条件的企业数"),
    ("email", "电子邮箱"),
    ("embodiment", "实施方式"),
    ("enterprise", "企业"),
    ("enterprises", "企业"),
    ("event", "事件"),
    ("evidence", "证明材料"),
    ("expert", "专家"),
    ("export_value", "出口额"),
    ("failures", "失败次数"),
    ("field", "所属领域"),
    ("fields", "领域"),
    ("figures", "年度数据"),
    ("file", "文件"),
    ("file_name", "文件名"),
    ("filter", "查询条件"),
    ("first", "首次计算"),
    ("first_sold_on", "首次销售日期"),
    ("from", "起始时间"),
    ("from_region", "原地区"),
    ("from_seq", "起始序号"),
    ("further_account", "追加账号"),
    ("grant_date", "授权日期"),
    ("granted", "已授权"),
    ("id", "编号"),
    ("identified", "认定数"),
    ("industry", "行业"),
    ("inputs", "输入数"),
    ("ip_investment", "知识产权投入"),
    ("item", "条目"),
    ("items", "条目数"),
    ("kept", "保留数"),
    ("key", "项目"),
    ("kind", "类型"),
    ("label", "用途"),
    ("last_error", "最近错误"),
    ("legal_status", "法律状态"),
    ("level", "级别"),
    ("licence_record", "许可备案号"),
    ("limit", "限额"),
    ("limit_per_hour", "每小时上限"),
    ("listed", "名录企业数"),
    ("method", "方式"),
    ("min_experts", "最少专家数"),
    ("mode", "发放方式"),
    ("model", "型号规格"),
    ("month", "月份"),
    ("months", "月份"),
    ("name", "名称"),
    ("new_password", "新密码"),
    ("new_patents", "新增专利"),
    ("new_registrations", "新增备案"),
    ("not_found", "未找到的产品数"),
    ("not_identified", "未认定数"),
    ("note", "说明"),
    ("notice_days", "公示天数"),
    ("notified", "已通知"),
    ("number", "专利号"),
    ("object", "对象"),
    ("objection", "异议"),
    ("of", "总数"),
    ("opens_on", "开始日期"),
    ("opt_in_until", "申请截止日期"),
    ("other_sessions_ended", "结束的其他会话数"),
    ("output_value", "产值"),
    ("ownership", "所有制"),
    ("paid_on", "支付日期"),
    ("parent_name", "上级名称"),
    ("password", "密码"),
    ("patentees", "专利权人"),
    ("patents", "关联专利"),
    ("phone", "电话"),
    ("position", "位置"),
    ("products", "产品数"),
    ("profit", "利润"),
    ("purpose", "开通用途"),
    ("qualifications", "资质"),
    ("rank", "排名"),
    ("rate", "比例"),
    ("reason", "原因"),
    ("reference", "支付凭证号"),
    ("region", "地区"),
    ("region_name", "地区名称"),
    ("regions", "地区"),
    ("registered", "备案数"),
    ("registration_number", "备案编号"),
    ("reissued", "重新发送设置码"),
    ("removed", "移除数"),
    ("resumes", "续跑次数"),
    ("retention_days", "保留天数"),
    ("returned_reason", "退回原因"),
    ("reviewed_in", "审核地区"),
    ("right", "权利类型"),
    ("role", "角色"),
    ("round", "通知轮次"),
    ("rows", "行数"),
    ("rule", "规则编号"),
    ("rule_version", "规则版本"),
    ("sales_revenue", "销售收入"),
    ("scale", "规模"),
    ("sent_to", "发送至"),
    ("session", "会话"),
    ("share_percent", "发放比例（%）"),
    ("signup", "自行注册"),
    ("size", "大小（字节）"),
    ("status", "状态"),
    ("subject", "对象编号"),
    ("title", "专利名称"),
    ("to", "截至时间"),
    ("to_seq", "截止序号"),
    ("tokens_revoked", "撤销的令牌数"),
    ("total", "总分"),
    ("unit", "单位名称"),
    ("until", "截至"),
    ("update", "信息更新"),
    ("user", "用户"),
    ("username", "用户名"),
    ("valid_from", "有效期起"),
    ("valid_to", "有效期止"),
    ("version", "版本"),
    ("warnings", "提示"),
    ("withdrawals", "已撤销"),
    ("withdrawn", "撤销数"),
    ("year", "年度"),
];

/// The Chinese name of a key of an audit detail or of a form, if it is one zhichan uses.
pub fn key_zh(key: &str) -> Option<&'static str> {
    KEYS.iter().find(|(k, _)| *k == key).map(|(_, n)| *n)
}

/// A form error's field path in words: `figures[0].year` → 第1行年度, `patents[1].number` →
/// 第2件专利号, `name` → 名称. Unknown keys stay as they are.
pub fn field_zh(path: &str) -> String {
    let mut out = String::new();
    for part in path.split('.') {
        let (key, index) = match part.split_once('[') {
            Some((k, rest)) => (k, rest.trim_end_matches(']').parse::<usize>().ok()),
            None => (part, None),
        };
        match (key, index) {
            ("figures", Some(i)) => out.push_str(&format!("第{}行", i + 1)),
            ("patents", Some(i)) => out.push_str(&format!("第{}件", i + 1)),
            ("qualifications", Some(i)) => out.push_str(&format!("第{}项资质", i + 1)),
            (k, Some(i)) => out.push_str(&format!("{}第{}项", key_zh(k).unwrap_or(k), i + 1)),
            (k, None) => out.push_str(key_zh(k).unwrap_or(k)),
        }
    }
    out
}

/// A role by name; `cli` is the server's command line (zhichan's own operator).
pub fn role_zh(role: &str) -> Option<&'static str> {
    match role {
        "cli" => Some("服务器命令行"),
        r => r
            .parse::<crate::accounts::Role>()
            .ok()
            .map(|r| r.label_zh()),
    }
}

/// The name of a coded value, given the key it is stored under (an audit detail's, a
/// snapshot's): statuses, legal statuses, scales, ownerships, roles, rights, qualifications,
/// decisions. `None` when the key holds no code or the value is none of its codes.
pub fn value_zh(key: &str, value: &str) -> Option<&'static str> {
    use crate::enterprises::{Ownership, QualificationKind, QualificationLevel, Scale};
    use crate::patents::{LegalStatus, PatentRight};
    use crate::registration::{AmendmentStatus, ProductStatus, UpdateStatus};
    match key {
        "status" => ProductStatus::parse(value)
            .map(|s| s.label_zh())
            .or_else(|_| PortStatus::parse(value).map(|s| s.label_zh()))
            .or_else(|_| AmendmentStatus::parse(value).map(|s| s.label_zh()))
            .or_else(|_| UpdateStatus::parse(value).map(|s| s.label_zh()))
            .ok(),
        "legal_status" => LegalStatus::parse(value).ok().map(|s| s.label_zh()),
        "scale" => Scale::parse(value).ok().map(|s| s.label_zh()),
        "ownership" => Ownership::parse(value).ok().map(|s| s.label_zh()),
        "role" => role_zh(value),
        "action" => crate::access::Action::ALL
            .iter()
            .find(|a| a.as_str() == value)
            .map(|a| a.label_zh()),
        "right" => PatentRight::parse(value).ok().map(|s| s.label_zh()),
        "kind" => QualificationKind::parse(value).ok().map(|s| s.label_zh()),
        "level" => QualificationLevel::parse(value).ok().map(|s| s.label_zh()),
        "outcome" => AuditOutcome::parse(value).ok().map(|s| s.label_zh()),
        "event" => crate::registration::VersionEvent::parse(value)
            .ok()
            .map(|e| e.label_zh()),
        "decision" => match value {
            "approve" => Some("通过"),
            "return" => Some("退回"),
            "reject" => Some("不予开通"),
            _ => None,
        },
        "reason" => match value {
            "locked" => Some("账号已锁定"),
            _ => None,
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_paths_read_as_words() {
        assert_eq!(field_zh("figures[0].year"), "第1行年度");
        assert_eq!(field_zh("patents[1].number"), "第2件专利号");
        assert_eq!(field_zh("qualifications[0].level"), "第1项资质级别");
        assert_eq!(field_zh("name"), "名称");
        assert_eq!(field_zh("contact.phone"), "联系方式电话");
    }

    #[test]
    fn every_action_and_key_has_one_name() {
        for list in [ACTIONS, KEYS] {
            let mut seen = std::collections::BTreeSet::new();
            for (code, name) in list {
                assert!(seen.insert(*code), "{code} twice");
                assert!(!name.is_empty());
            }
        }
        assert_eq!(PortStatus::parse("open").unwrap().label_zh(), "已开通");
        assert_eq!(AuditOutcome::Ok.label_zh(), "成功");
        assert_eq!(value_zh("status", "approved"), Some("备案成功"));
        assert_eq!(value_zh("status", "open"), Some("已开通"));
        assert_eq!(value_zh("role", "auditor"), Some("安全审计员"));
        assert_eq!(value_zh("name", "approved"), None);
    }
}

#[cfg(test)]
mod every_recorded_action {
    use super::*;

    /// Every action string the services, the server and the command line write to the audit
    /// log (a literal `"group.what"` of a known group) has its name and belongs to a group.
    #[test]
    fn has_a_name() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut missing = Vec::new();
        let mut files = Vec::new();
        for dir in ["service/src", "server/src", "zhichan/src"] {
            let mut stack = vec![root.join(dir)];
            while let Some(d) = stack.pop() {
                for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
                    let p = e.path();
                    if p.is_dir() {
                        stack.push(p);
                    } else if p.extension().is_some_and(|x| x == "rs") {
                        files.push(p);
                    }
                }
            }
        }
        assert!(files.len() > 20, "{root:?}");
        for f in files {
            let src = std::fs::read_to_string(&f).unwrap();
            for literal in src.split('"').skip(1).step_by(2) {
                let Some((group, rest)) = literal.split_once('.') else {
                    continue;
                };
                let is_action = !rest.is_empty()
                    && !rest.ends_with("html")
                    && rest
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b == b'_' || b == b'.')
                    && ACTION_GROUPS.iter().any(|(g, _)| *g == group);
                if is_action && audit_action_zh(literal).is_none() {
                    missing.push(format!("{literal} ({})", f.display()));
                }
            }
        }
        assert!(
            missing.is_empty(),
            "audit actions without a name: {missing:#?}"
        );
        for (code, _) in ACTIONS {
            let group = code.split('.').next().unwrap();
            assert!(
                ACTION_GROUPS.iter().any(|(g, _)| *g == group),
                "{code} has no group"
            );
        }
    }
}
