//! The events root (`BLUEPRINT_EVENTS_URL`): where raw events live, as an `object_store` store and
//! a prefix. A plain path or `file://` URL is a local folder (created when missing); `s3://bucket/
//! prefix` is S3 or an S3-compatible store configured by the usual AWS variables (`AWS_ENDPOINT_URL`,
//! `AWS_REGION`, `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_ALLOW_HTTP`).

use std::path::PathBuf;
use std::sync::Arc;

use futures::TryStreamExt;
use object_store::ObjectStore;
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path;

/// Why the events root cannot be opened or read. Messages name the root.
#[derive(Debug, thiserror::Error)]
pub enum EventsRootError {
    #[error(
        "events URL `{url}` is not supported: use a folder path, file:///PATH or s3://BUCKET/PREFIX"
    )]
    UnsupportedUrl { url: String },
    #[error("cannot create the events folder {path}: {source}")]
    CreateDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot open the events root {url}: {reason}")]
    Open { url: String, reason: String },
    #[error("cannot list the events root {url}: {reason}")]
    List { url: String, reason: String },
}

/// Where the events root is, before it is opened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EventsLocation {
    Local(PathBuf),
    S3 { bucket: String, prefix: String },
}

impl EventsLocation {
    /// Reads a plain path, a `file://` URL or an `s3://bucket/prefix` URL.
    pub fn parse(url: &str) -> Result<Self, EventsRootError> {
        let unsupported = || EventsRootError::UnsupportedUrl {
            url: url.to_owned(),
        };
        if url.trim().is_empty() {
            return Err(unsupported());
        }
        if let Some(rest) = url.strip_prefix("s3://") {
            let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
            if bucket.is_empty() {
                return Err(unsupported());
            }
            return Ok(Self::S3 {
                bucket: bucket.to_owned(),
                prefix: prefix.trim_matches('/').to_owned(),
            });
        }
        if url.starts_with("file:") {
            let parsed = url::Url::parse(url).map_err(|_| unsupported())?;
            let path = parsed.to_file_path().map_err(|()| unsupported())?;
            return Ok(Self::Local(path));
        }
        if url.contains("://") {
            return Err(unsupported());
        }
        Ok(Self::Local(PathBuf::from(url)))
    }
}

/// Bounded retries and timeouts, so an unreachable store fails a run within about 20 seconds
/// (4 attempts of at most 5 s to connect) rather than the client's default of minutes. They are set
/// on the client options the builder already holds: `from_env` read `AWS_ALLOW_HTTP` and the
/// other `AWS_*` client settings into them, and new `ClientOptions` would drop them all.
pub fn s3_builder(builder: AmazonS3Builder) -> AmazonS3Builder {
    use object_store::ClientConfigKey;
    use object_store::aws::AmazonS3ConfigKey;
    let retry = object_store::RetryConfig {
        backoff: object_store::BackoffConfig::default(),
        max_retries: 3,
        retry_timeout: std::time::Duration::from_secs(30),
    };
    builder
        .with_retry(retry)
        .with_config(
            AmazonS3ConfigKey::Client(ClientConfigKey::ConnectTimeout),
            "5s",
        )
        .with_config(AmazonS3ConfigKey::Client(ClientConfigKey::Timeout), "120s")
}

/// A store's error on one line, in the terms of the settings a user can change: the endpoint
/// that cannot be reached, the bucket that does not exist, the key that is refused.
pub fn store_reason(err: &object_store::Error) -> String {
    let chain = crate::error_chain(err).replace(['\n', '\r'], " ");
    let lower = chain.to_ascii_lowercase();
    let endpoint = endpoint_in(&chain).unwrap_or_else(|| "the S3 endpoint".to_owned());
    let has = |needle: &str| lower.contains(needle);
    if has("url scheme is not allowed") {
        "the endpoint is plain http://: set AWS_ALLOW_HTTP=true to allow it".to_owned()
    } else if has("nosuchbucket") {
        "the bucket does not exist".to_owned()
    } else if has("invalidaccesskeyid") {
        "the store does not know the access key (AWS_ACCESS_KEY_ID)".to_owned()
    } else if has("signaturedoesnotmatch") {
        "the secret key (AWS_SECRET_ACCESS_KEY) does not match the access key".to_owned()
    } else if has("accessdenied") || has("403 forbidden") {
        "access denied: the access key may not list or read this bucket".to_owned()
    } else if has("connection refused") {
        format!("cannot connect to {endpoint}: connection refused")
    } else if has("dns error") || has("failed to lookup address") {
        format!("cannot resolve the host of {endpoint}")
    } else if has("timed out") || has("timeout") {
        format!("no answer from {endpoint} in time")
    } else {
        chain
    }
}

