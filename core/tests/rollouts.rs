//! Roll-outs on generated data (`rollout_fixture`), on both databases: each candidate version that
//! appears as news opens a roll-out against the version it replaces; after every ingested hour
//! the open ones are judged. One version loses a third of its screen loads per session on one
//! platform (fails, at the first stage with enough data), its twin on the other platform is
//! healthy (passes), one stops sending an event (fails on coverage), and one has too little
//! traffic (inconclusive, never fail). Each change of verdict is recorded once and told.

use blueprint_core::accounts::{Role, ServiceError};
use blueprint_core::hour::Hour;
use blueprint_core::ingestion::Trigger;
use blueprint_core::notify::{self, InboxQuery};
use blueprint_core::pipeline;
use blueprint_core::rollouts;
use blueprint_core::testing::{actor, test_databases};
use blueprint_demo::rollouts::{self as rollout_fixture, HOURS};
use blueprint_types::notify::WatchRequest;
use blueprint_types::rollouts::{OpenRollout, Plan, RolloutEdit, RolloutReport};

fn target(app: &str, platform: &str, version: &str) -> OpenRollout {
    OpenRollout {
        application: app.into(),
        platform: platform.into(),
        version: version.into(),
        baseline: None,
    }
}

fn check<'a>(report: &'a RolloutReport, name: &str) -> &'a blueprint_types::rollouts::Check {
    report
        .evaluation
        .as_ref()
        .unwrap()
        .checks
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no check {name}"))
}

