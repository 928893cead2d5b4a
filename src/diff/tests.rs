use proptest::prelude::*;

use super::*;

const CRITERIA: [(&str, &str); 3] = [("standard", "1"), ("standard", "10"), ("advanced", "10")];

fn status() -> impl Strategy<Value = Status> {
    prop_oneof![Just(Status::Pass), Just(Status::Fail), Just(Status::NoData)]
}

/// Entries with unique keys drawn from `c0`…`c7` (some without a key).
fn side() -> impl Strategy<Value = Vec<Entry>> {
    proptest::collection::btree_map(
        0u8..10,
        (0usize..3, proptest::collection::vec(status(), 3)),
        0..8,
    )
    .prop_map(|m| {
        m.into_iter()
            .map(|(k, (rank, st))| Entry {
                key: (k < 8).then(|| format!("c{k}")),
                code: Some(format!("c{k}")),
                name: None,
                file: "f.csv".to_string(),
                line: u64::from(k) + 2,
                level: match rank {
                    0 => None,
                    1 => Some("standard".to_string()),
                    _ => Some("advanced".to_string()),
                },
                rank,
                criteria: CRITERIA
                    .iter()
                    .zip(st)
                    .map(|((l, c), s)| (l.to_string(), c.to_string(), s))
                    .collect(),
            })
            .collect()
    })
}

proptest! {
    #[test]
    fn a_set_against_itself_changes_nothing(a in side()) {
        let d = diff(&a, &a);
        prop_assert!(d.changes.is_empty());
        let keyed = a.iter().filter(|e| e.key.is_some()).count();
        prop_assert_eq!(d.unchanged, keyed);
        // Entries without a key cannot be matched: listed on both sides, never dropped.
        prop_assert_eq!(d.only_old.len(), a.len() - keyed);
        prop_assert_eq!(d.only_new.len(), a.len() - keyed);
    }

    #[test]
    fn swapping_old_and_new_swaps_every_direction(a in side(), b in side()) {
        let ab = diff(&a, &b);
        let ba = diff(&b, &a);
        prop_assert_eq!(ab.unchanged, ba.unchanged);
        prop_assert_eq!(&ab.only_old, &ba.only_new);
        prop_assert_eq!(&ab.only_new, &ba.only_old);
        prop_assert_eq!(ab.up(), ba.down());
        prop_assert_eq!(ab.down(), ba.up());
        prop_assert_eq!(ab.changes.len(), ba.changes.len());
        for c in &ab.changes {
            let back = ba
                .changes
                .iter()
                .find(|r| r.new.key == c.old.key)
                .expect("the same commune changes both ways");
            prop_assert_eq!(back.direction, c.direction.reversed());
            prop_assert_eq!(&back.old, &c.new);
            let mut flipped: Vec<Flip> = back
                .flips
                .iter()
                .map(|f| Flip { from: f.to, to: f.from, ..f.clone() })
                .collect();
            let mut mine = c.flips.clone();
            flipped.sort_by(|x, y| (&x.level, &x.criterion).cmp(&(&y.level, &y.criterion)));
            mine.sort_by(|x, y| (&x.level, &x.criterion).cmp(&(&y.level, &y.criterion)));
            prop_assert_eq!(flipped, mine);
        }
    }

    #[test]
    fn every_commune_is_accounted_for_once(a in side(), b in side()) {
        let d = diff(&a, &b);
        prop_assert_eq!(d.changes.len() + d.unchanged + d.only_old.len(), a.len());
        prop_assert_eq!(d.changes.len() + d.unchanged + d.only_new.len(), b.len());
    }
}

fn entry(key: &str, rank: usize, statuses: [Status; 3]) -> Entry {
    Entry {
        key: Some(key.to_string()),
        code: Some(key.to_string()),
        name: None,
        file: "f.csv".to_string(),
        line: 2,
        level: (rank > 0).then(|| "standard".to_string()),
        rank,
        criteria: CRITERIA
            .iter()
            .zip(statuses)
            .map(|((l, c), s)| (l.to_string(), c.to_string(), s))
            .collect(),
    }
}

#[test]
fn a_lost_criterion_is_a_flip_and_a_level_down() {
    use Status::{Fail, Pass};
    let old = [
        entry("a", 1, [Pass, Pass, Fail]),
        entry("b", 1, [Pass, Pass, Fail]),
    ];
    let new = [
        entry("a", 0, [Pass, Fail, Fail]),
        entry("c", 1, [Pass, Pass, Fail]),
    ];
    let d = diff(&old, &new);
    assert_eq!(d.down(), 1);
    assert_eq!(d.changes[0].direction, Direction::Down);
    assert_eq!(
        d.changes[0].flips,
        [Flip {
            level: "standard".into(),
            criterion: "10".into(),
            from: Some(Pass),
            to: Some(Fail),
        }]
    );
    assert_eq!(d.only_old[0].key.as_deref(), Some("b"));
    assert_eq!(d.only_new[0].key.as_deref(), Some("c"));
}

#[test]
fn a_criterion_added_and_met_is_not_a_flip() {
    use Status::{Fail, Pass};
    let mut old = entry("a", 1, [Pass, Pass, Fail]);
    old.criteria.truncate(1);
    let new = entry("a", 1, [Pass, Pass, Fail]);
    let d = diff(&[old], &[new]);
    // standard 10 is new and met: no flip; advanced 10 is new and failed: a flip from nothing.
    assert_eq!(d.changes.len(), 1);
    let flips = &d.changes[0].flips;
    assert_eq!(flips.len(), 1);
    assert_eq!((flips[0].from, flips[0].to), (None, Some(Fail)));
}
