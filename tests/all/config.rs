//! Configuration: bad values are rejected with an error that names the field and the rule.

use tenured_gc::{Heap, HeapConfig};

fn rejected(config: HeapConfig) -> String {
    match Heap::with_config(config) {
        Ok(_) => panic!("the configuration was accepted"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn bad_configurations_name_the_field_and_the_rule() {
    let d = HeapConfig::default;
    let cases = [
        (
            HeapConfig {
                nursery_size: 0,
                ..d()
            },
            "`nursery_size` = 0: must be between",
        ),
        (
            HeapConfig {
                nursery_size: usize::MAX,
                ..d()
            },
            "`nursery_size`",
        ),
        (
            HeapConfig {
                tenuring_threshold: 0,
                ..d()
            },
            "`tenuring_threshold` = 0: must be between 1 and 15",
        ),
        (
            HeapConfig {
                tenuring_threshold: 16,
                ..d()
            },
            "`tenuring_threshold` = 16",
        ),
        (
            HeapConfig {
                old_growth_percent: 0,
                ..d()
            },
            "`old_growth_percent` = 0",
        ),
        (
            HeapConfig {
                large_object_threshold: 8,
                ..d()
            },
            "`large_object_threshold` = 8",
        ),
        (
            HeapConfig {
                heap_limit: Some(1024),
                ..d()
            },
            "`heap_limit` = 1024: must leave room for the nursery",
        ),
        (
            HeapConfig {
                stress: Some(0),
                ..d()
            },
            "`stress` = 0",
        ),
    ];
    let mut cases = cases.to_vec();
    if !cfg!(miri) {
        // Under Miri the chunks, and so the largest threshold, are too small to break this.
        let config = HeapConfig {
            nursery_size: 16 * 1024,
            large_object_threshold: 8192,
            ..d()
        };
        cases.push((config, "at most a quarter of `nursery_size`"));
    }
    for (config, expected) in cases {
        let message = rejected(config);
        assert!(
            message.starts_with("invalid heap configuration: "),
            "{message}"
        );
        assert!(
            message.contains(expected),
            "{message:?} should contain {expected:?}"
        );
    }
}

#[test]
fn the_default_configuration_is_valid() {
    assert_eq!(HeapConfig::default().validate(), Ok(()));
    let heap = Heap::new();
    assert_eq!(
        heap.config().nursery_size,
        HeapConfig::default().nursery_size
    );
}