#[tokio::test]
async fn candidates_are_judged_stage_by_stage() {
    for db in test_databases().await {
        let label = db.label;
        let root = db.scratch_dir().join("events");
        let start = Hour::containing(chrono::Utc::now()).plus(-(HOURS + 2));
        rollout_fixture::write(&root, "shop", start.start()).unwrap();
        let services = db.services(&root);
        // The first hour is the tenant's baseline; then a watcher of Shop joins.
        pipeline::ingest_hour(&services, "shop", start, Trigger::Cli, None, 1)
            .await
            .unwrap();
        let watcher = actor(
            &services,
            "release@example.com",
            false,
            &[("shop", Role::Owner)],
        )
        .await;
        notify::watch_as(
            &services,
            &watcher,
            &WatchRequest {
                tenant: "shop".into(),
                target: "application".into(),
                name: Some("Shop".into()),
                news: Some(vec!["rollout".into()]),
            },
        )
        .await
        .unwrap();
        for offset in 1..HOURS {
            pipeline::ingest_hour(&services, "shop", start.plus(offset), Trigger::Cli, None, 1)
                .await
                .unwrap();
        }

        let list = rollouts::list_for(&services, "shop").await.unwrap();
        let mut opened: Vec<String> = list
            .iter()
            .map(|r| {
                format!(
                    "{} {} {} vs {} by {}",
                    r.application, r.platform, r.candidate, r.baseline, r.opened_by
                )
            })
            .collect();
        opened.sort();
        assert_eq!(
            opened,
            [
                "Shop Android 3.2 vs 3.1 by automatic",
                "Shop iOS 3.2 vs 3.1 by automatic",
                "Tiny iOS 1.1 vs 1.0 by automatic",
                "Travel Android 5.1 vs 5.0 by automatic",
            ],
            "{label}"
        );

        // Shop on Android lost a third of its screen loads per session: fail, and it failed at
        // the first stage at which there was enough traffic to decide anything.
        let (broken, verdict) =
            rollouts::status(&services, "shop", &target("Shop", "Android", "3.2"), None)
                .await
                .unwrap();
        assert_eq!(verdict, "fail", "{label}: {broken:#?}");
        let loads = check(&broken, "screen loads per session");
        assert_eq!(loads.verdict, "fail");
        assert!(
            loads.change.unwrap() < -0.25 && loads.change.unwrap() > -0.42,
            "{loads:?}"
        );
        assert!(loads.high.unwrap() < -0.10, "{loads:?}");
        // Judged first of the two headline rates, at 2.5 % / 2: its interval is a 98.75 % one.
        assert!((loads.level.unwrap() - 0.9875).abs() < 1e-9, "{loads:?}");
        assert!(
            loads
                .detail
                .contains("98.75 % interval) lies outside ±10.0 %"),
            "{loads:?}"
        );
        let verdicts: Vec<(i32, &str)> = broken
            .history
            .iter()
            .map(|h| (h.stage, h.verdict.as_str()))
            .collect();
        let first_decided = verdicts.iter().find(|(_, v)| *v != "inconclusive").unwrap();
        assert_eq!(first_decided.1, "fail", "{verdicts:?}");
        assert_eq!(
            first_decided.0, verdicts[0].0,
            "failed at the first stage reached"
        );
        assert!(!verdicts.iter().any(|(_, v)| *v == "pass"), "{verdicts:?}");

        // Its healthy twin on iOS passes; nothing ever failed.
        let (healthy, verdict) =
            rollouts::status(&services, "shop", &target("Shop", "iOS", "3.2"), None)
                .await
                .unwrap();
        assert_eq!(verdict, "pass", "{label}: {:#?}", healthy.evaluation);
        assert!(healthy.history.iter().all(|h| h.verdict != "fail"));
        let loads = check(&healthy, "screen loads per session");
        assert!(
            loads.low.unwrap() >= -0.10 && loads.high.unwrap() <= 0.10,
            "{loads:?}"
        );

        // Travel stopped sending `share`: coverage fails and names it.
        let (travel, verdict) =
            rollouts::status(&services, "shop", &target("Travel", "Android", "5.1"), None)
                .await
                .unwrap();
        assert_eq!(verdict, "fail", "{label}");
        let coverage = check(&travel, "events the baseline sends");
        assert_eq!(coverage.verdict, "fail");
        assert!(
            coverage.missing.len() == 1
                && coverage.missing[0].starts_with("“share” (expected about"),
            "{coverage:?}"
        );
        assert_eq!(check(&travel, "screen loads per session").verdict, "pass");

        // Tiny has too little traffic: inconclusive, never fail, although its loads are halved.
        let (tiny, verdict) =
            rollouts::status(&services, "shop", &target("Tiny", "iOS", "1.1"), None)
                .await
                .unwrap();
        assert_eq!(verdict, "inconclusive", "{label}");
        let evaluation = tiny.evaluation.as_ref().unwrap();
        assert!(
            evaluation.reason.starts_with("too little traffic"),
            "{}",
            evaluation.reason
        );
        assert!(evaluation.checks.iter().all(|c| c.verdict != "fail"));
        assert!(tiny.history.iter().all(|h| h.verdict != "fail"));
        // A stage not reached yet is "not yet".
        let (_, verdict) = rollouts::status(
            &services,
            "shop",
            &target("Shop", "Android", "3.2"),
            Some(100),
        )
        .await
        .unwrap();
        assert_eq!(verdict, "pending");

        // Evaluating again changes nothing that was recorded; every change was told once.
        let before = broken.history.len();
        let (again, _) =
            rollouts::status(&services, "shop", &target("Shop", "Android", "3.2"), None)
                .await
                .unwrap();
        assert_eq!(again.history.len(), before);
        let inbox = notify::inbox_of(
            &services,
            &watcher,
            &InboxQuery {
                kind: Some("rollout".into()),
                limit: 100,
                ..InboxQuery::default()
            },
        )
        .await
        .unwrap();
        let shop_changes = broken.history.len() + healthy.history.len();
        assert_eq!(
            inbox.items.len(),
            shop_changes,
            "{label}: {:#?}",
            inbox.items
        );
        assert!(
            inbox.items.iter().any(|i| i
                .title
                .starts_with("Roll-out of Shop 3.2 (Android) against 3.1 at ")
                && i.title.contains(": fail — screen loads per session")),
            "{:#?}",
            inbox.items
        );

        // Owners pause and close; bad edits change nothing.
        let id = broken.rollout.id;
        let bad = rollouts::edit_as(
            &services,
            &watcher,
            id,
            &RolloutEdit {
                state: Some("finished".into()),
                plan: None,
            },
        )
        .await;
        assert!(
            bad.unwrap_err()
                .to_string()
                .contains("not open, paused or closed")
        );
        let mut plan = broken.plan.clone();
        plan.stages = vec![50, 5];
        let bad = rollouts::edit_as(
            &services,
            &watcher,
            id,
            &RolloutEdit {
                state: None,
                plan: Some(plan),
            },
        )
        .await;
        assert!(bad.unwrap_err().to_string().contains("not ascending"));
        let paused = rollouts::edit_as(
            &services,
            &watcher,
            id,
            &RolloutEdit {
                state: Some("paused".into()),
                plan: None,
            },
        )
        .await
        .unwrap();
        assert_eq!(paused.rollout.state, "paused");
        assert_eq!(paused.plan, broken.plan);

        // By hand: any candidate against any baseline; the same candidate finds its roll-out.
        let again = rollouts::open(
            &services,
            Some(&watcher),
            "shop",
            &OpenRollout {
                baseline: Some("3.1".into()),
                ..target("Shop", "iOS", "3.2")
            },
        )
        .await
        .unwrap();
        assert_eq!(again.rollout.id, healthy.rollout.id);
        let err = rollouts::open(
            &services,
            Some(&watcher),
            "shop",
            &target("Shop", "iOS", "9.9"),
        )
        .await
        .unwrap_err();
        assert!(err.to_string().contains("has no version 9.9"), "{err}");
        assert_eq!(
            rollouts::list_for(&services, "shop").await.unwrap().len(),
            4
        );

        // The tenant's default plan: owners set it; a bad one is refused and changes nothing.
        let plan = Plan {
            stages: vec![2, 10, 100],
            tolerance: 0.05,
            ..Plan::default()
        };
        rollouts::set_default_plan_as(&services, &watcher, "shop", &plan)
            .await
            .unwrap();
        let bad = Plan {
            tolerance: 0.0,
            ..Plan::default()
        };
        let err = rollouts::set_default_plan_as(&services, &watcher, "shop", &bad)
            .await
            .unwrap_err();
        assert!(err.to_string().contains("is not between 0 and 1"), "{err}");
        assert_eq!(
            rollouts::default_plan_as(&services, &watcher, "shop")
                .await
                .unwrap(),
            plan
        );
        // Members read it, only owners and admins may change it.
        let reader = actor(
            &services,
            "reader@example.com",
            false,
            &[("shop", Role::Viewer)],
        )
        .await;
        let seen = rollouts::tenant_plan_as(&services, &reader, "shop")
            .await
            .unwrap();
        assert_eq!((seen.plan, seen.can_manage), (plan.clone(), false));
        assert!(
            rollouts::tenant_plan_as(&services, &watcher, "shop")
                .await
                .unwrap()
                .can_manage
        );
        let err = rollouts::set_default_plan_as(&services, &reader, "shop", &Plan::default())
            .await
            .unwrap_err();
        assert!(matches!(err, ServiceError::Forbidden), "{err}");
        assert_eq!(
            rollouts::default_plan_as(&services, &reader, "shop")
                .await
                .unwrap(),
            plan
        );
    }
}
