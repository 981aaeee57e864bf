//! Region cells and the directory: from an account's slug to the database of the region it lives in.
//!
//! A region has one database (`main`) unless the operator gave it more; each database is a cell of its own here,
//! so everything that works through the cells of a region (workers, mail, search) reaches all of its databases.
//!
//! A process serves some regions (all by default). A region's database is opened the first time it is needed, so
//! a command that touches one region opens only that one. `serve` migrates the regions it serves at start, so that
//! a bad setup fails before anything is served, but keeps open only those that hold accounts: its workers visit
//! [`Regions::working`] databases, and a region nobody lives in costs no connections, threads or memory.

use crate::{AccountCtx, AppError};
use parley_domain::account::{AccountSlug, AccountStatus, DirectoryEntry};
use parley_domain::region::{DatabaseName, Place, RegionName};
use parley_store::{DirectoryStore, RegionStore};
use parley_store_sql::{DatabaseUrl, PoolSize, SqlDirectory, SqlStore};
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::OnceCell;

/// How one region is set up.
#[derive(Debug, Clone)]
pub struct RegionSpec {
    pub name: RegionName,
    /// Which of the region's databases this cell is.
    pub db: DatabaseName,
    pub database: DatabaseUrl,
    /// Where the region's blobs (attachments, images) and other files live.
    pub files_dir: PathBuf,
    /// Where another process serves this region, as a URL template with `{slug}`; requests for its accounts that
    /// reach a process not serving it are redirected there.
    pub public_url: Option<String>,
    /// Whether this process serves the region's accounts.
    pub served: bool,
}

impl RegionSpec {
    pub fn place(&self) -> Place {
        Place { region: self.name.clone(), database: self.db.clone() }
    }
}

pub struct RegionCell {
    pub spec: RegionSpec,
    store: OnceCell<SqlStore>,
    /// Where the store hands its ticket news (the process's hub), once the app is built.
    news: NewsSlot,
}

/// The process's ticket news sink, shared by every region's store.
type NewsSlot = Arc<std::sync::OnceLock<parley_store::TicketNewsSink>>;

impl RegionCell {
    /// The region's store, opened on first use. Migrations run when `serve` starts or by `parley migrate`.
    pub async fn store(&self) -> Result<&SqlStore, AppError> {
        self.store.get_or_try_init(|| self.connect()).await
    }

    async fn connect(&self) -> Result<SqlStore, AppError> {
        std::fs::create_dir_all(&self.spec.files_dir)
            .map_err(|e| AppError::Unavailable(format!("cannot create {}: {e}", self.spec.files_dir.display())))?;
        // PostgreSQL: enough connections for concurrent transactions to commit together. SQLite: readers are
        // threads; a few cover two cores.
        let size = match self.spec.database.engine() {
            parley_store_sql::Engine::Postgres => PoolSize { max_connections: 16 },
            parley_store_sql::Engine::Sqlite => PoolSize { max_connections: 4 },
        };
        let store = SqlStore::connect(&self.spec.database, size).await.map_err(AppError::from)?;
        Ok(match self.news.get() {
            Some(sink) => store.with_news(sink.clone()),
            None => store,
        })
    }

    /// Migrates the database, through its store when open, else on a connection closed again afterwards.
    async fn migrate(&self) -> Result<Vec<i64>, AppError> {
        if let Some(store) = self.store.get() {
            return Ok(store.migrate().await?);
        }
        let store = self.connect().await?;
        let applied = store.migrate().await;
        store.close().await;
        Ok(applied?)
    }
}

/// Where a request's account is.
pub enum Resolution {
    Here(AccountCtx),
    /// Served by another process; redirect if its URL is known.
    Elsewhere {
        region: RegionName,
        url: Option<String>,
    },
    Unknown,
    /// Being moved to another region: served nowhere for the few minutes the copy takes.
    Moving,
}

pub struct Regions {
    cells: BTreeMap<Place, RegionCell>,
    directory: SqlDirectory,
    /// Directory answers, kept briefly: every request needs one, and they rarely change.
    cache: Mutex<HashMap<AccountSlug, (Instant, Option<DirectoryEntry>)>>,
    /// The places holding accounts, kept as briefly as directory answers.
    in_use: Mutex<Option<(Instant, Vec<Place>)>>,
    news: NewsSlot,
    /// The process's one clock, handed to every account context.
    clock: crate::Clock,
}

