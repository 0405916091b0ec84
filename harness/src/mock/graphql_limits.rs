//! The limits every GraphQL document meets before it is executed: nesting depth, complexity
//! (one point per selected field, introspection included) and aliases. A document beyond any of
//! them is refused with a GraphQL error, unexecuted.

use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, Selection, SelectionSet,
};

/// How deeply selections may nest (the standard introspection query needs 13).
pub const MAX_DEPTH: usize = 16;

/// How many fields a document may select in all, fragments expanded (async-graphql's
/// complexity, one point per field).
pub const MAX_COMPLEXITY: usize = 1000;

/// How many aliased fields a document may hold.
pub const MAX_ALIASES: usize = 64;

/// How many aliased fields `document` holds (in its operations and fragments).
#[must_use]
pub fn aliases(document: &ExecutableDocument) -> usize {
    let mut sets: Vec<&SelectionSet> = match &document.operations {
        DocumentOperations::Single(op) => vec![&op.node.selection_set.node],
        DocumentOperations::Multiple(ops) => {
            ops.values().map(|op| &op.node.selection_set.node).collect()
        }
    };
    sets.extend(
        document
            .fragments
            .values()
            .map(|f| &f.node.selection_set.node),
    );
    let mut count = 0;
    while let Some(set) = sets.pop() {
        for item in &set.items {
            match &item.node {
                Selection::Field(field) => {
                    count += usize::from(field.node.alias.is_some());
                    sets.push(&field.node.selection_set.node);
                }
                Selection::InlineFragment(fragment) => sets.push(&fragment.node.selection_set.node),
                Selection::FragmentSpread(_) => {}
            }
        }
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_are_counted_everywhere() {
        let doc = async_graphql::parser::parse_query(
            "query { a: __typename b: __schema { c: __typename } ... on Query { d: __typename } ...F } fragment F on Query { e: __typename }",
        )
        .unwrap();
        assert_eq!(aliases(&doc), 5);
    }
}
