use super::{domain_parser, explain};
use crate::config::Config;
use crate::startup::open_app;
use anyhow::anyhow;
use parley_app::support;
use parley_domain::account::AccountSlug;

#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// Open a staff session under the account's grant in force. Prints a token for the API
    /// (`Authorization: Bearer staff_…`), valid while the grant is; every request made with it goes to the
    /// account's audit log.
    Open {
        #[arg(long, value_parser = domain_parser(AccountSlug::parse))]
        account: AccountSlug,
        /// Who on the operator's staff uses it (shown in the account's audit log).
        #[arg(long)]
        staff: String,
        #[arg(long)]
        json: bool,
    },
}

pub async fn run(config: Config, cmd: Command) -> anyhow::Result<()> {
    let app = open_app(&config).await?;
    let result = async {
        let Command::Open { account, staff, json } = cmd;
        let ctx = app.regions.context(&account).await.map_err(|e| match e {
            parley_app::AppError::NotFound => anyhow!("--account '{account}': no such account"),
            other => explain(other),
        })?;
        let (grant, token) = support::open_session(&ctx, &staff).await.map_err(|e| match e {
            parley_app::AppError::Forbidden(why) => anyhow!("--account '{account}': {why}"),
            other => explain(other),
        })?;
        if json {
            println!("{}", serde_json::to_string_pretty(&serde_json::json!({ "token": token, "grant": grant }))?);
        } else {
            println!(
                "Opened a {} support session on {account} until {} ({}).",
                grant.scope.as_str().replace('_', "-"),
                grant.expires_at.to_display(),
                grant.reason
            );
            println!("  Token: {token}   (shown once; use as Authorization: Bearer …)");
            println!("  API:   {}/api/v1", config.settings().account_url(account.as_str()));
        }
        Ok(())
    }
    .await;
    app.regions.close().await;
    result
}
