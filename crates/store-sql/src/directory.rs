//! The directory in SQL: a table of slug → account id, region and status.

use crate::db::{args, Db, Row};
use crate::error::conflict_as;
use crate::migrate::{self, Schema};
use crate::rows::{id, parsed};
use crate::url::DatabaseUrl;
use async_trait::async_trait;
use parley_domain::account::{AccountSlug, AccountStatus, DirectoryEntry, MoveState};
use parley_domain::dpa::Dpa;
use parley_domain::region::{DatabaseName, Place, RegionName};
use parley_domain::Timestamp;
use parley_store::{DirectoryStore, StoreError};

#[derive(Clone)]
pub struct SqlDirectory {
    db: Db,
}

fn entry(r: &Row) -> Result<DirectoryEntry, StoreError> {
    let Place { region, database } = place_of(r)?;
    Ok(DirectoryEntry {
        account_id: id("account id", &r.text("account_id")?)?,
        slug: parsed("slug", &r.text("slug")?, AccountSlug::parse)?,
        region,
        database,
        status: parsed("status", &r.text("status")?, |s| AccountStatus::parse(s).ok_or(()))?,
    })
}

impl SqlDirectory {
    pub async fn connect(url: &DatabaseUrl) -> Result<Self, StoreError> {
        Ok(SqlDirectory { db: Db::connect(url, 2).await? })
    }

    pub async fn migrate(&self) -> Result<Vec<i64>, StoreError> {
        migrate::migrate(&self.db, Schema::Directory).await
    }

    pub async fn close(&self) {
        self.db.close().await;
    }
}

fn place_of(r: &Row) -> Result<Place, StoreError> {
    Ok(Place {
        region: parsed("region", &r.text("region")?, RegionName::parse)?,
        database: parsed("database", &r.text("database")?, DatabaseName::parse)?,
    })
}

fn move_state(r: &Row) -> Result<Option<MoveState>, StoreError> {
    let place = |what: &str, s: String| parsed(what, &s, Place::parse);
    Ok(match (r.opt_text("move_from")?, r.opt_text("move_to")?) {
        (Some(from), Some(to)) => {
            Some(MoveState { from: place("move_from", from)?, to: place("move_to", to)?, switched: false })
        }
        (Some(from), None) => Some(MoveState { from: place("move_from", from)?, to: place_of(r)?, switched: true }),
        _ => None,
    })
}

#[async_trait]
impl DirectoryStore for SqlDirectory {
    async fn begin_move(&self, slug: &AccountSlug, to: &Place) -> Result<MoveState, StoreError> {
        let (slug, to) = (slug.clone(), to.clone());
        self.db
            .write(move |tx| {
                Box::pin(async move {
                    let row = tx
                        .query_opt(
                            "SELECT region, database, status, move_from, move_to FROM directory WHERE slug = $1",
                            args![slug.as_str()],
                        )
                        .await?
                        .ok_or(StoreError::NotFound)?;
                    if let Some(state) = move_state(&row)? {
                        if state.to == to {
                            return Ok(state);
                        }
                        return Err(StoreError::Conflict(format!(
                            "'{slug}' is being moved from {} to {} already; finish that move first",
                            state.from, state.to
                        )));
                    }
                    let status = row.text("status")?;
                    if status != AccountStatus::Active.as_str() {
                        return Err(StoreError::Conflict(format!("'{slug}' is {status}, not active")));
                    }
                    let from = place_of(&row)?;
                    if from == to {
                        return Err(StoreError::Conflict(format!("'{slug}' is in {to} already")));
                    }
                    tx.exec(
                        "UPDATE directory SET status = $1, move_from = $2, move_to = $3 WHERE slug = $4",
                        args![AccountStatus::Moving.as_str(), from.to_string(), to.to_string(), slug.as_str()],
                    )
                    .await?;
                    Ok(MoveState { from, to, switched: false })
                })
            })
            .await
    }

    async fn switch_move(&self, slug: &AccountSlug) -> Result<(), StoreError> {
        let slug = slug.clone();
        self.db
            .write(move |tx| {
                Box::pin(async move {
                    let no_move = || StoreError::Conflict(format!("'{slug}' has no move waiting to be switched"));
                    let row = tx
                        .query_opt("SELECT move_to FROM directory WHERE slug = $1", args![slug.as_str()])
                        .await?
                        .ok_or(StoreError::NotFound)?;
                    let to = parsed("move_to", &row.opt_text("move_to")?.ok_or_else(no_move)?, Place::parse)?;
                    tx.exec(
                        "UPDATE directory SET region = $1, database = $2, move_to = NULL, status = $3 WHERE slug = $4",
                        args![to.region.as_str(), to.database.as_str(), AccountStatus::Active.as_str(), slug.as_str()],
                    )
                    .await?;
                    Ok(())
                })
            })
            .await
    }

    async fn end_move(&self, slug: &AccountSlug) -> Result<(), StoreError> {
        let slug = slug.clone();
        self.db
            .write(move |tx| {
                Box::pin(async move {
                    tx.exec(
                        "UPDATE directory SET move_from = NULL WHERE slug = $1 AND move_to IS NULL",
                        args![slug.as_str()],
                    )
                    .await?;
                    Ok(())
                })
            })
            .await
    }

    async fn move_state(&self, slug: &AccountSlug) -> Result<Option<MoveState>, StoreError> {
        let row = self
            .db
            .query_opt(
                "SELECT region, database, move_from, move_to FROM directory WHERE slug = $1",
                args![slug.as_str()],
            )
            .await?;
        match row {
            Some(r) => move_state(&r),
            None => Err(StoreError::NotFound),
        }
    }

