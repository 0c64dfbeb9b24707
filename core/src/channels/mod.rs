//! The channels news travels by beyond the in-app inbox ([`crate::notify`]): email digests over
//! SMTP ([`mail`]) and per-tenant webhooks ([`webhooks`]). Both are outboxes ([`outbox`]): rows
//! written next to the notifications they carry, pushed onto the job queue, claimed once per
//! attempt, retried with back-off and finally recorded as sent or failed.

pub mod mail;
pub mod outbox;
pub mod text;
pub mod webhooks;

pub use outbox::Attempt;

/// How this process reaches people: the SMTP mailer (none: email is off), the address links
/// in messages point to, and the internal hosts webhooks may reach anyway.
#[derive(Clone, Debug, Default)]
pub struct Channels {
    pub mailer: Option<mail::Mailer>,
    /// `http://host:port` of the web app, without a trailing slash.
    pub public_url: String,
    /// `webhook_allowed_hosts`: internal hosts webhooks may be added for and delivered to.
    pub webhook_hosts: webhooks::AllowedHosts,
}

/// Whether email is configured, as the web layer's request context carries it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EmailOn(pub bool);
