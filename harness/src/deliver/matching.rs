//! Which subscriptions get an event (`x-delivery.matching`): the subscription's event list (or
//! its "all" value), its active flag, and equality filters against values the emitter supplies
//! with the event (swsh's album and label).

use std::collections::BTreeMap;

use serde_json::Value;

use crate::spec::DeliveryRules;
use crate::spec::pointer;

/// Whether `subscription` should receive `event`, given the event's `context` values.
#[must_use]
pub fn matches(
    rules: &DeliveryRules,
    subscription: &Value,
    event: &str,
    context: &BTreeMap<String, Value>,
) -> bool {
    let m = &rules.matching;
    let wants = |name: &str| name == event || m.all.as_deref() == Some(name);
    let subscribed = match pointer::get(subscription, &m.events) {
        Some(Value::String(name)) => wants(name),
        Some(Value::Array(names)) => names.iter().filter_map(Value::as_str).any(wants),
        _ => false,
    };
    if !subscribed {
        return false;
    }
    if let Some(active) = &m.active
        && pointer::get(subscription, active) == Some(&Value::Bool(false))
    {
        return false;
    }
    // A filter applies when the subscription sets the field and the emitter gives the value.
    m.filters.iter().all(|filter| {
        match (
            pointer::get(subscription, &filter.subscription),
            context.get(&filter.context),
        ) {
            (Some(wanted), Some(actual)) => wanted == actual,
            _ => true,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::ProviderSpec;
    use serde_json::json;

    fn context(pairs: &[(&str, Value)]) -> BTreeMap<String, Value> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_string(), v.clone()))
            .collect()
    }

    #[test]
    fn swsh_matches_by_event_album_and_label() {
        let spec = ProviderSpec::load("swsh").unwrap();
        let sub = json!({"webhookId": "w", "config": {"event": "photoLabelAdded", "albumId": "a1", "label": "sunset", "targetUrl": "https://x"}});
        let rules = &spec.delivery;
        assert!(matches(
            rules,
            &sub,
            "photoLabelAdded",
            &context(&[("albumId", json!("a1")), ("label", json!("sunset"))])
        ));
        assert!(!matches(
            rules,
            &sub,
            "photoLabelAdded",
            &context(&[("albumId", json!("a1")), ("label", json!("beach"))])
        ));
        assert!(!matches(
            rules,
            &sub,
            "photoLabelAdded",
            &context(&[("albumId", json!("a2"))])
        ));
        assert!(!matches(rules, &sub, "newPhoto", &context(&[])));
        let album =
            json!({"webhookId": "w", "config": {"event": "newAlbum", "targetUrl": "https://x"}});
        assert!(
            matches(
                rules,
                &album,
                "newAlbum",
                &context(&[("albumId", json!("any"))])
            ),
            "no album on the subscription: no filter"
        );
    }

    #[test]
    fn uc_alxgsv_matches_by_events_and_active() {
        let spec = ProviderSpec::load("uc-alxgsv").unwrap();
        let sub = json!({"id": "wh-1", "attributes": {"events": ["file.created", "group.deleted"], "is_active": true}});
        assert!(matches(
            &spec.delivery,
            &sub,
            "file.created",
            &BTreeMap::new()
        ));
        assert!(!matches(
            &spec.delivery,
            &sub,
            "file.updated",
            &BTreeMap::new()
        ));
        let inactive =
            json!({"id": "wh-1", "attributes": {"events": ["file.created"], "is_active": false}});
        assert!(!matches(
            &spec.delivery,
            &inactive,
            "file.created",
            &BTreeMap::new()
        ));
    }

    #[test]
    fn betterez_all_and_happycolis_type() {
        let betterez = ProviderSpec::load("betterez").unwrap();
        assert!(matches(
            &betterez.delivery,
            &json!({"events": ["all"]}),
            "images.deleted",
            &BTreeMap::new()
        ));
        assert!(!matches(
            &betterez.delivery,
            &json!({"events": ["images.created"]}),
            "images.deleted",
            &BTreeMap::new()
        ));
        let happycolis = ProviderSpec::load("happycolis").unwrap();
        assert!(matches(
            &happycolis.delivery,
            &json!({"type": "product/image/created"}),
            "product/image/created",
            &BTreeMap::new()
        ));
        assert!(!matches(
            &happycolis.delivery,
            &json!({"type": "product/image/created"}),
            "product/image/removed",
            &BTreeMap::new()
        ));
    }
}
