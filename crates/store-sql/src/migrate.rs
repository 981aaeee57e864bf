//! Schema migrations, embedded in the binary, one list per engine, applied at start and by `parley migrate`.
//!
//! All pending migrations apply in one unit of work that first takes a lock (SQLite: the write transaction is
//! `BEGIN IMMEDIATE`; PostgreSQL: a transaction-scoped advisory lock), so processes starting together don't race.

use crate::db::{args, Db};
use crate::url::Engine;
use parley_domain::Timestamp;
use parley_store::StoreError;

pub(crate) struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sql: &'static str,
}

const REGION_SQLITE: &[Migration] = &[
    Migration { version: 1, name: "core", sql: include_str!("../migrations/sqlite/0001_core.sql") },
    Migration { version: 2, name: "email", sql: include_str!("../migrations/sqlite/0002_email.sql") },
    Migration { version: 3, name: "mail_settings", sql: include_str!("../migrations/sqlite/0003_mail_settings.sql") },
    Migration { version: 4, name: "audit", sql: include_str!("../migrations/sqlite/0004_audit.sql") },
    Migration { version: 5, name: "features", sql: include_str!("../migrations/sqlite/0005_features.sql") },
    Migration {
        version: 6,
        name: "register_notices",
        sql: include_str!("../migrations/sqlite/0006_register_notices.sql"),
    },
    Migration { version: 7, name: "dpa", sql: include_str!("../migrations/sqlite/0007_dpa.sql") },
    Migration { version: 8, name: "support", sql: include_str!("../migrations/sqlite/0008_support.sql") },
    Migration {
        version: 9,
        name: "moves_incidents_retention",
        sql: include_str!("../migrations/sqlite/0009_moves_incidents_retention.sql"),
    },
    Migration { version: 10, name: "chat", sql: include_str!("../migrations/sqlite/0010_chat.sql") },
    Migration { version: 11, name: "chat routing", sql: include_str!("../migrations/sqlite/0011_chat_routing.sql") },
    Migration { version: 12, name: "search", sql: include_str!("../migrations/sqlite/0012_search.sql") },
    Migration { version: 13, name: "knowledge", sql: include_str!("../migrations/sqlite/0013_knowledge.sql") },
    Migration {
        version: 14,
        name: "customer sign-in",
        sql: include_str!("../migrations/sqlite/0014_customer_sign_in.sql"),
    },
    Migration {
        version: 15,
        name: "search merging",
        sql: include_str!("../migrations/sqlite/0015_search_merging.sql"),
    },
    Migration { version: 16, name: "grant tickets", sql: include_str!("../migrations/sqlite/0016_grant_tickets.sql") },
    Migration {
        version: 17,
        name: "search merge steps",
        sql: include_str!("../migrations/sqlite/0017_search_merge_steps.sql"),
    },
    Migration {
        version: 18,
        name: "canned responses and macros",
        sql: include_str!("../migrations/sqlite/0018_canned_macros.sql"),
    },
    Migration { version: 19, name: "views", sql: include_str!("../migrations/sqlite/0019_views.sql") },
    Migration { version: 20, name: "collision", sql: include_str!("../migrations/sqlite/0020_collision.sql") },
    Migration { version: 21, name: "agent profile", sql: include_str!("../migrations/sqlite/0021_agent_profile.sql") },
    Migration { version: 22, name: "followers", sql: include_str!("../migrations/sqlite/0022_followers.sql") },
    Migration {
        version: 23,
        name: "business_hours",
        sql: include_str!("../migrations/sqlite/0023_business_hours.sql"),
    },
    Migration { version: 24, name: "sla_policies", sql: include_str!("../migrations/sqlite/0024_sla_policies.sql") },
    Migration { version: 25, name: "ticket_sla", sql: include_str!("../migrations/sqlite/0025_ticket_sla.sql") },
    Migration { version: 26, name: "triggers", sql: include_str!("../migrations/sqlite/0026_triggers.sql") },
    Migration { version: 27, name: "automations", sql: include_str!("../migrations/sqlite/0027_automations.sql") },
    Migration { version: 28, name: "assignment", sql: include_str!("../migrations/sqlite/0028_assignment.sql") },
    Migration { version: 29, name: "rules_rev", sql: include_str!("../migrations/sqlite/0029_rules_rev.sql") },
    Migration { version: 30, name: "voice", sql: include_str!("../migrations/sqlite/0030_voice.sql") },
];

