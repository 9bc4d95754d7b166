//! Idle keep-alive sessions, per scheme, host and port.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

use crate::http::client::HttpClientSession;

/// Which server a session talks to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) struct Key {
    pub(super) scheme: String,
    pub(super) host: String,
    pub(super) port: u16,
}

#[derive(Debug, Default)]
pub(super) struct Pool {
    idle: Mutex<HashMap<Key, Vec<(HttpClientSession, Instant)>>>,
    max_idle_per_host: usize,
    idle_timeout: std::time::Duration,
}

impl Pool {
    pub(super) fn new(max_idle_per_host: usize, idle_timeout: std::time::Duration) -> Self {
        Pool { idle: Mutex::default(), max_idle_per_host, idle_timeout }
    }

    /// The most recently returned live session for `key`, if any.
    pub(super) fn take(&self, key: &Key) -> Option<HttpClientSession> {
        let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        let list = idle.get_mut(key)?;
        while let Some((session, since)) = list.pop() {
            if since.elapsed() < self.idle_timeout && session.connected() {
                return Some(session);
            }
        }
        None
    }

    /// Keeps `session` for reuse (the oldest idle one goes when the host has too many).
    pub(super) fn put(&self, key: Key, session: HttpClientSession) {
        if self.max_idle_per_host == 0 || !session.connected() {
            return;
        }
        let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        let list = idle.entry(key).or_default();
        list.retain(|(_, since)| since.elapsed() < self.idle_timeout);
        if list.len() >= self.max_idle_per_host {
            list.remove(0);
        }
        list.push((session, Instant::now()));
    }

    /// Idle sessions held (for tests and diagnostics).
    pub(super) fn idle_count(&self) -> usize {
        self.idle.lock().map(|m| m.values().map(Vec::len).sum()).unwrap_or(0)
    }
}