/// How long a directory answer is reused. Suspending or moving an account takes effect within this time.
pub const DIRECTORY_TTL: Duration = Duration::from_secs(2);

impl Regions {
    /// The clock every use case reads the time from.
    pub fn clock(&self) -> &crate::Clock {
        &self.clock
    }

    pub async fn open(directory: &DatabaseUrl, specs: Vec<RegionSpec>) -> Result<Self, AppError> {
        let directory = SqlDirectory::connect(directory).await?;
        let news = NewsSlot::default();
        let cells = specs
            .into_iter()
            .map(|s| (s.place(), RegionCell { spec: s, store: OnceCell::new(), news: news.clone() }))
            .collect();
        Ok(Regions {
            cells,
            directory,
            cache: Mutex::new(HashMap::new()),
            in_use: Mutex::new(None),
            news,
            clock: crate::Clock::new(),
        })
    }

    /// Where every region's store hands its ticket news from now on (stores opened later; set once, by
    /// [`crate::App::new`], before any region is opened).
    pub fn send_news_to(&self, sink: parley_store::TicketNewsSink) {
        if self.news.set(sink).is_err() {
            tracing::warn!("ticket news already had a destination");
        }
    }

    /// Migrate the directory and the served regions. Returns what was applied, per database.
    pub async fn migrate(&self, all: bool) -> Result<Vec<(String, Vec<i64>)>, AppError> {
        let mut out = vec![("directory".to_string(), self.directory.migrate().await?)];
        for cell in self.cells.values().filter(|c| all || c.spec.served) {
            let applied = cell.migrate().await?;
            out.push((format!("region {}", cell.spec.place()), applied));
        }
        Ok(out)
    }

    pub async fn migrate_directory(&self) -> Result<Vec<i64>, AppError> {
        Ok(self.directory.migrate().await?)
    }

    /// Make the directory and one database of a region ready for use (migrated), for commands that may run before
    /// `serve` ever did.
    pub async fn prepare(&self, place: &Place) -> Result<(), AppError> {
        self.directory.migrate().await?;
        let cell = self.cell_at(place).ok_or_else(|| unknown_place(place))?;
        cell.store().await?.migrate().await?;
        Ok(())
    }

    pub fn directory(&self) -> &dyn DirectoryStore {
        &self.directory
    }

    /// A region's main database.
    pub fn cell(&self, region: &RegionName) -> Option<&RegionCell> {
        self.cells.get(&Place::main(region.clone()))
    }

    pub fn cell_at(&self, place: &Place) -> Option<&RegionCell> {
        self.cells.get(place)
    }

    /// Every database of every region.
    pub fn cells(&self) -> impl Iterator<Item = &RegionCell> {
        self.cells.values()
    }

    /// The names of the regions, each once.
    pub fn names(&self) -> Vec<RegionName> {
        let mut names: Vec<RegionName> = self.cells.keys().map(|p| p.region.clone()).collect();
        names.dedup();
        names
    }

    /// Every database of the regions this process serves.
    pub fn served(&self) -> impl Iterator<Item = &RegionCell> {
        self.cells.values().filter(|c| c.spec.served)
    }

    /// The served databases that hold an account (or are open already, or receive a move): the ones workers visit.
    /// An account created in a region nobody lived in is seen within [`DIRECTORY_TTL`].
    pub async fn working(&self) -> Vec<&RegionCell> {
        self.holding_accounts().await.into_iter().filter(|c| c.spec.served).collect()
    }

    /// Every database, served here or not, that holds an account (or is open already, or receives a move).
    pub async fn holding_accounts(&self) -> Vec<&RegionCell> {
        let known = self.in_use.lock().ok().and_then(|c| c.clone());
        let places = match known {
            Some((at, places)) if at.elapsed() < DIRECTORY_TTL => places,
            known => match self.directory.places_in_use().await {
                Ok(places) => {
                    if let Ok(mut c) = self.in_use.lock() {
                        *c = Some((Instant::now(), places.clone()));
                    }
                    places
                }
                // A directory that cannot be read stops no region's work: the places last read (or, never read,
                // the open databases) keep being visited.
                Err(e) => {
                    tracing::warn!(error = %e, "could not read which regions hold accounts; using what was known");
                    known.map(|(_, places)| places).unwrap_or_default()
                }
            },
        };
        self.cells.values().filter(|c| c.store.initialized() || places.contains(&c.spec.place())).collect()
    }

