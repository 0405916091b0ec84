//! Stage 1 without a copy per subscription: a payload with edits laid over it is written, by
//! both serialisers, exactly as the edited value would be, whenever `overlay::exact` says so;
//! and read through the overlay exactly as the edited value reads.

use proptest::prelude::*;
use serde_json::{Map, Value, json};
use webhook_harness::serialize::overlay::{self, Edit};
use webhook_harness::serialize::{payload_text, payload_text_overlaid};
use webhook_harness::spec::extensions::Serialization;
use webhook_harness::spec::pointer;

const SERIALIZATIONS: [Serialization; 2] = [Serialization::Compact, Serialization::JsonStringify];

/// The overlay's text and reads (of the normalised edits) against the edited value's (of the
/// edits as they are), where the overlay claims to be exact; and normalising never changes
/// the edited value.
fn agree(base: &Value, edits: &[Edit], probes: &[String]) -> Result<bool, TestCaseError> {
    let edited = overlay::apply(base, edits);
    let normal = overlay::normalize(edits.to_vec());
    prop_assert_eq!(
        &overlay::apply(base, &normal),
        &edited,
        "normalised {:?}",
        edits
    );
    if !overlay::exact(base, &normal) {
        return Ok(false);
    }
    let edits = normal.as_slice();
    for serialization in SERIALIZATIONS {
        prop_assert_eq!(
            payload_text_overlaid(base, edits, serialization),
            payload_text(&edited, serialization),
            "{:?} of {} with {:?}",
            serialization,
            base,
            edits
        );
    }
    for probe in probes {
        if let overlay::Read::At(read) = overlay::get(base, edits, probe) {
            prop_assert_eq!(read, pointer::get(&edited, probe), "at {}", probe);
        }
    }
    Ok(true)
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i32>().prop_map(|n| json!(n)),
        "[a-z\"\\\\ é]{0,6}".prop_map(Value::String),
    ]
}

/// Keys that exercise JavaScript's property order (integer-like keys first) and escapes.
fn key() -> impl Strategy<Value = String> {
    prop_oneof!["[a-c]{1,2}", "(0|1|2|10|01)", Just("a/b~c".to_string())]
}

