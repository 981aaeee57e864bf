//! The phone channel's rows: provider credentials, numbers, IVRs and calls.

use crate::contacts::{contact, CONTACT_COLS};
use crate::db::{args, Row, Tx, Value};
use crate::error::conflict_as;
use crate::rows::{id, json, opt_id, parsed, to_json};
use crate::SqlStore;
use async_trait::async_trait;
use parley_domain::contact::Contact;
use parley_domain::ids::{AccountId, AgentId, CallId, IvrId, PhoneNumberId, TicketId};
use parley_domain::message::{AttachmentInfo, Message};
use parley_domain::ticket::Ticket;
use parley_domain::voice::{
    Call, CallState, Direction, Ivr, Outcome, PhoneNumber, Recording, RecordingConsent, RecordingState,
    VoiceCredentials,
};
use parley_domain::Timestamp;
use parley_store::{CallEvents, CallFiling, StoreError, VoiceStore};

const NUMBER_COLS: &str =
    "id, account_id, number, provider_id, ivr_id, department_id, recording, missed_call_tickets, created_at";
const IVR_COLS: &str = "id, account_id, name, menus, closed_menu, created_at, updated_at";
const CALL_COLS: &str = "id, account_id, provider_sid, number_id, direction, from_number, to_number, state, outcome, \
     menu, tries, department_id, agent_id, passed, tags, contact_id, ticket_id, message_id, recording_sid, \
     recording_state, recording_duration, recording_attachment_id, recording_tries, recording_next_at, started_at, \
     queued_at, announced_at, answered_at, ended_at, duration_s, version";

fn number(r: &Row) -> Result<PhoneNumber, StoreError> {
    Ok(PhoneNumber {
        id: id("phone number id", &r.text("id")?)?,
        account_id: id("account id", &r.text("account_id")?)?,
        number: r.text("number")?,
        provider_id: r.opt_text("provider_id")?,
        ivr_id: opt_id("ivr id", r.opt_text("ivr_id")?.as_deref())?,
        department_id: opt_id("department id", r.opt_text("department_id")?.as_deref())?,
        recording: parsed("recording", &r.text("recording")?, RecordingConsent::parse)?,
        missed_call_tickets: r.int("missed_call_tickets")? != 0,
        created_at: Timestamp::from_millis(r.int("created_at")?),
    })
}

fn ivr(r: &Row) -> Result<Ivr, StoreError> {
    Ok(Ivr {
        id: id("ivr id", &r.text("id")?)?,
        account_id: id("account id", &r.text("account_id")?)?,
        name: r.text("name")?,
        menus: json("ivr menus", &r.text("menus")?)?,
        closed_menu: r.opt_text("closed_menu")?,
        created_at: Timestamp::from_millis(r.int("created_at")?),
        updated_at: Timestamp::from_millis(r.int("updated_at")?),
    })
}