/// `scheme://host:port` of the first URL an error names (`… for url (http://…/…)`).
fn endpoint_in(chain: &str) -> Option<String> {
    let start = chain.find("http://").or_else(|| chain.find("https://"))?;
    let rest = &chain[start..];
    let end = rest
        .find(|c: char| c.is_whitespace() || matches!(c, ')' | '"' | ',' | '>'))
        .unwrap_or(rest.len());
    let url = url::Url::parse(&rest[..end]).ok()?;
    let host = url.host_str()?;
    Some(match url.port() {
        Some(port) => format!("{}://{host}:{port}", url.scheme()),
        None => format!("{}://{host}", url.scheme()),
    })
}

/// An opened events root: a store and the prefix under which tenant folders live.
#[derive(Clone)]
pub struct EventsRoot {
    store: Arc<dyn ObjectStore>,
    prefix: Path,
    display: String,
}

impl std::fmt::Debug for EventsRoot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("EventsRoot").field(&self.display).finish()
    }
}

impl EventsRoot {
    /// Opens the root; a missing local folder is created (relative to the working directory).
    pub fn open(location: &EventsLocation) -> Result<Self, EventsRootError> {
        match location {
            EventsLocation::Local(path) => {
                std::fs::create_dir_all(path).map_err(|source| EventsRootError::CreateDir {
                    path: path.clone(),
                    source,
                })?;
                let absolute =
                    path.canonicalize()
                        .map_err(|source| EventsRootError::CreateDir {
                            path: path.clone(),
                            source,
                        })?;
                let display = absolute.display().to_string();
                let store = LocalFileSystem::new_with_prefix(&absolute).map_err(|err| {
                    EventsRootError::Open {
                        url: display.clone(),
                        reason: err.to_string(),
                    }
                })?;
                Ok(Self {
                    store: Arc::new(store),
                    prefix: Path::default(),
                    display,
                })
            }
            EventsLocation::S3 { bucket, prefix } => {
                let display = format!("s3://{bucket}/{prefix}");
                let store = s3_builder(AmazonS3Builder::from_env())
                    .with_bucket_name(bucket)
                    .build()
                    .map_err(|err| EventsRootError::Open {
                        url: display.clone(),
                        reason: err.to_string(),
                    })?;
                Ok(Self::from_store(Arc::new(store), prefix, display))
            }
        }
    }

    /// Wraps an already built store (tests use in-memory stores and S3 clients of their own).
    pub fn from_store(store: Arc<dyn ObjectStore>, prefix: &str, display: String) -> Self {
        Self {
            store,
            prefix: Path::from(prefix.trim_matches('/')),
            display,
        }
    }

    pub fn store(&self) -> &Arc<dyn ObjectStore> {
        &self.store
    }

    pub fn prefix(&self) -> &Path {
        &self.prefix
    }

    /// The root as people should see it (absolute folder or `s3://` URL).
    pub fn display(&self) -> &str {
        &self.display
    }

    /// The tenant folders directly under the root, sorted by name.
    pub async fn list_tenant_slugs(&self) -> Result<Vec<String>, EventsRootError> {
        let listing = self
            .store
            .list_with_delimiter(Some(&self.prefix))
            .await
            .map_err(|err| EventsRootError::List {
                url: self.display.clone(),
                reason: store_reason(&err),
            })?;
        let mut slugs: Vec<String> = listing
            .common_prefixes
            .iter()
            .filter_map(|dir| dir.filename().map(str::to_owned))
            .filter(|name| !name.starts_with('.') && !name.starts_with('_'))
            .collect();
        slugs.sort();
        Ok(slugs)
    }

