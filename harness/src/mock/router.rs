//! Matching a request's method and path to a spec endpoint, path parameters included
//! (`/webhooks/{webhook_id}.json` has a parameter inside a segment).

use crate::spec::Endpoint;
pub use crate::spec::pointer::percent_decode;

#[derive(Debug, Clone)]
enum Segment {
    Literal(String),
    Param {
        name: String,
        prefix: String,
        suffix: String,
    },
}

#[derive(Debug, Clone)]
struct Route {
    method: String,
    /// The path template as the spec writes it: the path item the route belongs to.
    path: String,
    segments: Vec<Segment>,
    endpoint: usize,
}

/// The route table of one spec.
#[derive(Debug, Clone)]
pub struct Router {
    routes: Vec<Route>,
    base: String,
}

/// What matching a request found.
#[derive(Debug, PartialEq, Eq)]
pub enum Match {
    /// An endpoint (its index) and the path parameters.
    Found(usize, Vec<(String, String)>),
    /// The path exists, with other methods.
    WrongMethod(Vec<String>),
    /// Nothing at this path.
    NotFound,
}

impl Router {
    /// Routes for `endpoints`, under `base` (the path of the spec's first server URL).
    #[must_use]
    pub fn new(endpoints: &[Endpoint], base: &str) -> Self {
        let mut routes: Vec<Route> = endpoints
            .iter()
            .enumerate()
            .map(|(i, e)| Route {
                method: e.method.clone(),
                path: e.path.clone(),
                segments: parse(&e.path),
                endpoint: i,
            })
            .collect();
        // OpenAPI: a concrete path matches before a templated one of the same shape
        // (`/undelivered/batch-all` before `/undelivered/{id}`).
        routes.sort_by_key(|r| {
            r.segments
                .iter()
                .filter(|s| matches!(s, Segment::Param { .. }))
                .count()
        });
        Self {
            routes,
            base: base.trim_end_matches('/').to_string(),
        }
    }

    /// The base path every route sits under.
    #[must_use]
    pub fn base(&self) -> &str {
        &self.base
    }

    /// Finds the endpoint for `method` and `path` (the raw request path, percent-encoded).
    #[must_use]
    pub fn find(&self, method: &str, path: &str) -> Match {
        let Some(rest) = path.strip_prefix(&self.base) else {
            return Match::NotFound;
        };
        let rest = rest.trim_start_matches('/');
        // As OpenAPI matches: the path picks one path item (the most concrete template that
        // matches), then the method picks the operation of that item. `GET /undelivered/batch-all`
        // is a wrong method of `/undelivered/batch-all`, not a read of `/undelivered/{id}`.
        let Some(item) = self
            .routes
            .iter()
            .find(|r| matches(&r.segments, rest).is_some())
        else {
            return Match::NotFound;
        };
        let mut allowed: Vec<String> = Vec::new();
        for route in self.routes.iter().filter(|r| r.path == item.path) {
            if route.method == method
                && let Some(params) = matches(&route.segments, rest)
            {
                return Match::Found(route.endpoint, params);
            }
            if !allowed.contains(&route.method) {
                allowed.push(route.method.clone());
            }
        }
        Match::WrongMethod(allowed)
    }
}

fn parse(path: &str) -> Vec<Segment> {
    path.trim_start_matches('/')
        .split('/')
        .map(|part| match (part.find('{'), part.find('}')) {
            (Some(open), Some(close)) if open < close => Segment::Param {
                name: part[open + 1..close].to_string(),
                prefix: part[..open].to_string(),
                suffix: part[close + 1..].to_string(),
            },
            _ => Segment::Literal(part.to_string()),
        })
        .collect()
}

fn matches(segments: &[Segment], path: &str) -> Option<Vec<(String, String)>> {
    let mut parts = path.split('/');
    let mut params = Vec::new();
    for segment in segments {
        let raw = parts.next()?;
        let part = if raw.contains('%') {
            std::borrow::Cow::Owned(percent_decode(raw))
        } else {
            std::borrow::Cow::Borrowed(raw)
        };
        match segment {
            Segment::Literal(text) => {
                if *text != part {
                    return None;
                }
            }
            Segment::Param {
                name,
                prefix,
                suffix,
            } => {
                let value = part
                    .strip_prefix(prefix.as_str())?
                    .strip_suffix(suffix.as_str())?;
                if value.is_empty() {
                    return None;
                }
                params.push((name.clone(), value.to_string()));
            }
        }
    }
    if parts.next().is_some() {
        return None;
    }
    Some(params)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn router(paths: &[(&str, &str)], base: &str) -> Router {
        let routes = paths
            .iter()
            .enumerate()
            .map(|(i, (m, p))| Route {
                method: (*m).to_string(),
                path: (*p).to_string(),
                segments: parse(p),
                endpoint: i,
            })
            .collect();
        Router {
            routes,
            base: base.to_string(),
        }
    }

    #[test]
    fn parameters_inside_segments() {
        let r = router(
            &[
                (
                    "GET",
                    "/api/v1/projects/{project_id}/webhooks/{webhook_id}.json",
                ),
                ("GET", "/api/v1/projects/{project_id}/webhooks.json"),
            ],
            "",
        );
        assert_eq!(
            r.find("GET", "/api/v1/projects/p1/webhooks/wh-1.json"),
            Match::Found(
                0,
                vec![
                    ("project_id".into(), "p1".into()),
                    ("webhook_id".into(), "wh-1".into())
                ]
            )
        );
        assert_eq!(
            r.find("GET", "/api/v1/projects/p1/webhooks.json"),
            Match::Found(1, vec![("project_id".into(), "p1".into())])
        );
        assert_eq!(
            r.find("DELETE", "/api/v1/projects/p1/webhooks.json"),
            Match::WrongMethod(vec!["GET".into()])
        );
        assert_eq!(
            r.find("GET", "/api/v1/projects/p1/webhooks/.json"),
            Match::NotFound
        );
    }

    #[test]
    fn base_paths_and_escapes() {
        let r = router(&[("GET", "/subscriptions/{id}")], "/webhooks");
        assert_eq!(
            r.find("GET", "/webhooks/subscriptions/a%20b"),
            Match::Found(0, vec![("id".into(), "a b".into())])
        );
        assert_eq!(r.find("GET", "/subscriptions/x"), Match::NotFound);
    }

    #[test]
    fn a_concrete_path_is_its_own_path_item() {
        // In `Router::new`'s order: concrete paths first.
        let r = router(
            &[
                ("DELETE", "/undelivered/batch-all"),
                ("GET", "/undelivered/{id}"),
                ("DELETE", "/undelivered/{id}"),
            ],
            "",
        );
        assert_eq!(
            r.find("GET", "/undelivered/batch-all"),
            Match::WrongMethod(vec!["DELETE".into()])
        );
        assert_eq!(
            r.find("DELETE", "/undelivered/batch-all"),
            Match::Found(0, vec![])
        );
        assert_eq!(
            r.find("GET", "/undelivered/abc"),
            Match::Found(1, vec![("id".into(), "abc".into())])
        );
        assert_eq!(
            r.find("PUT", "/undelivered/abc"),
            Match::WrongMethod(vec!["GET".into(), "DELETE".into()])
        );
    }
}
