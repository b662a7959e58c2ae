//! Member corrections on import (issue 15 item 6): a plain import only adds (and says which
//! households have members the file leaves out); `--replace` makes each household the file names
//! hold exactly the file's members, correcting in place, so a wrong birth date stops passing STEP3.

use kosmo_kiosk::domain::household::Relationship;
use kosmo_kiosk::services::member_corrections::{Change, MemberChange, Person};
use kosmo_kiosk::services::members::{ImportOptions, ImportReport};
use kosmo_kiosk::services::registration::IdentityOutcome;
use kosmo_kiosk::store::Actor;
use kosmo_kiosk::store::households;

use super::support::*;

const HEADER: &str = "insurer_number,symbol,number,name,birth_date,relationship\n";

/// 伊藤's household as the office's corrected list has it: 花子 born 1972-06-16, not 06-06.
const ITO_CORRECTED: &str = "\
06139497,12,4417203,伊藤 太郎,1970-05-05,insured
06139497,12,4417203,伊藤 花子,1972-06-16,dependent
06139497,12,4417203,伊藤 一郎,2005-03-03,dependent
";

fn import(f: &Fixture, rows: &str, replace: bool) -> ImportReport {
    let path = f.path("corrected.csv");
    std::fs::write(&path, format!("{HEADER}{rows}")).unwrap();
    f.svc
        .import_members(
            &Actor::admin(),
            &path,
            ImportOptions {
                encoding: None,
                replace,
            },
        )
        .expect("import")
}

fn members(f: &Fixture, household: &str) -> Vec<(i64, String, String, Relationship)> {
    let id = f.household_id(household);
    f.svc
        .store
        .read(|c| households::members_of(c, id))
        .unwrap()
        .into_iter()
        .map(|m| {
            (
                m.id,
                m.name,
                households::format_date(m.birth_date),
                m.relationship,
            )
        })
        .collect()
}

/// STEP3 with 伊藤's insurer number and this birth date, on a fresh postcard.
fn step3(f: &Fixture, birth: &str) -> IdentityOutcome {
    let card = f.issue_one(ITO);
    let t = f.ticket(&card);
    f.svc
        .check_identity(&Actor::kiosk(), &t, &insurer("06139497"), date(birth))
        .unwrap()
}

fn person(name: &str, birth: &str, relationship: Relationship) -> Person {
    Person {
        name: name.into(),
        birth_date: date(birth),
        relationship,
    }
}

#[test]
fn a_plain_import_only_adds_and_names_the_households_it_leaves_members_out_of() {
    let f = Fixture::with_members();
    let r = import(&f, ITO_CORRECTED, false);
    assert_eq!((r.members_added, r.unchanged), (1, 2));
    assert!(r.changes.is_empty());
    assert_eq!(r.unlisted_count, 1);
    assert_eq!(r.unlisted, vec![key(ITO)]);
    // The defect the issue names: the wrong date still passes STEP3, beside the right one.
    assert_eq!(members(&f, ITO).len(), 4);
    assert!(matches!(
        step3(&f, "1972-06-06"),
        IdentityOutcome::Confirmed(_)
    ));
    // A file that lists everyone leaves nothing unlisted.
    let r = import(&f, ITO_CORRECTED, true);
    assert_eq!(r.removed(), 1);
    let r = import(&f, ITO_CORRECTED, false);
    assert_eq!((r.members_added, r.unchanged, r.unlisted_count), (0, 3, 0));
}

#[test]
fn replace_corrects_a_birth_date_in_place_and_the_wrong_date_no_longer_passes_step3() {
    let f = Fixture::with_members();
    let before = members(&f, ITO);
    let neighbour = members(&f, NEIGHBOUR);
    let hanako = before.iter().find(|m| m.1 == "伊藤 花子").unwrap().0;
    let r = import(&f, ITO_CORRECTED, true);
    assert_eq!(
        r.changes,
        vec![MemberChange {
            household: key(ITO),
            change: Change::Corrected {
                was: person("伊藤 花子", "1972-06-06", Relationship::Dependent),
                now: person("伊藤 花子", "1972-06-16", Relationship::Dependent),
                line: 3,
            },
        }]
    );
    assert_eq!(
        (r.members_added, r.unchanged, r.corrected(), r.removed()),
        (0, 2, 1, 0)
    );
    let after = members(&f, ITO);
    assert_eq!(after.len(), 3);
    // The same member, corrected (an account that names her keeps naming her).
    assert!(after.contains(&(
        hanako,
        "伊藤 花子".into(),
        "1972-06-16".into(),
        Relationship::Dependent
    )));
    assert_eq!(
        members(&f, NEIGHBOUR),
        neighbour,
        "a household the file does not name"
    );
    assert!(matches!(
        step3(&f, "1972-06-06"),
        IdentityOutcome::Mismatch { .. }
    ));
    match step3(&f, "1972-06-16") {
        IdentityOutcome::Confirmed(m) => assert_eq!(m.member_id, hanako),
        other => panic!("{other:?}"),
    }
    // The import's audit row says what it did.
    let detail: String = f
        .svc
        .store
        .read(|c| {
            Ok(c.query_row(
                "SELECT detail FROM audit WHERE event = 'import_members' ORDER BY id DESC LIMIT 1",
                [],
                |r| r.get(0),
            )?)
        })
        .unwrap();
    assert!(
        detail.ends_with("corrected 1 removed 0 (replace)"),
        "{detail}"
    );
    // Importing the same file again changes nothing.
    let again = import(&f, ITO_CORRECTED, true);
    assert!(again.changes.is_empty(), "{:?}", again.changes);
    assert_eq!(again.unchanged, 3);
}

