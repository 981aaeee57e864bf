//! Optional features per account and the consents given to their providers.

use crate::db::{args, Row};
use crate::rows::{json, to_json};
use crate::SqlStore;
use async_trait::async_trait;
use parley_domain::dpa::DpaAcceptance;
use parley_domain::ids::{AccountId, AgentId};
use parley_domain::subprocessors::{Consent, Feature, Objection, RegisterNotice};
use parley_domain::Timestamp;
use parley_store::{FeatureStore, StoreError};
use std::collections::BTreeSet;

fn feature(s: &str) -> Result<Feature, StoreError> {
    Feature::parse(s).ok_or_else(|| StoreError::Other(format!("unknown feature '{s}' stored")))
}

#[async_trait]
impl FeatureStore for SqlStore {
    async fn enabled_features(&self, account: AccountId) -> Result<BTreeSet<Feature>, StoreError> {
        let rows = self
            .db
            .query(
                "SELECT feature FROM account_features WHERE account_id = $1 AND enabled = 1",
                args![account.to_string()],
            )
            .await?;
        rows.iter().map(|r| feature(&r.text("feature")?)).collect()
    }

    async fn set_feature(
        &self,
        account: AccountId,
        f: Feature,
        enabled: bool,
        by: Option<AgentId>,
        consent: Option<&Consent>,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        let consent = match consent {
            Some(c) => Some((c.feature, i64::from(c.register_version), to_json(&c.providers)?, c.agent_id, c.at)),
            None => None,
        };
        self.db
            .write(move |tx| {
                Box::pin(async move {
                    if let Some((cf, version, providers, agent, when)) = consent {
                        tx.exec(
                            "INSERT INTO subprocessor_consents (account_id, feature, register_version, providers, \
                             agent_id, at) VALUES ($1, $2, $3, $4, $5, $6)",
                            args![account.to_string(), cf.as_str(), version, providers, agent.to_string(), when.millis()],
                        )
                        .await?;
                    }
                    tx.exec(
                        "INSERT INTO account_features (account_id, feature, enabled, changed_at, changed_by) \
                         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (account_id, feature) DO UPDATE SET \
                         enabled = excluded.enabled, changed_at = excluded.changed_at, changed_by = excluded.changed_by",
                        args![account.to_string(), f.as_str(), enabled, at.millis(), by.map(|a| a.to_string())],
                    )
                    .await?;
                    Ok(())
                })
            })
            .await
    }

    async fn consents(&self, account: AccountId) -> Result<Vec<Consent>, StoreError> {
        let rows = self
            .db
            .query(
                "SELECT feature, register_version, providers, agent_id, at FROM subprocessor_consents \
                 WHERE account_id = $1 ORDER BY at",
                args![account.to_string()],
            )
            .await?;
        rows.iter()
            .map(|r| {
                Ok(Consent {
                    feature: feature(&r.text("feature")?)?,
                    register_version: u32::try_from(r.int("register_version")?)
                        .map_err(|_| StoreError::Other("a register version is out of range".into()))?,
                    providers: json("consented providers", &r.text("providers")?)?,
                    agent_id: crate::rows::id("agent id", &r.text("agent_id")?)?,
                    at: Timestamp::from_millis(r.int("at")?),
                })
            })
            .collect()
    }

    async fn add_register_notice(&self, account: AccountId, n: &RegisterNotice) -> Result<bool, StoreError> {
        let changes = to_json(&n.changes)?;
        let (version, created, until) = (i64::from(n.register_version), n.created_at.millis(), n.object_until.millis());
        self.db
            .write(move |tx| {
                Box::pin(async move {
                    let added = tx
                        .exec(
                            "INSERT INTO register_notices (account_id, register_version, changes, created_at, \
                             object_until) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (account_id, register_version) \
                             DO NOTHING",
                            args![account.to_string(), version, changes, created, until],
                        )
                        .await?;
                    Ok(added > 0)
                })
            })
            .await
    }