fn call(r: &Row) -> Result<Call, StoreError> {
    let ts = |c: &str| -> Result<Option<Timestamp>, StoreError> { Ok(r.opt_int(c)?.map(Timestamp::from_millis)) };
    let recording = match r.opt_text("recording_sid")? {
        None => None,
        Some(sid) => Some(Recording {
            sid,
            state: parsed("recording state", &r.text("recording_state")?, |s| RecordingState::parse(s).ok_or(()))?,
            duration_s: r.opt_int("recording_duration")?.unwrap_or(0),
            attachment_id: opt_id("attachment id", r.opt_text("recording_attachment_id")?.as_deref())?,
            tries: r.opt_int("recording_tries")?.unwrap_or(0),
            next_try_at: Timestamp::from_millis(r.opt_int("recording_next_at")?.unwrap_or(0)),
        }),
    };
    let passed: Vec<String> = json("passed agents", &r.text("passed")?)?;
    Ok(Call {
        id: id("call id", &r.text("id")?)?,
        account_id: id("account id", &r.text("account_id")?)?,
        provider_sid: r.text("provider_sid")?,
        number_id: opt_id("phone number id", r.opt_text("number_id")?.as_deref())?,
        direction: parsed("call direction", &r.text("direction")?, |s| Direction::parse(s).ok_or(()))?,
        from: r.text("from_number")?,
        to: r.text("to_number")?,
        state: parsed("call state", &r.text("state")?, |s| CallState::parse(s).ok_or(()))?,
        outcome: r.opt_text("outcome")?.map(|o| parsed("outcome", &o, |s| Outcome::parse(s).ok_or(()))).transpose()?,
        menu: r.opt_text("menu")?,
        tries: u32::try_from(r.int("tries")?).unwrap_or(0),
        department_id: opt_id("department id", r.opt_text("department_id")?.as_deref())?,
        agent_id: opt_id("agent id", r.opt_text("agent_id")?.as_deref())?,
        passed: passed.iter().map(|a| id::<AgentId>("agent id", a)).collect::<Result<_, _>>()?,
        tags: json("call tags", &r.text("tags")?)?,
        contact_id: opt_id("contact id", r.opt_text("contact_id")?.as_deref())?,
        ticket_id: opt_id("ticket id", r.opt_text("ticket_id")?.as_deref())?,
        message_id: opt_id("message id", r.opt_text("message_id")?.as_deref())?,
        recording,
        started_at: Timestamp::from_millis(r.int("started_at")?),
        queued_at: ts("queued_at")?,
        announced_at: ts("announced_at")?,
        answered_at: ts("answered_at")?,
        ended_at: ts("ended_at")?,
        duration_s: r.int("duration_s")?,
        version: r.int("version")?,
    })
}

fn opt_string<T: ToString>(v: Option<T>) -> Value {
    v.map_or(Value::NullText, |x| Value::Text(x.to_string()))
}

fn opt_millis(v: Option<Timestamp>) -> Value {
    v.map_or(Value::NullInt, |t| Value::Int(t.millis()))
}

/// The columns a call's write sets, after `id` and `account_id`, in `CALL_COLS` order.
fn call_values(c: &Call) -> Result<Vec<Value>, StoreError> {
    let passed: Vec<String> = c.passed.iter().map(|a| a.to_string()).collect();
    let rec = c.recording.as_ref();
    Ok(vec![
        c.provider_sid.clone().into(),
        opt_string(c.number_id),
        c.direction.as_str().into(),
        c.from.clone().into(),
        c.to.clone().into(),
        c.state.as_str().into(),
        opt_string(c.outcome.map(|o| o.as_str())),
        opt_string(c.menu.as_deref()),
        i64::from(c.tries).into(),
        opt_string(c.department_id),
        opt_string(c.agent_id),
        to_json(&passed)?.into(),
        to_json(&c.tags)?.into(),
        opt_string(c.contact_id),
        opt_string(c.ticket_id),
        opt_string(c.message_id),
        opt_string(rec.map(|r| r.sid.clone())),
        opt_string(rec.map(|r| r.state.as_str())),
        rec.map(|r| r.duration_s).into(),
        opt_string(rec.and_then(|r| r.attachment_id)),
        rec.map(|r| r.tries).into(),
        rec.map(|r| r.next_try_at.millis()).into(),
        c.started_at.millis().into(),
        opt_millis(c.queued_at),
        opt_millis(c.announced_at),
        opt_millis(c.answered_at),
        opt_millis(c.ended_at),
        c.duration_s.into(),
    ])
}

