use crate::StoreError;
use async_trait::async_trait;
use parley_domain::business_hours::BusinessHours;
use parley_domain::ids::{AccountId, BusinessHoursId, DepartmentId};

/// The account's business hours.
///
/// Saving is one unit of work: a calendar saved as the default stops any other being it, and the departments it
/// names leave whatever calendar they had.
#[async_trait]
pub trait BusinessHoursStore: Send + Sync {
    async fn insert_business_hours(&self, h: &BusinessHours) -> Result<(), StoreError>;
    /// Replaces name, calendar, default and departments. `NotFound` if the account has no such calendar.
    async fn update_business_hours(&self, h: &BusinessHours) -> Result<(), StoreError>;
    async fn get_business_hours(
        &self,
        account: AccountId,
        id: BusinessHoursId,
    ) -> Result<Option<BusinessHours>, StoreError>;
    /// The default first, then by name.
    async fn list_business_hours(&self, account: AccountId) -> Result<Vec<BusinessHours>, StoreError>;
    /// Departments that worked by it fall back to the default. `NotFound` if the account has no such calendar.
    async fn delete_business_hours(&self, account: AccountId, id: BusinessHoursId) -> Result<(), StoreError>;
    /// The hours a ticket of `department` is timed by: the department's own, else the account's default, else none.
    async fn business_hours_for(
        &self,
        account: AccountId,
        department: Option<DepartmentId>,
    ) -> Result<Option<BusinessHours>, StoreError>;
}
