//! A fixed-window counter per key (an address), in memory. Enough for one server process; a
//! cluster behind a load balancer would count per node (each node still limits).

use std::collections::HashMap;
use std::sync::Mutex;

#[derive(Debug, Default)]
pub struct PerKey {
    windows: Mutex<HashMap<String, (i64, u32)>>,
}

impl PerKey {
    /// Counts one attempt by `key` in the minute `minute`; answers whether it is within `limit`.
    pub fn allow(&self, key: &str, minute: i64, limit: u32) -> bool {
        self.count(key, minute) <= limit
    }

    /// Counts one attempt by `key` in the minute `minute`; answers how many it has made in it
    /// (so that a caller can tell the first attempt past a limit from the rest).
    pub fn count(&self, key: &str, minute: i64) -> u32 {
        let mut w = self.windows.lock().expect("rate limit lock");
        if w.len() > 10_000 {
            w.retain(|_, (m, _)| *m == minute);
        }
        let entry = w.entry(key.to_string()).or_insert((minute, 0));
        if entry.0 != minute {
            *entry = (minute, 0);
        }
        entry.1 = entry.1.saturating_add(1);
        entry.1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_allows_its_limit_then_refuses_until_the_next() {
        let l = PerKey::default();
        assert!((0..3).all(|_| l.allow("a", 1, 3)));
        assert!(!l.allow("a", 1, 3));
        assert!(l.allow("b", 1, 3), "other addresses are not affected");
        assert!(l.allow("a", 2, 3));
        assert_eq!(
            l.count("a", 2),
            2,
            "count answers the attempts made so far in the minute"
        );
    }
}
