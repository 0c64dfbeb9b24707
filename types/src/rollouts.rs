//! Roll-outs as the pages, the API and the command line show them. Hours are
//! `YYYY-MM-DDTHH:00:00Z`; changes are relative (`-0.33` is 33 % lower than the baseline).

use serde::{Deserialize, Serialize};

/// A name outside one of the closed sets below: what was read, and the names it could have been.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{text}` is not one of {}", expected.join(", "))]
pub struct UnknownName {
    pub text: String,
    pub expected: &'static [&'static str],
}

/// A closed set of names, stored and sent as exactly these strings: the enum, `as_str`, `FromStr`,
/// `Display` (which pads like a string) and comparison with a name.
macro_rules! closed_set {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant,)+
        }

        impl $name {
            /// Every name of the set.
            pub const NAMES: &'static [&'static str] = &[$($text),+];

            /// The name as stored and sent.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::rollouts::UnknownName;

            fn from_str(text: &str) -> Result<Self, $crate::rollouts::UnknownName> {
                match text {
                    $($text => Ok($name::$variant),)+
                    _ => Err($crate::rollouts::UnknownName {
                        text: text.to_owned(),
                        expected: $name::NAMES,
                    }),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.pad(self.as_str())
            }
        }

        /// Compares with a name as it is stored, so a check reads `verdict == "fail"` in tests.
        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.as_str() == *other
            }
        }
    };
}

pub(crate) use closed_set;

closed_set! {
    /// Whether a roll-out is evaluated after each ingested hour.
    RolloutState {
        /// Evaluated after every ingested hour.
        Open = "open",
        /// Keeps its last evaluation until resumed.
        Paused = "paused",
        /// Done; opening the candidate again reopens it.
        Closed = "closed",
    }
}

closed_set! {
    /// The verdict of a roll-out, of one of its stages, or of an evaluation.
    Verdict {
        /// No stage reached, or nothing to compare yet.
        Pending = "pending",
        Pass = "pass",
        Fail = "fail",
        /// Too little traffic, or an interval that straddles the tolerance.
        Inconclusive = "inconclusive",
    }
}

closed_set! {
    /// The outcome of one check of an evaluation.
    CheckVerdict {
        Pass = "pass",
        Fail = "fail",
        Inconclusive = "inconclusive",
    }
}

impl From<CheckVerdict> for Verdict {
    fn from(check: CheckVerdict) -> Self {
        match check {
            CheckVerdict::Pass => Verdict::Pass,
            CheckVerdict::Fail => Verdict::Fail,
            CheckVerdict::Inconclusive => Verdict::Inconclusive,
        }
    }
}

closed_set! {
    /// What a check measures.
    CheckKind {
        /// A count per session.
        Rate = "rate",
        /// An event's share of all events (screen loads aside).
        Mix = "mix",
        /// Whether the candidate sends what the baseline sends.
        Coverage = "coverage",
    }
}

/// A relative change as people read it: `+4.0 %`, `−31.6 %`, `0.0 %`.
pub fn signed_percent(x: f64) -> String {
    let sign = if x > 0.0 {
        "+"
    } else if x < 0.0 {
        "−"
    } else {
        ""
    };
    format!("{sign}{:.1} %", x.abs() * 100.0)
}

/// An interval's confidence level as people read it: `95 %`, `98.75 %`, `99.58 %` (at most two
/// decimals, trailing zeros dropped); a check without a recorded level was judged at 95 %.
pub fn level_percent(level: Option<f64>) -> String {
    let text = format!("{:.2}", level.unwrap_or(0.95) * 100.0);
    let text = text.trim_end_matches('0').trim_end_matches('.');
    format!("{text} %")
}

/// The default stages: the candidate's share of the two versions' sessions, in percent.
pub const DEFAULT_STAGES: [i32; 5] = [1, 5, 20, 50, 100];

/// How a roll-out is judged.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Plan {
    /// Stages in percent, ascending.
    pub stages: Vec<i32>,
    /// The relative change a rate may show and still pass (0.10: ±10 %).
    pub tolerance: f64,
    /// Sessions each version needs over the compared hours before anything is decided.
    pub min_sessions: i64,
    /// Coverage ignores what the baseline sent fewer times than this.
    pub min_count: i64,
    /// How many of the baseline's top events and screens get their own checks.
    pub top: usize,
}

impl Default for Plan {
    fn default() -> Self {
        Self {
            stages: DEFAULT_STAGES.to_vec(),
            tolerance: 0.10,
            min_sessions: 100,
            min_count: 50,
            top: 10,
        }
    }
}