    async fn reserve(&self, e: &DirectoryEntry) -> Result<(), StoreError> {
        let e = e.clone();
        self.db
            .write(move |tx| {
                Box::pin(async move {
                    tx.exec(
                        "INSERT INTO directory (slug, account_id, region, database, status) \
                         VALUES ($1, $2, $3, $4, $5)",
                        args![
                            e.slug.as_str(),
                            e.account_id.to_string(),
                            e.region.as_str(),
                            e.database.as_str(),
                            e.status.as_str()
                        ],
                    )
                    .await
                    .map_err(|err| conflict_as(err, || format!("the slug '{}' is taken", e.slug)))?;
                    Ok(())
                })
            })
            .await
    }

    async fn set_status(&self, slug: &AccountSlug, status: AccountStatus) -> Result<(), StoreError> {
        let slug = slug.clone();
        self.db
            .write(move |tx| {
                Box::pin(async move {
                    let n = tx
                        .exec("UPDATE directory SET status = $1 WHERE slug = $2", args![status.as_str(), slug.as_str()])
                        .await?;
                    if n == 0 {
                        return Err(StoreError::NotFound);
                    }
                    Ok(())
                })
            })
            .await
    }

    async fn lookup(&self, slug: &AccountSlug) -> Result<Option<DirectoryEntry>, StoreError> {
        let row = self
            .db
            .query_opt(
                "SELECT slug, account_id, region, database, status FROM directory WHERE slug = $1",
                args![slug.as_str()],
            )
            .await?;
        row.as_ref().map(entry).transpose()
    }

    async fn list(&self) -> Result<Vec<DirectoryEntry>, StoreError> {
        let rows = self
            .db
            .query("SELECT slug, account_id, region, database, status FROM directory ORDER BY slug", vec![])
            .await?;
        rows.iter().map(entry).collect()
    }

    async fn places_in_use(&self) -> Result<Vec<Place>, StoreError> {
        let rows = self.db.query("SELECT DISTINCT region, database FROM directory", vec![]).await?;
        let mut places: Vec<Place> = rows.iter().map(place_of).collect::<Result<_, _>>()?;
        let targets = self.db.query("SELECT DISTINCT move_to FROM directory WHERE move_to IS NOT NULL", vec![]).await?;
        for r in &targets {
            places.push(parsed("move_to", &r.text("move_to")?, Place::parse)?);
        }
        places.sort();
        places.dedup();
        Ok(places)
    }

    async fn release(&self, slug: &AccountSlug) -> Result<(), StoreError> {
        let slug = slug.clone();
        self.db
            .write(move |tx| {
                Box::pin(async move {
                    tx.exec("DELETE FROM directory WHERE slug = $1", args![slug.as_str()]).await?;
                    Ok(())
                })
            })
            .await
    }

    async fn publish_register(&self, version: u32, date: &str, body: &str, at: Timestamp) -> Result<(), StoreError> {
        let (date, body) = (date.to_string(), body.to_string());
        self.db
            .write(move |tx| {
                Box::pin(async move {
                    tx.exec(
                        "INSERT INTO subprocessor_registers (version, date, body, published_at) VALUES ($1, $2, $3, $4)",
                        args![i64::from(version), date, body, at.millis()],
                    )
                    .await
                    .map_err(|err| conflict_as(err, || format!("version {version} of the register is published")))?;
                    Ok(())
                })
            })
            .await
    }

    async fn registers(&self) -> Result<Vec<(u32, String)>, StoreError> {
        let rows = self.db.query("SELECT version, body FROM subprocessor_registers ORDER BY version", args![]).await?;
        rows.iter()
            .map(|r| {
                let v = u32::try_from(r.int("version")?)
                    .map_err(|_| StoreError::Other("a register version is out of range".into()))?;
                Ok((v, r.text("body")?))
            })
            .collect()
    }

    async fn register_published_at(&self, version: u32) -> Result<Option<Timestamp>, StoreError> {
        let row = self
            .db
            .query_opt("SELECT published_at FROM subprocessor_registers WHERE version = $1", args![i64::from(version)])
            .await?;
        Ok(row.map(|r| r.int("published_at")).transpose()?.map(Timestamp::from_millis))
    }

    async fn publish_dpa(&self, dpa: &Dpa, at: Timestamp) -> Result<(), StoreError> {
        let d = dpa.clone();
        self.db
            .write(move |tx| {
                Box::pin(async move {
                    tx.exec(
                        "INSERT INTO dpa_versions (version, date, title, body, published_at) VALUES ($1, $2, $3, $4, $5)",
                        args![i64::from(d.version), d.date, d.title, d.body, at.millis()],
                    )
                    .await
                    .map_err(|err| conflict_as(err, || format!("version {} of the DPA is published", d.version)))?;
                    Ok(())
                })
            })
            .await
    }

    async fn dpas(&self) -> Result<Vec<Dpa>, StoreError> {
        let rows =
            self.db.query("SELECT version, date, title, body FROM dpa_versions ORDER BY version", args![]).await?;
        rows.iter()
            .map(|r| {
                Ok(Dpa {
                    version: u32::try_from(r.int("version")?)
                        .map_err(|_| StoreError::Other("a DPA version is out of range".into()))?,
                    date: r.text("date")?,
                    title: r.text("title")?,
                    body: r.text("body")?,
                })
            })
            .collect()
    }
}
