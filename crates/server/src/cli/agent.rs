use super::{domain_parser, explain};
use crate::config::Config;
use crate::startup::open_app;
use parley_app::people::{add_agent, list_agents, AddAgent, Credentials};
use parley_domain::account::AccountSlug;
use parley_domain::agent::Role;
use parley_domain::email::EmailAddress;
use serde_json::json;

#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// Add an agent; prints a password to sign in with (shown once).
    Add {
        #[arg(long, value_parser = domain_parser(AccountSlug::parse))]
        account: AccountSlug,
        #[arg(long, value_parser = domain_parser(EmailAddress::parse))]
        email: EmailAddress,
        #[arg(long)]
        name: String,
        /// owner, admin or agent.
        #[arg(long, default_value = "agent", value_parser = domain_parser(Role::parse))]
        role: Role,
        #[arg(long)]
        json: bool,
    },
    /// List an account's agents.
    List {
        #[arg(long, value_parser = domain_parser(AccountSlug::parse))]
        account: AccountSlug,
        #[arg(long)]
        json: bool,
    },
}

pub async fn run(config: Config, cmd: Command) -> anyhow::Result<()> {
    let app = open_app(&config).await?;
    let result = async {
        match cmd {
            Command::Add { account, email, name, role, json } => {
                let ctx = app.regions.context(&account).await.map_err(|e| match e {
                    parley_app::AppError::NotFound => {
                        anyhow::anyhow!("--account '{account}': no such account")
                    }
                    other => explain(other),
                })?;
                let input = AddAgent {
                    email: email.to_string(),
                    name,
                    role: role.as_str().into(),
                    department_ids: vec![],
                    password: None,
                };
                let (agent, creds) = add_agent(&ctx, None, input, false).await.map_err(explain)?;
                let password = match creds {
                    Credentials::Password(p) => p,
                    Credentials::SetupToken(t) => t,
                };
                if json {
                    println!("{}", serde_json::to_string_pretty(&json!({ "agent": agent, "password": password }))?);
                } else {
                    println!("Added {} <{}> as {}.", agent.name, agent.email, agent.role.as_str());
                    println!("  Password: {password}   (shown once)");
                    println!("  Sign in at: {}/login", config.settings().account_url(account.as_str()));
                }
                Ok(())
            }
            Command::List { account, json } => {
                let ctx = app.regions.context(&account).await.map_err(|e| match e {
                    parley_app::AppError::NotFound => {
                        anyhow::anyhow!("--account '{account}': no such account")
                    }
                    other => explain(other),
                })?;
                let agents = list_agents(&ctx).await.map_err(explain)?;
                if json {
                    println!("{}", serde_json::to_string_pretty(&agents)?);
                } else {
                    println!("{:<36} {:<8} {:<7} NAME <EMAIL>", "ID", "ROLE", "ACTIVE");
                    for a in agents {
                        println!("{:<36} {:<8} {:<7} {} <{}>", a.id, a.role.as_str(), a.active, a.name, a.email);
                    }
                }
                Ok(())
            }
        }
    }
    .await;
    app.regions.close().await;
    result
}
