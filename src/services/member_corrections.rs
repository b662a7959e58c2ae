//! Corrections of the member list by import (`admin import-members --replace`).
//!
//! A member is known by household, name and birth date. A plain import adds the people a file names
//! that the store does not have, so a file that corrects a birth date would add a second person with
//! the corrected date and leave the wrong one able to pass STEP3. With `--replace` the file is the
//! whole truth for every household it names: each of those households ends with exactly the file's
//! members. The store's members are matched to the file's, in this order, and corrected in place (the
//! member's id, which an account may name, stays):
//!
//! 1. the same name and birth date (the relationship is corrected if it differs);
//! 2. the same name (the birth date is corrected);
//! 3. the same birth date (the name is corrected);
//!
//! then the file's members left over are added, and the store's left over are removed, except a
//! member whose account names them as its registrant (kept, and said). Households the file does not
//! name are not touched.

use std::collections::HashSet;

use rusqlite::Connection;
use time::Date;

use crate::domain::household::{HouseholdKey, Relationship};
use crate::store::StoreError;
use crate::store::households::{self, FileMember, Member};

/// A member as the store had it or has it now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub name: String,
    pub birth_date: Date,
    pub relationship: Relationship,
}

impl From<&Member> for Person {
    fn from(m: &Member) -> Self {
        Person {
            name: m.name.clone(),
            birth_date: m.birth_date,
            relationship: m.relationship,
        }
    }
}

impl From<&FileMember> for Person {
    fn from(m: &FileMember) -> Self {
        Person {
            name: m.name.clone(),
            birth_date: m.birth_date,
            relationship: m.relationship,
        }
    }
}

/// What an import with `--replace` did to one member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Corrected in place from `was` to `now` (the file's `line`).
    Corrected { was: Person, now: Person, line: u64 },
    /// Not in the file: removed.
    Removed(Person),
    /// Not in the file, but the household's account names them as its registrant: kept.
    Kept(Person),
}

/// One change, with its household.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberChange {
    pub household: HouseholdKey,
    pub change: Change,
}

/// Counts of one household's reconciliation.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub added: usize,
    pub unchanged: usize,
}

/// Pairs the store's `members` with the file's `file` (rules 1–3 above); returns the pairs as
/// (store index, file index), in the order found.
fn pair(members: &[Member], file: &[FileMember]) -> Vec<(usize, usize)> {
    let mut pairs = Vec::new();
    let mut used_m = HashSet::new();
    let mut used_f = HashSet::new();
    let rules: [fn(&Member, &FileMember) -> bool; 3] = [
        |m, f| m.name == f.name && m.birth_date == f.birth_date,
        |m, f| m.name == f.name,
        |m, f| m.birth_date == f.birth_date,
    ];
    for same in rules {
        for (fi, f) in file.iter().enumerate() {
            if used_f.contains(&fi) {
                continue;
            }
            if let Some(mi) =
                (0..members.len()).find(|mi| !used_m.contains(mi) && same(&members[*mi], f))
            {
                used_m.insert(mi);
                used_f.insert(fi);
                pairs.push((mi, fi));
            }
        }
    }
    pairs
}

/// Makes household `household_id` hold exactly the file's members (held by
/// [`households::add_file_member`]), appending what changed to `changes`.
pub fn reconcile(
    conn: &Connection,
    household_id: i64,
    key: &HouseholdKey,
    changes: &mut Vec<MemberChange>,
) -> Result<Counts, StoreError> {
    let members = households::members_of(conn, household_id)?;
    let file = households::file_members_of(conn, household_id)?;
    let pairs = pair(&members, &file);
    let mut counts = Counts::default();
    let note = |changes: &mut Vec<MemberChange>, change| {
        changes.push(MemberChange {
            household: key.clone(),
            change,
        })
    };
    // No update can meet another member's (name, birth date): a member with the file's exact pair
    // was matched by rule 1, and the file holds each pair once.
    let corrected: Vec<(usize, usize)> = pairs
        .iter()
        .copied()
        .filter(|(mi, fi)| Person::from(&members[*mi]) != Person::from(&file[*fi]))
        .collect();
    for (mi, fi) in &corrected {
        let (m, f) = (&members[*mi], &file[*fi]);
        households::update_member(conn, m.id, &f.name, f.birth_date, f.relationship)?;
        note(
            changes,
            Change::Corrected {
                was: m.into(),
                now: f.into(),
                line: f.line,
            },
        );
    }
    counts.unchanged = pairs.len() - corrected.len();
    for (fi, f) in file.iter().enumerate() {
        if !pairs.iter().any(|(_, p)| *p == fi) {
            households::insert_member(conn, household_id, &f.name, f.birth_date, f.relationship)?;
            counts.added += 1;
        }
    }
    let registrants = households::registrant_member_ids(conn, household_id)?;
    for (mi, m) in members.iter().enumerate() {
        if pairs.iter().any(|(p, _)| *p == mi) {
            continue;
        }
        if registrants.contains(&m.id) {
            note(changes, Change::Kept(m.into()));
        } else {
            households::delete_member(conn, m.id)?;
            note(changes, Change::Removed(m.into()));
        }
    }
    Ok(counts)
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    fn member(id: i64, name: &str, birth: Date) -> Member {
        Member {
            id,
            household_id: 1,
            name: name.into(),
            birth_date: birth,
            relationship: Relationship::Dependent,
        }
    }

    fn listed(line: u64, name: &str, birth: Date) -> FileMember {
        FileMember {
            line,
            name: name.into(),
            birth_date: birth,
            relationship: Relationship::Dependent,
        }
    }

    #[test]
    fn exact_matches_come_before_a_name_or_a_date() {
        // The store has a wrong date for 花子; the file has her right date and a new baby born on
        // her wrong date. 花子 is corrected (same name), the baby is not taken for her.
        let m = [member(1, "花子", date!(1972 - 03 - 03))];
        let f = [
            listed(2, "赤ちゃん", date!(1972 - 03 - 03)),
            listed(3, "花子", date!(1972 - 03 - 30)),
        ];
        assert_eq!(pair(&m, &f), vec![(0, 1)]);
        let m = [
            member(1, "花子", date!(1972 - 03 - 03)),
            member(2, "次郎", date!(2001 - 04 - 01)),
        ];
        let f = [
            listed(2, "次朗", date!(2001 - 04 - 01)),
            listed(3, "花子", date!(1972 - 03 - 03)),
        ];
        assert_eq!(pair(&m, &f), vec![(0, 1), (1, 0)]);
        // Nothing in common: no pair (the old is removed, the new added).
        assert_eq!(
            pair(
                &[member(1, "太郎", date!(1970 - 01 - 01))],
                &[listed(2, "一郎", date!(1980 - 01 - 01))]
            ),
            vec![]
        );
    }
}
