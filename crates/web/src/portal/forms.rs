//! The portal's forms: "was this helpful?", the request form, customers' sign-in.

use super::*;
use parley_app::knowledge::customers;

#[derive(Deserialize)]
pub(super) struct FeedbackForm {
    helpful: String,
}

/// Counts the answer once per browser and article (a cookie remembers it), and goes back to the article.
pub(super) async fn feedback(
    State(state): State<AppState>,
    Account(ctx): Account,
    ClientAddr(ip): ClientAddr,
    headers: HeaderMap,
    Path((slug, lang, id)): Path<(String, String, String)>,
    Form(form): Form<FeedbackForm>,
) -> Result<Response, PageError> {
    portal::limit(&state.app, &ctx, &ip)?;
    let (kb, lang) = opened(&ctx, &headers, &slug, &lang).await?;
    let helpful = match form.helpful.as_str() {
        "yes" => true,
        "no" => false,
        _ => {
            return Err(PageError::Api(
                AppError::from(parley_domain::Invalid::field("helpful", "must be yes or no")).into(),
            ))
        }
    };
    let voted = cookie(&headers, "parley_kb_voted").unwrap_or_default();
    let mut ids: Vec<&str> = voted.split('.').filter(|s| s.len() == 36).collect();
    if !ids.contains(&id.as_str()) {
        portal::feedback(&ctx, &kb, &id, helpful).await?;
        ids.push(&id);
    }
    let keep = ids.iter().rev().take(40).copied().collect::<Vec<_>>().join(".");
    let mut res =
        Redirect::to(&format!("/kb/{}/{}/articles/{id}?voted=1", kb.slug.as_str(), lang.as_str())).into_response();
    let cookie = format!("parley_kb_voted={keep}; Path=/kb/; HttpOnly; SameSite=Lax; Max-Age=31536000");
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        res.headers_mut().insert(header::SET_COOKIE, v);
    }
    Ok(res)
}

#[derive(Template)]
#[template(path = "portal_request.html")]
pub(super) struct RequestPage {
    f: Frame,
    sent: Option<String>,
    error: Option<String>,
    name: String,
    email: String,
    subject: String,
    message: String,
}

