//! [`TransferBudget`]: the deadline of a whole transfer (a request body, a response), which
//! grows with the bytes moved, so slow peers are cut off and large transfers are not.

use std::time::{Duration, Instant};

/// A whole-transfer deadline with a minimum rate (as Apache's `mod_reqtimeout`
/// `body=60,MinRate=500`): the transfer may take `base`, plus one second for every
/// `min_rate` bytes moved. A peer moving less than `min_rate` bytes a second runs out of
/// time; one moving more never does. `min_rate` 0: `base` is a hard limit.
///
/// ```
/// use std::time::{Duration, Instant};
/// use rpoco_net::proto::server::TransferBudget;
/// let start = Instant::now();
/// let mut budget = TransferBudget::new(start, Duration::from_secs(10), 1000);
/// assert_eq!(budget.deadline(), start + Duration::from_secs(10));
/// budget.moved(2500);
/// assert_eq!(budget.deadline(), start + Duration::from_millis(12_500));
/// assert!(!budget.expired(start + Duration::from_secs(12)));
/// assert!(budget.expired(start + Duration::from_secs(13)));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TransferBudget {
    started: Instant,
    base: Duration,
    min_rate: u64,
    moved: u64,
}

impl TransferBudget {
    /// A budget from `started`.
    pub fn new(started: Instant, base: Duration, min_rate: u64) -> Self {
        TransferBudget { started, base, min_rate, moved: 0 }
    }

    /// Counts `bytes` more moved.
    pub fn moved(&mut self, bytes: usize) {
        self.moved = self.moved.saturating_add(bytes as u64);
    }

    /// Bytes moved so far.
    pub fn bytes(&self) -> u64 {
        self.moved
    }

    /// When the transfer must be done, given what moved so far.
    pub fn deadline(&self) -> Instant {
        let earned = match self.moved.checked_div(self.min_rate) {
            Some(_) => Duration::from_secs_f64(self.moved as f64 / self.min_rate as f64),
            None => Duration::ZERO,
        };
        let total = self.base.saturating_add(earned.min(Duration::from_secs(86_400 * 365)));
        self.started.checked_add(total).unwrap_or(self.started + self.base)
    }

    /// Whether the deadline passed at `now`.
    pub fn expired(&self, now: Instant) -> bool {
        now >= self.deadline()
    }
}
