use crate::StoreError;
use async_trait::async_trait;
use parley_domain::account::{AccountSlug, AccountStatus, DirectoryEntry, MoveState};
use parley_domain::dpa::Dpa;
use parley_domain::region::Place;
use parley_domain::Timestamp;

/// The directory: slug → region and status, and nothing else about an account.
#[async_trait]
pub trait DirectoryStore: Send + Sync {
    /// Reserve a slug. `Conflict` if any region already has it.
    async fn reserve(&self, entry: &DirectoryEntry) -> Result<(), StoreError>;
    async fn set_status(&self, slug: &AccountSlug, status: AccountStatus) -> Result<(), StoreError>;
    async fn lookup(&self, slug: &AccountSlug) -> Result<Option<DirectoryEntry>, StoreError>;
    async fn list(&self) -> Result<Vec<DirectoryEntry>, StoreError>;
    /// The places (databases of regions) that hold an account or are the target of a move, each once.
    async fn places_in_use(&self) -> Result<Vec<Place>, StoreError>;
    /// Undo a reservation whose account was never written.
    async fn release(&self, slug: &AccountSlug) -> Result<(), StoreError>;
    /// Start moving an active account to `to` (another region, or another database of its own): it is served nowhere
    /// from now on. Starting the same move again is
    /// allowed (to resume it); `Conflict` if another move is under way or the account is not active.
    async fn begin_move(&self, slug: &AccountSlug, to: &Place) -> Result<MoveState, StoreError>;
    /// Point the account at the place it moved to and serve it again; the move stays open until `end_move`.
    async fn switch_move(&self, slug: &AccountSlug) -> Result<(), StoreError>;
    /// The source is wiped: the move is over.
    async fn end_move(&self, slug: &AccountSlug) -> Result<(), StoreError>;
    async fn move_state(&self, slug: &AccountSlug) -> Result<Option<MoveState>, StoreError>;
    /// Keep a version of the operator's subprocessor register (as JSON). `Conflict` if the version is taken.
    /// The directory holds it because every process of every region reads the same one.
    async fn publish_register(&self, version: u32, date: &str, body: &str, at: Timestamp) -> Result<(), StoreError>;
    /// Every version kept, oldest first: `(version, body)`.
    async fn registers(&self) -> Result<Vec<(u32, String)>, StoreError>;
    /// When a version was published; `None` if it never was.
    async fn register_published_at(&self, version: u32) -> Result<Option<Timestamp>, StoreError>;
    /// Keep a version of the operator's data processing agreement. `Conflict` if the version is taken.
    async fn publish_dpa(&self, dpa: &Dpa, at: Timestamp) -> Result<(), StoreError>;
    /// Every version kept, oldest first.
    async fn dpas(&self) -> Result<Vec<Dpa>, StoreError>;
}
