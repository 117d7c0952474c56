use super::*;
use CollectionKind::{Major, Minor};
use CollectionReason::*;

const KIB: usize = 1024;
const EDEN: usize = 64 * KIB;
const MAX_EDEN: usize = 1024 * KIB;

fn pacer(heap_limit: Option<usize>, stress: Option<u32>) -> Pacer {
    Pacer::new(&HeapConfig {
        nursery_size: EDEN,
        max_nursery_size: MAX_EDEN,
        old_growth_percent: 100,
        heap_limit,
        stress,
        ..HeapConfig::default()
    })
}

/// A heap at its first size, with nothing allocated.
fn view() -> HeapView {
    HeapView {
        eden_size: EDEN,
        eden_allowance: usize::MAX,
        largest_eden_size: EDEN,
        eden_used: 0,
        young_allocated: 0,
        overflowed: false,
        survivor_used: 0,
        survivor_size: HeapConfig::survivor_size(EDEN),
        old_used: 0,
        reserved: EDEN + 2 * HeapConfig::survivor_size(EDEN),
    }
}

fn at_eden(eden_size: usize) -> HeapView {
    HeapView {
        eden_size,
        largest_eden_size: eden_size,
        survivor_size: HeapConfig::survivor_size(eden_size),
        ..view()
    }
}

#[test]
fn decide_runs_a_minor_collection_when_eden_is_nearly_full() {
    let mut p = pacer(None, None);
    assert_eq!(p.decide(&view()), None);
    let half = HeapView {
        eden_used: EDEN / 2,
        young_allocated: EDEN / 2,
        ..view()
    };
    assert_eq!(p.decide(&half), None);
    let full = HeapView {
        eden_used: EDEN / 8 * 7,
        ..view()
    };
    assert_eq!(p.decide(&full), Some((Minor, EdenFull)));
    // Under an allowance, eden is as full as the allowance is.
    let allowed = HeapView {
        eden_allowance: 1000,
        eden_used: 900,
        ..view()
    };
    assert_eq!(p.decide(&allowed), Some((Minor, EdenFull)));
}

#[test]
fn decide_runs_a_minor_collection_when_eden_overflowed() {
    let mut p = pacer(None, None);
    let overflowed = HeapView {
        overflowed: true,
        ..view()
    };
    assert_eq!(p.decide(&overflowed), Some((Minor, EdenOverflowed)));
}

#[test]
fn decide_runs_a_minor_collection_when_the_next_scope_would_not_fit() {
    let mut p = pacer(None, None);
    let peak = EDEN / 2 + 8;
    p.scope_ended(peak);
    let just_too_full = HeapView {
        eden_used: EDEN - peak + 1,
        ..view()
    };
    assert_eq!(
        p.decide(&just_too_full),
        Some((Minor, NextScopeWouldNotFit))
    );
    let just_room = HeapView {
        eden_used: EDEN - peak,
        ..view()
    };
    assert_eq!(p.decide(&just_room), None);
    assert_eq!(p.decide(&view()), None, "an empty eden has room for it");
    // A small scope: the peak decays by an eighth, and such a scope fits again.
    p.scope_ended(0);
    assert_eq!(p.decide(&just_too_full), None);
}

#[test]
fn decide_runs_a_major_collection_when_old_is_over_budget() {
    let mut p = pacer(None, None);
    // With nothing live after a major collection, the floor is four edens.
    assert_eq!(p.old_budget(&view()), 4 * EDEN);
    let at_floor = HeapView {
        old_used: 4 * EDEN,
        ..view()
    };
    assert_eq!(p.decide(&at_floor), None);
    let over = HeapView {
        old_used: 4 * EDEN + 1,
        ..view()
    };
    assert_eq!(p.decide(&over), Some((Major, OldOverBudget)));
    assert_eq!(p.old_over_budget(&over), Some(OldOverBudget));
    // A larger eden once raises the floor.
    let grown = HeapView {
        largest_eden_size: 2 * EDEN,
        ..over
    };
    assert_eq!(p.decide(&grown), None);
}

#[test]
fn major_ended_moves_the_budget() {
    let mut p = pacer(None, None);
    let live = 2_000_000;
    p.major_ended(live);
    assert_eq!(p.old_budget(&view()), 2 * live, "100% growth");
    let grown = HeapView {
        old_used: live * 3 / 2,
        ..view()
    };
    assert_eq!(p.decide(&grown), None);
    let over = HeapView {
        old_used: 2 * live + 1,
        ..view()
    };
    assert_eq!(p.decide(&over), Some((Major, OldOverBudget)));
    p.major_ended(0);
    assert_eq!(p.old_budget(&view()), 4 * EDEN);
    assert_eq!(p.decide(&grown), Some((Major, OldOverBudget)));
}

