//! Bounded counting: a table of at most `cap` keys with their counts. Keys past the cap are not
//! held; their occurrences are counted, so the report says "and at least N more" instead of
//! growing with the input. Hosts and accounts of one network rarely reach the cap (10,000 by
//! default); an address scan does, and costs no more memory than the cap.

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::Hash;

use serde::Serialize;

#[derive(Debug, Clone)]
pub struct Counts<K> {
    map: HashMap<K, u64>,
    cap: usize,
    /// Occurrences of keys that did not fit.
    shed: u64,
}

/// The top of a table, ready to show: the first `n` by count, and how many more keys there are.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Top {
    pub items: Vec<Item>,
    /// Keys not in `items`.
    pub more: u64,
    /// True when keys were shed at the cap: `more` is then a lower bound.
    pub more_at_least: bool,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Item {
    pub name: String,
    pub count: u64,
}

impl<K: Hash + Eq> Counts<K> {
    pub fn new(cap: usize) -> Self {
        Counts { map: HashMap::new(), cap, shed: 0 }
    }

    /// Adds `n` to `key`, making the owned key only when it is new.
    pub fn add<Q>(&mut self, key: &Q, n: u64)
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ToOwned<Owned = K> + ?Sized,
    {
        if let Some(count) = self.map.get_mut(key) {
            *count = count.saturating_add(n);
        } else if self.map.len() < self.cap {
            self.map.insert(key.to_owned(), n);
        } else {
            self.shed = self.shed.saturating_add(n);
        }
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn contains<Q>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.map.contains_key(key)
    }

    /// The keys held, with their counts, in no order.
    pub fn iter(&self) -> impl Iterator<Item = (&K, u64)> {
        self.map.iter().map(|(k, n)| (k, *n))
    }

    #[cfg(test)]
    pub fn get<Q>(&self, key: &Q) -> u64
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.map.get(key).copied().unwrap_or(0)
    }

    /// The `n` largest, ties broken by name, each key named by `name`.
    pub fn top(&self, n: usize, name: impl Fn(&K) -> String) -> Top {
        let mut all: Vec<Item> = self.map.iter().map(|(k, &count)| Item { name: name(k), count }).collect();
        all.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.name.cmp(&b.name)));
        let more = all.len().saturating_sub(n) as u64;
        all.truncate(n);
        Top { items: all, more, more_at_least: self.shed > 0 }
    }
}

impl Top {
    /// `a (3), b (1) and 4 more`, or `-` when empty.
    pub fn summary(&self, with_counts: bool) -> String {
        if self.items.is_empty() {
            return "-".to_string();
        }
        let mut text = self
            .items
            .iter()
            .map(|i| if with_counts { format!("{} ({})", i.name, i.count) } else { i.name.clone() })
            .collect::<Vec<_>>()
            .join(", ");
        if let Some(more) = self.more_text() {
            text.push_str(&format!(" and {more}"));
        }
        text
    }

    /// `4 more`, `at least 4 more`, or nothing.
    pub fn more_text(&self) -> Option<String> {
        match (self.more, self.more_at_least) {
            (0, false) => None,
            (n, false) => Some(format!("{n} more")),
            (n, true) => Some(format!("at least {} more", n.max(1))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_past_the_cap_are_counted_not_held() {
        let mut counts: Counts<String> = Counts::new(2);
        for key in ["a", "b", "a", "c", "d", "a"] {
            counts.add(key, 1);
        }
        assert_eq!(counts.len(), 2);
        assert_eq!(counts.get("a"), 3);
        assert_eq!(counts.shed, 2);
        let top = counts.top(1, String::clone);
        assert_eq!(top.items, vec![Item { name: "a".into(), count: 3 }]);
        assert_eq!(top.summary(true), "a (3) and at least 1 more");
    }

    #[test]
    fn top_orders_by_count_then_name() {
        let mut counts: Counts<String> = Counts::new(10);
        for key in ["b", "a", "c", "c"] {
            counts.add(key, 1);
        }
        let top = counts.top(2, String::clone);
        assert_eq!(top.summary(false), "c, a and 1 more");
    }
}
