//! The command line. Every subcommand takes the same configuration as `serve` and works while it runs.

mod account;
mod agent;
mod apikey;
mod audit;
mod backup;
mod check;
mod dpa;
mod incident;
mod migrate;
mod reindex;
mod restore;
mod serve;
mod subprocessors;
mod support;

use crate::config::{Config, Overrides};
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(name = "parley", version, about = "Parley: an open-source help desk whose accounts keep their data in their region.",
    long_about = None, propagate_version = true)]
pub struct Cli {
    /// Where the embedded databases, blobs and indexes live.
    #[arg(long, global = true, env = "PARLEY_DATA_DIR", value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// A TOML configuration file (default: ./parley.toml when present).
    #[arg(long, global = true, env = "PARLEY_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,
    /// Accounts are served at <slug>.<base-domain>.
    #[arg(long, global = true, env = "PARLEY_BASE_DOMAIN", value_name = "DOMAIN")]
    base_domain: Option<String>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Serve the web app, the API and the mail receiver (the default).
    Serve(serve::Args),
    /// Bring every region's database and the directory up to date.
    Migrate,
    /// Create and look up accounts.
    #[command(subcommand)]
    Account(account::Command),
    /// Add and list an account's agents.
    #[command(subcommand)]
    Agent(agent::Command),
    /// Create, list and revoke an account's API keys.
    #[command(subcommand)]
    Apikey(apikey::Command),
    /// Check an account's audit log.
    #[command(subcommand)]
    Audit(audit::Command),
    /// Publish and list versions of the operator's subprocessor register.
    #[command(subcommand)]
    Subprocessors(subprocessors::Command),
    /// Publish versions of the data processing agreement.
    #[command(subcommand)]
    Dpa(dpa::Command),
    /// Record a security incident and tell the owners of the accounts it affected.
    #[command(subcommand)]
    Incident(incident::Command),
    /// Open a staff session under an account's support grant.
    #[command(subcommand)]
    Support(support::Command),
    /// Rebuild the ticket search index from the tickets.
    Reindex(reindex::Args),
    /// Copy a region's databases, while Parley serves, into the region's backup directory.
    Backup(backup::Args),
    /// Put a region's backup back into an empty data directory, and check it.
    Restore(restore::Args),
    /// Check a region as it is: every account's audit chain, and its rows counted.
    Check(check::Args),
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let serve_args = match &cli.command {
        None => Some(serve::Args::default()),
        Some(Command::Serve(a)) => Some(a.clone()),
        _ => None,
    };
    crate::telemetry::init(if serve_args.is_some() { "info,sqlx=warn,tower_http=warn" } else { "warn" });
    let overrides = Overrides {
        config: cli.config.clone(),
        data_dir: cli.data_dir.clone(),
        base_domain: cli.base_domain.clone(),
        listen: serve_args.as_ref().and_then(|a| a.listen.clone()),
        smtp_listen: serve_args.as_ref().and_then(|a| a.smtp_listen.clone()),
        smtp_relay: serve_args.as_ref().and_then(|a| a.smtp_relay.clone()),
        lmtp_listen: serve_args.as_ref().and_then(|a| a.lmtp_listen.clone()),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async move {
        let config = Config::load(&overrides)?;
        match cli.command {
            None | Some(Command::Serve(_)) => serve::run(config).await,
            Some(Command::Migrate) => migrate::run(config).await,
            Some(Command::Account(c)) => account::run(config, c).await,
            Some(Command::Agent(c)) => agent::run(config, c).await,
            Some(Command::Apikey(c)) => apikey::run(config, c).await,
            Some(Command::Audit(c)) => audit::run(config, c).await,
            Some(Command::Subprocessors(c)) => subprocessors::run(config, c).await,
            Some(Command::Dpa(c)) => dpa::run(config, c).await,
            Some(Command::Support(c)) => support::run(config, c).await,
            Some(Command::Incident(c)) => incident::run(config, c).await,
            Some(Command::Reindex(a)) => reindex::run(config, a).await,
            Some(Command::Backup(a)) => backup::run(config, a).await,
            Some(Command::Restore(a)) => restore::run(config, a).await,
            Some(Command::Check(a)) => check::run(config, a).await,
        }
    });
    // Reads still running on blocking threads (a stop that left a request behind) do not hold the exit up.
    runtime.shutdown_timeout(std::time::Duration::from_secs(1));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Like [`explain`], for mistakes in a file the operator gave (a register, an agreement): fields are named by
/// their place in the file, not as flags.
pub(crate) fn explain_file(e: parley_app::AppError) -> anyhow::Error {
    match e {
        parley_app::AppError::Invalid(i) => {
            anyhow::anyhow!(i.0.iter().map(|f| format!("{}: {}", f.field, f.message)).collect::<Vec<_>>().join("; "))
        }
        other => explain(other),
    }
}

/// Turn a use-case error into a message for the terminal, naming fields and values.
pub(crate) fn explain(e: parley_app::AppError) -> anyhow::Error {
    match e {
        parley_app::AppError::Invalid(i) => {
            anyhow::anyhow!(i
                .0
                .iter()
                .map(|f| format!("--{}: {}", f.field.replace('_', "-"), f.message))
                .collect::<Vec<_>>()
                .join("; "))
        }
        parley_app::AppError::NotFound => anyhow::anyhow!("not found"),
        other => anyhow::anyhow!(other),
    }
}

/// A clap value parser from a domain parser: the message names the value.
pub(crate) fn domain_parser<T>(
    parse: fn(&str) -> Result<T, parley_domain::Invalid>,
) -> impl Fn(&str) -> Result<T, String> + Clone {
    move |s| parse(s).map_err(|e| e.0.iter().map(|f| f.message.clone()).collect::<Vec<_>>().join("; "))
}
