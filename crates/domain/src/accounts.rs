//! Accounts: roles, usernames and the password rules.

use crate::regions::{RegionCode, RegionLevel};
use crate::validation::Violation;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

/// 角色 — what an account is for. An account holds exactly one role, which is also what keeps
/// the three administrators (三员: system, security, audit) apart: no account can be two of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 企业用户
    Enterprise,
    /// 平台审核
    Reviewer,
    /// 管理端口: a national, provincial, city or county IP office
    Admin,
    /// 专家
    Expert,
    /// 高校院所
    University,
    /// 服务机构
    Service,
    /// 系统管理员
    Sysadmin,
    /// 安全管理员
    Secadmin,
    /// 安全审计员
    Auditor,
}

impl Role {
    pub const ALL: [Role; 9] = [
        Role::Enterprise,
        Role::Reviewer,
        Role::Admin,
        Role::Expert,
        Role::University,
        Role::Service,
        Role::Sysadmin,
        Role::Secadmin,
        Role::Auditor,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Enterprise => "enterprise",
            Role::Reviewer => "reviewer",
            Role::Admin => "admin",
            Role::Expert => "expert",
            Role::University => "university",
            Role::Service => "service",
            Role::Sysadmin => "sysadmin",
            Role::Secadmin => "secadmin",
            Role::Auditor => "auditor",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Role::Enterprise => "企业用户",
            Role::Reviewer => "平台审核员",
            Role::Admin => "管理部门",
            Role::Expert => "专家",
            Role::University => "高校院所",
            Role::Service => "服务机构",
            Role::Sysadmin => "系统管理员",
            Role::Secadmin => "安全管理员",
            Role::Auditor => "安全审计员",
        }
    }

    /// One of the three separated administrators (三员分立).
    pub fn is_three_admin(self) -> bool {
        matches!(self, Role::Sysadmin | Role::Secadmin | Role::Auditor)
    }

    /// Roles whose passwords expire by default and whose accounts are administrative.
    pub fn is_administrative(self) -> bool {
        matches!(
            self,
            Role::Admin | Role::Reviewer | Role::Sysadmin | Role::Secadmin | Role::Auditor
        )
    }

    /// Whether an account of this role, at this region, must use a second factor: the three
    /// administrators, and administrators at province level or above.
    pub fn requires_second_factor(self, region: Option<RegionCode>) -> bool {
        match self {
            Role::Sysadmin | Role::Secadmin | Role::Auditor => true,
            Role::Admin => region
                .is_some_and(|r| matches!(r.level(), RegionLevel::Nation | RegionLevel::Province)),
            _ => false,
        }
    }

    /// Whether the role works inside a region (and so must be given one).
    pub fn needs_region(self) -> bool {
        matches!(self, Role::Admin | Role::Reviewer)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = Violation;
    fn from_str(s: &str) -> Result<Self, Violation> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s.trim())
            .ok_or_else(|| {
                let s = crate::validation::echo(s);
                Violation::new(
                    "invalid_role",
                    format!(
                        "角色“{s}”不存在，可选：{}",
                        Role::ALL.map(|r| r.as_str()).join("、")
                    ),
                    format!("unknown role \"{s}\""),
                )
            })
    }
}

/// 用户名: 3–32 characters of letters, digits and `_ . - @`, case-insensitive (stored lower).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Username(String);

impl Username {
    pub fn parse(input: &str) -> Result<Self, Violation> {
        let s = input.trim().to_lowercase();
        let ok_len = (3..=32).contains(&s.chars().count());
        let ok_chars = s
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_.-@".contains(c));
        if ok_len && ok_chars {
            Ok(Username(s))
        } else {
            Err(Violation::new(
                "invalid_username",
                "用户名应为 3 到 32 个字符，只能包含字母、数字和 _ . - @",
                "a username has 3 to 32 letters, digits or _ . - @",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

const COMMON_PASSWORDS: &str = include_str!("../../../data/passwords/common.txt");

fn common_passwords() -> &'static HashSet<&'static str> {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| {
        COMMON_PASSWORDS
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect()
    })
}

/// The minimum length of a password.
pub const MIN_PASSWORD_CHARS: usize = 10;

/// Checks a new password against the rules: at least 10 characters, three of the four classes
/// (upper case, lower case, digits, other), not containing the username, and not one of the
/// commonly used passwords shipped in data/passwords/.
pub fn check_password(username: &str, password: &str) -> Result<(), Violation> {
    let weak = |zh: &str, en: &str| Err(Violation::new("weak_password", zh, en));
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return weak(
            "密码至少需要 10 个字符",
            "a password needs at least 10 characters",
        );
    }
    let classes = [
        password.chars().any(|c| c.is_uppercase()),
        password.chars().any(|c| c.is_lowercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| !c.is_alphanumeric()),
    ]
    .into_iter()
    .filter(|&b| b)
    .count();
    if classes < 3 {
        return weak(
            "密码需包含大写字母、小写字母、数字、符号中的至少三类",
            "a password needs three of: upper case, lower case, digits, symbols",
        );
    }
    let lower = password.to_lowercase();
    let user = username.trim().to_lowercase();
    if !user.is_empty() && lower.contains(&user) {
        return weak(
            "密码不能包含用户名",
            "a password must not contain the username",
        );
    }
    if common_passwords().contains(lower.as_str()) {
        return weak(
            "该密码过于常见，容易被猜中，请换一个",
            "this password is too common",
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_and_unknown_roles_are_named() {
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>().unwrap(), r);
        }
        assert_eq!("root".parse::<Role>().unwrap_err().code, "invalid_role");
    }

    #[test]
    fn second_factor_for_three_admins_and_senior_offices() {
        let code = |s| Some(RegionCode::parse(s).unwrap());
        assert!(Role::Auditor.requires_second_factor(None));
        assert!(Role::Admin.requires_second_factor(code("100000")));
        assert!(Role::Admin.requires_second_factor(code("360000")));
        assert!(!Role::Admin.requires_second_factor(code("361000")));
        assert!(!Role::Enterprise.requires_second_factor(None));
    }

    #[test]
    fn password_rules() {
        assert!(check_password("alice", "Zhichan-2026!").is_ok());
        assert!(check_password("alice", "Short1!").is_err());
        assert!(check_password("alice", "alllowercase1").is_err());
        assert!(
            check_password("alice", "Alice2026-pass").is_err(),
            "contains username"
        );
        assert!(check_password("bob", "P@ssw0rd2026").is_ok());
        for bad in ["short", "alllowercaseletters", "Alice2026-pass"] {
            assert_eq!(
                check_password("alice", bad).unwrap_err().code,
                "weak_password"
            );
        }
    }

    #[test]
    fn usernames_are_folded_and_checked() {
        assert_eq!(Username::parse(" Alice ").unwrap().as_str(), "alice");
        assert!(Username::parse("a").is_err());
        assert!(Username::parse("has space").is_err());
    }
}
