use super::{domain_parser, explain};
use crate::config::Config;
use crate::startup::open_app;
use anyhow::anyhow;
use parley_app::auth;
use parley_domain::account::AccountSlug;
use parley_domain::ids::ApiKeyId;
use serde_json::json;

#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// Create an API key (shown once).
    Create {
        #[arg(long, value_parser = domain_parser(AccountSlug::parse))]
        account: AccountSlug,
        /// What the key is for.
        #[arg(long)]
        name: String,
        #[arg(long)]
        json: bool,
    },
    /// List an account's keys (their prefixes, never the keys).
    List {
        #[arg(long, value_parser = domain_parser(AccountSlug::parse))]
        account: AccountSlug,
        #[arg(long)]
        json: bool,
    },
    /// Revoke a key: it stops working at once.
    Revoke {
        #[arg(long, value_parser = domain_parser(AccountSlug::parse))]
        account: AccountSlug,
        /// The key's id (see `apikey list`).
        #[arg(long, value_parser = parse_key_id)]
        id: ApiKeyId,
    },
}

fn parse_key_id(s: &str) -> Result<ApiKeyId, String> {
    ApiKeyId::parse(s).ok_or_else(|| "is not a key id (see `parley apikey list`)".to_string())
}

pub async fn run(config: Config, cmd: Command) -> anyhow::Result<()> {
    let app = open_app(&config).await?;
    let result = async {
        let (account, ctx) = match &cmd {
            Command::Create { account, .. } | Command::List { account, .. } | Command::Revoke { account, .. } => {
                let ctx = app.regions.context(account).await.map_err(|e| match e {
                    parley_app::AppError::NotFound => {
                        anyhow!("--account '{account}': no such account")
                    }
                    other => explain(other),
                })?;
                (account.clone(), ctx)
            }
        };
        match cmd {
            Command::Create { name, json, .. } => {
                let (key, secret) = auth::create_api_key(&ctx, None, &name).await.map_err(explain)?;
                if json {
                    println!(
                        "{}",
                        serde_json::to_string_pretty(&json!({ "id": key.id, "name": key.name, "key": secret }))?
                    );
                } else {
                    println!("Created API key {} for {account}.", key.id);
                    println!("  Key: {secret}   (shown once)");
                }
            }
            Command::List { json, .. } => {
                let keys = auth::list_api_keys(&ctx).await.map_err(explain)?;
                if json {
                    println!("{}", serde_json::to_string_pretty(&keys)?);
                } else {
                    println!("{:<36} {:<14} {:<8} NAME", "ID", "PREFIX", "STATE");
                    for k in keys {
                        let state = if k.revoked_at.is_some() { "revoked" } else { "active" };
                        println!("{:<36} {:<14} {:<8} {}", k.id, k.prefix, state, k.name);
                    }
                }
            }
            Command::Revoke { id, .. } => {
                auth::revoke_api_key(&ctx, None, id).await.map_err(|e| match e {
                    parley_app::AppError::NotFound => {
                        anyhow!("--id '{id}': {account} has no such key")
                    }
                    other => explain(other),
                })?;
                println!("Revoked API key {id}.");
            }
        }
        Ok(())
    }
    .await;
    app.regions.close().await;
    result
}
