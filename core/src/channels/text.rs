//! Text as each channel needs it: names from events escaped for Slack's `text` and kept on one
//! line in email, and URLs with their secrets left out wherever they are written down (the audit
//! log, logs, delivery errors, start-up errors).

/// Slack's message escaping: `&`, `<` and `>` as `&amp;`, `&lt;` and `&gt;`, so that text from
/// events cannot write a mention (`<!channel>`) or a link.
pub fn slack_escaped(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// `text` on one line, with each control character shown as its visible picture (`␊` for a line
/// feed, `␍` for a carriage return) or `�`, so that it can neither break a line nor a header.
pub fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\u{0}'..='\u{1f}' => char::from_u32(0x2400 + c as u32).unwrap_or('\u{fffd}'),
            '\u{7f}' => '\u{2421}',
            '\u{2028}' | '\u{2029}' => '\u{fffd}',
            c if c.is_control() => '\u{fffd}',
            c => c,
        })
        .collect()
}

/// A URL with its password shown as `***` (`smtp://user:***@host:587`), also when it does not
/// parse as a URL.
pub fn password_hidden(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let Some((user_info, host)) = authority.rsplit_once('@') else {
        return url.to_owned();
    };
    match user_info.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}{tail}"),
        None => url.to_owned(),
    }
}

/// Path characters of a webhook URL kept when it is written down.
const PATH_KEPT: usize = 4;

/// A webhook URL as it is written down: scheme, host and port, and the first few characters of
/// its path, then `…` — the rest of the path and the query are the secret of many endpoints
/// (Slack's among them). `https://hooks.slack.com/T0/B0/xyz` is `https://hooks.slack.com/T0/B…`.
pub fn webhook_url(url: &str) -> String {
    let Ok(parsed) = url::Url::parse(url) else {
        return "(not a URL)".to_owned();
    };
    let host = parsed.host_str().unwrap_or("");
    let port = parsed.port().map(|p| format!(":{p}")).unwrap_or_default();
    let mut rest = parsed.path().trim_start_matches('/').to_owned();
    if let Some(query) = parsed.query() {
        rest = format!("{rest}?{query}");
    }
    let shown: String = rest.chars().take(PATH_KEPT).collect();
    let cut = if rest.chars().count() > PATH_KEPT {
        "…"
    } else {
        ""
    };
    format!("{}://{host}{port}/{shown}{cut}", parsed.scheme())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slack_text_cannot_mention_or_link() {
        assert_eq!(
            slack_escaped("<!channel> a & b <http://x|y>"),
            "&lt;!channel&gt; a &amp; b &lt;http://x|y&gt;"
        );
    }

    #[test]
    fn control_characters_are_shown_not_obeyed() {
        assert_eq!(
            one_line("a\nBcc: x\r\u{7f}\u{85}\u{2028}\tb"),
            "a\u{240a}Bcc: x\u{240d}\u{2421}\u{fffd}\u{fffd}\u{2409}b"
        );
        assert_eq!(one_line("plain: ünïcode ✓"), "plain: ünïcode ✓");
    }

    #[test]
    fn passwords_and_webhook_secrets_are_left_out() {
        assert_eq!(
            password_hidden("smtp://user:s3cret@mail.example.com:587/?tls=required"),
            "smtp://user:***@mail.example.com:587/?tls=required"
        );
        assert_eq!(
            password_hidden("smtp://user:s3cr@t@mail:notaport"),
            "smtp://user:***@mail:notaport"
        );
        assert_eq!(password_hidden("smtp://mail:25"), "smtp://mail:25");
        assert_eq!(
            webhook_url("https://hooks.slack.com/services/T0/B0/s3cret"),
            "https://hooks.slack.com/serv…"
        );
        assert_eq!(
            webhook_url("http://me:pw@10.0.0.1:8080/hook"),
            "http://10.0.0.1:8080/hook"
        );
        assert_eq!(
            webhook_url("https://x.example/h?token=s3cret"),
            "https://x.example/h?to…"
        );
        assert_eq!(webhook_url("http://[::1]:9/"), "http://[::1]:9/");
    }
}