#[test]
fn stress_collects_at_every_point_and_majors_every_nth() {
    let mut p = pacer(None, Some(3));
    let kinds: Vec<_> = (0..6).map(|_| p.decide(&view())).collect();
    let (minor, major) = (Some((Minor, Stress)), Some((Major, Stress)));
    assert_eq!(kinds, [minor, minor, major, minor, minor, major]);
}

#[test]
fn old_over_budget_near_the_limit_after_promotion() {
    let limit = 16 * MAX_EDEN;
    let mut p = pacer(Some(limit), None);
    p.major_ended(100 * KIB);
    let near = HeapView {
        old_used: 200 * KIB,
        reserved: limit / 10 * 9,
        ..view()
    };
    assert_eq!(p.old_over_budget(&near), Some(NearHeapLimit));
    let nothing_new = HeapView {
        old_used: 100 * KIB,
        ..near
    };
    assert_eq!(p.old_over_budget(&nothing_new), None);
    let far = HeapView {
        reserved: limit / 2,
        ..near
    };
    assert_eq!(p.old_over_budget(&far), None);
}

#[test]
fn eden_grows_to_a_power_of_two_after_a_big_scope() {
    let p = pacer(None, None);
    assert_eq!(p.eden_size(&view()), None, "no scope ran");
    p.scope_ended(100_000);
    // Room for two such scopes, rounded up to a power of two.
    assert_eq!(p.eden_size(&view()), Some(256 * KIB));
    assert_eq!(p.eden_size(&at_eden(256 * KIB)), None, "already that big");
    p.scope_ended(10 * MAX_EDEN);
    assert_eq!(
        p.eden_size(&view()),
        Some(MAX_EDEN),
        "clamped to the largest"
    );
}

#[test]
fn eden_shrinks_only_at_a_quarter() {
    let big = at_eden(MAX_EDEN);
    // Nothing ran: the target is the first size, at most a quarter of this eden.
    assert_eq!(pacer(None, None).eden_size(&big), Some(EDEN));
    assert_eq!(pacer(None, None).eden_size(&at_eden(2 * EDEN)), None);
    let p = pacer(None, None);
    p.scope_ended(200_000);
    assert_eq!(
        p.eden_size(&big),
        None,
        "512 KiB is more than a quarter of 1 MiB"
    );
    let p = pacer(None, None);
    p.scope_ended(100_000);
    assert_eq!(p.eden_size(&big), Some(MAX_EDEN / 4));
}

#[test]
fn eden_grows_only_within_the_limit() {
    let limit = 16 * MAX_EDEN;
    let p = pacer(Some(limit), None);
    p.scope_ended(100_000);
    let target = 256 * KIB;
    let extra =
        target - EDEN + 2 * (HeapConfig::survivor_size(target) - HeapConfig::survivor_size(EDEN));
    let fits = HeapView {
        reserved: limit - 2 * extra,
        ..view()
    };
    assert_eq!(p.eden_size(&fits), Some(target));
    let tight = HeapView {
        reserved: limit - 2 * extra + 1,
        ..view()
    };
    assert_eq!(p.eden_size(&tight), None);
}

#[test]
fn check_limit_refuses_past_the_limit() {
    let young = 30 * KIB;
    let survivors = 6 * KIB;
    let headroom = (young + survivors) * 4 / 3 + CHUNK_SIZE;
    let view = HeapView {
        young_allocated: young,
        survivor_used: survivors,
        reserved: 3 * MAX_EDEN,
        ..view()
    };
    assert_eq!(pacer(None, None).check_limit(&view, usize::MAX / 2), Ok(()));
    let limit = 16 * MAX_EDEN;
    let p = pacer(Some(limit), None);
    let room = limit - view.reserved - headroom;
    assert_eq!(p.check_limit(&view, room), Ok(()));
    assert_eq!(
        p.check_limit(&view, room + 1),
        Err(AllocError {
            requested: room + 1,
            reserved: view.reserved,
            limit
        })
    );
}

#[test]
fn eden_allowance_leaves_room_to_promote_under_a_limit() {
    assert_eq!(pacer(None, None).eden_allowance(&view()), usize::MAX);
    let limit = 16 * MAX_EDEN;
    let p = pacer(Some(limit), None);
    let survivors = 3000;
    let headroom = survivors + 1000 + CHUNK_SIZE;
    let near = HeapView {
        survivor_used: survivors,
        reserved: limit - headroom - 40_000,
        ..view()
    };
    // Three quarters of the 40 000 bytes free past the headroom.
    assert_eq!(p.eden_allowance(&near), 30_000);
    let far = HeapView {
        reserved: 2 * MAX_EDEN,
        ..near
    };
    assert_eq!(p.eden_allowance(&far), EDEN, "at most eden's soft size");
    let past = HeapView {
        reserved: limit,
        ..near
    };
    assert_eq!(p.eden_allowance(&past), 0);
}

