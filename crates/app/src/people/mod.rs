//! Agents, departments, contacts and companies.

mod agents;
mod companies;
mod contacts;
mod invite;
mod merge;
mod profile;

pub use agents::{
    add_agent, create_department, get_agent, list_agents, list_departments, setup_link, update_agent, AddAgent,
    Credentials,
};
pub use companies::{
    company_contacts, create_company, find_companies, get_company, list_companies, update_company, CompanyChange,
    NewCompany,
};
pub use contacts::{
    browse_contacts, contacts_by_ids, create_contact, get_contact, list_contacts, update_contact, NewContact,
};
pub use invite::invite_agent;
pub use merge::{merge_contacts, search_contacts};
pub use profile::{acting_agent, me, update_profile, ProfileChange};
