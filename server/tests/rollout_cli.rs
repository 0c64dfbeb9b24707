//! `blueprint rollout open|status` as a release pipeline runs them, on generated data
//! (`rollout_fixture`): `status` exits 0 for a pass, 1 for a fail, 2 for inconclusive or a stage
//! not reached yet, and 3 with one line on an error; `open` opens any candidate against any
//! baseline, or finds the candidate's roll-out.

use std::process::{Command, Output};

use blueprint_core::hour::Hour;
use blueprint_core::ingestion::Trigger;
use blueprint_core::pipeline;
use blueprint_core::testing::{TestDb, test_databases};
use blueprint_demo::rollouts::{self as rollout_fixture, HOURS};

const BIN: &str = env!("CARGO_BIN_EXE_blueprint");

fn rollout(db: &TestDb, root: &std::path::Path, args: &[&str]) -> Output {
    let mut command = Command::new(BIN);
    for (key, _) in std::env::vars() {
        if key.starts_with("BLUEPRINT_") {
            command.env_remove(key);
        }
    }
    command
        .arg("rollout")
        .args(args)
        .env("BLUEPRINT_DATABASE_URL", &db.url)
        .env("BLUEPRINT_EVENTS_URL", root)
        .output()
        .expect("run blueprint")
}

fn target<'a>(app: &'a str, platform: &'a str, version: &'a str) -> Vec<&'a str> {
    vec![
        "--tenant",
        "shop",
        "--application",
        app,
        "--platform",
        platform,
        "--version",
        version,
    ]
}

fn status(db: &TestDb, root: &std::path::Path, args: &[&str]) -> (i32, String, String) {
    let mut all = vec!["status"];
    all.extend_from_slice(args);
    let output = rollout(db, root, &all);
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[tokio::test]
async fn rollout_status_exits_with_its_verdict() {
    for db in test_databases().await {
        let label = db.label;
        let root = db.scratch_dir().join("events");
        let start = Hour::containing(chrono::Utc::now()).plus(-(HOURS + 2));
        rollout_fixture::write(&root, "shop", start.start()).unwrap();
        let services = db.services(&root);
        for offset in 0..HOURS {
            pipeline::ingest_hour(&services, "shop", start.plus(offset), Trigger::Cli, None, 1)
                .await
                .unwrap();
        }

        let (code, out, err) = status(&db, &root, &target("Shop", "Android", "3.2"));
        assert_eq!(code, 1, "{label}: {out}{err}");
        assert!(out.contains("verdict: fail at stage"), "{out}");
        assert!(
            out.lines()
                .any(|l| l.trim_start().starts_with("fail")
                    && l.contains("screen loads per session")),
            "{out}"
        );
        let (code, out, err) = status(&db, &root, &target("Shop", "iOS", "3.2"));
        assert_eq!(code, 0, "{label}: {out}{err}");
        assert!(out.contains("verdict: pass at stage"), "{out}");
        let (code, out, _) = status(&db, &root, &target("Tiny", "iOS", "1.1"));
        assert_eq!(code, 2, "{out}");
        assert!(out.contains("reason: too little traffic"), "{out}");
        let mut at_full = target("Shop", "iOS", "3.2");
        at_full.extend(["--stage", "100"]);
        let (code, out, err) = status(&db, &root, &at_full);
        assert_eq!(code, 2, "{out}");
        assert!(err.contains("has not reached 100 % yet"), "{err}");
        // The report as JSON, as the API gives it.
        let mut json = target("Travel", "Android", "5.1");
        json.extend(["--format", "json"]);
        let (code, out, _) = status(&db, &root, &json);
        assert_eq!(code, 1);
        let report: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(report["evaluation"]["verdict"], "fail");
        assert_eq!(report["rollout"]["candidate"], "5.1");

        // Errors: exit 3 with one line, and nothing opened.
        for (args, needle) in [
            (
                target("Shop", "iOS", "9.9"),
                "Shop (iOS) has no version 9.9",
            ),
            (
                target("Nope", "iOS", "1.0"),
                "has no application Nope on iOS",
            ),
            (
                {
                    let mut t = target("Shop", "iOS", "3.2");
                    t.extend(["--stage", "0"]);
                    t
                },
                "--stage 0 is not a percentage",
            ),
            (
                target("Shop", "iOS", "3.1"),
                "has no roll-out; open one with",
            ),
        ] {
            let (code, _, err) = status(&db, &root, &args);
            assert_eq!(code, 3, "{args:?}: {err}");
            let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
            assert_eq!(lines.len(), 1, "{err}");
            assert!(
                lines[0].starts_with("blueprint: ") && lines[0].contains(needle),
                "{err}"
            );
        }

        // `open` by hand: the old version against the new one; then it is found again.
        let mut open = vec!["open"];
        open.extend(target("Shop", "iOS", "3.1"));
        open.extend(["--baseline", "3.2"]);
        let first = rollout(&db, &root, &open);
        assert_eq!(
            first.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&first.stderr)
        );
        let printed = String::from_utf8_lossy(&first.stdout);
        assert!(
            printed.contains(": Shop 3.1 (iOS) against 3.2 [open]"),
            "{printed}"
        );
        let second = rollout(&db, &root, &open);
        assert_eq!(printed, String::from_utf8_lossy(&second.stdout));
        let (code, _, _) = status(&db, &root, &target("Shop", "iOS", "3.1"));
        assert!((0..=2).contains(&code), "{label}: a verdict, not an error");
    }
}
