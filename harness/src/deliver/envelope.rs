//! One event payload made into the payload a given subscription receives: the subscription's
//! id, its echoed values (swsh's metadata, uc.alxgsv's whole webhook), the spec's
//! subscription invariants, and a fresh attempt id for each POST.

use serde_json::Value;

use crate::generate::rng::Draw;
use crate::serialize::overlay::{self, Edit};
use crate::spec::ProviderSpec;
use crate::spec::extensions::Rule;
use crate::spec::pointer;

/// The payload `subscription` (its stored resource) receives for `payload`. `subscription_id`
/// is its id.
#[must_use]
pub fn personalise(
    spec: &ProviderSpec,
    payload: &Value,
    subscription: &Value,
    subscription_id: &str,
) -> Value {
    overlay::apply(
        payload,
        &edits(spec, payload, subscription, subscription_id),
    )
}

/// What [`personalise`] changes in `payload`, in order: the subscription's id, its echoed
/// values, the spec's subscription invariants, and the equalities that reach them.
#[must_use]
pub fn edits(
    spec: &ProviderSpec,
    payload: &Value,
    subscription: &Value,
    subscription_id: &str,
) -> Vec<Edit> {
    Plan::new(spec).edits(payload, subscription, subscription_id)
}

/// Stage 1 of a spec, read once (a dispatcher makes it for every subscription of every
/// event): the places [`edits`] writes, and where their values come from.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// Echoed values (`x-delivery.echo`): the pointer into the subscription, and the place.
    echo: Vec<(String, Edit)>,
    /// Where the subscription's id goes.
    subscription_id: Option<Edit>,
    /// Subscription invariants: the pointer into the subscription, and the place.
    copied: Vec<(String, Edit)>,
    /// Equalities: their pointers in order, each a possible source.
    equal: Vec<Vec<Source>>,
}

/// One pointer of an equality, as the source the others copy from.
#[derive(Debug, Clone)]
struct Source {
    at: String,
    /// Whether it lies within an echoed place or the subscription id's.
    always: bool,
    /// The subscription invariants (indices into `copied`) whose place it lies within.
    within: Vec<usize>,
    /// The equality's other places.
    others: Vec<Edit>,
}

impl Plan {
    /// The plan of `spec`.
    #[must_use]
    pub fn new(spec: &ProviderSpec) -> Self {
        let echo: Vec<(String, Edit)> = spec
            .delivery
            .echo
            .iter()
            .filter_map(|e| Some((e.subscription.clone(), Edit::new(&e.payload, None)?)))
            .collect();
        let subscription_id = spec
            .envelope
            .subscription_id
            .as_deref()
            .and_then(|at| Edit::new(at, None));
        let copied: Vec<(String, Edit)> = spec
            .invariants
            .iter()
            .filter_map(|invariant| match &invariant.rule {
                Rule::Subscription {
                    payload: at,
                    subscription: from,
                } => Some((from.clone(), Edit::new(at, None)?)),
                _ => None,
            })
            .collect();
        let mut fixed: Vec<&str> = spec
            .delivery
            .echo
            .iter()
            .map(|e| e.payload.as_str())
            .collect();
        fixed.extend(spec.envelope.subscription_id.as_deref());
        let lies_within = |p: &str, f: &str| {
            p == f || p.strip_prefix(f).is_some_and(|rest| rest.starts_with('/'))
        };
        let equal = spec
            .invariants
            .iter()
            .filter_map(|invariant| match &invariant.rule {
                Rule::Equal(pointers) => Some(
                    pointers
                        .iter()
                        .map(|p| Source {
                            at: p.clone(),
                            always: fixed.iter().any(|f| lies_within(p, f)),
                            within: copied
                                .iter()
                                .enumerate()
                                .filter(|(_, (_, place))| lies_within(p, &place.pointer))
                                .map(|(i, _)| i)
                                .collect(),
                            others: pointers
                                .iter()
                                .filter(|o| *o != p)
                                .filter_map(|o| Edit::new(o, None))
                                .collect(),
                        })
                        .collect(),
                ),
                _ => None,
            })
            .collect();
        Self {
            echo,
            subscription_id,
            copied,
            equal,
        }
    }

