use super::{domain_parser, explain};
use crate::config::Config;
use crate::startup::open_app;
use parley_app::privacy::incidents;
use parley_domain::account::AccountSlug;
use parley_domain::incident::IncidentReport;

#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// Record a security incident against some accounts: each keeps it in its region, its owners are mailed and
    /// see it on the account's privacy page, and its audit log records it.
    Create {
        /// The accounts affected (repeat, or separate by commas).
        #[arg(long, required = true, value_delimiter = ',', value_parser = domain_parser(AccountSlug::parse))]
        account: Vec<AccountSlug>,
        #[arg(long)]
        title: String,
        /// What happened.
        #[arg(long)]
        description: String,
        /// Kinds of data affected (repeat, or separate by commas), e.g. "contact emails,message texts".
        #[arg(long, required = true, value_delimiter = ',')]
        data_categories: Vec<String>,
        /// What was done and will be done about it.
        #[arg(long)]
        measures: String,
        /// The day it happened or began (YYYY-MM-DD).
        #[arg(long)]
        occurred_on: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

pub async fn run(config: Config, cmd: Command) -> anyhow::Result<()> {
    let app = open_app(&config).await?;
    let result = async {
        let Command::Create { account, title, description, data_categories, measures, occurred_on, json } = cmd;
        let report = IncidentReport { title, description, data_categories, measures, occurred_on };
        let incident = incidents::record(&app, &account, report).await.map_err(explain)?;
        if json {
            println!("{}", serde_json::to_string_pretty(&incident)?);
        } else {
            let names: Vec<&str> = account.iter().map(|a| a.as_str()).collect();
            println!("Recorded incident {} for {}; their owners are being mailed.", incident.id, names.join(", "));
        }
        Ok(())
    }
    .await;
    app.regions.close().await;
    result
}
