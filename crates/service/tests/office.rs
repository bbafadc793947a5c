//! A directory made with a real office suite: LibreOffice (headless) turns a CSV into an xlsx
//! the way an official's spreadsheet program saves it — date cells as dates, numbers as
//! numbers — and the import reads it. The test command installs LibreOffice; without it this
//! story is skipped, except with `CI=true`, where that fails.

mod common;

use common::*;
use std::process::Command;
use zhichan_service::directories::Imported;
use zhichan_testkit::{on_both_backends, Fresh};

fn soffice() -> Option<&'static str> {
    ["soffice", "libreoffice"].into_iter().find(|b| {
        Command::new(b)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    })
}

async fn a_directory_saved_by_libreoffice_is_imported(fresh: Fresh) {
    let Some(bin) = soffice() else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "LibreOffice is required in CI (the test command installs it)"
        );
        eprintln!("skipped: LibreOffice is not installed");
        return;
    };
    let s = services(&fresh);
    s.prepare_demo().await.unwrap();
    let fuzhou = actor(&s, "adm.fuzhou", "admin", Some("361000"), None).await;
    let tag: u64 = fresh
        .url
        .bytes()
        .fold(7, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
    let dir = std::env::temp_dir().join(format!("zhichan-office-{}-{tag:x}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let csv = dir.join("名录.csv");
    std::fs::write(
        &csv,
        "企业名称,统一社会信用代码,类别,截止日期\n\
         抚州市临川区示例科技有限公司,91361002MA35F6XK04,专精特新,2026-12-31\n\
         抚州市东乡区绿源生物科技有限公司,91361003MA38K2LP73,优势示范企业,2027-06-30\n",
    )
    .unwrap();
    let profile = format!(
        "-env:UserInstallation=file://{}",
        dir.join("profile").display()
    );
    let out = Command::new(bin)
        .args([
            profile.as_str(),
            "--headless",
            "--infilter=CSV:44,34,76,1",
            "--convert-to",
            "xlsx",
            "--outdir",
        ])
        .arg(&dir)
        .arg(&csv)
        .output()
        .unwrap();
    let xlsx = dir.join("名录.xlsx");
    assert!(
        xlsx.exists(),
        "LibreOffice made no xlsx: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bytes = std::fs::read(&xlsx).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    let result = s
        .import_directory(&fuzhou, &ctx(), "LibreOffice 名录", "", "名录.xlsx", &bytes)
        .await
        .unwrap();
    let Imported::Stored { directory, .. } = result else {
        panic!("refused: {result:?}")
    };
    assert_eq!(directory.listed, 2);
    let c = s.directory_coverage(&fuzhou, directory.id).await.unwrap();
    let deadlines: Vec<&str> = c.rows.iter().map(|r| r.entry.deadline.as_str()).collect();
    assert_eq!(
        deadlines,
        ["2026-12-31", "2027-06-30"],
        "date cells read as dates"
    );
}

on_both_backends!(a_directory_saved_by_libreoffice_is_imported);
