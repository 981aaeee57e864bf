//! `parley restore --region R --from DIR`: a backup of a region back into that region's databases, only where
//! there is nothing yet. The copies are checked against the manifest before anything is written, and the restored
//! region must pass Parley's check (every account's audit chain) after.

use crate::backup::{self, DatabaseCopy, Manifest, MANIFEST};
use crate::config::Config;
use crate::startup::open_app;
use anyhow::{anyhow, bail, Context};
use parley_domain::region::{DatabaseName, RegionName};
use std::path::{Path, PathBuf};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The region to restore; the backup must be of this region.
    #[arg(long, value_parser = crate::cli::domain_parser(RegionName::parse))]
    region: RegionName,
    /// The backup's folder (the one holding manifest.json).
    #[arg(long, value_name = "DIR")]
    from: PathBuf,
}

/// One database copy, checked, and the file it becomes.
struct Step<'a> {
    copy: &'a DatabaseCopy,
    place: parley_domain::region::Place,
    file: PathBuf,
    target: PathBuf,
}

pub async fn run(config: Config, args: Args) -> anyhow::Result<()> {
    let (region, from) = (&args.region, &args.from);
    let manifest = read_manifest(from)?;
    if manifest.region != region.as_str() {
        bail!(
            "--from {}: a backup of region {}, not {region}; a region's data is restored only into that region",
            from.display(),
            manifest.region
        );
    }
    let steps = plan(&config, region, from, &manifest)?;
    refuse_live_data(&config, region, &steps)?;
    let entries = manifest.accounts.iter().map(|a| a.entry(region)).collect::<anyhow::Result<Vec<_>>>()?;

    let app = open_app(&config).await?;
    let result = async {
        for e in &entries {
            if let Some(there) = app.regions.directory().lookup(&e.slug).await.map_err(|e| anyhow!("{e}"))? {
                bail!(
                    "account {} is in the directory already (region {}): restore goes into a data directory \
                     that does not know the backup's accounts",
                    e.slug,
                    there.region
                );
            }
        }
        for s in &steps {
            restore_file(s).await?;
            println!("{}: restored from {}", s.place, s.file.display());
        }
        for e in &entries {
            app.regions.directory().reserve(e).await.map_err(|err| anyhow!("account {}: {err}", e.slug))?;
        }
        for s in &steps {
            app.regions.prepare(&s.place).await.map_err(crate::cli::explain)?;
        }
        backup::check_region(&app.regions, region).await
    }
    .await;
    app.regions.close().await;
    for line in result? {
        println!("{line}");
    }
    println!(
        "Restored region {region} as it was at {} ({} accounts). Erasures made since then are not in it (README, \
         \"Backups\").",
        manifest.taken_at,
        entries.len()
    );
    Ok(())
}

fn read_manifest(from: &Path) -> anyhow::Result<Manifest> {
    let text = std::fs::read(from.join(MANIFEST))
        .with_context(|| format!("--from {}: no readable {MANIFEST}, so not a finished backup", from.display()))?;
    let manifest: Manifest = serde_json::from_slice(&text)
        .with_context(|| format!("--from {}: {MANIFEST} is not a backup manifest", from.display()))?;
    if manifest.format != backup::FORMAT {
        bail!(
            "--from {}: manifest format {} is not one this Parley reads ({})",
            from.display(),
            manifest.format,
            backup::FORMAT
        );
    }
    Ok(manifest)
}

/// Each copy of the manifest: its database configured in this region on SQLite, its file whole (size and
/// SHA-256 as the manifest says).
fn plan<'m>(
    config: &Config,
    region: &RegionName,
    from: &Path,
    manifest: &'m Manifest,
) -> anyhow::Result<Vec<Step<'m>>> {
    let mut steps = Vec::new();
    for copy in &manifest.databases {
        let db = DatabaseName::parse(&copy.database)
            .map_err(|_| anyhow!("the manifest names a bad database '{}'", copy.database))?;
        let spec = config.regions.iter().find(|s| &s.name == region && s.db == db).ok_or_else(|| {
            anyhow!("the backup holds database '{db}' of region {region}, which this configuration does not have")
        })?;
        let target = spec.database.sqlite_path().ok_or_else(|| {
            anyhow!("region {} is on PostgreSQL here: restore it with pg_restore (README, \"Backups\")", spec.place())
        })?;
        let file = from.join(DatabaseCopy::file_name(&db));
        let (size, sha256) = backup::digest_file(&file)?;
        if size != copy.size || sha256 != copy.sha256 {
            bail!(
                "{} does not match the manifest ({size} bytes, SHA-256 {sha256}; the manifest says {} bytes, {}): the \
                 backup is damaged",
                file.display(),
                copy.size,
                copy.sha256
            );
        }
        steps.push(Step { copy, place: spec.place(), file, target });
    }
    Ok(steps)
}

/// A restore never writes over data: the region's folder and every database file it would write must be absent
/// (or the folder empty).
fn refuse_live_data(config: &Config, region: &RegionName, steps: &[Step<'_>]) -> anyhow::Result<()> {
    for folder in config.regions.iter().filter(|s| &s.name == region).map(|s| &s.files_dir) {
        if std::fs::read_dir(folder).is_ok_and(|mut d| d.next().is_some()) {
            bail!(
                "region {region}'s folder {} is not empty: restore goes only into an empty data directory, never \
                 over a region's data",
                folder.display()
            );
        }
    }
    if let Some(s) = steps.iter().find(|s| s.target.exists()) {
        bail!("{} exists: restore never writes over a region's database", s.target.display());
    }
    Ok(())
}

/// Copies one database into place (under a temporary name, synced, then renamed, so a cut-off restore leaves no
/// database that looks whole) and checks what arrived against the manifest's counts.
async fn restore_file(s: &Step<'_>) -> anyhow::Result<()> {
    let (file, target) = (s.file.clone(), s.target.clone());
    let facts = tokio::task::spawn_blocking(move || -> anyhow::Result<_> {
        if let Some(dir) = target.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("cannot make {}", dir.display()))?;
        }
        let tmp = target.with_extension("restoring");
        std::fs::copy(&file, &tmp).with_context(|| format!("cannot copy {} to {}", file.display(), tmp.display()))?;
        std::fs::File::open(&tmp)
            .and_then(|f| f.sync_all())
            .with_context(|| format!("cannot sync {}", tmp.display()))?;
        std::fs::rename(&tmp, &target).with_context(|| format!("cannot write {}", target.display()))?;
        parley_store_sql::backup::check_sqlite(&target).map_err(|e| anyhow!("{e}"))
    })
    .await??;
    let c = s.copy;
    if (facts.tickets, facts.attachments, facts.audit_entries) != (c.tickets, c.attachments, c.audit_entries) {
        bail!(
            "{} holds {} tickets, {} attachments, {} audit entries; the manifest says {}, {}, {}",
            s.target.display(),
            facts.tickets,
            facts.attachments,
            facts.audit_entries,
            c.tickets,
            c.attachments,
            c.audit_entries
        );
    }
    Ok(())
}
