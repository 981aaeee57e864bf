//! `cargo run --release -p parley-loadgen -- <benchmark>`: drives a real `parley` server (the release binary next
//! to this one) and prints what it measured. Build the server first: `cargo build --release`.

mod automation;
mod chat;
mod mail;
mod search;
mod server;
mod soak;
mod stats;
mod tickets;
mod views;
mod voice;
mod workspace;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Parser)]
#[command(name = "parley-loadgen", about = "Load tests for Parley")]
struct Cli {
    #[command(subcommand)]
    bench: Bench,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

#[derive(Subcommand)]
enum Bench {
    /// Ticket creation through the API with concurrent clients, then listing open tickets in a large account.
    Tickets {
        /// sqlite, postgres, or both when left out.
        #[arg(long)]
        engine: Option<Engine>,
        #[arg(long, default_value_t = 32)]
        clients: usize,
        /// Seconds of ticket creation.
        #[arg(long, default_value_t = 20)]
        seconds: u64,
        /// Tickets in the account when the list is measured.
        #[arg(long, default_value_t = 1_000_000)]
        list_size: u64,
        /// Seconds of listing.
        #[arg(long, default_value_t = 10)]
        list_seconds: u64,
    },
    /// Live chat: visitors holding WebSockets, writing at a steady rate, with agents answering through the API.
    Chat {
        #[arg(long, default_value_t = 10_000)]
        visitors: usize,
        #[arg(long, default_value_t = 20)]
        seconds: u64,
        /// Visitor messages per second, all visitors together.
        #[arg(long, default_value_t = 1_000)]
        rate: u64,
        /// Agent answers per second, through the API.
        #[arg(long, default_value_t = 100)]
        agent_rate: u64,
    },
    /// Search: many tickets indexed with `parley reindex`, then queries from 8 concurrent searchers, and how soon
    /// a new ticket is found.
    Search {
        /// sqlite, postgres, or both when left out.
        #[arg(long)]
        engine: Option<Engine>,
        #[arg(long, default_value_t = 1_000_000)]
        tickets: u64,
        /// Seconds of each kind of query.
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// Measure the queries again on a data directory an earlier run kept (`PARLEY_BENCH_KEEP=1`), without
        /// seeding and indexing it anew.
        #[arg(long, value_name = "DIR")]
        reuse: Option<std::path::PathBuf>,
        /// With `--reuse` on PostgreSQL: the database the earlier run kept.
        #[arg(long, value_name = "URL", requires = "reuse")]
        reuse_database: Option<String>,
    },
    /// Views: each built-in view's first page with its count, a saved view with three filters, and the list of
    /// views with their counts, in an account of many tickets.
    Views {
        /// sqlite, postgres, or both when left out.
        #[arg(long)]
        engine: Option<Engine>,
        #[arg(long, default_value_t = 1_000_000)]
        tickets: u64,
        /// Seconds of requests per view.
        #[arg(long, default_value_t = 5)]
        seconds: u64,
        #[arg(long, default_value_t = 4)]
        clients: usize,
    },
    /// Automation: creation with and without 20 triggers and 5 SLA policies, then the SLA sweep's query over
    /// many tickets with running clocks.
    Automation {
        /// sqlite, postgres, or both when left out.
        #[arg(long)]
        engine: Option<Engine>,
        #[arg(long, default_value_t = 32)]
        clients: usize,
        /// Seconds of creation, each way.
        #[arg(long, default_value_t = 20)]
        seconds: u64,
        /// Tickets in the account when the sweep is measured.
        #[arg(long, default_value_t = 1_000_000)]
        tickets: u64,
        /// Of them, open tickets with a running SLA clock.
        #[arg(long, default_value_t = 200_000)]
        clocks: u64,
    },
    /// Sustained load: tickets created faster than the search indexer writes them, then slower, with mail beside
    /// them; per minute the creations, their p99, the search backlog, the write-ahead log and memory; then how long
    /// the backlog takes to drain and the server to stop.
    Soak {
        #[arg(long, value_enum, default_value = "sqlite")]
        engine: Engine,
        #[arg(long, default_value_t = 10)]
        minutes: u64,
        /// Tickets marked for indexing before the run (seeded straight into the database).
        #[arg(long, default_value_t = 0)]
        backlog: u64,
        /// Clients creating tickets flat out in the first part of the run.
        #[arg(long, default_value_t = 32)]
        fast_clients: usize,
        /// Minutes of the first part.
        #[arg(long, default_value_t = 3)]
        fast_minutes: u64,
        /// Tickets per second after it.
        #[arg(long, default_value_t = 200)]
        slow_rate: u64,
        /// Mails per second over SMTP, throughout.
        #[arg(long, default_value_t = 5)]
        mail_rate: u64,
        /// Every ticket alike (one subject, body and requester), as a load tool replaying one request sends them.
        #[arg(long)]
        alike: bool,
    },
    /// Voice: calls through the Twilio stand-in (signed webhooks answered with TwiML) from concurrent callers,
    /// with voicemail recordings fetched into the region meanwhile (SQLite).
    Voice {
        #[arg(long, default_value_t = 16)]
        callers: usize,
        #[arg(long, default_value_t = 20)]
        seconds: u64,
    },
    /// Mail over concurrent SMTP connections, then processing into tickets.
    Mail {
        #[arg(long)]
        engine: Option<Engine>,
        #[arg(long, default_value_t = 8)]
        connections: usize,
        #[arg(long, default_value_t = 20_000)]
        count: u64,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    match Cli::parse().bench {
        Bench::Tickets { engine, clients, seconds, list_size, list_seconds } => {
            let engines = match engine {
                Some(e) => vec![e],
                None => vec![Engine::Sqlite, Engine::Postgres],
            };
            for e in engines {
                tickets::run(e, clients, seconds, list_size, list_seconds).await?;
            }
        }
        Bench::Chat { visitors, seconds, rate, agent_rate } => chat::run(visitors, seconds, rate, agent_rate).await?,
        Bench::Search { engine, tickets, seconds, reuse, reuse_database } => match reuse {
            Some(dir) => search::again(dir, reuse_database, seconds).await?,
            None => {
                let engines = match engine {
                    Some(e) => vec![e],
                    None => vec![Engine::Sqlite, Engine::Postgres],
                };
                for e in engines {
                    search::run(e, tickets, seconds).await?;
                }
            }
        },
        Bench::Views { engine, tickets, seconds, clients } => {
            let engines = match engine {
                Some(e) => vec![e],
                None => vec![Engine::Sqlite, Engine::Postgres],
            };
            for e in engines {
                views::run(e, tickets, seconds, clients).await?;
            }
        }
        Bench::Automation { engine, clients, seconds, tickets, clocks } => {
            let engines = match engine {
                Some(e) => vec![e],
                None => vec![Engine::Sqlite, Engine::Postgres],
            };
            for e in engines {
                automation::run(e, clients, seconds, tickets, clocks).await?;
            }
        }
        Bench::Soak { engine, minutes, backlog, fast_clients, fast_minutes, slow_rate, mail_rate, alike } => {
            let plan = soak::Plan { engine, minutes, backlog, fast_clients, fast_minutes, slow_rate, mail_rate, alike };
            soak::run(plan).await?
        }
        Bench::Voice { callers, seconds } => voice::run(callers, seconds).await?,
        Bench::Mail { engine, connections, count } => {
            let engines = match engine {
                Some(e) => vec![e],
                None => vec![Engine::Sqlite, Engine::Postgres],
            };
            for e in engines {
                mail::run(e, connections, count).await?;
            }
        }
    }
    Ok(())
}