impl Plan {
    /// Reads a plan as a form writes it: stages as percentages separated by commas or spaces
    /// (`1, 5, 20, 50, 100`), the tolerance in percent (`10` is ±10 %), and the three counts.
    /// Errors name the field and what was typed; ranges are checked by the server's plan check.
    pub fn from_form(
        stages: &str,
        tolerance_percent: &str,
        min_sessions: &str,
        min_count: &str,
        top: &str,
    ) -> Result<Plan, String> {
        fn whole<T: std::str::FromStr>(field: &str, text: &str) -> Result<T, String> {
            text.trim()
                .parse()
                .map_err(|_| format!("{field} `{}` is not a whole number", text.trim()))
        }
        let stages = stages
            .split(|c: char| c == ',' || c.is_whitespace())
            .map(|s| s.trim_end_matches('%'))
            .filter(|s| !s.is_empty())
            .map(|s| whole::<i32>("stage", s))
            .collect::<Result<Vec<_>, _>>()?;
        if stages.is_empty() {
            return Err("give at least one stage, e.g. `1, 5, 20, 50, 100`".into());
        }
        let text = tolerance_percent.trim().trim_end_matches('%').trim();
        let tolerance = text
            .parse::<f64>()
            .ok()
            .filter(|t| t.is_finite())
            .ok_or_else(|| format!("tolerance `{text}` is not a number of percent, e.g. `10`"))?;
        if !(tolerance > 0.0 && tolerance < 100.0) {
            return Err(format!(
                "a tolerance of {text} % is not between 0 and 100 % (10 is ±10 %)"
            ));
        }
        let at_least_one = |field: &str, text: &str| -> Result<i64, String> {
            let n: i64 = whole(field, text)?;
            if n < 1 {
                return Err(format!("{field} must be at least 1, not {n}"));
            }
            Ok(n)
        };
        let top = at_least_one("top", top)?;
        Ok(Plan {
            stages,
            tolerance: tolerance / 100.0,
            min_sessions: at_least_one("minimum sessions", min_sessions)?,
            min_count: at_least_one("minimum count", min_count)?,
            top: usize::try_from(top).unwrap_or(usize::MAX),
        })
    }
}

/// `GET /t/{tenant}/rollouts`' plan form: the plan new roll-outs start with, and whether the caller
/// may change it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TenantPlan {
    pub plan: Plan,
    pub can_manage: bool,
}

/// One hour of a rate check: the candidate's rate relative to the baseline's in that hour.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HourChange {
    pub hour: String,
    /// None when the baseline sent none in the hour.
    pub change: Option<f64>,
    /// Each version's rate in the hour (per session, or share of events).
    pub candidate_rate: f64,
    pub baseline_rate: f64,
    pub candidate_sessions: i64,
    pub baseline_sessions: i64,
}

/// One check of an evaluation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Check {
    /// `rate` (per session), `mix` (share of all events) or `coverage`.
    pub kind: CheckKind,
    /// What is checked, e.g. `screen loads per session`, `addToCart per session`.
    pub name: String,
    /// Headline checks must pass for the stage to pass; the others can only fail it (and their
    /// intervals are wider: a stage shares its 5 % chance of a false fail among them).
    pub headline: bool,
    /// `pass`, `fail` or `inconclusive`.
    pub verdict: CheckVerdict,
    /// The candidate's and the baseline's value over the compared hours (rates and shares).
    pub candidate: Option<f64>,
    pub baseline: Option<f64>,
    /// The estimated relative change and its interval, at `level`.
    pub change: Option<f64>,
    pub low: Option<f64>,
    pub high: Option<f64>,
    /// The interval's confidence level (`0.9875`: a 98.75 % interval), the level the check is
    /// judged at; none for coverage (and in reports stored before levels were recorded: 95 %).
    #[serde(default)]
    pub level: Option<f64>,
    /// Per-hour changes (rate and mix checks).
    #[serde(default)]
    pub hours: Vec<HourChange>,
    /// Coverage: what the candidate lacks (or sends with a new type).
    #[serde(default)]
    pub missing: Vec<String>,
    /// Why, in a sentence.
    pub detail: String,
}

/// An evaluation of a roll-out on the ledger as it stands.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Evaluation {
    /// The candidate's share of the two versions' sessions over the last 24 ingested hours.
    pub share: f64,
    /// The highest stage the share reaches, if any.
    pub stage: Option<i32>,
    /// `pending` (no stage reached, or nothing to compare yet), `pass`, `fail` or `inconclusive`.
    pub verdict: Verdict,
    pub reason: String,
    pub latest_hour: Option<String>,
    /// Hours in which both versions had sessions (the ones compared).
    pub hours_compared: usize,
    pub candidate_sessions: i64,
    pub baseline_sessions: i64,
    pub checks: Vec<Check>,
}