pub(super) async fn request_form(
    State(state): State<AppState>,
    Account(ctx): Account,
    headers: HeaderMap,
    Path((slug, lang)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let (kb, lang) = opened(&ctx, &headers, &slug, &lang).await?;
    let f = frame(&state, &ctx, &kb, &lang, "/request", &kb.languages);
    let p = RequestPage {
        f,
        sent: None,
        error: None,
        name: String::new(),
        email: String::new(),
        subject: String::new(),
        message: String::new(),
    };
    Ok(page(&p, false))
}

#[derive(Deserialize)]
pub(super) struct RequestForm {
    #[serde(default)]
    name: String,
    email: String,
    subject: String,
    message: String,
}

/// The request form: a ticket from the address given (channel `web`), answered by email; limited per client
/// address like the chat's offline form.
pub(super) async fn send_request(
    State(state): State<AppState>,
    Account(ctx): Account,
    ClientAddr(ip): ClientAddr,
    headers: HeaderMap,
    Path((slug, lang)): Path<(String, String)>,
    Form(form): Form<RequestForm>,
) -> Result<Response, PageError> {
    let (kb, lang) = opened(&ctx, &headers, &slug, &lang).await?;
    let f = frame(&state, &ctx, &kb, &lang, "/request", &kb.languages);
    let input = parley_app::chat::presence::OfflineMessage {
        subject: Some(form.subject.clone()),
        name: Some(form.name.clone()),
        email: form.email.clone(),
        body: form.message.clone(),
        department_id: None,
    };
    let (sent, error, status) = match parley_app::chat::presence::leave_message(&state.app, &ctx, &ip, input).await {
        Ok(n) => (Some(f.t.with("portal-request-sent", &[("number", Arg::Number(n.0))])), None, StatusCode::CREATED),
        Err(AppError::Invalid(e)) => (None, Some(e.to_string()), StatusCode::UNPROCESSABLE_ENTITY),
        Err(e) => return Err(e.into()),
    };
    let keep = sent.is_none();
    let p = RequestPage {
        f,
        sent,
        error,
        name: if keep { form.name } else { String::new() },
        email: if keep { form.email } else { String::new() },
        subject: if keep { form.subject } else { String::new() },
        message: if keep { form.message } else { String::new() },
    };
    Ok((status, page(&p, false)).into_response())
}

#[derive(Template)]
#[template(path = "portal_signin.html")]
pub(super) struct SignInPage {
    f: Frame,
    sent: bool,
    error: Option<String>,
    /// A mailed link was opened: the button that uses it.
    confirm: bool,
}

#[derive(Deserialize)]
pub(super) struct LangParam {
    lang: Option<String>,
}

/// The knowledge base for customers (only such a one has a sign-in) and the reader's language on it.
async fn signing_in(
    ctx: &AccountCtx,
    slug: &str,
    asked: Option<&str>,
    headers: &HeaderMap,
) -> Result<(KnowledgeBase, LanguageTag), PageError> {
    let kb = parley_app::knowledge::find(ctx, slug).await?;
    if kb.visibility != Visibility::Customers || KbSlug::parse(slug).is_err() {
        return Err(PageError::Api(AppError::NotFound.into()));
    }
    let lang = reader_language(&kb, asked, headers);
    Ok((kb, lang))
}

pub(super) async fn sign_in_form(
    State(state): State<AppState>,
    Account(ctx): Account,
    headers: HeaderMap,
    Path(slug): Path<String>,
    Query(q): Query<LangParam>,
) -> Result<Response, PageError> {
    let (kb, lang) = signing_in(&ctx, &slug, q.lang.as_deref(), &headers).await?;
    let f = frame(&state, &ctx, &kb, &lang, "/", &[]);
    Ok(page(&SignInPage { f, sent: false, error: None, confirm: false }, false))
}

#[derive(Deserialize)]
pub(super) struct SignInForm {
    email: String,
    lang: Option<String>,
}

/// Mails a link when the address is a contact's; the answer is the same for every address.
pub(super) async fn send_link(
    State(state): State<AppState>,
    Account(ctx): Account,
    ClientAddr(ip): ClientAddr,
    headers: HeaderMap,
    Path(slug): Path<String>,
    Form(form): Form<SignInForm>,
) -> Result<Response, PageError> {
    let (kb, lang) = signing_in(&ctx, &slug, form.lang.as_deref(), &headers).await?;
    let f = frame(&state, &ctx, &kb, &lang, "/", &[]);
    customers::send_link(&state.app, &ctx, &kb, &form.email, lang.as_str(), &ip).await?;
    Ok(page(&SignInPage { f, sent: true, error: None, confirm: false }, false))
}

/// A mailed link, opened: a button that signs in. Opening alone uses nothing up (mail scanners and link previews
/// open links too), and nobody is signed in by a page that merely loads.
pub(super) async fn confirm_sign_in(
    State(state): State<AppState>,
    Account(ctx): Account,
    headers: HeaderMap,
    Path((slug, _token)): Path<(String, String)>,
    Query(q): Query<LangParam>,
) -> Result<Response, PageError> {
    let (kb, lang) = signing_in(&ctx, &slug, q.lang.as_deref(), &headers).await?;
    let f = frame(&state, &ctx, &kb, &lang, "/", &[]);
    Ok(page(&SignInPage { f, sent: false, error: None, confirm: true }, false))
}

/// The link's button: a session cookie, then the knowledge base.
pub(super) async fn sign_in(
    State(state): State<AppState>,
    Account(ctx): Account,
    headers: HeaderMap,
    Path((slug, token)): Path<(String, String)>,
    Query(q): Query<LangParam>,
) -> Result<Response, PageError> {
    let (kb, lang) = signing_in(&ctx, &slug, q.lang.as_deref(), &headers).await?;
    match customers::sign_in(&ctx, &kb, &token).await {
        Ok(session) => {
            let mut res = Redirect::to(&format!("/kb/{}/{}/", kb.slug.as_str(), lang.as_str())).into_response();
            let max_age = customers::SESSION_DAYS * 24 * 3600;
            let cookie = crate::ui::session::cookie_header(&state, CUSTOMER_COOKIE, &session, max_age);
            res.headers_mut().insert(header::SET_COOKIE, cookie);
            Ok(res)
        }
        Err(AppError::Invalid(e)) => {
            let f = frame(&state, &ctx, &kb, &lang, "/", &[]);
            let p = SignInPage { f, sent: false, error: Some(e.to_string()), confirm: false };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page(&p, false)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// Ends the customer's portal session.
pub(super) async fn sign_out(
    State(state): State<AppState>,
    Account(ctx): Account,
    headers: HeaderMap,
    Path(slug): Path<String>,
) -> Result<Response, PageError> {
    if let Some(token) = cookie(&headers, CUSTOMER_COOKIE) {
        customers::sign_out(&ctx, token).await?;
    }
    let mut res =
        Redirect::to(&format!("/kb/{}/signin", KbSlug::parse(&slug).map_err(AppError::from)?.as_str())).into_response();
    res.headers_mut().insert(header::SET_COOKIE, crate::ui::session::cookie_header(&state, CUSTOMER_COOKIE, "", 0));
    Ok(res)
}