/// Writes a call's recording columns if its recording is `rec` and in state `from`. The call's version counts up
/// too, so that a webhook that read the call before saves it again from a fresh read instead of writing back the
/// recording as it was.
async fn write_recording(
    tx: &mut dyn Tx,
    account: AccountId,
    cid: CallId,
    rec: &Recording,
    from: RecordingState,
) -> Result<bool, StoreError> {
    let n = tx
        .exec(
            "UPDATE calls SET recording_state = $1, recording_duration = $2, recording_attachment_id = $3, \
             recording_tries = $4, recording_next_at = $5, version = version + 1 \
             WHERE account_id = $6 AND id = $7 AND recording_sid = $8 AND recording_state = $9",
            vec![
                rec.state.as_str().into(),
                Value::Int(rec.duration_s),
                opt_string(rec.attachment_id),
                Value::Int(rec.tries),
                Value::Int(rec.next_try_at.millis()),
                Value::Text(account.to_string()),
                Value::Text(cid.to_string()),
                Value::Text(rec.sid.clone()),
                from.as_str().into(),
            ],
        )
        .await?;
    Ok(n > 0)
}

/// Writes a call read at `call.version` as `call.version + 1`; `Stale` when another write came first.
async fn save_call(tx: &mut dyn Tx, c: &Call) -> Result<(), StoreError> {
    let cols: Vec<&str> = CALL_COLS.split(',').map(str::trim).collect();
    // Every column but id, account_id (the key) and version (set below), in order.
    let set: Vec<String> =
        cols[2..cols.len() - 1].iter().enumerate().map(|(i, col)| format!("{col} = ${}", i + 1)).collect();
    let n = set.len();
    let sql = format!(
        "UPDATE calls SET {}, version = version + 1 WHERE account_id = ${} AND id = ${} AND version = ${}",
        set.join(", "),
        n + 1,
        n + 2,
        n + 3
    );
    let mut values = call_values(c)?;
    values.extend(args![c.account_id.to_string(), c.id.to_string(), c.version]);
    if tx.exec(&sql, values).await? == 0 {
        return Err(StoreError::Stale);
    }
    Ok(())
}

#[async_trait]
impl VoiceStore for SqlStore {
    async fn voice_credentials(&self, account: AccountId) -> Result<Option<VoiceCredentials>, StoreError> {
        let row = self
            .db
            .query_opt(
                "SELECT account_sid, auth_token, api_key_sid, api_key_secret, api_base FROM voice_settings \
                 WHERE account_id = $1",
                args![account.to_string()],
            )
            .await?;
        let Some(r) = row else { return Ok(None) };
        Ok(Some(VoiceCredentials {
            account_sid: r.text("account_sid")?,
            auth_token: r.text("auth_token")?,
            api_key_sid: r.opt_text("api_key_sid")?,
            api_key_secret: r.opt_text("api_key_secret")?,
            api_base: r.text("api_base")?,
        }))
    }

    async fn set_voice_credentials(
        &self,
        account: AccountId,
        c: &VoiceCredentials,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        let values = args![
            account.to_string(),
            c.account_sid.clone(),
            c.auth_token.clone(),
            c.api_key_sid.clone(),
            c.api_key_secret.clone(),
            c.api_base.clone(),
            at.millis()
        ];
        self.db
            .write(move |tx| {
                Box::pin(async move {
                    tx.exec(
                        "INSERT INTO voice_settings (account_id, account_sid, auth_token, api_key_sid, \
                         api_key_secret, api_base, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
                         ON CONFLICT (account_id) DO UPDATE SET account_sid = excluded.account_sid, \
                         auth_token = excluded.auth_token, api_key_sid = excluded.api_key_sid, \
                         api_key_secret = excluded.api_key_secret, api_base = excluded.api_base, \
                         updated_at = excluded.updated_at",
                        values,
                    )
                    .await?;
                    Ok(())
                })
            })
            .await
    }

    async fn insert_phone_number(&self, n: &PhoneNumber) -> Result<(), StoreError> {
        let shown = n.number.clone();
        let values = args![
            n.id.to_string(),
            n.account_id.to_string(),
            n.number.clone(),
            n.provider_id.clone(),
            opt_string(n.ivr_id),
            opt_string(n.department_id),
            n.recording.as_str(),
            n.missed_call_tickets,
            n.created_at.millis()
        ];
        self.db
            .write(move |tx| {
                Box::pin(async move {
                    tx.exec(
                        &format!(
                            "INSERT INTO phone_numbers ({NUMBER_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
                        ),
                        values,
                    )
                    .await?;
                    Ok(())
                })
            })
            .await
            .map_err(|e| conflict_as(e, || format!("the account has {shown} already")))
    }

