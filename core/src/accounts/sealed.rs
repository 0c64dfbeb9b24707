//! A secret kept for the next page of one browser session: a new API token's, created by a form
//! posted without JavaScript (the browser is sent back to the page, which shows it once). It is
//! stored in the session sealed with the session's id, which the database keeps only as a hash,
//! so a copy of the sessions table reveals no secret; it opens only for that session, only within
//! [`SEALED_SECONDS`], and only once it is unchanged.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// How long a sealed secret waits for the page that shows it, in seconds.
pub const SEALED_SECONDS: i64 = 600;

/// A secret sealed for one session.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sealed {
    /// When it was sealed (epoch seconds).
    at: i64,
    /// Random, so two secrets sealed for one session share no key stream (hex).
    nonce: String,
    /// The secret XOR the key stream (hex).
    data: String,
    /// Proves the secret and the time unchanged (hex).
    tag: String,
}

impl std::fmt::Debug for Sealed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sealed").field("at", &self.at).finish()
    }
}

fn hash(parts: &[&[u8]]) -> [u8; 32] {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part);
    }
    hasher.finalize().into()
}

/// `data` XOR the key stream of `session` and `nonce`.
fn xor_stream(session: &str, nonce: &str, data: &[u8]) -> Vec<u8> {
    data.chunks(32)
        .enumerate()
        .flat_map(|(block, chunk)| {
            let key = hash(&[
                b"blueprint sealed stream",
                session.as_bytes(),
                nonce.as_bytes(),
                &(block as u64).to_le_bytes(),
            ]);
            chunk
                .iter()
                .zip(key)
                .map(|(byte, key)| byte ^ key)
                .collect::<Vec<u8>>()
        })
        .collect()
}

fn tag_of(session: &str, nonce: &str, at: i64, secret: &[u8]) -> String {
    hex(&hash(&[
        b"blueprint sealed tag",
        session.as_bytes(),
        nonce.as_bytes(),
        &at.to_le_bytes(),
        secret,
    ]))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

impl Sealed {
    /// Seals `secret` for the session whose id is `session`, at `now` (epoch seconds).
    pub fn seal(secret: &str, session: &str, now: i64) -> Self {
        let nonce = uuid::Uuid::new_v4().simple().to_string();
        Sealed {
            at: now,
            data: hex(&xor_stream(session, &nonce, secret.as_bytes())),
            tag: tag_of(session, &nonce, now, secret.as_bytes()),
            nonce,
        }
    }

    /// The secret, if this was sealed for `session` no longer than [`SEALED_SECONDS`] before
    /// `now` and is unchanged.
    pub fn open(&self, session: &str, now: i64) -> Option<String> {
        if !(0..=SEALED_SECONDS).contains(&(now - self.at)) {
            return None;
        }
        let secret = xor_stream(session, &self.nonce, &unhex(&self.data)?);
        (tag_of(session, &self.nonce, self.at, &secret) == self.tag)
            .then(|| String::from_utf8(secret).ok())
            .flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::{SEALED_SECONDS, Sealed};

    const SECRET: &str = "bpt_0123456789abcdefghijkmnopqrstuvwxyzABCDEFGH";

    #[test]
    fn a_sealed_secret_opens_only_for_its_session_and_in_time() {
        let sealed = Sealed::seal(SECRET, "session-a", 1_000);
        let stored = serde_json::to_string(&sealed).unwrap();
        assert!(!stored.contains("0123456789"), "{stored}");
        let read: Sealed = serde_json::from_str(&stored).unwrap();
        assert_eq!(read.open("session-a", 1_000).as_deref(), Some(SECRET));
        assert_eq!(
            read.open("session-a", 1_000 + SEALED_SECONDS).as_deref(),
            Some(SECRET)
        );
        assert_eq!(read.open("session-a", 1_001 + SEALED_SECONDS), None);
        assert_eq!(read.open("session-a", 999), None);
        assert_eq!(read.open("session-b", 1_000), None);
        assert!(!format!("{read:?}").contains(&read.data));
    }

    #[test]
    fn a_changed_seal_does_not_open_and_two_seals_share_no_stream() {
        let one = Sealed::seal(SECRET, "s", 5);
        let two = Sealed::seal(SECRET, "s", 5);
        assert_ne!(one.data, two.data);
        let mut changed = one.clone();
        let flipped = if changed.data.starts_with('0') {
            "1"
        } else {
            "0"
        };
        changed.data.replace_range(0..1, flipped);
        assert_eq!(changed.open("s", 5), None);
        let mut later = one.clone();
        later.at = 6;
        assert_eq!(later.open("s", 6), None);
        let mut odd = one;
        odd.data.push('a');
        assert_eq!(odd.open("s", 5), None);
    }
}
