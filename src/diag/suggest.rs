//! "Did you mean": how far apart two words are.

/// Optimal string alignment distance: edits, counting a swap of neighbours as one
/// (`fcae` is one edit from `face`).
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    strsim::osa_distance(a, b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swaps_count_once() {
        assert_eq!(edit_distance("fcae", "face"), 1);
        assert_eq!(edit_distance("imgae", "image"), 1);
        assert_eq!(edit_distance("", "at"), 2);
        assert_eq!(edit_distance("group", "group"), 0);
    }
}
