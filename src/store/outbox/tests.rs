use super::*;
use crate::store::Store;
use time::Duration;
use time::macros::datetime;

const T0: OffsetDateTime = datetime!(2026-04-01 10:00 UTC);
const LEASE: Duration = Duration::seconds(60);

fn store_with(n: usize) -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("k.db")).unwrap();
    store
        .write(|tx| {
            for i in 0..n {
                enqueue(
                    tx,
                    &NewMail {
                        kind: "test",
                        to: &format!("u{i}@example.com"),
                        subject: "s",
                        body: "b",
                        lang: "ja",
                        message_id: &format!("<{i}@x>"),
                        dedupe_key: &format!("k{i}"),
                        household_id: None,
                    },
                    T0 + Duration::seconds(i as i64),
                )?;
            }
            Ok::<_, StoreError>(())
        })
        .unwrap();
    (dir, store)
}

fn claim_as(store: &Store, owner: &str, now: OffsetDateTime, limit: u32) -> Vec<i64> {
    store
        .write(|tx| claim(tx, owner, now, now, LEASE, limit))
        .unwrap()
        .into_iter()
        .map(|r| r.id)
        .collect()
}

#[test]
fn enqueue_is_idempotent_per_dedupe_key() {
    let (_d, store) = store_with(1);
    let again = store
        .write(|tx| {
            enqueue(
                tx,
                &NewMail {
                    kind: "test",
                    to: "other@example.com",
                    subject: "s",
                    body: "b",
                    lang: "ja",
                    message_id: "<other@x>",
                    dedupe_key: "k0",
                    household_id: None,
                },
                T0,
            )
        })
        .unwrap();
    assert_eq!(again, 1);
    assert_eq!(store.read(|c| list(c, None)).unwrap().len(), 1);
}

#[test]
fn claims_are_disjoint_due_first_and_count_attempts() {
    let (_d, store) = store_with(5);
    let now = T0 + Duration::seconds(10);
    let a = claim_as(&store, "a", now, 3);
    let b = claim_as(&store, "b", now, 3);
    assert_eq!(a, [1, 2, 3]);
    assert_eq!(b, [4, 5]);
    assert!(claim_as(&store, "c", now, 3).is_empty());
    let row = store.read(|c| get(c, 1)).unwrap().unwrap();
    assert_eq!(row.state, MailState::Sending);
    assert_eq!(row.attempts, 1);
    assert_eq!(row.lease_owner.as_deref(), Some("a"));
    assert_eq!(row.lease_expires_at, Some(now + LEASE));
}

#[test]
fn rows_not_yet_due_are_not_claimed() {
    let (_d, store) = store_with(3);
    // Row i is due at T0 + i s.
    assert_eq!(claim_as(&store, "a", T0 + Duration::seconds(1), 9), [1, 2]);
}

#[test]
fn marks_need_the_lease() {
    let (_d, store) = store_with(2);
    claim_as(&store, "a", T0 + Duration::seconds(5), 9);
    store
        .write(|tx| {
            assert!(!mark_sent(tx, 1, "intruder", T0)?);
            assert!(!mark_dead(tx, 1, "intruder", "x")?);
            assert!(!mark_retry(tx, 1, "intruder", T0, "x")?);
            assert!(!release(tx, 1, "intruder")?);
            assert!(mark_sent(tx, 1, "a", T0)?);
            assert!(!mark_sent(tx, 1, "a", T0)?, "only once");
            assert!(mark_retry(
                tx,
                2,
                "a",
                T0 + Duration::hours(1),
                "451 later"
            )?);
            Ok::<_, StoreError>(())
        })
        .unwrap();
    let rows = store.read(|c| list(c, None)).unwrap();
    assert_eq!(rows[0].state, MailState::Sent);
    assert_eq!(rows[0].lease_owner, None);
    assert_eq!(rows[1].state, MailState::Queued);
    assert_eq!(rows[1].last_error.as_deref(), Some("451 later"));
    assert_eq!(rows[1].next_attempt_at, T0 + Duration::hours(1));
    assert_eq!(store.read(next_due).unwrap(), Some(T0 + Duration::hours(1)));
    assert_eq!(store.read(counts).unwrap(), [1, 0, 1, 0]);
}

#[test]
fn an_expired_lease_is_claimed_again_by_another_worker() {
    let (_d, store) = store_with(1);
    let now = T0 + Duration::seconds(1);
    assert_eq!(claim_as(&store, "dead-worker", now, 9), [1]);
    // Still leased, even at the very second it expires.
    assert!(claim_as(&store, "b", now + LEASE, 9).is_empty());
    assert_eq!(
        store.read(next_due).unwrap(),
        Some(now + LEASE + Duration::seconds(1))
    );
    let later = now + LEASE + Duration::seconds(1);
    assert_eq!(claim_as(&store, "b", later, 9), [1]);
    let row = store.read(|c| get(c, 1)).unwrap().unwrap();
    assert_eq!(row.attempts, 2, "the dead worker's attempt counts");
    assert_eq!(row.message_id, "<0@x>", "the Message-ID never changes");
    // The dead worker's late mark is refused.
    assert!(
        !store
            .write(|tx| mark_sent(tx, 1, "dead-worker", later))
            .unwrap()
    );
}

#[test]
fn release_gives_the_attempt_back() {
    let (_d, store) = store_with(1);
    let now = T0 + Duration::seconds(1);
    claim_as(&store, "a", now, 9);
    assert!(store.write(|tx| release(tx, 1, "a")).unwrap());
    let row = store.read(|c| get(c, 1)).unwrap().unwrap();
    assert_eq!((row.state, row.attempts), (MailState::Queued, 0));
    assert_eq!(claim_as(&store, "b", now, 9), [1]);
}

#[test]
fn dead_rows_are_never_claimed() {
    let (_d, store) = store_with(1);
    let now = T0 + Duration::seconds(1);
    claim_as(&store, "a", now, 9);
    assert!(store.write(|tx| mark_dead(tx, 1, "a", "550 no")).unwrap());
    assert!(claim_as(&store, "b", now + Duration::days(30), 9).is_empty());
    assert_eq!(store.read(next_due).unwrap(), None);
}