#[test]
fn eden_doubles_while_most_survives_within_the_young_budget() {
    // A pacer whose largest eden is far past the survival floor, so the budget binds.
    let max = 4 * SURVIVAL_EDEN_FLOOR;
    let mut p = Pacer::new(&HeapConfig {
        nursery_size: EDEN,
        max_nursery_size: max,
        ..HeapConfig::default()
    });
    p.minor_ended(EDEN, EDEN / 8, EDEN, 0);
    assert_eq!(p.eden_size(&view()), None, "little survived: no growth");
    p.minor_ended(EDEN, EDEN / 8 * 7, EDEN, 0);
    assert_eq!(
        p.eden_size(&view()),
        Some(2 * EDEN),
        "most survived: twice eden"
    );
    // Past the floor, eden grows only with the old generation (half of it).
    let at_floor = at_eden(SURVIVAL_EDEN_FLOOR);
    assert_eq!(p.eden_size(&at_floor), None, "the old generation is empty");
    let big_old = HeapView {
        old_used: 4 * SURVIVAL_EDEN_FLOOR,
        ..at_floor
    };
    assert_eq!(p.eden_size(&big_old), Some(2 * SURVIVAL_EDEN_FLOOR));
    let huge_old = HeapView {
        eden_size: max / 2,
        old_used: 64 * SURVIVAL_EDEN_FLOOR,
        ..at_floor
    };
    assert_eq!(
        p.eden_size(&huge_old),
        Some(max),
        "never past max_nursery_size"
    );
}

#[test]
fn eden_keeps_its_size_while_some_survive_and_shrinks_once_few_do() {
    let mut p = pacer(None, None);
    // Survival grew eden to its largest.
    p.minor_ended(MAX_EDEN / 2, MAX_EDEN / 2, MAX_EDEN / 2, 0);
    let grown = at_eden(MAX_EDEN);
    assert_eq!(p.eden_size(&grown), None, "still surviving: eden stays");
    p.minor_ended(MAX_EDEN, MAX_EDEN / 4, MAX_EDEN, 0);
    assert_eq!(
        p.eden_size(&grown),
        None,
        "a quarter survived: the bigger eden is paying, and stays"
    );
    p.minor_ended(MAX_EDEN, 0, MAX_EDEN, 0);
    assert_eq!(p.eden_size(&grown), None, "one halving is within the slack");
    p.minor_ended(MAX_EDEN, 0, MAX_EDEN, 0);
    let shrunk = p.eden_size(&grown).expect("two halvings shrink eden");
    assert!(shrunk <= MAX_EDEN / 4, "{shrunk}");
    for _ in 0..32 {
        p.minor_ended(MAX_EDEN, 0, MAX_EDEN, 0);
    }
    assert_eq!(
        p.eden_size(&grown),
        Some(EDEN),
        "nothing survives: back to the first size"
    );
}

#[test]
fn an_early_minor_collection_says_nothing_about_eden() {
    let mut p = pacer(None, None);
    // All of a small amount survived: a collection long before eden filled.
    p.minor_ended(EDEN / 4, EDEN / 4, EDEN, 0);
    assert_eq!(
        p.eden_size(&view()),
        None,
        "no growth from an early collection"
    );
    p.minor_ended(EDEN / 2, EDEN / 2, EDEN, 0);
    assert_eq!(
        p.eden_size(&view()),
        Some(2 * EDEN),
        "half full and all survived"
    );
}

#[test]
fn eden_doubles_when_the_roots_cost_more_than_the_copying() {
    let mut p = pacer(None, None);
    // A quarter survived (not most), but the roots held far more edges than words copied:
    // a big `run` state, or an old generation stored to all over.
    let copied_words = EDEN / 4 / crate::header::WORD;
    p.minor_ended(EDEN, EDEN / 4, EDEN, copied_words);
    assert_eq!(
        p.eden_size(&view()),
        None,
        "roots as costly as the copying: no growth"
    );
    p.minor_ended(EDEN, EDEN / 4, EDEN, 10 * copied_words);
    assert_eq!(
        p.eden_size(&view()),
        Some(2 * EDEN),
        "roots ten times the copying: twice eden"
    );
}
