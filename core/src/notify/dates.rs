//! True dates: the hour a notice's news was first seen as the ledger has it now. Ingesting an
//! earlier hour later moves a discovery's hour (the ledger redates it), so the inbox and the
//! digests read the hour of a notice's discovery (`discovery:{id}`) when they show it, not the
//! hour written with the notice.

use std::collections::HashMap;

use sea_orm::{ConnectionTrait, DbErr, EntityTrait};

use crate::entities::discovery;

/// The discovery a notice tells of, from its `dedupe` key.
fn discovery_of(dedupe: &str) -> Option<i64> {
    dedupe.strip_prefix("discovery:")?.parse().ok()
}

/// The first-seen hours now of the discoveries that the notices with these `dedupe` keys tell
/// of, by dedupe key; a notice of no discovery (a summary, an obsolete mark) is left out.
pub(crate) async fn first_seen_now<'a>(
    conn: &impl ConnectionTrait,
    dedupes: impl IntoIterator<Item = &'a str>,
) -> Result<HashMap<String, i64>, DbErr> {
    let ids: Vec<i64> = dedupes.into_iter().filter_map(discovery_of).collect();
    let rows =
        crate::sql::find_in(conn, discovery::Entity::find(), discovery::Column::Id, ids).await?;
    Ok(rows
        .into_iter()
        .map(|d| (format!("discovery:{}", d.id), d.hour))
        .collect())
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_discoveries_have_a_date_to_read() {
        assert_eq!(super::discovery_of("discovery:42"), Some(42));
        assert_eq!(super::discovery_of("run:42:more"), None);
        assert_eq!(super::discovery_of("backfill:7"), None);
        assert_eq!(super::discovery_of("discovery:x"), None);
    }
}
