//! Backups of a region: what `parley backup` writes beside the database copies (the manifest), where it may write
//! them, and the check a restored region must pass.
//!
//! A backup is the region's data, so it lives only under the backup directory configured for that region, and is
//! restored only into that region.

use anyhow::{anyhow, bail, Context};
use parley_app::regions::Regions;
use parley_domain::account::{AccountStatus, DirectoryEntry};
use parley_domain::region::RegionName;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::{Component, Path, PathBuf};

/// The manifest's name inside a backup. Written last: a folder without it is not a backup.
pub const MANIFEST: &str = "manifest.json";

/// The manifest format this Parley writes and reads.
pub const FORMAT: u32 = 1;

/// What a backup holds, with what a restore checks it against.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub format: u32,
    pub parley_version: String,
    pub region: String,
    /// When the backup began (RFC 3339); each database is copied as it stood at one moment soon after.
    pub taken_at: String,
    pub databases: Vec<DatabaseCopy>,
    /// The directory's entries for the region's accounts: a restore into a fresh data directory needs them to
    /// route requests to the accounts again.
    pub accounts: Vec<AccountEntry>,
}

/// One database of the region, copied to `<database>.db` in the backup.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseCopy {
    pub database: String,
    pub size: u64,
    pub sha256: String,
    pub tickets: i64,
    pub attachments: i64,
    pub audit_entries: i64,
}

impl DatabaseCopy {
    /// The copy's file name, from the database's checked name, never from free text in the manifest.
    pub fn file_name(db: &parley_domain::region::DatabaseName) -> String {
        format!("{db}.db")
    }
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountEntry {
    pub id: String,
    pub slug: String,
    pub database: String,
    pub status: String,
}

impl AccountEntry {
    pub fn of(e: &DirectoryEntry) -> Self {
        AccountEntry {
            id: e.account_id.to_string(),
            slug: e.slug.to_string(),
            database: e.database.to_string(),
            status: e.status.as_str().to_string(),
        }
    }

    pub fn entry(&self, region: &RegionName) -> anyhow::Result<DirectoryEntry> {
        let bad = |what: &str, v: &str| anyhow!("the manifest's account '{}' has a bad {what} '{v}'", self.slug);
        Ok(DirectoryEntry {
            account_id: parley_domain::ids::AccountId::parse(&self.id).ok_or_else(|| bad("id", &self.id))?,
            slug: parley_domain::account::AccountSlug::parse(&self.slug).map_err(|_| bad("slug", &self.slug))?,
            region: region.clone(),
            database: parley_domain::region::DatabaseName::parse(&self.database)
                .map_err(|_| bad("database", &self.database))?,
            status: AccountStatus::parse(&self.status).ok_or_else(|| bad("status", &self.status))?,
        })
    }
}

/// The region's backup directory, or why there is none.
pub fn backup_dir<'c>(config: &'c crate::config::Config, region: &RegionName) -> anyhow::Result<&'c Path> {
    config.backup_dirs.get(region).map(PathBuf::as_path).ok_or_else(|| {
        anyhow!(
            "region {region} has no backup directory: set PARLEY_REGION_{}_BACKUP_DIR or backup_dir under \
             [regions.{region}] in the configuration file",
            region.as_str().to_ascii_uppercase()
        )
    })
}

/// `to` as it really is on disk (symbolic links followed, `..` resolved), if it lies strictly inside `base`;
/// otherwise an error naming it. `to` need not exist yet: its existing part is resolved, and what follows may not
/// climb out with `..`.
pub fn inside(base: &Path, to: &Path) -> anyhow::Result<PathBuf> {
    let base = std::fs::canonicalize(base)
        .with_context(|| format!("the backup directory {} cannot be read", base.display()))?;
    let absolute = if to.is_absolute() { to.to_path_buf() } else { std::env::current_dir()?.join(to) };
    // The longest part that exists, resolved; the rest appended as plain names.
    let mut existing = absolute.as_path();
    let mut rest = Vec::new();
    while !existing.exists() {
        let name = existing.file_name().ok_or_else(|| anyhow!("--to {}: it cannot be resolved", to.display()))?;
        rest.push(name.to_os_string());
        existing = existing.parent().ok_or_else(|| anyhow!("--to {}: it cannot be resolved", to.display()))?;
    }
    let mut resolved = std::fs::canonicalize(existing).with_context(|| format!("--to {}", to.display()))?;
    for name in rest.iter().rev() {
        // `file_name` never yields `..` or `.`, but a name is checked as a component all the same.
        match Path::new(name).components().next() {
            Some(Component::Normal(n)) => resolved.push(n),
            _ => bail!("--to {}: '{}' is not a plain name", to.display(), name.to_string_lossy()),
        }
    }
    if resolved == base || !resolved.starts_with(&base) {
        bail!(
            "--to {}: backups of this region go only inside its backup directory {} (it resolves to {})",
            to.display(),
            base.display(),
            resolved.display()
        );
    }
    Ok(resolved)
}

