//! `parley reindex`: rebuilds the ticket search index from the tickets, for one account or every account of the
//! regions this configuration serves, with a progress bar. Safe while Parley serves.

use crate::config::Config;
use crate::startup::open_app;
use clap::Args as ClapArgs;
use parley_domain::account::AccountSlug;
use std::io::Write;

#[derive(ClapArgs, Debug)]
pub struct Args {
    /// Only this account (default: every account of every region served).
    #[arg(long, value_parser = crate::cli::domain_parser(AccountSlug::parse))]
    slug: Option<AccountSlug>,
}

/// `[#######        ] 7/30`: thirty marks for the whole.
fn bar(done: u64, total: u64) -> String {
    const WIDTH: u64 = 30;
    let filled = (done.min(total) * WIDTH).checked_div(total).unwrap_or(WIDTH) as usize;
    format!("[{}{}] {done}/{total}", "#".repeat(filled), " ".repeat(WIDTH as usize - filled))
}

pub async fn run(config: Config, args: Args) -> anyhow::Result<()> {
    let app = open_app(&config).await?;
    let show = |region: &str, p: parley_app::search::Progress| {
        print!("\r{region}: {}", bar(p.done, p.total));
        let _ = std::io::stdout().flush();
    };
    match &args.slug {
        Some(slug) => {
            let ctx = app.regions.context(slug).await.map_err(|e| match e {
                parley_app::AppError::NotFound => anyhow::anyhow!("there is no account '{slug}'"),
                e => crate::cli::explain(e),
            })?;
            let region = ctx.region.to_string();
            let n = parley_app::search::reindex(ctx.store.as_ref(), Some(&ctx), |p| show(&region, p))
                .await
                .map_err(crate::cli::explain)?;
            println!("\r{region}: {} — {n} tickets indexed for {slug}", bar(n, n));
        }
        None => {
            for cell in app.regions.served() {
                let region = cell.spec.place().to_string();
                let store = app.regions.store_at(&cell.spec.place()).await.map_err(crate::cli::explain)?;
                let n = parley_app::search::reindex(store.as_ref(), None, |p| show(&region, p))
                    .await
                    .map_err(crate::cli::explain)?;
                println!("\r{region}: {} — {n} tickets indexed", bar(n, n));
            }
        }
    }
    app.regions.close().await;
    Ok(())
}