    /// What stage 1 changes in `payload` for `subscription` (its stored resource), whose id
    /// is `subscription_id`.
    #[must_use]
    pub fn edits(&self, payload: &Value, subscription: &Value, subscription_id: &str) -> Vec<Edit> {
        let mut edits: Vec<Edit> = Vec::with_capacity(self.echo.len() + 1 + self.copied.len());
        for (from, place) in &self.echo {
            edits.push(place.with(pointer::get(subscription, from).cloned()));
        }
        if let Some(place) = &self.subscription_id {
            edits.push(place.with(Some(Value::String(subscription_id.to_string()))));
        }
        let mut copied = Vec::with_capacity(self.copied.len());
        for (from, place) in &self.copied {
            let value = pointer::get(subscription, from);
            copied.push(value.is_some());
            if let Some(value) = value {
                edits.push(place.with(Some(value.clone())));
            }
        }
        // Equalities that reach what came from the subscription now copy from it (the
        // resource of a uc.alxgsv event belongs to the webhook's project).
        for pointers in &self.equal {
            let Some(source) = pointers
                .iter()
                .find(|s| s.always || s.within.iter().any(|i| copied[*i]))
            else {
                continue;
            };
            if let Some(value) =
                overlay::read(payload, &edits, &source.at).map(std::borrow::Cow::into_owned)
            {
                for place in &source.others {
                    edits.push(place.with(Some(value.clone())));
                }
            }
        }
        edits
    }
}

/// Gives `payload` a fresh attempt id (where the provider has one), in the format of the id it
/// replaces: a UUID stays a UUID, `we-` + 22 characters stays so.
pub fn new_attempt<R: Draw + ?Sized>(spec: &ProviderSpec, payload: &mut Value, rng: &mut R) {
    let Some(at) = &spec.envelope.attempt_id else {
        return;
    };
    let fresh = match pointer::get(payload, at) {
        Some(Value::String(old)) => like(old, rng),
        _ => crate::ids::fill("{uuid}", rng),
    };
    pointer::set(payload, at, Value::String(fresh));
}

/// Gives the payload its own event id, shaped like the one it has: what a provider does for
/// every new event (a redelivery keeps it).
pub fn new_event_id<R: Draw + ?Sized>(spec: &ProviderSpec, payload: &mut Value, rng: &mut R) {
    let Some(at) = &spec.envelope.event_id else {
        return;
    };
    let fresh = match pointer::get(payload, at) {
        Some(Value::String(old)) if old.len() >= 8 => like(old, rng),
        Some(Value::String(_)) | None => crate::ids::fill("{uuid}", rng),
        // A number or another shape is left as it is.
        Some(_) => return,
    };
    pointer::set(payload, at, Value::String(fresh));
}