    /// The store of a region's main database, whether or not this process serves it (for operator commands).
    pub async fn store_of(&self, region: &RegionName) -> Result<Arc<dyn RegionStore>, AppError> {
        self.store_at(&Place::main(region.clone())).await
    }

    /// The store of one database of a region, whether or not this process serves it (for operator commands).
    pub async fn store_at(&self, place: &Place) -> Result<Arc<dyn RegionStore>, AppError> {
        let cell = self.cells.get(place).ok_or_else(|| unknown_place(place))?;
        Ok(Arc::new(cell.store().await?.clone()))
    }

    /// The context of an active account, for operator commands that run in any region.
    pub async fn context(&self, slug: &AccountSlug) -> Result<AccountCtx, AppError> {
        let entry = self.directory.lookup(slug).await?.ok_or(AppError::NotFound)?;
        if entry.status == AccountStatus::Moving {
            return Err(AppError::Unavailable(format!("'{slug}' is being moved to another region")));
        }
        if entry.status != AccountStatus::Active {
            return Err(AppError::NotFound);
        }
        let store = self.store_at(&entry.place()).await?;
        Ok(AccountCtx {
            account_id: entry.account_id,
            slug: entry.slug,
            region: entry.region,
            store,
            clock: self.clock.clone(),
        })
    }

    /// Resolve a request's account: served here, elsewhere, or unknown (which includes accounts not active).
    pub async fn resolve(&self, slug: &AccountSlug) -> Result<Resolution, AppError> {
        let Some(entry) = self.lookup_cached(slug).await? else {
            return Ok(Resolution::Unknown);
        };
        if entry.status == AccountStatus::Moving {
            return Ok(Resolution::Moving);
        }
        if entry.status != AccountStatus::Active {
            return Ok(Resolution::Unknown);
        }
        match self.cells.get(&entry.place()) {
            Some(cell) if cell.spec.served => {
                let store: Arc<dyn RegionStore> = Arc::new(cell.store().await?.clone());
                Ok(Resolution::Here(AccountCtx {
                    account_id: entry.account_id,
                    slug: entry.slug,
                    region: entry.region,
                    store,
                    clock: self.clock.clone(),
                }))
            }
            cell => Ok(Resolution::Elsewhere {
                // A database this process does not know is served where its region is.
                url: cell
                    .or_else(|| self.cell(&entry.region))
                    .and_then(|c| c.spec.public_url.as_ref())
                    .map(|u| u.replace("{slug}", slug.as_str())),
                region: entry.region,
            }),
        }
    }

    async fn lookup_cached(&self, slug: &AccountSlug) -> Result<Option<DirectoryEntry>, AppError> {
        if let Ok(cache) = self.cache.lock() {
            if let Some((at, entry)) = cache.get(slug) {
                if at.elapsed() < DIRECTORY_TTL {
                    return Ok(entry.clone());
                }
            }
        }
        let entry = self.directory.lookup(slug).await?;
        if let Ok(mut cache) = self.cache.lock() {
            if cache.len() > 10_000 {
                cache.clear();
            }
            cache.insert(slug.clone(), (Instant::now(), entry.clone()));
        }
        Ok(entry)
    }

    /// Forget cached directory answers (after this process changed the directory).
    pub fn forget(&self, slug: &AccountSlug) {
        if let Ok(mut cache) = self.cache.lock() {
            cache.remove(slug);
        }
    }

    pub async fn close(&self) {
        for cell in self.cells.values() {
            if let Some(store) = cell.store.get() {
                store.close().await;
            }
        }
        self.directory.close().await;
    }
}

pub(crate) fn unknown_place(place: &Place) -> AppError {
    if place.database.is_main() {
        return unknown_region(&place.region);
    }
    AppError::Invalid(parley_domain::Invalid::field(
        "database",
        format!("region {} has no database '{}'", place.region, place.database),
    ))
}

pub(crate) fn unknown_region(region: &RegionName) -> AppError {
    AppError::Invalid(parley_domain::Invalid::field("region", format!("'{region}' is not a region of this Parley")))
}
