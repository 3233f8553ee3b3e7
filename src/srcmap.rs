//! Where each part of a lowered message came from: JSON paths to source spans.
//!
//! The checks see only the [`Message`](crate::message::Message) and name what they
//! refuse by JSON path (`GroupAtInfo[3]`); this map turns that path back into the
//! header value, mention or element that produced it.

use std::collections::HashMap;

use crate::span::Span;

/// JSON path to source span.
#[derive(Debug, Clone, Default)]
pub struct SourceMap {
    spans: HashMap<String, Span>,
}

impl SourceMap {
    /// Records that `path` came from `span`.
    pub fn insert(&mut self, path: impl Into<String>, span: Span) {
        self.spans.insert(path.into(), span);
    }

    /// The span of `path`, or of its nearest recorded ancestor
    /// (`MsgBody[2].MsgContent.Index`, then `MsgBody[2].MsgContent`, then `MsgBody[2]`,
    /// then `MsgBody`).
    pub fn locate(&self, path: &str) -> Option<Span> {
        let mut path = path;
        loop {
            if let Some(&span) = self.spans.get(path) {
                return Some(span);
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
