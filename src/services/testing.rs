//! The unit tests' shared store: two households imported on a fixed clock, and a staff actor.

use std::sync::Arc;

use time::OffsetDateTime;
use time::macros::datetime;

use super::Services;
use super::members::parse_members_csv;
use crate::clock::FixedClock;
use crate::config::Config;
use crate::domain::household::HouseholdKey;
use crate::store::audit::{self, AuditFilter, AuditRow};
use crate::store::{Actor, Channel, Store, households};

pub const T0: OffsetDateTime = datetime!(2026-04-01 01:00 UTC);
const MEMBERS: &str = "insurer_number,symbol,number,name,birth_date,relationship
06139497,12,3401,山田 太郎,1955-04-12,insured
06139497,12,3401,山田 花子,1958-09-30,dependent
01130012,7,88,鈴木 美咲,1990-07-15,insured
";

pub struct Fx {
    pub dir: tempfile::TempDir,
    pub svc: Services,
    pub clock: Arc<FixedClock>,
}

pub fn staff_actor(id: &str) -> Actor {
    Actor {
        channel: Channel::Staff,
        staff_id: Some(id.to_string()),
        client_addr: Some("192.0.2.7".into()),
    }
}

pub fn fixture() -> Fx {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("k.db")).unwrap();
    let clock = Arc::new(FixedClock::new(T0));
    let svc = Services::with_clock(Arc::new(store), Arc::new(Config::default()), clock.clone());
    let rows = parse_members_csv(MEMBERS, svc.clock.today()).unwrap();
    svc.import_rows(&Actor::admin(), &rows).unwrap();
    Fx { dir, svc, clock }
}

pub fn key(s: &str) -> HouseholdKey {
    HouseholdKey::parse(s).unwrap()
}

pub fn household_id(fx: &Fx, k: &str) -> i64 {
    fx.svc
        .store
        .read(|c| households::find_by_key(c, &key(k)))
        .unwrap()
        .unwrap()
        .id
}

/// The newest ten audit rows that `filter` lets through, newest first.
pub fn audit_rows(fx: &Fx, filter: AuditFilter) -> Vec<AuditRow> {
    fx.svc
        .store
        .read(|c| audit::recent(c, &filter, 10))
        .unwrap()
}

/// The newest ten audit rows of `event`, newest first.
pub fn audit_of(fx: &Fx, event: &str) -> Vec<AuditRow> {
    audit_rows(
        fx,
        AuditFilter {
            event: Some(event.into()),
            ..Default::default()
        },
    )
}
