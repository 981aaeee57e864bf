use super::{domain_parser, explain};
use crate::config::Config;
use crate::startup::open_app;
use anyhow::anyhow;
use parley_app::audit;
use parley_domain::account::AccountSlug;

#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// Check an account's audit log: every entry must follow from the one before it. Exits non-zero and names the
    /// first broken link if an entry was altered or removed.
    Verify {
        #[arg(long, value_parser = domain_parser(AccountSlug::parse))]
        account: AccountSlug,
        #[arg(long)]
        json: bool,
    },
}

pub async fn run(config: Config, cmd: Command) -> anyhow::Result<()> {
    let app = open_app(&config).await?;
    let result = async {
        let Command::Verify { account, json } = cmd;
        let ctx = app.regions.context(&account).await.map_err(|e| match e {
            parley_app::AppError::NotFound => anyhow!("--account '{account}': no such account"),
            other => explain(other),
        })?;
        let v = audit::verify(&ctx, None).await.map_err(explain)?;
        if json {
            println!("{}", serde_json::to_string_pretty(&v)?);
        }
        match v.broken {
            None => {
                if !json {
                    println!(
                        "The audit log of {account} is intact: {} entries, each following the one before.",
                        v.entries
                    );
                }
                Ok(())
            }
            Some(b) => Err(anyhow!(
                "the audit log of {account} is broken at entry {}: {} ({} entries before it are intact)",
                b.seq,
                b.reason,
                v.entries
            )),
        }
    }
    .await;
    app.regions.close().await;
    result
}
