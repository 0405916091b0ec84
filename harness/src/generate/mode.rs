//! What kind of values to generate.

/// What kind of values to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    /// Typical valid values (the default).
    Valid,
    /// Valid values at the boundaries: longest and shortest strings, non-ASCII and emoji,
    /// characters whose JSON escaping varies, nulls where nullable, empty arrays, unknown extra
    /// properties where allowed, numbers whose text varies between serialisers.
    Edge,
    /// Values with exactly one violation, each labelled.
    Invalid,
}

impl std::str::FromStr for Mode {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "valid" => Ok(Self::Valid),
            "edge" => Ok(Self::Edge),
            "invalid" => Ok(Self::Invalid),
            other => Err(format!("unknown mode `{other}` (valid, edge or invalid)")),
        }
    }
}