fn value() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(4, 40, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((key(), inner), 0..5)
                .prop_map(|members| Value::Object(members.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// Every pointer into `value`, the root's included.
fn pointers(value: &Value, at: String, out: &mut Vec<String>) {
    out.push(at.clone());
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                pointers(v, pointer::join(&at, k), out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                pointers(v, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Edits at existing places, at new members of existing places and at places that do not
    /// exist, set or removed, one to four of them.
    #[test]
    fn an_exact_overlay_writes_and_reads_as_the_edited_value(
        base in prop::collection::vec((key(), value()), 1..6)
            .prop_map(|members| Value::Object(members.into_iter().collect::<Map<_, _>>())),
        picks in prop::collection::vec((any::<prop::sample::Index>(), key(), 0u8..3, prop::option::of(value())), 1..5),
    ) {
        let mut existing = Vec::new();
        pointers(&base, String::new(), &mut existing);
        let edits: Vec<Edit> = picks
            .iter()
            .filter_map(|(index, key, shape, value)| {
                // Below the root where the value has anything there (the root is never exact).
                let at = index.get(if existing.len() > 1 { &existing[1..] } else { &existing });
                let at = match shape {
                    0 => at.clone(),
                    1 => pointer::join(at, key),
                    _ => pointer::join(&pointer::join(at, key), key),
                };
                Edit::new(&at, value.clone())
            })
            .collect();
        let mut probes = existing.clone();
        probes.extend(edits.iter().map(|e| e.pointer.to_string()));
        agree(&base, &edits, &probes)?;
    }
}

#[test]
fn new_members_come_last_and_integer_keys_first_in_javascript_order() {
    let base = json!({"b": 1, "a": {"x": [1, 2, 3], "2": true}, "1": null});
    let edits = vec![
        Edit::new("/a/1", Some(json!("new"))).unwrap(),
        Edit::new("/a/x/1", Some(json!({"z": 0}))).unwrap(),
        Edit::new("/b", None).unwrap(),
        Edit::new("/c", Some(json!([]))).unwrap(),
    ];
    assert!(agree(&base, &edits, &[]).unwrap());
    assert_eq!(overlay::normalize(edits.clone()), edits);
    assert_eq!(
        payload_text_overlaid(&base, &edits, Serialization::JsonStringify),
        r#"{"1":null,"a":{"1":"new","2":true,"x":[1,{"z":0},3]},"c":[]}"#
    );
    assert_eq!(
        payload_text_overlaid(&base, &edits, Serialization::Compact),
        r#"{"a":{"x":[1,{"z":0},3],"2":true,"1":"new"},"1":null,"c":[]}"#
    );
}

#[test]
fn what_an_overlay_cannot_write_exactly_is_refused() {
    let base = json!({"a": {"b": 1}, "n": null, "list": [0]});
    for edits in [
        // Members created on the way, a null made an object, an edit inside another, the
        // whole value, an element past the end, an element removed.
        vec![Edit::new("/new/deep", Some(json!(1))).unwrap()],
        vec![Edit::new("/n/x", Some(json!(1))).unwrap()],
        vec![
            Edit::new("/a", Some(json!({}))).unwrap(),
            Edit::new("/a/b", Some(json!(2))).unwrap(),
        ],
        vec![Edit::new("", Some(json!(1))).unwrap()],
        vec![Edit::new("/list/1", Some(json!(1))).unwrap()],
        vec![Edit::new("/list/0", None).unwrap()],
    ] {
        assert!(!overlay::exact(&base, &edits), "{edits:?}");
    }
    // The edited value is still what `apply` builds.
    let edits = vec![Edit::new("/new/deep", Some(json!(1))).unwrap()];
    assert_eq!(overlay::apply(&base, &edits)["new"], json!({"deep": 1}));
}

#[test]
fn overlapping_edits_are_merged_into_one_written_exactly() {
    // As uc.alxgsv's stage 1 makes them: the webhook echoed, its id set inside it again, and
    // the subscription id set twice.
    let base =
        json!({"data": {"id": "e", "rel": {"id": "old"}}, "included": [{"p": 1}, {"id": "old"}]});
    let edits = vec![
        Edit::new("/included/1", Some(json!({"id": "w", "url": "u"}))).unwrap(),
        Edit::new("/data/rel/id", Some(json!("w"))).unwrap(),
        Edit::new("/data/rel/id", Some(json!("w"))).unwrap(),
        Edit::new("/included/1/id", Some(json!("w2"))).unwrap(),
        Edit::new("/included/1/url", None).unwrap(),
    ];
    assert!(!overlay::exact(&base, &edits));
    let normal = overlay::normalize(edits.clone());
    assert_eq!(normal.len(), 2, "{normal:?}");
    assert!(agree(&base, &edits, &["/included/1/id".to_string()]).unwrap());
    assert_eq!(
        payload_text_overlaid(&base, &normal, Serialization::Compact),
        r#"{"data":{"id":"e","rel":{"id":"w"}},"included":[{"p":1},{"id":"w2"}]}"#
    );
}

#[test]
fn a_container_the_edits_reach_into_is_not_read_through_the_overlay() {
    let base = json!({"a": {"b": 1, "c": 2}});
    let edits = vec![Edit::new("/a/b", Some(json!(9))).unwrap()];
    assert_eq!(overlay::get(&base, &edits, "/a"), overlay::Read::Edited);
    assert_eq!(
        overlay::get(&base, &edits, "/a/b"),
        overlay::Read::At(Some(&json!(9)))
    );
    assert_eq!(
        overlay::get(&base, &edits, "/a/c"),
        overlay::Read::At(Some(&json!(2)))
    );
}
