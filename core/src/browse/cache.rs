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

/// One cached value: the ledger version it was computed for, when it was last stored.
struct Slot {
    version: i64,
    age: u64,
    value: Arc<dyn Any + Send + Sync>,
}

#[derive(Default)]
struct Cache {
    clock: u64,
    slots: HashMap<String, Slot>,
}

static ENTRIES: LazyLock<Mutex<Cache>> = LazyLock::new(|| Mutex::new(Cache::default()));

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
    if let Ok(cache) = ENTRIES.lock()
        && let Some(slot) = cache.slots.get(&key)
        && slot.version == version
        && let Ok(value) = slot.value.clone().downcast::<T>()
    {
        return Ok(value);
    }
    let value = Arc::new(compute.await?);
    if let Ok(mut cache) = ENTRIES.lock() {
        cache.clock += 1;
        if cache.slots.len() >= CAPACITY {
            let mut ages: Vec<u64> = cache.slots.values().map(|slot| slot.age).collect();
            ages.sort_unstable();
            let cut = ages[ages.len() / 2];
            cache.slots.retain(|_, slot| slot.age > cut);
        }
        let age = cache.clock;
        let shared: Arc<dyn Any + Send + Sync> = value.clone();
        cache.slots.insert(
            key,
            Slot {
                version,
                age,
                value: shared,
            },
        );
    }
    Ok(value)
}
