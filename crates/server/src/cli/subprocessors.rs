use super::{explain, explain_file};
use crate::config::Config;
use crate::startup::open_app;
use anyhow::Context;
use parley_app::privacy::subprocessors;
use parley_domain::subprocessors::Changes;
use std::path::PathBuf;

#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// Publish a version of the subprocessor register (TOML; see examples/subprocessors.toml). Each version needs
    /// a new number and a date; publishing the same version again changes nothing.
    Publish {
        /// The register file.
        file: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// The versions published, oldest first.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Objections owners made to register changes, in every account this configuration reaches.
    Objections {
        #[arg(long)]
        json: bool,
    },
}

fn print_changes(c: &Changes) {
    for e in &c.added {
        println!("  + {} ({}, {}, {})", e.name, e.feature.as_str(), e.country, e.regions.join(" "));
    }
    for e in &c.removed {
        println!("  - {} ({})", e.name, e.feature.as_str());
    }
    for ch in &c.changed {
        println!("  ~ {}: {}", ch.after.name, ch.fields.join(", "));
    }
}

pub async fn run(config: Config, cmd: Command) -> anyhow::Result<()> {
    let app = open_app(&config).await?;
    let result = async {
        match cmd {
            Command::Publish { file, json } => {
                let text =
                    std::fs::read_to_string(&file).with_context(|| format!("cannot read '{}'", file.display()))?;
                let register = subprocessors::parse(&text)
                    .map_err(|e| anyhow::anyhow!("'{}': {}", file.display(), explain_file(e)))?;
                let published = subprocessors::publish(&app, register)
                    .await
                    .map_err(|e| anyhow::anyhow!("'{}': {}", file.display(), explain_file(e)))?;
                if json {
                    println!("{}", serde_json::to_string_pretty(&published)?);
                } else if !published.new {
                    println!("Version {} is published already; nothing changed.", published.version);
                } else {
                    println!("Published version {} of the subprocessor register.", published.version);
                    match &published.changes {
                        Some(c) if c.is_empty() => println!("  No entry changed."),
                        Some(c) => print_changes(c),
                        None => println!("  (the first version)"),
                    }
                }
            }
            Command::Objections { json } => {
                let all = parley_app::privacy::notices::objections(&app).await.map_err(explain)?;
                if json {
                    let rows: Vec<_> = all
                        .iter()
                        .map(|(slug, n)| serde_json::json!({"account": slug.as_str(), "notice": n}))
                        .collect();
                    println!("{}", serde_json::to_string_pretty(&rows)?);
                } else if all.is_empty() {
                    println!("No objections.");
                } else {
                    for (slug, n) in all {
                        if let Some(o) = n.objection {
                            println!(
                                "{slug}: version {} objected on {} by agent {}: {}",
                                n.register_version,
                                o.at.to_display(),
                                o.by,
                                o.reason
                            );
                        }
                    }
                }
            }
            Command::List { json } => {
                let all = subprocessors::history(&app).await.map_err(explain)?;
                if json {
                    println!("{}", serde_json::to_string_pretty(&all)?);
                } else {
                    println!("{:<8} {:<11} ENTRIES", "VERSION", "DATE");
                    for r in all {
                        println!("{:<8} {:<11} {}", r.version, r.date, r.entries.len());
                    }
                }
            }
        }
        Ok(())
    }
    .await;
    app.regions.close().await;
    result
}
