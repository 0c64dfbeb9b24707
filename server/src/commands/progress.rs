//! Progress of long commands on stderr: a redrawn bar on a terminal, a line every few percent
//! otherwise (logs and CI), so people always see that work goes on.

use std::io::{IsTerminal, Write};
use std::time::Instant;

pub struct Progress {
    label: String,
    total: usize,
    terminal: bool,
    started: Instant,
    last_percent: usize,
}

impl Progress {
    pub fn new(label: impl Into<String>, total: usize) -> Self {
        Self {
            label: label.into(),
            total: total.max(1),
            terminal: std::io::stderr().is_terminal(),
            started: Instant::now(),
            last_percent: 0,
        }
    }

    /// Reports `done` of `total` with a short note (such as the current hour).
    pub fn update(&mut self, done: usize, note: &str) {
        let percent = done * 100 / self.total;
        let elapsed = self.started.elapsed().as_secs_f64();
        let mut err = std::io::stderr();
        if self.terminal {
            let filled = percent / 5;
            let bar = format!("{}{}", "#".repeat(filled), ".".repeat(20 - filled));
            let _ = write!(
                err,
                "\r{} [{bar}] {done}/{} {note} ({elapsed:.0} s)   ",
                self.label, self.total
            );
            if done >= self.total {
                let _ = writeln!(err);
            }
        } else if percent >= self.last_percent + 10 || done >= self.total {
            self.last_percent = percent;
            let _ = writeln!(
                err,
                "{}: {done}/{} ({percent} %) {note} ({elapsed:.0} s)",
                self.label, self.total
            );
        }
        let _ = err.flush();
    }
}
