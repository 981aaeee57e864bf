//! `parley backup --region R [--to DIR]`: a consistent copy of every database of a region, taken while Parley
//! serves, written only inside the region's backup directory, with a manifest a restore checks.

use crate::backup::{self, AccountEntry, DatabaseCopy, Manifest};
use crate::config::Config;
use crate::startup::open_app;
use anyhow::{anyhow, bail, Context};
use parley_domain::region::RegionName;
use parley_store_sql::Engine;
use std::path::{Path, PathBuf};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The region to back up.
    #[arg(long, value_parser = crate::cli::domain_parser(RegionName::parse))]
    region: RegionName,
    /// Where to write the backup: a new or empty folder inside the region's backup directory (default: a folder
    /// named after the region and the time, inside it).
    #[arg(long, value_name = "DIR")]
    to: Option<PathBuf>,
}

pub async fn run(config: Config, args: Args) -> anyhow::Result<()> {
    let region = &args.region;
    let specs: Vec<_> = config.regions.iter().filter(|s| &s.name == region).collect();
    if specs.is_empty() {
        bail!("--region {region}: not a region of this Parley");
    }
    let base = backup::backup_dir(&config, region)?;
    if let Some(pg) = specs.iter().find(|s| s.database.engine() == Engine::Postgres) {
        bail!(
            "region {region} keeps database {} in PostgreSQL: back it up with pg_dump and check a restored copy with \
             `parley check --region {region}` (README, \"Backups\"); Parley copies SQLite databases only",
            pg.db
        );
    }
    std::fs::create_dir_all(base).with_context(|| format!("the backup directory {} cannot be made", base.display()))?;
    let taken = parley_domain::Timestamp::now();
    let to = match &args.to {
        Some(to) => to.clone(),
        None => base.join(format!("{region}-{}", taken.to_rfc3339().replace(':', ""))),
    };
    let to = backup::inside(base, &to)?;
    if std::fs::read_dir(&to).is_ok_and(|mut d| d.next().is_some()) {
        bail!("--to {}: not empty; a backup goes into a new or empty folder", to.display());
    }
    std::fs::create_dir_all(&to).with_context(|| format!("cannot make {}", to.display()))?;
    let written = write(&config, region, &to, taken).await;
    if written.is_err() {
        // Half a backup is no backup: what was written goes, so it is never mistaken for one.
        let _ = std::fs::remove_dir_all(&to);
    }
    let manifest = written?;
    let tickets: i64 = manifest.databases.iter().map(|d| d.tickets).sum();
    println!(
        "Backed up region {region} to {}: {} databases, {} accounts, {tickets} tickets.",
        to.display(),
        manifest.databases.len(),
        manifest.accounts.len()
    );
    Ok(())
}

async fn write(
    config: &Config,
    region: &RegionName,
    to: &Path,
    taken: parley_domain::Timestamp,
) -> anyhow::Result<Manifest> {
    let app = open_app(config).await?;
    let entries = app.regions.directory().list().await.map_err(|e| anyhow!("cannot read the directory: {e}"));
    app.regions.close().await;
    let entries = entries?;
    let mut databases = Vec::new();
    let mut accounts = Vec::new();
    for spec in config.regions.iter().filter(|s| &s.name == region) {
        let from =
            spec.database.sqlite_path().ok_or_else(|| anyhow!("region {} has no database file", spec.place()))?;
        let file = to.join(DatabaseCopy::file_name(&spec.db));
        let (f, t) = (from.clone(), file.clone());
        let facts = match tokio::task::spawn_blocking(move || parley_store_sql::backup::snapshot_sqlite(&f, &t)).await?
        {
            Ok(facts) => facts,
            // A database nobody has used yet has nothing to keep.
            Err(parley_store::StoreError::NotFound) => {
                println!("{}: no database at {} yet, nothing to copy", spec.place(), from.display());
                continue;
            }
            Err(e) => bail!("region {}: {e}", spec.place()),
        };
        let (size, sha256) = backup::digest_file(&file)?;
        println!(
            "{}: {} accounts, {} tickets, {} attachments, {} audit entries ({size} bytes)",
            spec.place(),
            facts.accounts.len(),
            facts.tickets,
            facts.attachments,
            facts.audit_entries
        );
        // The directory says where each account is; the snapshot says it is there.
        accounts.extend(
            entries
                .iter()
                .filter(|e| {
                    e.place() == spec.place() && facts.accounts.iter().any(|(id, _)| *id == e.account_id.to_string())
                })
                .map(AccountEntry::of),
        );
        databases.push(DatabaseCopy {
            database: spec.db.to_string(),
            size,
            sha256,
            tickets: facts.tickets,
            attachments: facts.attachments,
            audit_entries: facts.audit_entries,
        });
    }
    if databases.is_empty() {
        bail!("region {region} has no database yet: nothing to back up");
    }
    let manifest = Manifest {
        format: backup::FORMAT,
        parley_version: env!("CARGO_PKG_VERSION").to_string(),
        region: region.to_string(),
        taken_at: taken.to_rfc3339(),
        databases,
        accounts,
    };
    backup::write_durably(&to.join(backup::MANIFEST), &serde_json::to_vec_pretty(&manifest)?)?;
    Ok(manifest)
}
