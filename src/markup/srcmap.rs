//! Where each part of a lowered message came from: JSON paths to source spans.
//!
//! The checks see only the [`Message`](crate::message::Message) and name what they
//! refuse by JSON path (`GroupAtInfo[3]`); this map turns that path back into the
//! header value, mention or element that produced it.

use crate::diag::Span;

/// JSON path to source span. A list, not a map: it is written for every message
/// and read only for the few that have diagnostics.
#[derive(Debug, Clone, Default)]
pub struct SourceMap {
    /// A field (`MsgBody`, `OfflinePushInfo.Ext`), an index into it when it is a list
    /// item, and the span. Kept as parts so that recording costs no allocation.
    spans: Vec<(&'static str, Option<usize>, Span)>,
}

impl SourceMap {
    /// Records that the field `path` came from `span`.
    pub fn insert(&mut self, path: &'static str, span: Span) {
        self.spans.push((path, None, span));
    }

    /// Records that item `index` of the list `path` (`MsgBody[3]`) came from `span`.
    pub fn insert_item(&mut self, path: &'static str, index: usize, span: Span) {
        self.spans.push((path, Some(index), span));
    }

    /// The span of `path`, or of its nearest recorded ancestor
    /// (`MsgBody[2].MsgContent.Index`, then `MsgBody[2].MsgContent`, then `MsgBody[2]`,
    /// then `MsgBody`).
    pub fn locate(&self, path: &str) -> Option<Span> {
        let mut path = path;
        loop {
            // `MsgBody[3]` is the field `MsgBody` and the index 3.
            let (field, index) = match path.strip_suffix(']').and_then(|p| p.rsplit_once('[')) {
                Some((field, index)) => (field, index.parse().ok()),
                None => (path, None),
            };
            // The last entry for a path wins, as in a map.
            let found = self
                .spans
                .iter()
                .rev()
                .find(|(f, i, _)| *f == field && *i == index);
            if let Some((_, _, span)) = found {
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
        map.insert_item("MsgBody", 1, Span::new(4, 6));
        assert_eq!(
            map.locate("MsgBody[1].MsgContent.Index"),
            Some(Span::new(4, 6))
        );
        assert_eq!(map.locate("MsgBody[2].MsgContent"), Some(Span::new(0, 10)));
        assert_eq!(map.locate("GroupId"), None);
    }
}
