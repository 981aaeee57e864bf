//! Moving one item of an account's ordered rules (SLA policies, triggers, automations) a place up or down.

/// The items after moving the `i`th one place up (earlier) or down, as those whose position changes with their
/// new one; `None` when it is already first (up) or last (down). The order is written again as 1, 2, 3 … so that a
/// move is exact even when the API set positions far apart or equal.
pub(crate) fn moved<T>(mut items: Vec<T>, i: usize, up: bool, position: impl Fn(&T) -> i64) -> Option<Vec<(T, i64)>> {
    let j = if up { i.checked_sub(1) } else { Some(i + 1).filter(|j| *j < items.len()) }?;
    items.swap(i, j);
    let renumbered = items.into_iter().enumerate().filter_map(|(n, item)| {
        let p = i64::try_from(n).unwrap_or(i64::MAX).saturating_add(1);
        (position(&item) != p).then_some((item, p))
    });
    Some(renumbered.collect())
}

#[cfg(test)]
mod tests {
    use super::moved;

    #[test]
    fn a_move_renumbers_and_stops_at_the_ends() {
        assert_eq!(moved(vec![1, 5, 5], 2, true, |p| *p), Some(vec![(5, 2), (5, 3)]));
        assert_eq!(moved(vec![1, 2, 3], 0, false, |p| *p), Some(vec![(2, 1), (1, 2)]));
        assert_eq!(moved(vec![1, 2], 0, true, |p| *p), None);
        assert_eq!(moved(vec![1, 2], 1, false, |p| *p), None);
    }
}