#[test]
fn replace_corrects_names_and_relationships_adds_and_removes() {
    let f = Fixture::with_members();
    let r = import(
        &f,
        "\
06139497,12,4417203,伊藤 太郎,1970-05-05,insured
06139497,12,4417203,伊藤 一朗,2005-03-03,dependent
06139497,12,4417203,伊藤 さくら,2024-04-01,dependent
",
        true,
    );
    assert_eq!(
        r.changes,
        vec![
            MemberChange {
                household: key(ITO),
                change: Change::Corrected {
                    was: person("伊藤 一郎", "2005-03-03", Relationship::Dependent),
                    now: person("伊藤 一朗", "2005-03-03", Relationship::Dependent),
                    line: 3,
                },
            },
            MemberChange {
                household: key(ITO),
                change: Change::Removed(person("伊藤 花子", "1972-06-06", Relationship::Dependent)),
            },
        ]
    );
    assert_eq!((r.members_added, r.unchanged), (1, 1));
    let names: Vec<String> = members(&f, ITO).into_iter().map(|m| m.1).collect();
    assert_eq!(names, ["伊藤 太郎", "伊藤 一朗", "伊藤 さくら"]);
    // The insured person and a dependent trade places (a relationship corrected both ways).
    let r = import(
        &f,
        "\
06139497,12,4417203,伊藤 太郎,1970-05-05,dependent
06139497,12,4417203,伊藤 一朗,2005-03-03,insured
06139497,12,4417203,伊藤 さくら,2024-04-01,dependent
",
        true,
    );
    assert_eq!(r.corrected(), 2);
    // A household the file would leave without exactly one insured person: nothing changes.
    let before = members(&f, ITO);
    let path = f.path("none-insured.csv");
    std::fs::write(
        &path,
        format!("{HEADER}06139497,12,4417203,伊藤 一朗,2005-03-03,dependent\n"),
    )
    .unwrap();
    let err = f
        .svc
        .import_members(
            &Actor::admin(),
            &path,
            ImportOptions {
                encoding: None,
                replace: true,
            },
        )
        .unwrap_err();
    assert!(err.to_string().contains("0 insured persons"), "{err}");
    assert_eq!(members(&f, ITO), before);
}

#[test]
fn replace_keeps_the_member_who_registered_the_account() {
    let f = Fixture::with_members();
    // 花子 registers for the household.
    let card = f.issue_one(ITO);
    let mut t = f.ticket(&card);
    let m = match f
        .svc
        .check_identity(
            &Actor::kiosk(),
            &t,
            &insurer("06139497"),
            date("1972-06-06"),
        )
        .unwrap()
    {
        IdentityOutcome::Confirmed(m) => m,
        other => panic!("{other:?}"),
    };
    t.confirm(&m);
    let mut inp = input("Ito2026a", "Sakura2026x", "hanako@example.jp");
    inp.registrant = m.relationship;
    inp.member_id = Some(m.member_id);
    f.svc.register(&Actor::kiosk(), &t, &inp).expect("register");
    // A list without 花子 and 一郎: 一郎 goes, 花子 stays because the account names her.
    let r = import(
        &f,
        "06139497,12,4417203,伊藤 太郎,1970-05-05,insured\n",
        true,
    );
    assert_eq!(
        r.changes,
        vec![
            MemberChange {
                household: key(ITO),
                change: Change::Kept(person("伊藤 花子", "1972-06-06", Relationship::Dependent)),
            },
            MemberChange {
                household: key(ITO),
                change: Change::Removed(person("伊藤 一郎", "2005-03-03", Relationship::Dependent)),
            },
        ]
    );
    let left: Vec<i64> = members(&f, ITO).into_iter().map(|m| m.0).collect();
    assert!(left.contains(&m.member_id));
    assert_eq!(f.state(ITO).account.unwrap().member_id, Some(m.member_id));
}
