use super::explain_file;
use crate::config::Config;
use crate::startup::open_app;
use anyhow::Context;
use parley_app::privacy::dpa;
use std::path::PathBuf;

#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// Publish a version of the data processing agreement (Markdown after a +++ front matter with version, date
    /// and title; see examples/dpa.md). Owners are asked to accept the new version.
    Publish {
        /// The agreement file.
        file: PathBuf,
    },
}

pub async fn run(config: Config, cmd: Command) -> anyhow::Result<()> {
    let app = open_app(&config).await?;
    let result = async {
        let Command::Publish { file } = cmd;
        let text = std::fs::read_to_string(&file).with_context(|| format!("cannot read '{}'", file.display()))?;
        let parsed = dpa::parse(&text).map_err(|e| anyhow::anyhow!("'{}': {}", file.display(), explain_file(e)))?;
        let version = parsed.version;
        if dpa::publish(&app, parsed).await.map_err(|e| anyhow::anyhow!("'{}': {}", file.display(), explain_file(e)))? {
            println!("Published version {version} of the data processing agreement.");
        } else {
            println!("Version {version} is published already; nothing changed.");
        }
        Ok(())
    }
    .await;
    app.regions.close().await;
    result
}