/// A random string shaped like `old`: same length, hex stays hex, letters and digits stay
/// letters and digits, other characters (`-`, prefixes' punctuation) stay where they are.
fn like<R: Draw + ?Sized>(old: &str, rng: &mut R) -> String {
    const HEX: &[u8] = b"0123456789abcdef";
    const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let hexish = old.chars().all(|c| c.is_ascii_hexdigit() || c == '-');
    // Keep a short prefix like `we-` as it is.
    let prefix = old
        .find('-')
        .filter(|i| *i <= 4 && !hexish)
        .map_or(0, |i| i + 1);
    old.char_indices()
        .map(|(i, c)| {
            if i < prefix || !c.is_ascii_alphanumeric() {
                c
            } else if hexish {
                *rng.pick(HEX) as char
            } else {
                *rng.pick(ALNUM) as char
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn uc_alxgsv_payloads_carry_the_webhook() {
        let spec = ProviderSpec::load("uc-alxgsv").unwrap();
        let payload = spec
            .event("file.created")
            .unwrap()
            .examples()
            .iter()
            .find(|e| e.fixture.is_none())
            .unwrap()
            .value
            .clone();
        let webhook = json!({"type": "webhooks", "id": "wh-AAAAAAAAAAAAAAAAAAAAAA", "attributes": {"events": ["file.created"], "target_url": "https://r.example.com", "is_active": true, "version": "1", "signing_secret": "whsec-BBBBBBBBBBBBBBBBBBBBBB"}, "relationships": {"project": {"data": {"type": "projects", "id": "p"}}}});
        let out = personalise(&spec, &payload, &webhook, "wh-AAAAAAAAAAAAAAAAAAAAAA");
        assert_eq!(out["included"][1], webhook);
        assert_eq!(
            out["data"]["relationships"]["webhook"]["data"]["id"],
            "wh-AAAAAAAAAAAAAAAAAAAAAA"
        );
        for invariant in spec.invariants_for("file.created") {
            invariant
                .check("file.created", &out, Some(&webhook))
                .unwrap();
        }
        // Written over the shared payload, without a copy per subscription.
        let edits = overlay::normalize(edits(
            &spec,
            &payload,
            &webhook,
            "wh-AAAAAAAAAAAAAAAAAAAAAA",
        ));
        assert!(overlay::exact(&payload, &edits), "{edits:?}");
    }

    #[test]
    fn swsh_and_happycolis_edits_are_written_over_the_shared_payload() {
        let swsh = ProviderSpec::load("swsh").unwrap();
        let payload = json!({"data": {"albumId": "a"}, "metadata": {"stale": true}});
        for subscription in [
            json!({"webhookId": "w", "config": {"event": "newAlbum", "metadata": {"token": "t"}}}),
            json!({"webhookId": "w", "config": {"event": "newAlbum"}}),
        ] {
            let edits = overlay::normalize(edits(&swsh, &payload, &subscription, "w"));
            assert!(overlay::exact(&payload, &edits), "{edits:?}");
        }
        let happycolis = ProviderSpec::load("happycolis").unwrap();
        let payload = happycolis
            .event("product/image/created")
            .unwrap()
            .examples()
            .first()
            .unwrap()
            .value
            .clone();
        let edits =
            overlay::normalize(edits(&happycolis, &payload, &json!({"id": "wh-1"}), "wh-1"));
        assert!(!edits.is_empty());
        assert!(overlay::exact(&payload, &edits), "{edits:?}");
    }

    #[test]
    fn swsh_metadata_is_echoed_or_left_out() {
        let spec = ProviderSpec::load("swsh").unwrap();
        let payload = json!({"data": {"albumId": "a"}, "metadata": {"stale": true}});
        let with =
            json!({"webhookId": "w", "config": {"event": "newAlbum", "metadata": {"token": "t"}}});
        assert_eq!(
            personalise(&spec, &payload, &with, "w")["metadata"],
            json!({"token": "t"})
        );
        let without = json!({"webhookId": "w", "config": {"event": "newAlbum"}});
        assert!(
            personalise(&spec, &payload, &without, "w")
                .get("metadata")
                .is_none()
        );
    }

    #[test]
    fn attempt_ids_keep_their_shape() {
        let spec = ProviderSpec::load("betterez").unwrap();
        let mut rng = crate::generate::rng::seeded(1);
        let mut payload = json!({"attemptId": "20ebdb3d-85e1-47a4-a81d-7b6c7dd1a481", "id": "2e32d603-a379-46f9-9393-ba4d1859e2fe"});
        new_attempt(&spec, &mut payload, &mut rng);
        let fresh = payload["attemptId"].as_str().unwrap();
        assert_ne!(fresh, "20ebdb3d-85e1-47a4-a81d-7b6c7dd1a481");
        assert_eq!(fresh.len(), 36);
        assert_eq!(&fresh[8..9], "-");
        assert_eq!(
            payload["id"], "2e32d603-a379-46f9-9393-ba4d1859e2fe",
            "the event id stays"
        );
        let mut rng = crate::generate::rng::seeded(2);
        assert!(like("we-vSv8IGDd4hyU9FNIn4Ev8d", &mut rng).starts_with("we-"));
    }
}
