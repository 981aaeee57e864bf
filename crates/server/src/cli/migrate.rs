use crate::config::Config;
use crate::startup::open_app;

pub async fn run(config: Config) -> anyhow::Result<()> {
    let app = open_app(&config).await?;
    for (db, applied) in app.regions.migrate(true).await.map_err(crate::cli::explain)? {
        if applied.is_empty() {
            println!("{db}: up to date");
        } else {
            println!("{db}: applied {}", applied.iter().map(|v| v.to_string()).collect::<Vec<_>>().join(", "));
        }
    }
    app.regions.close().await;
    Ok(())
}