const REGION_POSTGRES: &[Migration] = &[
    Migration { version: 1, name: "core", sql: include_str!("../migrations/postgres/0001_core.sql") },
    Migration { version: 2, name: "email", sql: include_str!("../migrations/postgres/0002_email.sql") },
    Migration { version: 3, name: "mail_settings", sql: include_str!("../migrations/postgres/0003_mail_settings.sql") },
    Migration { version: 4, name: "audit", sql: include_str!("../migrations/postgres/0004_audit.sql") },
    Migration { version: 5, name: "features", sql: include_str!("../migrations/postgres/0005_features.sql") },
    Migration {
        version: 6,
        name: "register_notices",
        sql: include_str!("../migrations/postgres/0006_register_notices.sql"),
    },
    Migration { version: 7, name: "dpa", sql: include_str!("../migrations/postgres/0007_dpa.sql") },
    Migration { version: 8, name: "support", sql: include_str!("../migrations/postgres/0008_support.sql") },
    Migration {
        version: 9,
        name: "moves_incidents_retention",
        sql: include_str!("../migrations/postgres/0009_moves_incidents_retention.sql"),
    },
    Migration { version: 10, name: "chat", sql: include_str!("../migrations/postgres/0010_chat.sql") },
    Migration { version: 11, name: "chat routing", sql: include_str!("../migrations/postgres/0011_chat_routing.sql") },
    Migration { version: 12, name: "search", sql: include_str!("../migrations/postgres/0012_search.sql") },
    Migration { version: 13, name: "knowledge", sql: include_str!("../migrations/postgres/0013_knowledge.sql") },
    Migration {
        version: 14,
        name: "customer sign-in",
        sql: include_str!("../migrations/postgres/0014_customer_sign_in.sql"),
    },
    Migration {
        version: 15,
        name: "search merging",
        sql: include_str!("../migrations/postgres/0015_search_merging.sql"),
    },
    Migration {
        version: 16,
        name: "grant tickets",
        sql: include_str!("../migrations/postgres/0016_grant_tickets.sql"),
    },
    Migration {
        version: 17,
        name: "search merge steps",
        sql: include_str!("../migrations/postgres/0017_search_merge_steps.sql"),
    },
    Migration {
        version: 18,
        name: "canned responses and macros",
        sql: include_str!("../migrations/postgres/0018_canned_macros.sql"),
    },
    Migration { version: 19, name: "views", sql: include_str!("../migrations/postgres/0019_views.sql") },
    Migration { version: 20, name: "collision", sql: include_str!("../migrations/postgres/0020_collision.sql") },
    Migration {
        version: 21,
        name: "agent profile",
        sql: include_str!("../migrations/postgres/0021_agent_profile.sql"),
    },
    Migration { version: 22, name: "followers", sql: include_str!("../migrations/postgres/0022_followers.sql") },
    Migration {
        version: 23,
        name: "business_hours",
        sql: include_str!("../migrations/postgres/0023_business_hours.sql"),
    },
    Migration { version: 24, name: "sla_policies", sql: include_str!("../migrations/postgres/0024_sla_policies.sql") },
    Migration { version: 25, name: "ticket_sla", sql: include_str!("../migrations/postgres/0025_ticket_sla.sql") },
    Migration { version: 26, name: "triggers", sql: include_str!("../migrations/postgres/0026_triggers.sql") },
    Migration { version: 27, name: "automations", sql: include_str!("../migrations/postgres/0027_automations.sql") },
    Migration { version: 28, name: "assignment", sql: include_str!("../migrations/postgres/0028_assignment.sql") },
    Migration { version: 29, name: "rules_rev", sql: include_str!("../migrations/postgres/0029_rules_rev.sql") },
    Migration { version: 30, name: "voice", sql: include_str!("../migrations/postgres/0030_voice.sql") },
];

const DIRECTORY: &[Migration] = &[
    Migration { version: 1, name: "directory", sql: include_str!("../migrations/directory/0001_directory.sql") },
    Migration {
        version: 2,
        name: "subprocessors",
        sql: include_str!("../migrations/directory/0002_subprocessors.sql"),
    },
    Migration { version: 3, name: "dpa", sql: include_str!("../migrations/directory/0003_dpa.sql") },
    Migration { version: 4, name: "moves", sql: include_str!("../migrations/directory/0004_moves.sql") },
    Migration { version: 5, name: "databases", sql: include_str!("../migrations/directory/0005_databases.sql") },
];

#[derive(Clone, Copy)]
pub(crate) enum Schema {
    Region,
    Directory,
}

/// Apply what is missing. Returns the versions applied now.
pub(crate) async fn migrate(db: &Db, schema: Schema) -> Result<Vec<i64>, StoreError> {
    let engine = db.engine();
    let (migrations, table, lock) = match (schema, engine) {
        (Schema::Region, Engine::Sqlite) => (REGION_SQLITE, "schema_migrations", 0),
        (Schema::Region, Engine::Postgres) => (REGION_POSTGRES, "schema_migrations", 72_650_001),
        (Schema::Directory, _) => (DIRECTORY, "directory_migrations", 72_650_002),
    };
    db.write(move |tx| {
        Box::pin(async move {
            if engine == Engine::Postgres {
                tx.batch(&format!("DO $$ BEGIN PERFORM pg_advisory_xact_lock({lock}); END $$")).await?;
            }
            tx.batch(&format!(
                "CREATE TABLE IF NOT EXISTS {table} (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)"
            ))
            .await?;
            let rows = tx.query(&format!("SELECT version FROM {table}"), vec![]).await?;
            let applied: Vec<i64> = rows.iter().map(|r| r.int("version")).collect::<Result<_, _>>()?;
            let newest_known = migrations.iter().map(|m| m.version).max().unwrap_or(0);
            if let Some(newest) = applied.iter().max().filter(|n| **n > newest_known) {
                return Err(StoreError::Other(format!(
                    "the database has schema version {newest}, newer than this parley knows; upgrade parley"
                )));
            }
            let mut done = Vec::new();
            for m in migrations.iter().filter(|m| !applied.contains(&m.version)) {
                tx.batch(m.sql).await?;
                tx.exec(
                    &format!("INSERT INTO {table} (version, name, applied_at) VALUES ($1, $2, $3)"),
                    args![m.version, m.name, Timestamp::now().millis()],
                )
                .await?;
                tracing::info!(version = m.version, name = m.name, "applied migration");
                done.push(m.version);
            }
            Ok(done)
        })
    })
    .await
}
