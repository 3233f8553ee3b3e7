//! Where each part of a lowered message came from: JSON paths to source spans.
//!
//! The checks see only the [`Message`](crate::message::Message) and name what they
//! refuse by JSON path (`GroupAtInfo[3]`); this map turns that path back into the
//! header value, mention or element that produced it.

use crate::span::Span;

/// JSON path to source span. A list, not a map: it is written for every message
/// and read only for the few that have diagnostics.
#[derive(Debug, Clone, Default)]
pub struct SourceMap {
    spans: Vec<(String, Span)>,
}

impl SourceMap {
    /// Records that `path` came from `span`.
    pub fn insert(&mut self, path: impl Into<String>, span: Span) {
        self.spans.push((path.into(), span));
    }

    /// The span of `path`, or of its nearest recorded ancestor
    /// (`MsgBody[2].MsgContent.Index`, then `MsgBody[2].MsgContent`, then `MsgBody[2]`,
    /// then `MsgBody`).
    pub fn locate(&self, path: &str) -> Option<Span> {
        let mut path = path;
        loop {
            // The last entry for a path wins, as in a map.
            if let Some((_, span)) = self.spans.iter().rev().find(|(p, _)| p == path) {
                return Some(*span);
            }
            let cut = path.rfind(['.', '['])?;
            path = &path[..cut];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn falls_back_to_ancestors() {
        let mut map = SourceMap::default();
        map.insert("MsgBody", Span::new(0, 10));
        map.insert("MsgBody[1]", Span::new(4, 6));
        assert_eq!(
            map.locate("MsgBody[1].MsgContent.Index"),
            Some(Span::new(4, 6))
        );
        assert_eq!(map.locate("MsgBody[2].MsgContent"), Some(Span::new(0, 10)));
        assert_eq!(map.locate("GroupId"), None);
    }
}
