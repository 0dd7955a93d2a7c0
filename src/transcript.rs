//! The session transcript: one string per line on the wire, `S: ` for the
//! server, `C: ` for the client, `* ` for events. Credentials are replaced
//! by `<redacted>` before they get here; message data is summarised.

#[derive(Debug, Default)]
pub struct Transcript {
    enabled: bool,
    lines: Vec<String>,
}

impl Transcript {
    pub fn new(enabled: bool) -> Transcript {
        Transcript { enabled, lines: Vec::new() }
    }

    pub fn client(&mut self, line: &str) {
        if self.enabled {
            self.lines.push(format!("C: {line}"));
        }
    }

    pub fn server(&mut self, code: u16, lines: &[String]) {
        if self.enabled {
            let last = lines.len().saturating_sub(1);
            for (i, text) in lines.iter().enumerate() {
                let sep = if i == last { ' ' } else { '-' };
                self.lines.push(format!("S: {code}{sep}{text}"));
            }
            if lines.is_empty() {
                self.lines.push(format!("S: {code}"));
            }
        }
    }

    pub fn event(&mut self, text: &str) {
        if self.enabled {
            self.lines.push(format!("* {text}"));
        }
    }

    /// The lines recorded since the last call.
    pub fn take(&mut self) -> Vec<String> {
        std::mem::take(&mut self.lines)
    }

    /// A copy of the lines recorded since the last `take`.
    pub fn snapshot(&self) -> Vec<String> {
        self.lines.clone()
    }
}
