//! Delivery status notifications (RFC 3461): the MAIL parameters RET and
//! ENVID and the RCPT parameters NOTIFY and ORCPT, xtext-encoded so no
//! value can break out of its parameter.

/// What the server should return with a bounce.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ret {
    Full,
    Headers,
}

/// When the server should report.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Notify {
    pub success: bool,
    pub failure: bool,
    pub delay: bool,
}

impl Notify {
    /// `NOTIFY=NEVER`.
    pub const NEVER: Notify = Notify { success: false, failure: false, delay: false };
}

/// The `dsn` option.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Dsn {
    pub ret: Option<Ret>,
    /// ENVID: the sender's identifier for this transaction.
    pub envid: Option<String>,
    pub notify: Option<Notify>,
    /// ORCPT: the original recipient, sent with every RCPT.
    pub orcpt: Option<String>,
}

impl Dsn {
    /// ` RET=... ENVID=...` for MAIL FROM.
    pub fn mail_params(&self) -> String {
        let mut out = String::new();
        if let Some(ret) = self.ret {
            out.push_str(if ret == Ret::Full { " RET=FULL" } else { " RET=HDRS" });
        }
        if let Some(envid) = &self.envid {
            out.push_str(&format!(" ENVID={}", xtext(envid)));
        }
        out
    }

    /// ` NOTIFY=... ORCPT=rfc822;...` for each RCPT TO.
    pub fn rcpt_params(&self) -> String {
        let mut out = String::new();
        if let Some(n) = self.notify {
            let mut words = Vec::new();
            if n.success {
                words.push("SUCCESS");
            }
            if n.failure {
                words.push("FAILURE");
            }
            if n.delay {
                words.push("DELAY");
            }
            let words = if words.is_empty() { "NEVER".to_string() } else { words.join(",") };
            out.push_str(&format!(" NOTIFY={words}"));
        }
        if let Some(orcpt) = &self.orcpt {
            out.push_str(&format!(" ORCPT=rfc822;{}", xtext(orcpt)));
        }
        out
    }
}

/// RFC 3461 §4: printable ASCII except "+" and "=" as is, all else "+HH".
pub fn xtext(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if (b'!'..=b'~').contains(&b) && b != b'+' && b != b'=' {
            out.push(b as char);
        } else {
            out.push_str(&format!("+{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters() {
        let dsn = Dsn {
            ret: Some(Ret::Headers),
            envid: Some("id+1 =x".into()),
            notify: Some(Notify { success: true, failure: true, delay: false }),
            orcpt: Some("a@b.example".into()),
        };
        assert_eq!(dsn.mail_params(), " RET=HDRS ENVID=id+2B1+20+3Dx");
        assert_eq!(dsn.rcpt_params(), " NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;a@b.example");
        let never = Dsn { notify: Some(Notify::NEVER), ..Dsn::default() };
        assert_eq!(never.rcpt_params(), " NOTIFY=NEVER");
        assert_eq!(xtext("a\r\nb"), "a+0D+0Ab");
    }
}
