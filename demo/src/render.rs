//! Writes one planned event as a Segment-style JSON line and says, from what it placed where, what
//! the `segment` preset must read from it (dimensions, session, time class, keys).

use crate::catalog::{
    AppDef, EventDef, PlatformAt, PlatformDef, ScreenAt, SessionStyle, TenantDef, VersionDef, WEB,
};
use crate::context::{Placed, context, kv, page_path};
use crate::json::J;
use crate::ledger::Accepted;
use crate::props::{PropCx, properties};
use crate::rng::Rng;
use crate::timestamps::timestamps;

#[derive(Clone, Copy)]
pub(crate) struct Source {
    pub app: &'static AppDef,
    pub platform: &'static PlatformDef,
    pub version: &'static VersionDef,
}

#[derive(Clone, Copy)]
pub(crate) enum Call {
    /// A `screen` call (`page` on the web).
    Screen,
    /// A `track` call; background events carry no screen.
    Track(&'static EventDef),
    Identify,
}

/// Rule-exercising oddities of the event name.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Quirk {
    None,
    /// `"event": ""` on a track call: the event is `track` (from `type`).
    EmptyEvent,
    /// `"event": null` on a screen call: the event is `screen`.
    NullEvent,
    /// `"event": 404` from a legacy tracker: the event is `404`.
    NumericEvent,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum TimeMode {
    /// The event's own time (`offset_ms`, which may fall up to 1 h before or 2 h after the hour).
    Own,
    /// This far from the folder's hour start instead (skewed, or right on the window's edges).
    At(i64),
    Untimed,
}

#[derive(Clone)]
pub(crate) struct Planned {
    /// When it happened, relative to the folder's hour start.
    pub offset_ms: i64,
    /// `None` for back-end events with no `context`.
    pub source: Option<Source>,
    pub session: Option<String>,
    /// The device (stable per session): anonymous id, user id, locale.
    pub device: u64,
    pub screen: Option<&'static str>,
    pub call: Call,
    pub quirk: Quirk,
    pub time: TimeMode,
}

fn first(c: &[Option<String>]) -> String {
    c.iter()
        .flatten()
        .next()
        .cloned()
        .unwrap_or_else(|| "(none)".to_string())
}

pub(crate) fn render(
    tenant: &TenantDef,
    p: &Planned,
    hour_ms: i64,
    rng: &mut Rng,
) -> (String, Accepted) {
    let mut placed = Placed::default();
    let mut root = Vec::with_capacity(14);
    let web = p.source.is_some_and(|s| s.app.kind == WEB);
    let background = matches!(p.call, Call::Track(d) if d.background());
    // Event name: `event`, then `type`.
    let (ty, event) = match p.call {
        Call::Screen => (if web { "page" } else { "screen" }, None),
        Call::Track(d) => ("track", Some(d.name)),
        Call::Identify => ("identify", None),
    };
    kv(&mut root, "type", J::str(ty));
    let event_name = match (p.quirk, event) {
        (Quirk::EmptyEvent, Some(_)) => {
            kv(&mut root, "event", J::str(""));
            ty.to_string()
        }
        (Quirk::NumericEvent, Some(_)) => {
            kv(&mut root, "event", J::Num("404".into()));
            "404".to_string()
        }
        (_, Some(name)) => {
            kv(&mut root, "event", J::str(name));
            name.to_string()
        }
        (Quirk::NullEvent, None) => {
            kv(&mut root, "event", J::Null);
            ty.to_string()
        }
        (_, None) => ty.to_string(),
    };
    if let (Call::Screen, Some(s)) = (p.call, p.screen)
        && (!web || rng.pct(75))
    {
        kv(&mut root, "name", J::str(s));
        placed.screen[2] = Some(s.to_string());
    }
    kv(&mut root, "messageId", J::Str(rng.hex(24)));
    if p.source.is_some() {
        kv(
            &mut root,
            "anonymousId",
            J::Str(format!("anon-{:012x}", p.device >> 16)),
        );
    }
    if p.source.is_none() || p.device % 5 < 2 {
        kv(
            &mut root,
            "userId",
            J::Str(format!("u-{}", p.device % 50_000)),
        );
    }
    let time = timestamps(p, hour_ms, rng, &mut root);

    // Session: dropped on some lines; otherwise where the platform's SDK writes it.
    let session = match (p.source, &p.session) {
        (Some(src), Some(id)) if !rng.pct(src.platform.no_session_pct) => {
            Some((src.platform.session, id.clone()))
        }
        _ => None,
    };
    let props = if let Some(src) = p.source {
        if src.platform.at == PlatformAt::TopLevel {
            kv(&mut root, "platform", J::str(src.platform.name));
            placed.platform[1] = Some(src.platform.name.to_string());
        }
        if let Some((SessionStyle::TopLevelNumber, id)) = &session {
            kv(&mut root, "session_id", J::Num(id.clone()));
            placed.session[2] = Some(id.clone());
        }
        let ctx = context(src, p, background, session.as_ref(), &mut placed, rng);
        kv(&mut root, "context", ctx);
        let mut fields = Vec::new();
        if src.app.screen_at == ScreenAt::Property
            && let (Call::Track(_), Some(s)) = (p.call, p.screen)
            && !background
        {
            kv(&mut fields, "screen_name", J::str(s));
            placed.screen[1] = Some(s.to_string());
        }
        if let Some((SessionStyle::Property(_), id)) = &session
            && !matches!(p.call, Call::Identify)
        {
            kv(&mut fields, "session_id", J::str(id.clone()));
            placed.session[1] = Some(id.clone());
        }
        match p.call {
            Call::Identify => None,
            _ => Some(fields),
        }
    } else {
        Some(Vec::new())
    };
    let mut keys = Default::default();
    if let Some(mut fields) = props {
        match p.call {
            Call::Track(def) => {
                let generation = p.source.map_or(1, |s| s.version.generation);
                let mut cx = PropCx {
                    rng,
                    generation,
                    travel: tenant.travel,
                };
                fields.extend(properties(def, &mut cx));
            }
            Call::Screen if web => {
                let s = p.screen.unwrap_or("Home");
                kv(&mut fields, "path", J::Str(page_path(s)));
                kv(&mut fields, "title", J::str(s));
                kv(
                    &mut fields,
                    "referrer",
                    if rng.pct(60) {
                        J::Null
                    } else {
                        J::str("https://search.example/")
                    },
                );
            }
            Call::Screen if rng.pct(50) => kv(&mut fields, "load_ms", J::int(rng.range(40, 900))),
            _ => {}
        }
        let obj = J::Obj(fields);
        keys = obj.key_types();
        kv(&mut root, "properties", obj);
    } else {
        let traits = J::obj(vec![
            ("plan", J::str("gold")),
            ("email_verified", J::Bool(true)),
        ]);
        kv(&mut root, "traits", traits);
    }
    let ascii = p.source.is_some_and(|s| s.platform.ascii);
    let line = J::Obj(root).to_text(ascii);
    let accepted = Accepted {
        application: first(std::slice::from_ref(&placed.application)),
        version: first(std::slice::from_ref(&placed.version)),
        platform: first(&placed.platform),
        screen: first(&placed.screen),
        event: event_name,
        session: placed.session.iter().flatten().next().cloned(),
        time,
        keys,
    };
    (line, accepted)
}
