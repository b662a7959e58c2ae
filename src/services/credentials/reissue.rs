//! 仮ID・パスワード再発行 at the staff console: a household's live postcard credential is revoked and a new
//! one issued, appended to the staff notices file through the one notices-file writer.

use std::path::{Path, PathBuf};

use rand::TryRngCore;
use rand::rngs::OsRng;
use time::Duration;
use zeroize::Zeroizing;

use super::{Notice, NoticesFile};
use crate::domain::credential::{generate_temp_id, generate_temp_password};
use crate::domain::household::HouseholdKey;
use crate::services::{ServiceError, Services};
use crate::store::audit::{self, AuditEntry};
use crate::store::{Actor, accounts, credentials};

/// A reissued postcard credential: shown once on the staff screen and appended to the notices file.
#[derive(Clone)]
pub struct Reissued {
    pub household_id: i64,
    pub household: HouseholdKey,
    pub name: String,
    pub temp_id: String,
    pub temp_password: Zeroizing<String>,
    pub expires_on: String,
    pub notices: PathBuf,
    /// A live credential was revoked.
    pub revoked: bool,
}

impl std::fmt::Debug for Reissued {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reissued")
            .field("household", &self.household.masked())
            .field("temp_id", &self.temp_id)
            .field("temp_password", &"***")
            .field("expires_on", &self.expires_on)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ReissueError {
    #[error("there is no such household")]
    NotFound,
    #[error("the household is already registered; it needs no postcard")]
    Registered,
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl From<crate::store::StoreError> for ReissueError {
    fn from(e: crate::store::StoreError) -> Self {
        ReissueError::Service(e.into())
    }
}

impl Services {
    /// 仮ID・パスワード再発行: revokes the household's live credential and issues a new one, in one
    /// transaction with its audit row; the new credential is appended to the notices file (mode 0600) and
    /// synced before the transaction commits. Refused for a registered household.
    pub fn reissue_credential(
        &self,
        actor: &Actor,
        household_id: i64,
        notices: &Path,
    ) -> Result<Reissued, ReissueError> {
        let now = self.now();
        let expires_at =
            now + Duration::days(i64::from(self.config.credentials.temp_valid_days.max(1)));
        let expires_on = crate::dates::jst_iso_date(expires_at);
        let view = self
            .household_view(household_id)?
            .ok_or(ReissueError::NotFound)?;
        if view.account.is_some() {
            return Err(ReissueError::Registered);
        }
        let mut rng = OsRng.unwrap_err();
        let password = Zeroizing::new(generate_temp_password(&mut rng));
        let hash = self.hasher.hash(&password)?;
        let mut file = NoticesFile::open_append(notices)?;
        let issued_by = actor
            .staff_id
            .clone()
            .unwrap_or_else(|| actor.channel.as_str().to_string());
        self.store.write(|tx| {
            if accounts::for_household(tx, household_id)?.is_some() {
                return Err(ReissueError::Registered);
            }
            credentials::expire_due(tx, now)?;
            let revoked = credentials::revoke_live(tx, household_id, now)?;
            let temp_id = loop {
                let candidate = generate_temp_id(&mut rng);
                if !accounts::user_id_taken(tx, &candidate)? {
                    break candidate;
                }
            };
            credentials::insert(
                tx,
                household_id,
                &temp_id,
                &hash,
                now,
                expires_at,
                &issued_by,
            )?;
            audit::insert(
                tx,
                actor,
                &AuditEntry {
                    event: "reissue_credential",
                    outcome: "ok",
                    household_id: Some(household_id),
                    subject: Some(&temp_id),
                    detail: Some(format!(
                        "household {} expires {expires_on}{}",
                        view.key.masked(),
                        if revoked { " previous revoked" } else { "" }
                    )),
                },
                now,
            )?;
            let r = Reissued {
                household_id,
                household: view.key.clone(),
                name: view.name().to_string(),
                temp_id,
                temp_password: password.clone(),
                expires_on: expires_on.clone(),
                notices: notices.to_path_buf(),
                revoked,
            };
            // Last inside the transaction: the line is on disk before the credential exists.
            file.write(&[Notice {
                household: r.household.to_string(),
                name: r.name.clone(),
                temp_user_id: r.temp_id.clone(),
                temp_password: r.temp_password.clone(),
                expires_on: r.expires_on.clone(),
            }])?;
            Ok(r)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::auth::LoginOutcome;
    use crate::services::testing::{audit_of, fixture, household_id, key, staff_actor};
    use crate::store::credentials::CredentialState;

    #[test]
    fn reissue_revokes_issues_appends_and_audits() {
        let fx = fixture();
        let admin = Actor::admin();
        let staff = staff_actor("alice");
        let k = "06139497-12-3401";
        let first = fx
            .svc
            .issue_credentials(&admin, &fx.dir.path().join("n1.csv"), &[key(k)])
            .unwrap();
        let old = &first.notices[0];
        let notices = fx.dir.path().join("sub/staff-notices.csv");
        let hid = household_id(&fx, k);

        let r = fx.svc.reissue_credential(&staff, hid, &notices).unwrap();
        assert!(r.revoked);
        assert_ne!(r.temp_id, old.temp_user_id);
        assert_eq!(r.expires_on, "2026-05-31");
        assert_eq!(r.name, "山田 太郎");
        // The old postcard no longer works; the new one does.
        assert!(matches!(
            fx.svc
                .login(&Actor::kiosk(), &old.temp_user_id, &old.temp_password)
                .unwrap(),
            LoginOutcome::Failed
        ));
        match fx
            .svc
            .login(&Actor::kiosk(), &r.temp_id, &r.temp_password)
            .unwrap()
        {
            LoginOutcome::Temporary(t) => assert_eq!(t.household_id, hid),
            other => panic!("{other:?}"),
        }
        let view = fx.svc.household_view(hid).unwrap().unwrap();
        let cred = view.credential.unwrap();
        assert_eq!(cred.temp_id, r.temp_id);
        assert_eq!(cred.state, CredentialState::Live);
        let issued_by: String = fx
            .svc
            .store
            .read(|c| {
                Ok(c.query_row(
                    "SELECT issued_by FROM temp_credentials WHERE temp_id = ?1",
                    [&r.temp_id],
                    |row| row.get(0),
                )?)
            })
            .unwrap();
        assert_eq!(issued_by, "alice");

        // A second reissue appends; the header is written once.
        let r2 = fx.svc.reissue_credential(&staff, hid, &notices).unwrap();
        let text = std::fs::read_to_string(&notices).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3, "{text}");
        assert_eq!(
            lines[0],
            "household,name,temp_user_id,temp_password,expires_on"
        );
        assert_eq!(
            lines[1],
            format!(
                "06139497-12-3401,山田 太郎,{},{},2026-05-31",
                r.temp_id, *r.temp_password
            )
        );
        assert!(lines[2].contains(&r2.temp_id));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&notices).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        let audit_rows = audit_of(&fx, "reissue_credential");
        assert_eq!(audit_rows.len(), 2);
        let row = &audit_rows[1];
        assert_eq!(row.channel, "staff");
        assert_eq!(row.staff_id.as_deref(), Some("alice"));
        assert_eq!(row.client_addr.as_deref(), Some("192.0.2.7"));
        assert_eq!(row.household_id, Some(hid));
        let detail = row.detail.as_deref().unwrap();
        assert!(
            !detail.contains("06139497") && !detail.contains("3401"),
            "{detail}"
        );
        assert!(!detail.contains(r.temp_password.as_str()));

        // A household without any credential gets its first one; no revocation.
        let other = household_id(&fx, "01130012-7-88");
        let r3 = fx.svc.reissue_credential(&staff, other, &notices).unwrap();
        assert!(!r3.revoked);
        // Unknown and registered households are refused, and nothing is appended.
        assert!(matches!(
            fx.svc.reissue_credential(&staff, 9999, &notices),
            Err(ReissueError::NotFound)
        ));
        fx.svc
            .store
            .write(|tx| {
                tx.execute(
                    "INSERT INTO accounts (household_id, user_id, password_hash, password_set_at, notify_mail,
                         registrant, registered_at, channel) VALUES (?1, 'yamada1955', 'x', '2026-04-01T01:00:00Z', 0, 'insured',
                         '2026-04-01T01:00:00Z', 'kiosk')",
                    [hid],
                )?;
                Ok::<_, crate::store::StoreError>(())
            })
            .unwrap();
        let before = std::fs::read_to_string(&notices).unwrap();
        assert!(matches!(
            fx.svc.reissue_credential(&staff, hid, &notices),
            Err(ReissueError::Registered)
        ));
        assert_eq!(std::fs::read_to_string(&notices).unwrap(), before);
    }
}