    async fn register_notices(&self, account: AccountId) -> Result<Vec<RegisterNotice>, StoreError> {
        let rows = self
            .db
            .query(
                "SELECT register_version, changes, created_at, object_until, objected_at, objected_by, objection \
                 FROM register_notices WHERE account_id = $1 ORDER BY register_version DESC",
                args![account.to_string()],
            )
            .await?;
        rows.iter().map(notice).collect()
    }

    async fn object_to_notice(&self, account: AccountId, version: u32, o: &Objection) -> Result<(), StoreError> {
        let (at, by, reason) = (o.at.millis(), o.by.to_string(), o.reason.clone());
        self.db
            .write(move |tx| {
                Box::pin(async move {
                    let found = tx
                        .query_opt(
                            "SELECT objected_at FROM register_notices WHERE account_id = $1 AND register_version = $2",
                            args![account.to_string(), i64::from(version)],
                        )
                        .await?
                        .ok_or(StoreError::NotFound)?;
                    if found.opt_int("objected_at")?.is_some() {
                        return Err(StoreError::Conflict(format!("version {version} was objected to already")));
                    }
                    tx.exec(
                        "UPDATE register_notices SET objected_at = $3, objected_by = $4, objection = $5 \
                         WHERE account_id = $1 AND register_version = $2",
                        args![account.to_string(), i64::from(version), at, by, reason],
                    )
                    .await?;
                    Ok(())
                })
            })
            .await
    }

    async fn accept_dpa(&self, account: AccountId, a: &DpaAcceptance) -> Result<(), StoreError> {
        let a = a.clone();
        self.db
            .write(move |tx| {
                Box::pin(async move {
                    tx.exec(
                        "INSERT INTO dpa_acceptances (account_id, version, agent_id, agent_email, accepted_at, ip, \
                         text_sha256) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                        args![
                            account.to_string(),
                            i64::from(a.version),
                            a.agent_id.to_string(),
                            a.agent_email,
                            a.accepted_at.millis(),
                            a.ip,
                            a.text_sha256
                        ],
                    )
                    .await
                    .map_err(|e| {
                        crate::error::conflict_as(e, || format!("version {} was accepted already", a.version))
                    })?;
                    Ok(())
                })
            })
            .await
    }

    async fn dpa_acceptances(&self, account: AccountId) -> Result<Vec<DpaAcceptance>, StoreError> {
        let rows = self
            .db
            .query(
                "SELECT version, agent_id, agent_email, accepted_at, ip, text_sha256 FROM dpa_acceptances \
                 WHERE account_id = $1 ORDER BY version",
                args![account.to_string()],
            )
            .await?;
        rows.iter()
            .map(|r| {
                Ok(DpaAcceptance {
                    version: u32::try_from(r.int("version")?)
                        .map_err(|_| StoreError::Other("a DPA version is out of range".into()))?,
                    agent_id: crate::rows::id("agent id", &r.text("agent_id")?)?,
                    agent_email: r.text("agent_email")?,
                    accepted_at: Timestamp::from_millis(r.int("accepted_at")?),
                    ip: r.opt_text("ip")?,
                    text_sha256: r.text("text_sha256")?,
                })
            })
            .collect()
    }
}

fn notice(r: &Row) -> Result<RegisterNotice, StoreError> {
    let objection = match r.opt_int("objected_at")? {
        Some(at) => Some(Objection {
            at: Timestamp::from_millis(at),
            by: crate::rows::id("agent id", &r.text("objected_by")?)?,
            reason: r.opt_text("objection")?.unwrap_or_default(),
        }),
        None => None,
    };
    Ok(RegisterNotice {
        register_version: u32::try_from(r.int("register_version")?)
            .map_err(|_| StoreError::Other("a register version is out of range".into()))?,
        changes: json("register changes", &r.text("changes")?)?,
        created_at: Timestamp::from_millis(r.int("created_at")?),
        object_until: Timestamp::from_millis(r.int("object_until")?),
        objection,
    })
}
