//! The OpenAPI 3.1 document, generated from the handlers' annotations and the types they exchange.

use super::{
    agents, audit, chat_settings, chats, contacts, dpa, features, fields, knowledge, mail, mail_settings, retention,
    search, subprocessors, support, tickets, webhooks,
};
use super::{bulk, canned, macros};
use crate::error::Problem;
use axum::http::header;
use axum::response::IntoResponse;
use std::sync::LazyLock;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Parley API",
        description = "The REST API of a Parley account. Reach it at the account's host \
            (`https://<slug>.<base-domain>/api/v1`) with `Authorization: Bearer <API key>`. \
            Errors are RFC 9457 `application/problem+json` documents with a stable `code`."
    ),
    paths(
        tickets::create, tickets::list, tickets::show, tickets::update, tickets::add_message, tickets::list_messages,
        tickets::merge, tickets::split, tickets::preview,
        contacts::list, contacts::create, contacts::show, contacts::update, contacts::erase, contacts::export,
        contacts::list_companies, contacts::create_company, contacts::show_company, contacts::update_company,
        agents::list, agents::show, agents::create, agents::update, agents::list_departments, agents::create_department,
        agents::show_me, agents::update_me,
        fields::list, fields::create,
        webhooks::create, webhooks::list, webhooks::show, webhooks::delete,
        webhooks::redeliver_one, mail::test_connection,
        mail::create, mail::list, mail::inbound, mail::attachment, mail::original,
        mail_settings::show, mail_settings::replace,
        audit::list, audit::export, audit::verify,
        subprocessors::show, features::list, features::set, dpa::show,
        support::create, support::list, support::revoke,
        retention::show, retention::replace, retention::list_incidents,
        chat_settings::show, chat_settings::replace, chat_settings::block, chat_settings::presence,
        chat_settings::set_presence,
        search::search, chats::queue, chats::show, chats::accept, chats::decline, chats::transfer, chats::end, chats::share_file,
        knowledge::list, knowledge::create, knowledge::show, knowledge::update, knowledge::remove,
        knowledge::list_categories, knowledge::create_category, knowledge::update_category, knowledge::remove_category,
        knowledge::list_articles, knowledge::create_article, knowledge::show_article, knowledge::update_article,
        knowledge::remove_article, knowledge::remove_version, knowledge::add_image,
        canned::list, canned::create, canned::show, canned::update, canned::delete, canned::render,
        macros::list, macros::create, macros::show, macros::update, macros::delete, macros::apply,
        bulk::bulk,
        super::views::list, super::views::create, super::views::show, super::views::update, super::views::delete, super::views::tickets,
        super::viewers::list_viewers, super::viewers::viewers_of, super::followers::list, super::followers::follow, super::followers::unfollow,
        super::contact_merge::merge,
        super::business_hours::list, super::business_hours::create, super::business_hours::show,
        super::business_hours::update, super::business_hours::delete, super::business_hours::due,
        super::sla::list, super::sla::create, super::sla::show, super::sla::update, super::sla::delete,
        super::triggers::list, super::triggers::create, super::triggers::show, super::triggers::update,
        super::triggers::delete, super::triggers::test,
        super::automations::list, super::automations::create, super::automations::show,
        super::automations::update, super::automations::delete,
        super::assignment::show, super::assignment::replace,
        super::voice::show_settings, super::voice::replace_settings, super::voice::list_numbers,
        super::voice::add_number, super::voice::remove_number, super::voice::list_ivrs, super::voice::create_ivr,
        super::voice::show_ivr, super::voice::update_ivr, super::voice::delete_ivr, super::voice::softphone_token,
    ),
    components(schemas(Problem)),
    modifiers(&BearerAuth),
    tags(
        (name = "tickets", description = "Tickets, their messages and custom fields"),
        (name = "contacts", description = "Contacts and companies"),
        (name = "agents", description = "Agents and departments"),
        (name = "webhooks", description = "Signed outbound webhooks"),
        (name = "email", description = "Mailboxes, inbound mail, attachments and automatic mail"),
        (name = "chat", description = "Live chat: the sites that may embed it, identities, blocking visitors, presence and routing"),
        (name = "audit", description = "The account's append-only, hash-chained audit log"),
        (name = "knowledge", description = "Knowledge bases, their categories, articles in several languages and images"),
        (name = "canned", description = "Canned responses and macros, shared or personal, and applying them to tickets"),
        (name = "automation", description = "Business hours and SLA policies"),
        (name = "views", description = "Ticket views: built-in and saved lists, their counts and their tickets"),
        (name = "privacy", description = "Subprocessors, consent, the DPA, support grants, retention and incidents"),
        (name = "voice", description = "The phone channel: the Twilio account, phone numbers and IVRs"),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme("api_key", SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)));
    }
}

/// The API's OpenAPI document.
pub fn openapi_document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

/// Generated once: it depends only on the code.
static DOCUMENT: LazyLock<String> = LazyLock::new(|| openapi_document().to_pretty_json().unwrap_or_default());

pub(crate) async fn serve() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], DOCUMENT.as_str())
}