    async fn list_phone_numbers(&self, account: AccountId) -> Result<Vec<PhoneNumber>, StoreError> {
        let sql = format!("SELECT {NUMBER_COLS} FROM phone_numbers WHERE account_id = $1 ORDER BY number");
        self.db.query(&sql, args![account.to_string()]).await?.iter().map(number).collect()
    }

    async fn phone_number(&self, account: AccountId, pid: PhoneNumberId) -> Result<Option<PhoneNumber>, StoreError> {
        let sql = format!("SELECT {NUMBER_COLS} FROM phone_numbers WHERE account_id = $1 AND id = $2");
        self.db.query_opt(&sql, args![account.to_string(), pid.to_string()]).await?.as_ref().map(number).transpose()
    }

    async fn phone_number_by_e164(&self, account: AccountId, e164: &str) -> Result<Option<PhoneNumber>, StoreError> {
        let sql = format!("SELECT {NUMBER_COLS} FROM phone_numbers WHERE account_id = $1 AND number = $2");
        self.db.query_opt(&sql, args![account.to_string(), e164]).await?.as_ref().map(number).transpose()
    }

    async fn delete_phone_number(&self, account: AccountId, pid: PhoneNumberId) -> Result<bool, StoreError> {
        let values = args![account.to_string(), pid.to_string()];
        self.db
            .write(move |tx| {
                Box::pin(async move {
                    Ok(tx.exec("DELETE FROM phone_numbers WHERE account_id = $1 AND id = $2", values).await? > 0)
                })
            })
            .await
    }

    async fn insert_ivr(&self, i: &Ivr) -> Result<(), StoreError> {
        let values = args![
            i.id.to_string(),
            i.account_id.to_string(),
            i.name.clone(),
            to_json(&i.menus)?,
            i.closed_menu.clone(),
            i.created_at.millis(),
            i.updated_at.millis()
        ];
        self.db
            .write(move |tx| {
                Box::pin(async move {
                    tx.exec(&format!("INSERT INTO ivrs ({IVR_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7)"), values)
                        .await?;
                    Ok(())
                })
            })
            .await
    }

    async fn update_ivr(&self, i: &Ivr) -> Result<bool, StoreError> {
        let values = args![
            i.name.clone(),
            to_json(&i.menus)?,
            i.closed_menu.clone(),
            i.updated_at.millis(),
            i.account_id.to_string(),
            i.id.to_string()
        ];
        self.db
            .write(move |tx| {
                Box::pin(async move {
                    Ok(tx
                        .exec(
                            "UPDATE ivrs SET name = $1, menus = $2, closed_menu = $3, updated_at = $4 \
                             WHERE account_id = $5 AND id = $6",
                            values,
                        )
                        .await?
                        > 0)
                })
            })
            .await
    }

    async fn ivr(&self, account: AccountId, iid: IvrId) -> Result<Option<Ivr>, StoreError> {
        let sql = format!("SELECT {IVR_COLS} FROM ivrs WHERE account_id = $1 AND id = $2");
        self.db.query_opt(&sql, args![account.to_string(), iid.to_string()]).await?.as_ref().map(ivr).transpose()
    }

    async fn list_ivrs(&self, account: AccountId) -> Result<Vec<Ivr>, StoreError> {
        let sql = format!("SELECT {IVR_COLS} FROM ivrs WHERE account_id = $1 ORDER BY name, id");
        self.db.query(&sql, args![account.to_string()]).await?.iter().map(ivr).collect()
    }

