//! The `context` object of a line (application, version, OS, screen or page, session), noting
//! which value it placed on which path of the preset.

use crate::catalog::{PlatformAt, ScreenAt, SessionStyle, VersionText};
use crate::json::J;
use crate::render::{Call, Planned, Source};
use crate::rng::Rng;

/// The screen candidates in preset order: `context.screen.name`, `properties.screen_name`, `name`,
/// `context.page.path`; sessions: `context.sessionId`, `properties.session_id`, `session_id`.
#[derive(Default)]
pub(crate) struct Placed {
    pub screen: [Option<String>; 4],
    pub session: [Option<String>; 3],
    pub platform: [Option<String>; 2],
    pub version: Option<String>,
    pub application: Option<String>,
}

/// Web path of a screen: `Home` → `/`, `Hôtel Details` → `/h%C3%B4tel-details`.
pub(crate) fn page_path(screen: &str) -> String {
    if screen == "Home" {
        return "/".to_string();
    }
    let mut out = String::from("/");
    for c in screen.to_lowercase().chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if c == ' ' {
            out.push('-');
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out
}

pub(crate) fn kv(out: &mut Vec<(String, J)>, k: &str, v: J) {
    out.push((k.to_string(), v));
}

pub(crate) fn context(
    src: Source,
    p: &Planned,
    background: bool,
    session: Option<&(SessionStyle, String)>,
    placed: &mut Placed,
    rng: &mut Rng,
) -> J {
    let mut ctx = Vec::with_capacity(8);
    let version = match src.version.written {
        VersionText::Str => J::str(src.version.text),
        VersionText::HalfNumber if rng.pct(50) => J::str(src.version.text),
        VersionText::HalfNumber | VersionText::Number => J::Num(src.version.text.to_string()),
    };
    let build = 4100 + src.version.text.bytes().map(u32::from).sum::<u32>() % 80;
    let build = J::Str(build.to_string());
    kv(
        &mut ctx,
        "app",
        J::obj(vec![
            ("name", J::str(src.app.name)),
            ("version", version),
            ("build", build),
        ]),
    );
    placed.application = Some(src.app.name.to_string());
    placed.version = Some(src.version.text.to_string());
    kv(
        &mut ctx,
        "library",
        J::obj(vec![
            ("name", J::str(src.platform.library)),
            ("version", J::str("1.9.2")),
        ]),
    );
    if src.platform.at == PlatformAt::OsName {
        kv(
            &mut ctx,
            "os",
            J::obj(vec![
                ("name", J::str(src.platform.name)),
                ("version", J::str("14")),
            ]),
        );
        placed.platform[0] = Some(src.platform.name.to_string());
    }
    let locale = ["en-US", "fr-CH", "pt-PT", "ja-JP"][(p.device >> 8) as usize % 4];
    kv(&mut ctx, "locale", J::str(locale));
    let dims = || vec![("width", J::int(1080)), ("height", J::int(2400))];
    match (src.app.screen_at, p.call, p.screen) {
        (ScreenAt::PagePath, _, Some(s)) => {
            let path = page_path(s);
            let url = format!(
                "https://{}.example{path}",
                src.app.name.to_lowercase().replace(' ', "-")
            );
            let page = J::obj(vec![
                ("path", J::str(path.clone())),
                ("url", J::Str(url)),
                ("title", J::str(s)),
            ]);
            kv(&mut ctx, "page", page);
            placed.screen[3] = Some(path);
        }
        (ScreenAt::Context, Call::Track(_), Some(s)) if !background => {
            let mut fields = vec![("name", J::str(s))];
            if rng.pct(30) {
                fields.extend(dims());
            }
            kv(&mut ctx, "screen", J::obj(fields));
            placed.screen[0] = Some(s.to_string());
        }
        (ScreenAt::PagePath, _, None) => {}
        // Screen calls, background events, identify: screen size only, no name.
        _ if rng.pct(30) => kv(&mut ctx, "screen", J::obj(dims())),
        _ => {}
    }
    match session {
        Some((SessionStyle::ContextText(_), id)) => {
            kv(&mut ctx, "sessionId", J::str(id.clone()));
            placed.session[0] = Some(id.clone());
        }
        Some((SessionStyle::ContextNumber(text_pct), id)) => {
            let v = if rng.pct(*text_pct) {
                J::str(id.clone())
            } else {
                J::Num(id.clone())
            };
            kv(&mut ctx, "sessionId", v);
            placed.session[0] = Some(id.clone());
        }
        _ => {}
    }
    J::Obj(ctx)
}
