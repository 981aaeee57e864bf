use super::{domain_parser, explain};
use crate::config::Config;
use crate::startup::open_app;
use anyhow::anyhow;
use parley_app::accounts::relocate::{self, MoveRequest, Step};
use parley_app::accounts::{create_account, CreateAccount};
use parley_domain::account::AccountSlug;
use parley_domain::email::EmailAddress;
use parley_domain::region::{region_for_country, DatabaseName, RegionName};
use serde_json::json;

#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// Create an account with its owner and a first API key (both shown once).
    Create {
        /// The account's name in its address: <slug>.<base-domain>.
        #[arg(long, value_parser = domain_parser(AccountSlug::parse))]
        slug: AccountSlug,
        /// The region to keep the account's data in (eu, us, uk, apac).
        #[arg(long, required_unless_present = "country", conflicts_with = "country", value_parser = domain_parser(RegionName::parse))]
        region: Option<RegionName>,
        /// Pick the region from the customer's country (ISO 3166 code, e.g. HU, GB, US, SG).
        #[arg(long)]
        country: Option<String>,
        #[arg(long, value_parser = domain_parser(EmailAddress::parse))]
        owner_email: EmailAddress,
        #[arg(long)]
        owner_name: Option<String>,
        /// The account's display name (default: the slug).
        #[arg(long)]
        name: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// List accounts, with their regions and status.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Move an account's data to another region, or to another database of its region: copied, checked against
    /// the source, switched, and wiped from the source. The account is not served while it is copied. Run again to
    /// finish a move cut off.
    Move {
        #[arg(long, value_parser = domain_parser(AccountSlug::parse))]
        slug: AccountSlug,
        /// The region to move to (default: the account's own, with --to-database).
        #[arg(long, required_unless_present = "to_database", value_parser = domain_parser(RegionName::parse))]
        to_region: Option<RegionName>,
        /// The database of that region to move to (default: its main one).
        #[arg(long, value_parser = domain_parser(DatabaseName::parse))]
        to_database: Option<DatabaseName>,
        /// The reference of the agreement allowing the data to leave its region; kept in the account's audit log.
        /// Needed only when the region changes.
        #[arg(long)]
        agreement: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Show one account.
    Show {
        #[arg(long, value_parser = domain_parser(AccountSlug::parse))]
        slug: AccountSlug,
        #[arg(long)]
        json: bool,
    },
}

pub async fn run(config: Config, cmd: Command) -> anyhow::Result<()> {
    let app = open_app(&config).await?;
    let result = match cmd {
        Command::Create { slug, region, country, owner_email, owner_name, name, json } => {
            let region = match (region, country) {
                (Some(r), _) => r,
                (None, Some(c)) => {
                    let r = region_for_country(&c)
                        .ok_or_else(|| anyhow!("--country '{c}': no region is set for this country; give --region"))?;
                    RegionName::parse(r).map_err(|e| anyhow!("{e}"))?
                }
                (None, None) => return Err(anyhow!("give --region or --country")),
            };
            if config.regions.iter().all(|r| r.name != region) {
                return Err(anyhow!("--region '{region}' is not a region of this Parley"));
            }
            let created = create_account(&app, CreateAccount { slug, region, name, owner_email, owner_name })
                .await
                .map_err(explain)?;
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&json!({
                        "account": { "id": created.account.id, "slug": created.account.slug, "name": created.account.name,
                                     "region": created.region, "url": created.url },
                        "owner": { "id": created.owner.id, "email": created.owner.email, "password": created.owner_password },
                        "api_key": created.api_key,
                    }))?
                );
            } else {
                println!("Created account {} in region {}.", created.account.slug, created.region);
                println!("  Sign in at: {}/login", created.url);
                println!("  Email:      {}", created.owner.email);
                println!("  Password:   {}   (shown once; change it after signing in)", created.owner_password);
                println!("  API key:    {}   (shown once)", created.api_key);
                println!("Try: curl -H 'Authorization: Bearer {}' {}/api/v1/tickets", created.api_key, created.url);
            }
            Ok(())
        }
        Command::Move { slug, to_region, to_database, agreement, json } => {
            let request = MoveRequest { slug, to_region, to_database, agreement };
            let report = relocate::move_account(&app, request, &mut |step| {
                if !json {
                    println!("{}", describe(step));
                }
                // A crash at a chosen step, for the test that proves a move cut off is finished by running it again.
                if std::env::var("PARLEY_TEST_CRASH_AFTER").is_ok_and(|s| s == step.name()) {
                    std::process::abort();
                }
            })
            .await
            .map_err(explain)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                println!("Moved {} from {} to {}.", report.slug, report.from, report.to);
            }
            Ok(())
        }
        Command::List { json } => {
            let all = app.regions.directory().list().await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&all)?);
            } else if all.is_empty() {
                println!("No accounts.");
            } else {
                println!("{:<30} {:<8} {:<10} {:<10} ID", "SLUG", "REGION", "DATABASE", "STATUS");
                for e in all {
                    let (region, db, status) = (e.region.as_str(), e.database.as_str(), e.status.as_str());
                    println!("{:<30} {region:<8} {db:<10} {status:<10} {}", e.slug.as_str(), e.account_id);
                }
            }
            Ok(())
        }
        Command::Show { slug, json } => {
            let entry = app
                .regions
                .directory()
                .lookup(&slug)
                .await?
                .ok_or_else(|| anyhow!("--slug '{slug}': no such account"))?;
            let store = app.regions.store_at(&entry.place()).await.map_err(explain)?;
            let account = store
                .get_account(entry.account_id)
                .await?
                .ok_or_else(|| anyhow!("the account is in the directory but not in {}", entry.place()))?;
            let url = config.settings().account_url(slug.as_str());
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&json!({
                        "id": account.id, "slug": account.slug, "name": account.name, "region": entry.region,
                        "database": entry.database, "status": entry.status, "created_at": account.created_at, "url": url,
                    }))?
                );
            } else {
                println!("Account {} ({})", account.slug, account.name);
                println!("  ID:       {}", account.id);
                println!("  Region:   {}", entry.region);
                println!("  Database: {}", entry.database);
                println!("  Status:   {}", entry.status.as_str());
                println!("  Created:  {}", account.created_at.to_display());
                println!("  URL:      {url}");
            }
            Ok(())
        }
    };
    app.regions.close().await;
    result
}

fn describe(step: Step) -> String {
    match step {
        Step::Started { resumed: false } => "The account is not served until its move is done.".into(),
        Step::Started { resumed: true } => "Resuming the move begun earlier.".into(),
        Step::Copied { rows } => format!("Copied {rows} rows."),
        Step::Verified { tables } => format!("The copy matches the source in all {tables} tables."),
        Step::Switched => "The directory points at the new region; the account is served again.".into(),
        Step::Wiped { rows } => format!("Removed {rows} rows from the old region."),
    }
}