/// A recorded change of a stage's verdict.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StageVerdict {
    pub stage: i32,
    pub verdict: Verdict,
    pub share: f64,
    pub latest_hour: String,
    pub reason: String,
    pub at: String,
}

/// A roll-out as the list shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RolloutSummary {
    pub id: i64,
    pub tenant: String,
    pub application: String,
    pub platform: String,
    pub candidate: String,
    pub baseline: String,
    /// `open`, `paused` or `closed`.
    pub state: RolloutState,
    pub opened_by: String,
    pub stage: Option<i32>,
    pub verdict: Verdict,
    pub share: Option<f64>,
    pub latest_hour: Option<String>,
    pub created_at: String,
    /// Why it fails, in a sentence (the latest evaluation's reason); only on a failing one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// `GET /api/v1/rollouts/{id}`: the roll-out, its plan, the latest evaluation and the history.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RolloutReport {
    pub rollout: RolloutSummary,
    pub plan: Plan,
    pub evaluation: Option<Evaluation>,
    pub history: Vec<StageVerdict>,
    /// The caller may pause, close or edit it.
    #[serde(default)]
    pub can_manage: bool,
}

/// `POST /api/v1/tenants/{tenant}/rollouts`: open one by hand (or find the open one).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OpenRollout {
    pub application: String,
    pub platform: String,
    pub version: String,
    /// The baseline version; none: the one with the most sessions in the last 24 hours.
    #[serde(default)]
    pub baseline: Option<String>,
}

/// `PATCH /api/v1/rollouts/{id}`: pause, resume or close it, or change its plan.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RolloutEdit {
    /// `open`, `paused` or `closed` as typed; checked by the server, which names a wrong one.
    #[serde(default)]
    pub state: Option<String>,
    #[serde(default)]
    pub plan: Option<Plan>,
}

#[cfg(test)]
mod tests {
    use super::{CheckKind, CheckVerdict, Plan, RolloutState, UnknownName, Verdict, level_percent};

    #[test]
    fn levels_read_as_percent() {
        assert_eq!(level_percent(Some(0.9875)), "98.75 %");
        assert_eq!(level_percent(Some(1.0 - 0.025 / 6.0)), "99.58 %");
        assert_eq!(level_percent(Some(0.99)), "99 %");
        assert_eq!(level_percent(None), "95 %");
    }

    #[test]
    fn names_read_and_print_as_stored() {
        for name in RolloutState::NAMES {
            assert_eq!(name.parse::<RolloutState>().unwrap().as_str(), *name);
        }
        assert_eq!(CheckKind::NAMES, ["rate", "mix", "coverage"]);
        assert_eq!(CheckVerdict::Inconclusive.to_string(), "inconclusive");
        assert_eq!("pending".parse(), Ok(Verdict::Pending));
        assert_eq!(Verdict::from(CheckVerdict::Pass), Verdict::Pass);
        assert_eq!(
            "finished".parse::<RolloutState>(),
            Err(UnknownName {
                text: "finished".into(),
                expected: &["open", "paused", "closed"]
            })
        );
        assert_eq!(format!("[{:<6}]", Verdict::Fail), "[fail  ]");
    }

    #[test]
    fn a_plan_reads_from_its_form() {
        let plan = Plan::from_form(" 2, 10 50,100% ", "15 %", "200", " 30 ", "5").unwrap();
        assert_eq!(
            plan,
            Plan {
                stages: vec![2, 10, 50, 100],
                tolerance: 0.15,
                min_sessions: 200,
                min_count: 30,
                top: 5
            }
        );
        let err = |s: &str, t: &str, m: &str| Plan::from_form(s, t, m, "50", "10").unwrap_err();
        assert_eq!(
            err("1, five", "10", "100"),
            "stage `five` is not a whole number"
        );
        assert_eq!(
            err(" , ", "10", "100"),
            "give at least one stage, e.g. `1, 5, 20, 50, 100`"
        );
        assert_eq!(
            err("1", "ten", "100"),
            "tolerance `ten` is not a number of percent, e.g. `10`"
        );
        assert_eq!(
            err("1", "10", "1e3"),
            "minimum sessions `1e3` is not a whole number"
        );
        let range = "a tolerance of 150 % is not between 0 and 100 % (10 is ±10 %)";
        assert_eq!(err("1", "150", "100"), range);
        assert_eq!(err("1", "0", "100"), range.replace("150", "0"));
        assert_eq!(
            err("1", "10", "0"),
            "minimum sessions must be at least 1, not 0"
        );
        let spaced = Plan::from_form("5 %, 50 %", "10", "1", "1", "1").unwrap();
        assert_eq!(spaced.stages, [5, 50]);
    }
}
