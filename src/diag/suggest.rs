//! "Did you mean": how far apart two words are.

/// Optimal string alignment distance: edits, counting a swap of neighbours as one
/// (`fcae` is one edit from `face`).
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    strsim::osa_distance(a, b)
}

/// The candidate nearest to `word` in any case, if it is close enough to be a typo
/// (two edits, one for words of under five letters), as "; did you mean `x`?" to
/// end a message with, or nothing.
pub(crate) fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> String {
    let lower = word.to_ascii_lowercase();
    let limit = if lower.chars().count() < 5 { 1 } else { 2 };
    candidates
        .into_iter()
        .map(|candidate| {
            (
                edit_distance(&lower, &candidate.to_ascii_lowercase()),
                candidate,
            )
        })
        .filter(|&(distance, _)| distance <= limit && !lower.is_empty())
        .min_by_key(|&(distance, _)| distance)
        .map_or(String::new(), |(_, near)| {
            format!("; did you mean `{near}`?")
        })
}

/// The optimal string alignment distance of `a` and `b` if it is at most `limit`:
/// only the cells within `limit` of the diagonal are computed, and the work stops once
/// a whole row is over the limit, so a near miss costs `limit` times the length rather
/// than the square of it. (strsim has no bounded form; a catalog of 10,000 keys is
/// compared with every bracketed word an author writes.)
pub(crate) fn within(a: &[char], b: &[char], limit: usize) -> Option<usize> {
    if a.len().abs_diff(b.len()) > limit {
        return None;
    }
    let over = limit + 1;
    let width = b.len() + 1;
    // Three rows: two back (for a swap of neighbours), one back, this one.
    let mut rows = vec![vec![over; width]; 3];
    for (j, cell) in rows[0].iter_mut().enumerate().take(limit.min(b.len()) + 1) {
        *cell = j;
    }
    for i in 1..=a.len() {
        let (this, back, back2) = (i % 3, (i + 2) % 3, (i + 1) % 3);
        let low = i.saturating_sub(limit);
        let high = (i + limit).min(b.len());
        rows[this].fill(over);
        if low == 0 {
            rows[this][0] = i;
        }
        let mut best = rows[this][0];
        for j in low.max(1)..=high {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (rows[back][j - 1] + cost)
                .min(rows[back][j] + 1)
                .min(rows[this][j - 1] + 1);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(rows[back2][j - 2] + 1);
            }
            rows[this][j] = d.min(over);
            best = best.min(rows[this][j]);
        }
        if best > limit {
            return None;
        }
    }
    let d = rows[a.len() % 3][b.len()];
    (d <= limit).then_some(d)
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

    #[test]
    fn bounded_distance_agrees_with_the_full_one() {
        let words = [
            "",
            "a",
            "ab",
            "ba",
            "abc",
            "acb",
            "face",
            "fcae",
            "image",
            "imgae",
            "smile",
            "smiel",
            "tuiemoji_smile",
            "tuiemoji_smiel",
            "kind-smile",
            "kindsmile",
            "微笑",
            "微小",
        ];
        for a in words {
            for b in words {
                let (x, y): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
                for limit in 0..4 {
                    let full = edit_distance(a, b);
                    let bounded = within(&x, &y, limit);
                    assert_eq!(
                        bounded,
                        (full <= limit).then_some(full),
                        "{a:?} {b:?} {limit}"
                    );
                }
            }
        }
    }
}
