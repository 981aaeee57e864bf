//! `parley check --region R`: Parley's own check of a region as it is, on either engine — after `parley restore`
//! (which runs it itself) or after a PostgreSQL database was restored with `pg_restore`.

use crate::config::Config;
use crate::startup::open_app;
use parley_domain::region::RegionName;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The region to check.
    #[arg(long, value_parser = crate::cli::domain_parser(RegionName::parse))]
    region: RegionName,
}

pub async fn run(config: Config, args: Args) -> anyhow::Result<()> {
    if !config.regions.iter().any(|s| s.name == args.region) {
        anyhow::bail!("--region {}: not a region of this Parley", args.region);
    }
    let app = open_app(&config).await?;
    let result = crate::backup::check_region(&app.regions, &args.region).await;
    app.regions.close().await;
    let lines = result?;
    for line in &lines {
        println!("{line}");
    }
    println!("Region {}: {} accounts checked, every audit chain intact.", args.region, lines.len());
    Ok(())
}
