//! Agents, departments, contacts and companies.

mod agents;
mod contacts;
mod merge;

pub use agents::{
    add_agent, create_department, get_agent, list_agents, list_departments, setup_link, update_agent, AddAgent,
    Credentials,
};
pub use contacts::{
    contacts_by_ids, create_company, create_contact, get_company, get_contact, list_companies, list_contacts,
    update_contact, NewCompany, NewContact,
};
pub use merge::{merge_contacts, search_contacts};
