//! How far the import running on this instance has got (there is at most one at a time, see
//! `AppState::imports`): the phase and the rows done, for the browser (which asks while its
//! upload is being answered) and the command line (a line on stderr). Numbers only; nothing of
//! the rows themselves.

use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};

use serde::Serialize;

#[derive(Debug, Default)]
pub struct Progress {
    phase: AtomicU8,
    rows: AtomicU64,
}

/// What an import is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Checking = 1,
    Writing = 2,
}

/// A snapshot for the browser: `phase` is 检查, 写入 or empty (nothing running).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Snapshot {
    pub phase: &'static str,
    pub rows: u64,
}

impl Progress {
    /// Starts a phase with no rows done; the guard clears the progress when the import ends.
    pub fn start(&self, phase: Phase) -> Running<'_> {
        self.phase.store(phase as u8, Ordering::Relaxed);
        self.rows.store(0, Ordering::Relaxed);
        Running(self)
    }

    /// Moves on to another phase of the same import, counting from zero.
    pub fn phase(&self, phase: Phase) {
        self.phase.store(phase as u8, Ordering::Relaxed);
        self.rows.store(0, Ordering::Relaxed);
    }

    pub fn add(&self, rows: usize) {
        self.rows.fetch_add(rows as u64, Ordering::Relaxed);
    }

    pub fn snapshot(&self) -> Snapshot {
        let phase = match self.phase.load(Ordering::Relaxed) {
            1 => "检查",
            2 => "写入",
            _ => "",
        };
        Snapshot { phase, rows: if phase.is_empty() { 0 } else { self.rows.load(Ordering::Relaxed) } }
    }
}

/// Clears the progress when dropped (the import ended, well or not).
pub struct Running<'a>(&'a Progress);

impl Drop for Running<'_> {
    fn drop(&mut self) {
        self.0.phase.store(0, Ordering::Relaxed);
        self.0.rows.store(0, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_is_cleared_when_the_import_ends() {
        let p = Progress::default();
        {
            let _running = p.start(Phase::Checking);
            p.add(500);
            p.add(500);
            assert_eq!(p.snapshot(), Snapshot { phase: "检查", rows: 1000 });
            p.phase(Phase::Writing);
            p.add(3);
            assert_eq!(p.snapshot(), Snapshot { phase: "写入", rows: 3 });
        }
        assert_eq!(p.snapshot(), Snapshot { phase: "", rows: 0 });
    }
}
