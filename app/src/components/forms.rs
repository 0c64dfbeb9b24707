//! What forms share: clearing a create form once it worked, and — for a form posted without
//! JavaScript and sent back — the values that were typed (the server keeps them in the address,
//! see `blueprint-server`'s `web::form_echo`) and whether the last submission worked.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::use_query_map;

/// Clears `form` each time `action` succeeds (with JavaScript; without it the page is loaded
/// afresh after the post and starts empty).
pub fn clear_after_success<S>(form: NodeRef<leptos::html::Form>, action: ServerAction<S>)
where
    S: ServerFn + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
    S::Error: Clone + Send + Sync + 'static,
{
    Effect::new(move |_| {
        if matches!(action.value().get(), Some(Ok(_)))
            && let Some(form) = form.get_untracked()
        {
            form.reset();
        }
    });
}

/// Counts the successful submissions of `action`: a page keyed on it reloads its data after a
/// save, but not after a refusal (which would redraw the form and lose what was typed).
pub fn successes<S>(action: ServerAction<S>) -> Memo<usize>
where
    S: ServerFn + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
    S::Error: Clone + Send + Sync + 'static,
{
    Memo::new(move |previous: Option<&usize>| {
        let version = action.version().get();
        if action.value().with(|value| matches!(value, Some(Ok(_)))) {
            version
        } else {
            previous.copied().unwrap_or_default()
        }
    })
}

/// The values typed into the form of server function `S` whose post without JavaScript was
/// refused and sent back (none otherwise).
pub fn typed_values<S: ServerFn>() -> Memo<Option<Vec<(String, String)>>> {
    let query = use_query_map();
    Memo::new(move |_| {
        query.with(|q| {
            (q.get("__path").as_deref() == Some(S::PATH))
                .then(|| q.get("__form"))
                .flatten()
                .map(|form| {
                    form.split('&')
                        .filter_map(|pair| {
                            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
                            Some((decode(name)?, decode(value)?))
                        })
                        .collect()
                })
        })
    })
}

/// One typed value by name, or `default` when the form was not sent back.
pub fn typed_or(typed: &Option<Vec<(String, String)>>, name: &str, default: String) -> String {
    typed
        .as_ref()
        .and_then(|fields| fields.iter().find(|(n, _)| n == name))
        .map(|(_, value)| value.clone())
        .unwrap_or(default)
}

/// Whether the last post of server function `S` without JavaScript worked (`__done` in the
/// address the server sent the browser back to).
pub fn done_without_js<S: ServerFn>() -> Memo<bool> {
    let query = use_query_map();
    Memo::new(move |_| query.with(|q| q.get("__done").as_deref() == Some(S::PATH)))
}

/// A form field as `application/x-www-form-urlencoded` writes it, decoded.
fn decode(text: &str) -> Option<String> {
    let bytes = text.replace('+', " ");
    let bytes = bytes.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::decode;

    #[test]
    fn form_fields_decode_as_browsers_encode_them() {
        assert_eq!(decode("a+b%2Cc%C3%A9").as_deref(), Some("a b,cé"));
        assert_eq!(decode("50%25").as_deref(), Some("50%"));
        assert_eq!(decode("%zz"), None);
    }
}