    async fn delete_ivr(&self, account: AccountId, iid: IvrId) -> Result<bool, StoreError> {
        let (a, i) = (account.to_string(), iid.to_string());
        self.db
            .write(move |tx| {
                Box::pin(async move {
                    let used = tx
                        .query_opt(
                            "SELECT number FROM phone_numbers WHERE account_id = $1 AND ivr_id = $2",
                            args![a.clone(), i.clone()],
                        )
                        .await?;
                    if let Some(r) = used {
                        return Err(StoreError::Conflict(format!("{} still answers with this IVR", r.text("number")?)));
                    }
                    Ok(tx.exec("DELETE FROM ivrs WHERE account_id = $1 AND id = $2", args![a, i]).await? > 0)
                })
            })
            .await
    }

    async fn insert_call(&self, c: &Call) -> Result<(), StoreError> {
        let mut values = args![c.id.to_string(), c.account_id.to_string()];
        values.extend(call_values(c)?);
        values.push(Value::Int(c.version));
        let marks: Vec<String> = (1..=values.len()).map(|i| format!("${i}")).collect();
        let sql = format!("INSERT INTO calls ({CALL_COLS}) VALUES ({})", marks.join(", "));
        let sid = c.provider_sid.clone();
        self.db
            .write(move |tx| {
                Box::pin(async move {
                    tx.exec(&sql, values).await?;
                    Ok(())
                })
            })
            .await
            .map_err(|e| conflict_as(e, || format!("call {sid} is known already")))
    }

    async fn call_by_sid(&self, account: AccountId, sid: &str) -> Result<Option<Call>, StoreError> {
        let sql = format!("SELECT {CALL_COLS} FROM calls WHERE account_id = $1 AND provider_sid = $2");
        self.db.query_opt(&sql, args![account.to_string(), sid]).await?.as_ref().map(call).transpose()
    }

    async fn call(&self, account: AccountId, cid: CallId) -> Result<Option<Call>, StoreError> {
        let sql = format!("SELECT {CALL_COLS} FROM calls WHERE account_id = $1 AND id = $2");
        self.db.query_opt(&sql, args![account.to_string(), cid.to_string()]).await?.as_ref().map(call).transpose()
    }

    async fn update_call(&self, c: &Call) -> Result<(), StoreError> {
        let c = c.clone();
        self.db.write(move |tx| Box::pin(async move { save_call(tx, &c).await })).await
    }

    async fn file_call(
        &self,
        c: &Call,
        filing: CallFiling,
        events: CallEvents,
    ) -> Result<(Ticket, Option<Contact>), StoreError> {
        let mut c = c.clone();
        let engine = self.db.engine();
        let (out, news) = self
            .db
            .write(move |tx| {
                Box::pin(async move {
                    match filing {
                        CallFiling::Open(new) => {
                            let (ticket, contact, message) = crate::tickets::create_in(tx, engine, new).await?;
                            c.ticket_id = Some(ticket.id);
                            c.message_id = Some(message.id);
                            c.contact_id = Some(contact.id);
                            save_call(tx, &c).await?;
                            crate::webhooks::enqueue(tx, ticket.account_id, || events(&ticket)).await?;
                            let news = crate::news::created(&ticket);
                            Ok(((ticket, Some(contact)), news))
                        }
                        CallFiling::Append(change) => {
                            crate::tickets::save(tx, &change).await?;
                            c.ticket_id = Some(change.ticket.id);
                            c.message_id = change.message.as_ref().map(|m| m.id);
                            save_call(tx, &c).await?;
                            let news = crate::news::saved(&change);
                            let mut ticket = change.ticket;
                            ticket.version = change.expected_version + 1;
                            crate::webhooks::enqueue(tx, ticket.account_id, || events(&ticket)).await?;
                            Ok(((ticket, None), news))
                        }
                    }
                })
            })
            .await?;
        self.announce(vec![news]).await;
        Ok(out)
    }

