//! What forms share: clearing a create form once it worked, the line saying what the last
//! submission came to, the question a destructive button asks first, which row of a page with
//! one form per row was submitted, and — for a form posted without JavaScript and sent back —
//! the values that were typed (the server keeps them in the address, see `blueprint-server`'s
//! `web::form_echo`) and whether the last submission worked.

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

/// Whether the last submission of `action` worked: its answer with JavaScript, `__done` in the
/// address the browser was sent back to without it.
pub fn worked<S>(action: ServerAction<S>) -> Signal<bool>
where
    S: ServerFn + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
    S::Error: Clone + Send + Sync + 'static,
{
    let done = done_without_js::<S>();
    Signal::derive(move || done.get() || action.value().with(|value| matches!(value, Some(Ok(_)))))
}

/// The line under a form once its last submission worked, with or without JavaScript: `text`,
/// as a status (`role="status"`) named `testid` for tests.
pub fn saved_note<S>(
    action: ServerAction<S>,
    testid: &'static str,
    text: &'static str,
) -> impl Fn() -> Option<AnyView> + Send + Sync + 'static
where
    S: ServerFn + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
    S::Error: Clone + Send + Sync + 'static,
{
    let worked = worked(action);
    move || {
        worked
            .get()
            .then(|| view! { <p class="ok" role="status" data-testid=testid>{text}</p> }.into_any())
    }
}

/// The line under a form whose answer is shown in its own words with JavaScript: `text` when
/// its last post without JavaScript worked (the browser, sent back, has no answer to show).
pub fn sent_back_note<S: ServerFn>(
    testid: &'static str,
    text: &'static str,
) -> impl Fn() -> Option<AnyView> + Send + Sync + 'static {
    let done = done_without_js::<S>();
    move || {
        done.get()
            .then(|| view! { <p class="ok" role="status" data-testid=testid>{text}</p> }.into_any())
    }
}

/// What the last submission of `action` came to, under its form: its refusal (`role="alert"`),
/// or `text` once it worked, as [`saved_note`] says it.
pub fn outcome_note<S>(
    action: ServerAction<S>,
    testid: &'static str,
    text: &'static str,
) -> impl Fn() -> Option<AnyView> + Send + Sync + 'static
where
    S: ServerFn + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
    S::Error: Clone + Send + Sync + std::fmt::Display + 'static,
{
    let saved = saved_note(action, testid, text);
    move || match action.value().get() {
        Some(Err(err)) => {
            Some(view! { <p class="error" role="alert">{err.to_string()}</p> }.into_any())
        }
        _ => saved(),
    }
}

/// The name of the hidden field that tells a page which row's form was posted, so the server
/// can send it back after success without JavaScript (`__row` in the address).
pub const ROW_FIELD: &str = "__row";

/// On a page with one form of server function `S` per row (each application's curation, each
/// tenant's quiet period), the row whose form was submitted last, so only that row says "Saved"
/// or shows the refusal. With JavaScript it is the key of the last input sent; without, the
/// [`ROW_FIELD`] the form carried, sent back by the server after success (`__row`) or with the
/// typed values of a refusal (`__form`). Create it in the page, above the rows, so it outlives
/// their redrawing after a save.
#[derive(Clone, Copy)]
pub struct LastRow(RwSignal<Option<String>>);

impl LastRow {
    pub fn new<S>(action: ServerAction<S>, key: fn(&S) -> String) -> Self
    where
        S: ServerFn + Clone + Send + Sync + 'static,
        S::Output: Clone + Send + Sync + 'static,
        S::Error: Clone + Send + Sync + 'static,
    {
        let query = use_query_map();
        let sent_back = query.with_untracked(|q| {
            let done = q.get("__done").as_deref() == Some(S::PATH);
            done.then(|| q.get(ROW_FIELD)).flatten()
        });
        let refused = typed_values::<S>().get_untracked().and_then(|fields| {
            fields
                .into_iter()
                .find(|(name, _)| name == ROW_FIELD)
                .map(|(_, value)| value)
        });
        let row = RwSignal::new(sent_back.or(refused));
        Effect::new(move |_| {
            if let Some(sent) = action.input().with(|input| input.as_ref().map(key)) {
                row.set(Some(sent));
            }
        });
        Self(row)
    }

    /// Whether the last submission came from the row `key`.
    pub fn is(self, key: &str) -> bool {
        self.0.with(|row| row.as_deref() == Some(key))
    }
}

/// The question a destructive button asks first, in place of the link that asked for it (the
/// link adds a query parameter, so it works the same with JavaScript on or off): `question`,
/// then `children` (the form whose button does it), then a "Cancel" link to `cancel`.
#[component]
pub fn Confirm(
    #[prop(into)] question: String,
    testid: &'static str,
    #[prop(into)] cancel: String,
    children: Children,
) -> impl IntoView {
    view! {
        <span class="confirm" role="alert" data-testid=testid>
            {question}
            {children()}
            " " <a href=cancel>"Cancel"</a>
        </span>
    }
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