/// A file's size and SHA-256 (lowercase hex), read in pieces.
pub fn digest_file(path: &Path) -> anyhow::Result<(u64, String)> {
    let mut file = std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut hash = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut size = 0u64;
    loop {
        let n = file.read(&mut buf).with_context(|| format!("cannot read {}", path.display()))?;
        if n == 0 {
            break;
        }
        hash.update(&buf[..n]);
        size += n as u64;
    }
    Ok((size, format!("{:x}", hash.finalize())))
}

/// Writes `bytes` to `path` and makes it durable: to a temporary name, synced, then renamed into place.
pub fn write_durably(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write;
    let tmp = path.with_extension("partial");
    let mut f = std::fs::File::create(&tmp).with_context(|| format!("cannot write {}", tmp.display()))?;
    f.write_all(bytes).and_then(|_| f.sync_all()).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// Parley's own check of a region as it is now (just restored, by `parley restore` or by `pg_restore`): every
/// account's audit chain verifies from its first entry to the head kept beside it, and the rows each account
/// holds are counted per table, on either engine. Returns a line per account; an error names the first account
/// whose chain is broken.
pub async fn check_region(regions: &Regions, region: &RegionName) -> anyhow::Result<Vec<String>> {
    let entries = regions.directory().list().await.map_err(|e| anyhow!("cannot read the directory: {e}"))?;
    let mut lines = Vec::new();
    for e in entries.iter().filter(|e| &e.region == region && e.status == AccountStatus::Active) {
        let ctx = regions.context(&e.slug).await.map_err(crate::cli::explain)?;
        let v = parley_app::audit::verify(&ctx, None).await.map_err(crate::cli::explain)?;
        if let Some(b) = v.broken {
            bail!(
                "the audit log of {} is broken at entry {}: {} ({} entries before it are intact)",
                e.slug,
                b.seq,
                b.reason,
                v.entries
            );
        }
        let cell =
            regions.cell_at(&e.place()).ok_or_else(|| anyhow!("region {} has no database {}", region, e.database))?;
        let store = cell.store().await.map_err(crate::cli::explain)?;
        let tables = parley_store_sql::transfer::digest(store, e.account_id)
            .await
            .map_err(|err| anyhow!("cannot count the rows of {}: {err}", e.slug))?;
        let rows = |t: &str| tables.get(t).map_or(0, |d| d.rows);
        lines.push(format!(
            "{}: audit log intact ({} entries); {} tickets, {} messages, {} attachments, {} contacts; {} rows in all",
            e.slug,
            v.entries,
            rows("tickets"),
            rows("messages"),
            rows("attachments"),
            rows("contacts"),
            tables.values().map(|d| d.rows).sum::<u64>()
        ));
    }
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_places_inside_the_backup_directory_are_taken() {
        let root = tempfile::tempdir().unwrap();
        let base = root.path().join("backups");
        std::fs::create_dir(&base).unwrap();
        let real = std::fs::canonicalize(&base).unwrap();
        assert_eq!(inside(&base, &base.join("one")).unwrap(), real.join("one"));
        assert_eq!(inside(&base, &base.join("a/b")).unwrap(), real.join("a/b"));
        for bad in [base.clone(), base.join("../elsewhere"), base.join("x/../../elsewhere"), root.path().to_path_buf()]
        {
            let e = inside(&base, &bad).unwrap_err();
            assert!(format!("{e:#}").contains(&bad.display().to_string()), "{e:#}");
        }
        // A link inside that points outside is followed, and refused.
        std::os::unix::fs::symlink(root.path(), base.join("link")).unwrap();
        assert!(inside(&base, &base.join("link/escaped")).is_err());
    }
}
