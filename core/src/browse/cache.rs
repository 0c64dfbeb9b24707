//! Results that only change when the ledger does, kept in this process per tenant and ledger
//! version (the newest run that wrote an hour of the tenant: a new hour or a re-ingested one bumps
//! it). Every request still reads the version, so several processes sharing one database never
//! serve a result older than the ledger; a stale entry is simply replaced.

use std::any::Any;
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, LazyLock, Mutex};

/// Entries kept at most; the oldest half goes when it is full.
const CAPACITY: usize = 512;

type Entry = (u64, Arc<dyn Any + Send + Sync>);

static ENTRIES: LazyLock<Mutex<(u64, HashMap<String, (i64, Entry)>)>> =
    LazyLock::new(|| Mutex::new((0, HashMap::new())));

/// The value cached under `key` for this database and ledger `version`, or `compute`'s (then
/// cached).
pub(crate) async fn cached<T, E, F>(
    database: &crate::Database,
    key: String,
    version: i64,
    compute: F,
) -> Result<Arc<T>, E>
where
    T: Send + Sync + 'static,
    F: Future<Output = Result<T, E>>,
{
    let key = format!("{}:{key}", database.instance());
    if let Ok(entries) = ENTRIES.lock()
        && let Some((at, (_, value))) = entries.1.get(&key)
        && *at == version
        && let Ok(value) = value.clone().downcast::<T>()
    {
        return Ok(value);
    }
    let value = Arc::new(compute.await?);
    if let Ok(mut entries) = ENTRIES.lock() {
        let (clock, map) = &mut *entries;
        *clock += 1;
        if map.len() >= CAPACITY {
            let mut ages: Vec<u64> = map.values().map(|(_, (age, _))| *age).collect();
            ages.sort_unstable();
            let cut = ages[ages.len() / 2];
            map.retain(|_, (_, (age, _))| *age > cut);
        }
        let shared: Arc<dyn Any + Send + Sync> = value.clone();
        map.insert(key, (version, (*clock, shared)));
    }
    Ok(value)
}
