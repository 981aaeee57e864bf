//! Configuration: command-line flags over `PARLEY_*` environment variables over `parley.toml` over defaults.
//! Checked as a whole before anything starts; a bad value is named in the error.

use anyhow::{bail, Context};
use parley_app::email::relay::RelayUrl;
use parley_app::email::MailLimits;
use parley_app::regions::RegionSpec;
use parley_domain::region::{DatabaseName, RegionName, DEFAULT_REGIONS};
use parley_store_sql::DatabaseUrl;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// `parley.toml`, every key optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub data_dir: Option<PathBuf>,
    pub listen: Option<String>,
    pub smtp_listen: Option<String>,
    pub base_domain: Option<String>,
    pub public_scheme: Option<String>,
    pub public_port: Option<u16>,
    pub directory_url: Option<String>,
    pub mail_domain: Option<String>,
    pub smtp_relay: Option<String>,
    pub smtp_tls_cert: Option<PathBuf>,
    pub smtp_tls_key: Option<PathBuf>,
    pub lmtp_listen: Option<String>,
    /// The operator's subprocessor register (TOML), published at start when its version is new.
    pub subprocessors: Option<PathBuf>,
    /// The operator's data processing agreement (Markdown with +++ front matter), published likewise.
    pub dpa: Option<PathBuf>,
    /// The regions this process serves; all configured ones when unset.
    pub serve_regions: Option<Vec<String>>,
    #[serde(default)]
    pub regions: BTreeMap<String, RegionFile>,
    #[serde(default)]
    pub webhooks: WebhookFile,
    #[serde(default)]
    pub mail: MailFile,
}

/// `[mail]`: how much mail Parley takes, and from whom.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailFile {
    pub max_message_mb: Option<u64>,
    pub max_attachment_mb: Option<u64>,
    pub tickets_per_sender_hour: Option<u64>,
    pub acks_per_sender_hour: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegionFile {
    pub database_url: Option<String>,
    pub public_url: Option<String>,
    /// Where the region's backups go; `parley backup` writes nowhere else.
    pub backup_dir: Option<PathBuf>,
    /// The region's other databases, by name, beside its main one.
    #[serde(default)]
    pub databases: BTreeMap<String, DatabaseFile>,
}

/// `[regions.<name>.databases.<db>]`: another database of a region.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseFile {
    /// Where it is; by default a SQLite file at `<data-dir>/<region>/<db>/parley.db`.
    pub database_url: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookFile {
    pub allow_private_targets: Option<bool>,
    /// Seconds to wait before each retry.
    pub retry_delays: Option<Vec<u64>>,
}

/// The command line's shared options (global to every subcommand).
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub config: Option<PathBuf>,
    pub data_dir: Option<PathBuf>,
    pub base_domain: Option<String>,
    pub listen: Option<String>,
    pub smtp_listen: Option<String>,
    pub smtp_relay: Option<String>,
    pub lmtp_listen: Option<String>,
}

