//! `blueprint incidents` as scripts run it, on every test database: `--format json` prints the
//! array the API answers (null for a dimension the series do not share), the default a table of
//! one line per incident, and a bad hour or unknown tenant exits 3 with one line.

mod support;

use std::process::Command;

use blueprint_core::testing::{TestDb, test_databases};
use serde_json::Value;
use support::incidents::{seed_shop, shop_incidents_json};

const BIN: &str = env!("CARGO_BIN_EXE_blueprint");

fn incidents(db: &TestDb, root: &std::path::Path, args: &[&str]) -> (i32, String, String) {
    let mut command = Command::new(BIN);
    for (key, _) in std::env::vars() {
        if key.starts_with("BLUEPRINT_") {
            command.env_remove(key);
        }
    }
    let output = command
        .arg("incidents")
        .args(args)
        .env("BLUEPRINT_DATABASE_URL", &db.url)
        .env("BLUEPRINT_EVENTS_URL", root)
        .output()
        .expect("run blueprint");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[tokio::test]
async fn incidents_prints_json_as_the_api_and_a_table_and_refuses_bad_hours() {
    for db in test_databases().await {
        let label = db.label;
        let root = db.scratch_dir().join("events");
        for tenant in ["shop", "acme"] {
            std::fs::create_dir_all(root.join(tenant)).unwrap();
        }
        let services = db.services(&root);
        blueprint_core::tenants::discover_tenants(&services)
            .await
            .unwrap();
        let (release, overall, _) = seed_shop(&services).await;
        let range = [
            "--tenant",
            "shop",
            "--from",
            "2026-10-30T00",
            "--to",
            "2026-11-02T00",
        ];

        let mut json_args = range.to_vec();
        json_args.extend(["--format", "json"]);
        let (code, out, err) = incidents(&db, &root, &json_args);
        assert_eq!(code, 0, "{label}: {err}");
        let printed: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(printed, shop_incidents_json(release, overall), "{label}");
        let mut filtered = json_args.clone();
        filtered.extend(["--kind", "spike"]);
        let (code, out, _) = incidents(&db, &root, &filtered);
        assert_eq!(code, 0);
        let spikes: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(spikes.as_array().unwrap().len(), 1, "{label}");
        assert_eq!(spikes[0]["id"], overall);

        let (code, out, err) = incidents(&db, &root, &range);
        assert_eq!(code, 0, "{label}: {err}");
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 2, "{out}");
        assert!(
            lines[0].contains("drop") && lines[0].contains("open"),
            "{out}"
        );
        assert!(
            lines[0].contains("2026-11-01T00:00:00Z → 2026-11-01T03:00:00Z"),
            "{out}"
        );
        assert!(lines[0].contains("2 series on Shop 2.0 (iOS)"), "{out}");
        assert!(lines[0].contains("30 vs 102 expected (-71 %)"), "{out}");
        assert!(lines[1].contains("spike") && lines[1].contains("500 vs 200 expected (+150 %)"));

        // Errors: exit 3 with one line on stderr.
        for (args, needle) in [
            (
                vec![
                    "--tenant",
                    "shop",
                    "--from",
                    "2026-11-01T25",
                    "--to",
                    "2026-11-02T00",
                ],
                "2026-11-01T25",
            ),
            (
                vec![
                    "--tenant",
                    "shop",
                    "--from",
                    "2026-11-02T00",
                    "--to",
                    "2026-11-01T00",
                ],
                "is empty",
            ),
            (
                vec![
                    "--tenant",
                    "nowhere",
                    "--from",
                    "2026-11-01T00",
                    "--to",
                    "2026-11-02T00",
                ],
                "nowhere",
            ),
            (
                vec![
                    "--tenant",
                    "shop",
                    "--from",
                    "2026-11-01T00",
                    "--to",
                    "2026-11-02T00",
                    "--state",
                    "sleeping",
                ],
                "sleeping",
            ),
        ] {
            let (code, out, err) = incidents(&db, &root, &args);
            assert_eq!(code, 3, "{args:?} on {label}: {out}{err}");
            assert_eq!(err.trim().lines().count(), 1, "{err}");
            assert!(err.contains(needle), "{args:?}: {err}");
            assert!(out.is_empty(), "{out}");
        }
    }
}
