//! The hotline and the messages sent to households: what a logged call can end in, the kinds
//! and delivery states of a message, the text of a message (bounded), and how long a failed
//! send waits before it is tried again. The words of the messages are in the message files
//! (`i18n/locales/*/messages.ftl`, composed by `safeconduct_store::notices`).
//!
//! Must not import: anything of the store, HTTP or a transport. It holds rules; the store
//! keeps messages and the server sends them.

use crate::error::DomainError;
use crate::expected::Expected;
use crate::text::Text;
use serde::{Deserialize, Serialize};

/// How a hotline call ended, as the operator records it.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallOutcome {
    /// The caller was told the way and the time.
    Guided,
    /// The route was sent by message as well.
    RouteSent,
    /// The caller is to be called back.
    CallBack,
    /// A call out that nobody answered.
    NoAnswer,
    /// The caller could not be helped on this call (wrong case, not eligible, cut off).
    NotResolved,
}

impl CallOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            CallOutcome::Guided => "guided",
            CallOutcome::RouteSent => "route_sent",
            CallOutcome::CallBack => "call_back",
            CallOutcome::NoAnswer => "no_answer",
            CallOutcome::NotResolved => "not_resolved",
        }
    }

    /// Whether the household was told its way and its time on this call: a household not told
    /// of its new window leaves the hotline's worklist by such a call (one that names the
    /// window it told, as it stands), or by its newest notice delivered.
    pub fn told(self) -> bool {
        matches!(self, CallOutcome::Guided | CallOutcome::RouteSent)
    }
}

/// What a message to a household is about.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageKind {
    PassLink,
    NewWindow,
    Route,
}

/// Where a message is on its way out.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageStatus {
    /// Not yet accepted by the transport; tried again after a delay.
    Pending,
    /// Accepted by the transport (the gateway answered with success).
    Sent,
    /// Given up after [`MAX_SEND_ATTEMPTS`] or refused for good; a person must follow up.
    Failed,
}

/// Attempts before a message is given up and shown as failed.
pub const MAX_SEND_ATTEMPTS: u32 = 8;

/// How long a new window's notice may wait to be delivered before its household is on the
/// hotline's worklist to be told by a call: about the back-off of the first seven attempts, so
/// a gateway that recovers within minutes spares the hotline, and one that is down (or none
/// configured) leaves nobody untold longer than this.
pub const NOTICE_GRACE_SECONDS: i64 = 10 * 60;

/// Seconds to wait after `attempts` failed attempts: 5 s doubling each time, at most 15
/// minutes, so a gateway that is down for a while is not hammered and a short outage costs
/// seconds.
pub fn retry_delay_seconds(attempts: u32) -> i64 {
    let doubled = 5i64.saturating_mul(1i64 << attempts.saturating_sub(1).min(20));
    doubled.min(15 * 60)
}

/// The text of a message: not blank, at most [`MessageText::MAX_CHARS`] characters (three
/// SMS in UCS-2 are 201; three in GSM 7-bit are 459; the guidance's SMS form fits in three).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageText(Text);

impl MessageText {
    pub const MAX_CHARS: usize = 480;

    pub fn parse(input: &str) -> Result<Self, DomainError> {
        if input.trim().is_empty() {
            return Err(DomainError::expected("message", Expected::Something));
        }
        Ok(MessageText(Text::parse_lines(
            "message",
            input,
            Self::MAX_CHARS,
        )?))
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_delays_double_from_five_seconds_and_stop_at_fifteen_minutes() {
        assert_eq!(retry_delay_seconds(1), 5);
        assert_eq!(retry_delay_seconds(2), 10);
        assert_eq!(retry_delay_seconds(3), 20);
        assert_eq!(retry_delay_seconds(9), 15 * 60);
        assert_eq!(retry_delay_seconds(200), 15 * 60);
    }

    #[test]
    fn a_blank_message_is_refused() {
        assert!(MessageText::parse("  \n ").is_err());
    }

    #[test]
    fn a_message_longer_than_three_sms_is_refused() {
        assert!(MessageText::parse(&"x".repeat(MessageText::MAX_CHARS + 1)).is_err());
    }

    #[test]
    fn a_message_with_a_control_character_is_refused() {
        assert!(MessageText::parse("go\u{0007} now").is_err());
    }
}