/// The checked configuration.
#[derive(Clone)]
pub struct Config {
    pub data_dir: PathBuf,
    pub listen: SocketAddr,
    pub smtp_listen: SocketAddr,
    pub base_domain: String,
    pub public_scheme: String,
    pub public_port: Option<u16>,
    pub directory: DatabaseUrl,
    pub regions: Vec<RegionSpec>,
    /// Where each region's backups go (`PARLEY_REGION_<NAME>_BACKUP_DIR`, `[regions.<name>] backup_dir`): backups
    /// are the region's data, so a region without one cannot be backed up by Parley.
    pub backup_dirs: BTreeMap<RegionName, PathBuf>,
    pub webhook_allow_private: bool,
    pub webhook_retry_delays: Vec<Duration>,
    /// Accounts receive mail at `<anything>@<slug>.<mail_domain>`.
    pub mail_domain: String,
    pub smtp_relay: Option<RelayUrl>,
    /// Certificate and key (PEM) for STARTTLS on the mail receiver.
    pub smtp_tls: Option<(PathBuf, PathBuf)>,
    /// A second receiver speaking LMTP, for a local MTA.
    pub lmtp_listen: Option<SocketAddr>,
    pub mail_retry_delays: Vec<Duration>,
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// How often IMAP mailboxes are fetched.
    pub imap_every: Duration,
    /// How often retention policies are applied.
    pub retention_every: Duration,
    /// How often automations (time rules) look for tickets whose time has come.
    pub automation_every: Duration,
    /// How long agents' sockets in a process count after it last said it is alive.
    pub chat_liveness: Duration,
    pub mail_limits: MailLimits,
    /// The operator's subprocessor register; the shipped example is published when none is and no version is kept.
    pub subprocessors: Option<PathBuf>,
    /// The operator's data processing agreement; the shipped example is published when none is and none is kept.
    pub dpa: Option<PathBuf>,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // DatabaseUrl's Debug hides passwords.
        f.debug_struct("Config")
            .field("data_dir", &self.data_dir)
            .field("listen", &self.listen)
            .field("base_domain", &self.base_domain)
            .field("directory", &self.directory)
            .field("regions", &self.regions.iter().map(|r| (r.place(), &r.database, r.served)).collect::<Vec<_>>())
            .finish()
    }
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

impl Config {
    /// Read and check everything. `env_of` is the environment (a parameter so tests can pass their own).
    pub fn load(o: &Overrides) -> anyhow::Result<Config> {
        Self::load_with(o, &env)
    }

