//! The server's state and the meaning of each request line.

use std::collections::BTreeMap;

/// The keys and values, and the replies already given to `INCR` requests.
#[derive(Debug, Default)]
pub struct Store {
    values: BTreeMap<String, String>,
    /// Reply sent for each `client:req` id, so a retried `INCR` is not
    /// applied twice.
    applied: BTreeMap<String, String>,
}

impl Store {
    /// An empty store.
    pub fn new() -> Store {
        Store::default()
    }

    /// The current value of `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.values.get(key).map(String::as_str)
    }

    /// Applies one request line and returns the reply line (without its
    /// newline).
    pub fn apply(&mut self, line: &str) -> String {
        let mut words = line.split_whitespace();
        match (words.next(), words.next(), words.next(), words.next()) {
            (Some("SET"), Some(key), Some(value), None) => {
                self.values.insert(key.to_string(), value.to_string());
                "OK".to_string()
            }
            (Some("GET"), Some(key), None, None) => match self.values.get(key) {
                Some(v) => format!("VALUE {v}"),
                None => "NONE".to_string(),
            },
            (Some("INCR"), Some(key), Some(request), None) => {
                if let Some(reply) = self.applied.get(request) {
                    return reply.clone();
                }
                let n = match self.values.get(key).map(|v| v.parse::<i64>()) {
                    None => 1,
                    Some(Ok(n)) => n + 1,
                    Some(Err(_)) => return format!("ERR {key} is not a number"),
                };
                self.values.insert(key.to_string(), n.to_string());
                let reply = format!("VALUE {n}");
                self.applied.insert(request.to_string(), reply.clone());
                reply
            }
            _ => format!("ERR bad request {line:?}"),
        }
    }
}
