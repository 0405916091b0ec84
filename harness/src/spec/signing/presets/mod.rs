//! Named signing conventions, one file each, registered in [`PRESETS`]. A spec selects one
//! with `x-webhook-signature.preset`; any field it writes overrides the preset's.
//!
//! A preset is the same YAML a spec would write under `x-webhook-signature`, so that what a
//! preset means can be read, and copied into a spec, as it is.

mod betterez;
mod github;
mod happycolis;
mod shopify;
mod slack;
mod standard_webhooks;
mod standard_webhooks_v1a;
mod stripe;
mod uc_alxgsv;

/// A named signing convention.
#[derive(Debug, Clone, Copy)]
pub struct Preset {
    /// Its name in `preset:`.
    pub name: &'static str,
    /// What it is, in one line.
    pub summary: &'static str,
    /// Its fields, as a spec writes `x-webhook-signature`.
    pub yaml: &'static str,
}

/// Every preset.
pub const PRESETS: &[Preset] = &[
    standard_webhooks::PRESET,
    standard_webhooks_v1a::PRESET,
    stripe::PRESET,
    github::PRESET,
    slack::PRESET,
    shopify::PRESET,
    betterez::PRESET,
    happycolis::PRESET,
    uc_alxgsv::PRESET,
];

/// The preset named `name`.
#[must_use]
pub fn find(name: &str) -> Option<&'static Preset> {
    PRESETS.iter().find(|p| p.name == name)
}