    async fn ticket_calls(&self, account: AccountId, ticket: TicketId) -> Result<Vec<Call>, StoreError> {
        let sql =
            format!("SELECT {CALL_COLS} FROM calls WHERE account_id = $1 AND ticket_id = $2 ORDER BY started_at, id");
        self.db.query(&sql, args![account.to_string(), ticket.to_string()]).await?.iter().map(call).collect()
    }

    async fn call_position(&self, account: AccountId, c: &Call) -> Result<u32, StoreError> {
        let queued = c.queued_at.map_or(c.started_at.millis(), |t| t.millis());
        let (dept_sql, dept) = match c.department_id {
            Some(d) => ("department_id = $4", Value::Text(d.to_string())),
            None => ("department_id IS NULL AND $4 = ''", Value::Text(String::new())),
        };
        let sql = format!(
            "SELECT COUNT(*) AS n FROM calls WHERE account_id = $1 AND state = 'queued' AND {dept_sql} \
             AND (queued_at < $2 OR (queued_at = $2 AND id < $3))"
        );
        let n = self
            .db
            .query_opt(
                &sql,
                vec![Value::Text(account.to_string()), Value::Int(queued), Value::Text(c.id.to_string()), dept],
            )
            .await?
            .map(|r| r.int("n"))
            .transpose()?
            .unwrap_or(0);
        Ok(u32::try_from(n).unwrap_or(u32::MAX - 1) + 1)
    }

    async fn agents_on_calls(&self, account: AccountId) -> Result<Vec<AgentId>, StoreError> {
        let rows = self
            .db
            .query(
                "SELECT DISTINCT agent_id FROM calls WHERE account_id = $1 AND state IN ('ringing', 'connected') \
                 AND agent_id IS NOT NULL",
                args![account.to_string()],
            )
            .await?;
        rows.iter().map(|r| id("agent id", &r.text("agent_id")?)).collect()
    }

    async fn recordings_due(&self, now: Timestamp, limit: u32) -> Result<Vec<Call>, StoreError> {
        let sql = format!(
            "SELECT {CALL_COLS} FROM calls WHERE recording_state IN ('ready', 'stored') AND recording_next_at <= $1 \
             ORDER BY recording_next_at LIMIT $2"
        );
        self.db.query(&sql, args![now.millis(), i64::from(limit)]).await?.iter().map(call).collect()
    }

    async fn keep_recording(
        &self,
        account: AccountId,
        cid: CallId,
        rec: &Recording,
        message: &Message,
        info: &AttachmentInfo,
        data: &[u8],
    ) -> Result<bool, StoreError> {
        let (rec, message, info, data) = (rec.clone(), message.clone(), info.clone(), data.to_vec());
        self.db
            .write(move |tx| {
                Box::pin(async move {
                    if !write_recording(tx, account, cid, &rec, RecordingState::Ready).await? {
                        return Ok(false);
                    }
                    crate::mail::keep_file(tx, account, &message, &info, &data).await?;
                    Ok(true)
                })
            })
            .await
    }

    async fn set_recording(
        &self,
        account: AccountId,
        cid: CallId,
        rec: &Recording,
        from: RecordingState,
    ) -> Result<bool, StoreError> {
        let rec = rec.clone();
        self.db.write(move |tx| Box::pin(async move { write_recording(tx, account, cid, &rec, from).await })).await
    }

    async fn contact_by_phone(&self, account: AccountId, e164: &str) -> Result<Option<Contact>, StoreError> {
        // Phones are kept as a JSON list of E.164 strings, which hold no LIKE wildcards (`+` and digits only).
        if !e164.bytes().all(|b| b == b'+' || b.is_ascii_digit()) {
            return Ok(None);
        }
        let sql = format!(
            "SELECT {CONTACT_COLS} FROM contacts WHERE account_id = $1 AND phones LIKE $2 ORDER BY created_at, id LIMIT 1"
        );
        self.db
            .query_opt(&sql, args![account.to_string(), format!("%\"{e164}\"%")])
            .await?
            .as_ref()
            .map(contact)
            .transpose()
    }
}
