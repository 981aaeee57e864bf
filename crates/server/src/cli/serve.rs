use crate::config::Config;
use crate::startup::{shutdown_signal, Application};
use parley_domain::account::AccountStatus;

#[derive(clap::Args, Debug, Clone, Default)]
pub struct Args {
    /// Address for the web app and API.
    #[arg(long, env = "PARLEY_LISTEN", value_name = "ADDR")]
    pub listen: Option<String>,
    /// Address for the SMTP/LMTP mail receiver.
    #[arg(long, env = "PARLEY_SMTP_LISTEN", value_name = "ADDR")]
    pub smtp_listen: Option<String>,
    /// Where outgoing mail goes: smtp://[user:pass@]host:port (STARTTLS when offered) or smtps://…
    #[arg(long, env = "PARLEY_SMTP_RELAY", value_name = "URL")]
    pub smtp_relay: Option<String>,
    /// Also receive mail by LMTP (from a local MTA) on this address.
    #[arg(long, env = "PARLEY_LMTP_LISTEN", value_name = "ADDR")]
    pub lmtp_listen: Option<String>,
}

pub async fn run(config: Config) -> anyhow::Result<()> {
    let served: Vec<String> = config.regions.iter().filter(|r| r.served).map(|r| r.place().to_string()).collect();
    let app = Application::build(config.clone()).await?;
    let accounts = app.app().regions.directory().list().await?;
    let active = accounts.iter().filter(|a| a.status == AccountStatus::Active).count();
    let settings = config.settings();
    // Plain lines on standard output: what a person starting Parley needs, and what scripts wait for.
    println!("Parley is listening on http://{} (regions: {})", app.address(), served.join(", "));
    println!("Mail to <anything>@<slug>.{} is received on {}", config.mail_domain, app.smtp_address());
    if active == 0 {
        println!("No accounts yet. Create the first one with:");
        println!("    cargo run --release -- account create --slug acme --region eu --owner-email you@example.com");
        println!("then sign in at {}/login", settings.account_url("acme"));
    } else {
        let first = &accounts[0];
        println!("{active} account(s); sign in at e.g. {}/login", settings.account_url(first.slug.as_str()));
    }
    app.run_until_stopped(shutdown_signal()).await
}