    pub fn load_with(o: &Overrides, env_of: &dyn Fn(&str) -> Option<String>) -> anyhow::Result<Config> {
        let file_path = o.config.clone().or_else(|| env_of("PARLEY_CONFIG").map(PathBuf::from));
        let file: FileConfig = match &file_path {
            Some(p) => read_file(p)?,
            None if Path::new("parley.toml").exists() => read_file(Path::new("parley.toml"))?,
            None => FileConfig::default(),
        };
        let data_dir = o
            .data_dir
            .clone()
            .or_else(|| env_of("PARLEY_DATA_DIR").map(PathBuf::from))
            .or(file.data_dir)
            .unwrap_or_else(|| "parley-data".into());
        let listen = pick(&o.listen, env_of("PARLEY_LISTEN"), &file.listen, "127.0.0.1:8080");
        let listen: SocketAddr =
            listen.parse().with_context(|| format!("--listen '{listen}' is not an address like 127.0.0.1:8080"))?;
        let smtp_listen = pick(&o.smtp_listen, env_of("PARLEY_SMTP_LISTEN"), &file.smtp_listen, "127.0.0.1:2525");
        let smtp_listen: SocketAddr = smtp_listen
            .parse()
            .with_context(|| format!("--smtp-listen '{smtp_listen}' is not an address like 127.0.0.1:2525"))?;
        let base_domain =
            pick(&o.base_domain, env_of("PARLEY_BASE_DOMAIN"), &file.base_domain, "localhost").to_ascii_lowercase();
        if base_domain.is_empty()
            || !base_domain
                .split('.')
                .all(|l| !l.is_empty() && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
        {
            bail!("--base-domain '{base_domain}' is not a domain name");
        }
        let mail_domain =
            pick(&None, env_of("PARLEY_MAIL_DOMAIN"), &file.mail_domain, &base_domain).to_ascii_lowercase();
        if !mail_domain.split('.').all(|l| !l.is_empty() && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')) {
            bail!("PARLEY_MAIL_DOMAIN '{mail_domain}' is not a domain name");
        }
        let smtp_relay = match o.smtp_relay.clone().or_else(|| env_of("PARLEY_SMTP_RELAY")).or(file.smtp_relay.clone())
        {
            Some(u) => Some(RelayUrl::parse(&u).map_err(|e| anyhow::anyhow!("--smtp-relay: {e}"))?),
            None => None,
        };
        let cert = env_of("PARLEY_SMTP_TLS_CERT").map(PathBuf::from).or(file.smtp_tls_cert.clone());
        let key = env_of("PARLEY_SMTP_TLS_KEY").map(PathBuf::from).or(file.smtp_tls_key.clone());
        let smtp_tls = match (cert, key) {
            (Some(c), Some(k)) => Some((c, k)),
            (None, None) => None,
            _ => bail!("PARLEY_SMTP_TLS_CERT and PARLEY_SMTP_TLS_KEY go together"),
        };
        let lmtp_listen =
            match o.lmtp_listen.clone().or_else(|| env_of("PARLEY_LMTP_LISTEN")).or(file.lmtp_listen.clone()) {
                Some(a) => {
                    Some(a.parse::<SocketAddr>().with_context(|| format!("--lmtp-listen '{a}' is not an address"))?)
                }
                None => None,
            };
        let mail_retry_delays = match env_of("PARLEY_MAIL_RETRY_DELAYS") {
            Some(v) => v
                .split(',')
                .map(|s| {
                    s.trim()
                        .parse::<u64>()
                        .map(Duration::from_secs)
                        .with_context(|| format!("PARLEY_MAIL_RETRY_DELAYS: '{s}' is not a number of seconds"))
                })
                .collect::<Result<Vec<_>, _>>()?,
            None => [30, 120, 600, 1800, 3600, 7200, 14_400].into_iter().map(Duration::from_secs).collect(),
        };
        let trusted_proxies = match env_of("PARLEY_TRUSTED_PROXIES") {
            Some(v) => v
                .split(',')
                .map(|s| {
                    s.trim()
                        .parse::<std::net::IpAddr>()
                        .with_context(|| format!("PARLEY_TRUSTED_PROXIES: '{s}' is not an IP address"))
                })
                .collect::<Result<Vec<_>, _>>()?,
            None => Vec::new(),
        };
        let imap_every = match env_of("PARLEY_IMAP_POLL_SECS") {
            Some(v) => Duration::from_secs(
                v.parse::<u64>()
                    .ok()
                    .filter(|s| *s > 0)
                    .with_context(|| format!("PARLEY_IMAP_POLL_SECS '{v}' is not a number of seconds"))?,
            ),
            None => Duration::from_secs(60),
        };
        let retention_every = match env_of("PARLEY_RETENTION_EVERY_SECS") {
            Some(v) => Duration::from_secs(
                v.parse::<u64>()
                    .ok()
                    .filter(|s| *s > 0)
                    .with_context(|| format!("PARLEY_RETENTION_EVERY_SECS '{v}' is not a number of seconds"))?,
            ),
            None => Duration::from_secs(3600),
        };
        let automation_every = match env_of("PARLEY_AUTOMATION_EVERY_SECS") {
            Some(v) => {
                Duration::from_secs(v.parse::<u64>().ok().filter(|s| (1..=300).contains(s)).with_context(|| {
                    format!("PARLEY_AUTOMATION_EVERY_SECS '{v}' is not a number of seconds from 1 to 300")
                })?)
            }
            None => Duration::from_secs(60),
        };
        let chat_liveness = match env_of("PARLEY_CHAT_LIVENESS_SECS") {
            Some(v) => Duration::from_secs(
                v.parse::<u64>()
                    .ok()
                    .filter(|s| (3..=3600).contains(s))
                    .with_context(|| format!("PARLEY_CHAT_LIVENESS_SECS '{v}' is not 3 to 3600 seconds"))?,
            ),
            None => Duration::from_secs(30),
        };
        let mail_limits = mail_limits(&file.mail, env_of)?;
        let subprocessors = env_of("PARLEY_SUBPROCESSORS").map(PathBuf::from).or(file.subprocessors.clone());
        let dpa = env_of("PARLEY_DPA").map(PathBuf::from).or(file.dpa.clone());
        let public_scheme = pick(&None, env_of("PARLEY_PUBLIC_SCHEME"), &file.public_scheme, "http");
        if public_scheme != "http" && public_scheme != "https" {
            bail!("PARLEY_PUBLIC_SCHEME '{public_scheme}' must be http or https");
        }
        let public_port = match env_of("PARLEY_PUBLIC_PORT") {
            Some(p) => Some(p.parse::<u16>().with_context(|| format!("PARLEY_PUBLIC_PORT '{p}' is not a port"))?),
            None => file.public_port.or_else(|| default_port(&public_scheme, listen.port())),
        };
        let directory = match env_of("PARLEY_DIRECTORY_URL").or(file.directory_url) {
            Some(u) => DatabaseUrl::parse(&u).with_context(|| "PARLEY_DIRECTORY_URL".to_string())?,
            None => DatabaseUrl::sqlite_file(&data_dir.join("directory.db")),
        };

        // Regions: the defaults plus any the file names; each may be set by the file and by the environment.
        let mut names: Vec<String> = DEFAULT_REGIONS.iter().map(|s| s.to_string()).collect();
        for n in file.regions.keys() {
            if !names.contains(n) {
                names.push(n.clone());
            }
        }
        let served: Option<Vec<String>> = env_of("PARLEY_REGIONS")
            .map(|v| v.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect())
            .or(file.serve_regions);
        if let Some(list) = &served {
            for s in list {
                if !names.contains(s) {
                    bail!("PARLEY_REGIONS names '{s}', which is not a configured region ({})", names.join(", "));
                }
            }
        }
        let mut regions = Vec::new();
        let mut backup_dirs = BTreeMap::new();
        for n in names {
            let name = RegionName::parse(&n).map_err(|e| anyhow::anyhow!("region '{n}': {e}"))?;
            let key = n.to_ascii_uppercase();
            let from_file = file.regions.get(&n);
            let db = env_of(&format!("PARLEY_REGION_{key}_DATABASE_URL"))
                .or_else(|| from_file.and_then(|r| r.database_url.clone()));
            let database = match db {
                Some(u) => DatabaseUrl::parse(&u).with_context(|| format!("the database of region {n}"))?,
                None => DatabaseUrl::sqlite_file(&data_dir.join(&n).join("parley.db")),
            };
            let public_url = env_of(&format!("PARLEY_REGION_{key}_PUBLIC_URL"))
                .or_else(|| from_file.and_then(|r| r.public_url.clone()));
            if let Some(dir) = env_of(&format!("PARLEY_REGION_{key}_BACKUP_DIR"))
                .map(PathBuf::from)
                .or_else(|| from_file.and_then(|r| r.backup_dir.clone()))
            {
                backup_dirs.insert(name.clone(), dir);
            }
            let spec = RegionSpec {
                served: served.as_ref().is_none_or(|s| s.contains(&n)),
                files_dir: data_dir.join(&n),
                name,
                db: DatabaseName::main(),
                database,
                public_url,
            };
            let others = other_databases(&spec, from_file, &data_dir, env_of)?;
            regions.push(spec);
            regions.extend(others);
        }

        let allow_private = match env_of("PARLEY_WEBHOOK_ALLOW_PRIVATE") {
            Some(v) => parse_bool("PARLEY_WEBHOOK_ALLOW_PRIVATE", &v)?,
            None => file.webhooks.allow_private_targets.unwrap_or(false),
        };
        let delays = match env_of("PARLEY_WEBHOOK_RETRY_DELAYS") {
            Some(v) => v
                .split(',')
                .map(|s| {
                    s.trim()
                        .parse::<u64>()
                        .with_context(|| format!("PARLEY_WEBHOOK_RETRY_DELAYS: '{s}' is not a number of seconds"))
                })
                .collect::<Result<Vec<_>, _>>()?,
            None => file.webhooks.retry_delays.unwrap_or_else(|| vec![5, 300, 1800, 7200, 18_000, 36_000, 36_000]),
        };
        Ok(Config {
            subprocessors,
            dpa,
            data_dir,
            listen,
            smtp_listen,
            base_domain,
            public_scheme,
            public_port,
            directory,
            regions,
            backup_dirs,
            webhook_allow_private: allow_private,
            webhook_retry_delays: delays.into_iter().map(Duration::from_secs).collect(),
            mail_domain,
            smtp_relay,
            smtp_tls,
            lmtp_listen,
            mail_retry_delays,
            trusted_proxies,
            imap_every,
            retention_every,
            automation_every,
            chat_liveness,
            mail_limits,
        })
    }

    /// Refuse a data directory that cannot be created or written.
    pub fn check_data_dir(&self) -> anyhow::Result<()> {
        std::fs::create_dir_all(&self.data_dir)
            .with_context(|| format!("the data directory {} cannot be created", self.data_dir.display()))?;
        let probe = self.data_dir.join(".parley-write-test");
        std::fs::write(&probe, b"")
            .with_context(|| format!("the data directory {} is not writable", self.data_dir.display()))?;
        let _ = std::fs::remove_file(probe);
        Ok(())
    }

    pub fn settings(&self) -> parley_app::Settings {
        parley_app::Settings {
            base_domain: self.base_domain.clone(),
            mail_domain: self.mail_domain.clone(),
            mail_relay_configured: self.smtp_relay.is_some(),
            public_scheme: self.public_scheme.clone(),
            public_port: self.public_port,
            webhook_allow_private: self.webhook_allow_private,
            chat_liveness: self.chat_liveness,
        }
    }
}

/// Mail limits from `PARLEY_MAIL_*` over `[mail]` over the defaults. A message must be allowed to be larger than
/// one attachment, or a mail with one oversized attachment would be refused whole instead of kept with a note.
fn mail_limits(file: &MailFile, env_of: &dyn Fn(&str) -> Option<String>) -> anyhow::Result<MailLimits> {
    let number = |name: &str, from_file: Option<u64>, max: u64| -> anyhow::Result<Option<u64>> {
        match env_of(name) {
            Some(v) => match v.trim().parse::<u64>() {
                Ok(n) if (1..=max).contains(&n) => Ok(Some(n)),
                _ => bail!("{name} '{v}' is not a whole number from 1 to {max}"),
            },
            None => match from_file {
                Some(n) if !(1..=max).contains(&n) => bail!("[mail] in parley.toml: {n} is not from 1 to {max}"),
                other => Ok(other),
            },
        }
    };
    const MB: u64 = 1024 * 1024;
    let mut l = MailLimits::default();
    if let Some(n) = number("PARLEY_MAIL_MAX_MESSAGE_MB", file.max_message_mb, 1024)? {
        l.max_message_bytes = (n * MB) as usize;
    }
    if let Some(n) = number("PARLEY_MAIL_MAX_ATTACHMENT_MB", file.max_attachment_mb, 1024)? {
        l.max_attachment_bytes = (n * MB) as usize;
    }
    if let Some(n) = number("PARLEY_MAIL_TICKETS_PER_SENDER_HOUR", file.tickets_per_sender_hour, 1_000_000)? {
        l.tickets_per_sender_hour = n as i64;
    }
    if let Some(n) = number("PARLEY_MAIL_ACKS_PER_SENDER_HOUR", file.acks_per_sender_hour, 1_000_000)? {
        l.acks_per_sender_hour = n as i64;
    }
    if l.max_attachment_bytes >= l.max_message_bytes {
        bail!(
            "PARLEY_MAIL_MAX_ATTACHMENT_MB ({} MiB) must be less than PARLEY_MAIL_MAX_MESSAGE_MB ({} MiB)",
            l.max_attachment_bytes as u64 / MB,
            l.max_message_bytes as u64 / MB
        );
    }
    Ok(l)
}

/// A region's databases beside its main one: named in `PARLEY_REGION_<R>_DATABASES` (comma-separated) or under
/// `[regions.<r>.databases]`, each at `PARLEY_REGION_<R>_DATABASE_<DB>_URL`, the file's `database_url`, or a SQLite
/// file of its own under the region's folder. They share the region's public URL and whether it is served.
fn other_databases(
    main: &RegionSpec,
    file: Option<&RegionFile>,
    data_dir: &Path,
    env_of: &dyn Fn(&str) -> Option<String>,
) -> anyhow::Result<Vec<RegionSpec>> {
    let key = main.name.as_str().to_ascii_uppercase();
    let var = format!("PARLEY_REGION_{key}_DATABASES");
    let mut names: Vec<String> = match env_of(&var) {
        Some(v) => v.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect(),
        None => file.map(|f| f.databases.keys().cloned().collect()).unwrap_or_default(),
    };
    names.dedup();
    let mut out = Vec::new();
    for n in names {
        let db = DatabaseName::parse(&n).map_err(|e| anyhow::anyhow!("{var}: {e}"))?;
        if db.is_main() {
            bail!("{var}: 'main' is the region's own database; name the others");
        }
        let url = env_of(&format!("PARLEY_REGION_{key}_DATABASE_{}_URL", n.to_ascii_uppercase()))
            .or_else(|| file.and_then(|f| f.databases.get(&n)).and_then(|d| d.database_url.clone()));
        let database = match url {
            Some(u) => DatabaseUrl::parse(&u).with_context(|| format!("database {n} of region {}", main.name))?,
            None => DatabaseUrl::sqlite_file(&data_dir.join(main.name.as_str()).join(&n).join("parley.db")),
        };
        out.push(RegionSpec { db, database, ..main.clone() });
    }
    Ok(out)
}

fn pick(flag: &Option<String>, env: Option<String>, file: &Option<String>, default: &str) -> String {
    flag.clone().or(env).or_else(|| file.clone()).unwrap_or_else(|| default.to_string())
}

/// The port public URLs carry: none when it is the scheme's default.
fn default_port(scheme: &str, listen_port: u16) -> Option<u16> {
    match (scheme, listen_port) {
        ("http", 80) | ("https", 443) => None,
        _ => Some(listen_port),
    }
}

fn parse_bool(name: &str, v: &str) -> anyhow::Result<bool> {
    match v.to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        _ => bail!("{name} '{v}' must be true or false"),
    }
}