    /// The names of the folders directly under `under` (a tenant's `dt=` days, say), sorted.
    pub async fn list_folders(&self, under: &str) -> Result<Vec<String>, EventsRootError> {
        let path = self.path_of(under);
        let listing = self
            .store
            .list_with_delimiter(Some(&path))
            .await
            .map_err(|err| EventsRootError::List {
                url: self.display.clone(),
                reason: store_reason(&err),
            })?;
        let mut names: Vec<String> = listing
            .common_prefixes
            .iter()
            .filter_map(|dir| dir.filename().map(str::to_owned))
            .collect();
        names.sort();
        Ok(names)
    }

    fn path_of(&self, under: &str) -> Path {
        if self.prefix.as_ref().is_empty() {
            Path::from(under)
        } else {
            Path::from(format!("{}/{under}", self.prefix))
        }
    }

    /// Every object under a tenant folder (used by ingestion and tests).
    pub async fn list_objects(
        &self,
        under: &str,
    ) -> Result<Vec<object_store::ObjectMeta>, EventsRootError> {
        let path = self.path_of(under);
        self.store
            .list(Some(&path))
            .try_collect()
            .await
            .map_err(|err| EventsRootError::List {
                url: self.display.clone(),
                reason: store_reason(&err),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_locations() {
        assert_eq!(
            EventsLocation::parse("data/events").unwrap(),
            EventsLocation::Local("data/events".into())
        );
        assert_eq!(
            EventsLocation::parse("file:///srv/events").unwrap(),
            EventsLocation::Local("/srv/events".into())
        );
        assert_eq!(
            EventsLocation::parse("s3://raw/clickstream/").unwrap(),
            EventsLocation::S3 {
                bucket: "raw".into(),
                prefix: "clickstream".into()
            }
        );
        assert_eq!(
            EventsLocation::parse("s3://raw").unwrap(),
            EventsLocation::S3 {
                bucket: "raw".into(),
                prefix: String::new()
            }
        );
    }

    #[test]
    fn store_errors_read_in_the_users_terms() {
        let generic = |text: &str| object_store::Error::Generic {
            store: "S3",
            source: text.to_owned().into(),
        };
        for (text, reason) in [
            (
                "Error performing list request: Client error with status 403 Forbidden: <Code>SignatureDoesNotMatch</Code>",
                "the secret key (AWS_SECRET_ACCESS_KEY) does not match the access key",
            ),
            (
                "<Code>InvalidAccessKeyId</Code>",
                "the store does not know the access key (AWS_ACCESS_KEY_ID)",
            ),
            ("<Code>NoSuchBucket</Code>", "the bucket does not exist"),
            (
                "error sending request for url (http://10.0.0.9:9000/raw?list-type=2): client error (Connect): tcp connect error: Connection refused (os error 111)",
                "cannot connect to http://10.0.0.9:9000: connection refused",
            ),
            (
                "URL scheme is not allowed",
                "the endpoint is plain http://: set AWS_ALLOW_HTTP=true to allow it",
            ),
        ] {
            assert_eq!(store_reason(&generic(text)), reason, "{text}");
        }
        assert_eq!(
            store_reason(&generic("two\nlines")),
            "Generic S3 error: two lines"
        );
    }

    #[test]
    fn refuses_unknown_schemes() {
        for url in ["gs://bucket/x", "s3://", "", "http://example.com/events"] {
            let err = EventsLocation::parse(url).unwrap_err();
            assert!(err.to_string().contains("not supported"), "{url}: {err}");
        }
    }

    #[tokio::test]
    async fn lists_tenant_folders_and_creates_a_missing_root() {
        let dir = tempfile::tempdir().unwrap();
        let root_path = dir.path().join("nested/events");
        let root = EventsRoot::open(&EventsLocation::Local(root_path.clone())).unwrap();
        assert!(root_path.is_dir());
        assert!(root.list_tenant_slugs().await.unwrap().is_empty());
        for tenant in ["shop", "acme", ".hidden"] {
            std::fs::create_dir_all(root_path.join(tenant).join("dt=2026-11-01/hr=00")).unwrap();
            std::fs::write(
                root_path.join(tenant).join("dt=2026-11-01/hr=00/a.jsonl"),
                "{}\n",
            )
            .unwrap();
        }
        std::fs::write(root_path.join("README.txt"), "not a tenant").unwrap();
        assert_eq!(root.list_tenant_slugs().await.unwrap(), ["acme", "shop"]);
    }
}