fn read_file(p: &Path) -> anyhow::Result<FileConfig> {
    let text =
        std::fs::read_to_string(p).with_context(|| format!("cannot read the configuration file {}", p.display()))?;
    toml::from_str(&text).with_context(|| format!("the configuration file {} is not valid", p.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(vars: &[(&str, &str)]) -> anyhow::Result<Config> {
        let vars: BTreeMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Config::load_with(&Overrides { data_dir: Some("/tmp/pd".into()), ..Default::default() }, &|k| {
            vars.get(k).cloned()
        })
    }

    #[test]
    fn defaults_give_four_sqlite_regions_under_the_data_dir() {
        let c = load(&[]).unwrap();
        let names: Vec<_> = c.regions.iter().map(|r| r.name.to_string()).collect();
        assert_eq!(names, ["eu", "us", "uk", "apac"]);
        assert_eq!(c.regions[0].database.sqlite_path(), Some(PathBuf::from("/tmp/pd/eu/parley.db")));
        assert!(c.regions.iter().all(|r| r.served));
        assert_eq!(c.directory.sqlite_path(), Some(PathBuf::from("/tmp/pd/directory.db")));
        assert_eq!(c.public_port, Some(8080));
    }

    #[test]
    fn environment_sets_regions() {
        let c = load(&[("PARLEY_REGION_EU_DATABASE_URL", "postgres://h/eu"), ("PARLEY_REGIONS", "eu,uk")]).unwrap();
        assert_eq!(c.regions[0].database.engine(), parley_store_sql::Engine::Postgres);
        let served: Vec<_> = c.regions.iter().filter(|r| r.served).map(|r| r.name.to_string()).collect();
        assert_eq!(served, ["eu", "uk"]);
    }

    #[test]
    fn a_region_may_have_more_databases() {
        let c = load(&[("PARLEY_REGION_EU_DATABASES", "b, c"), ("PARLEY_REGION_EU_DATABASE_C_URL", "postgres://h/c")])
            .unwrap();
        let places: Vec<_> = c.regions.iter().map(|r| r.place().to_string()).collect();
        assert_eq!(places, ["eu", "eu/b", "eu/c", "us", "uk", "apac"]);
        assert_eq!(c.regions[1].database.sqlite_path(), Some(PathBuf::from("/tmp/pd/eu/b/parley.db")));
        assert_eq!(c.regions[2].database.engine(), parley_store_sql::Engine::Postgres);
        for bad in ["main", "B!"] {
            let e = load(&[("PARLEY_REGION_EU_DATABASES", bad)]).unwrap_err();
            assert!(format!("{e:#}").contains(bad), "{e:#}");
        }
    }

    #[test]
    fn backup_dirs_come_from_the_environment_or_the_file() {
        let c = load(&[("PARLEY_REGION_EU_BACKUP_DIR", "/backups/eu")]).unwrap();
        let eu = RegionName::parse("eu").unwrap();
        assert_eq!(c.backup_dirs.get(&eu), Some(&PathBuf::from("/backups/eu")));
        assert_eq!(c.backup_dirs.len(), 1, "regions without one have none");
        let file: FileConfig = toml::from_str("[regions.us]\nbackup_dir = \"/backups/us\"").unwrap();
        assert_eq!(file.regions["us"].backup_dir, Some(PathBuf::from("/backups/us")));
    }

    #[test]
    fn bad_values_are_named() {
        let e = load(&[("PARLEY_REGION_US_DATABASE_URL", "mysql://x/y")]).unwrap_err();
        assert!(format!("{e:#}").contains("mysql://x/y"), "{e:#}");
        let e = load(&[("PARLEY_REGIONS", "eu,mars")]).unwrap_err();
        assert!(format!("{e:#}").contains("mars"));
        let e = load(&[("PARLEY_LISTEN", "nowhere")]).unwrap_err();
        assert!(format!("{e:#}").contains("nowhere"));
    }

    #[test]
    fn mail_limits_come_from_the_environment_and_are_checked() {
        let c = load(&[("PARLEY_MAIL_MAX_MESSAGE_MB", "10"), ("PARLEY_MAIL_MAX_ATTACHMENT_MB", "4")]).unwrap();
        assert_eq!((c.mail_limits.max_message_bytes, c.mail_limits.max_attachment_bytes), (10 << 20, 4 << 20));
        let c = load(&[("PARLEY_MAIL_TICKETS_PER_SENDER_HOUR", "500")]).unwrap();
        assert_eq!(c.mail_limits.tickets_per_sender_hour, 500);
        let e = load(&[("PARLEY_MAIL_MAX_MESSAGE_MB", "ten")]).unwrap_err();
        assert!(format!("{e:#}").contains("PARLEY_MAIL_MAX_MESSAGE_MB 'ten'"), "{e:#}");
        let e = load(&[("PARLEY_MAIL_MAX_MESSAGE_MB", "0")]).unwrap_err();
        assert!(format!("{e:#}").contains("'0'"), "{e:#}");
        let e = load(&[("PARLEY_MAIL_MAX_MESSAGE_MB", "10"), ("PARLEY_MAIL_MAX_ATTACHMENT_MB", "10")]).unwrap_err();
        assert!(format!("{e:#}").contains("must be less than"), "{e:#}");
    }
}
