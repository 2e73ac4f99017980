//! Ceph's client operations and replies in words, in one place: the mermaid export
//! (`export::client_op_label`), the campaign's failure messages (`campaign/probe.rs`,
//! `campaign/trial.rs`) and the CLI all call these.

use super::messages::{ClientOp, ClientReply};

/// `put color=blue`, `get color`, `cas color absent to green`.
pub fn client_op(op: &ClientOp) -> String {
    match op {
        ClientOp::Put { key, value } => format!("put {key}={value}"),
        ClientOp::Get { key } => format!("get {key}"),
        ClientOp::Cas {
            key,
            expected,
            value,
        } => {
            format!(
                "cas {key} {} to {value}",
                expected.as_deref().unwrap_or("absent")
            )
        }
    }
}

/// `written v2`, `value blue at v2`, `refused (no lease)`.
pub fn client_reply(reply: &ClientReply) -> String {
    match reply {
        ClientReply::Written { version } => format!("written v{version}"),
        ClientReply::Value { value, version } => {
            format!("value {} at v{version}", value.as_deref().unwrap_or("none"))
        }
        ClientReply::CasDone {
            applied, version, ..
        } => {
            format!(
                "cas {} at v{version}",
                if *applied { "applied" } else { "not applied" }
            )
        }
        ClientReply::Refused { reason } => format!("refused ({reason})"),
        ClientReply::Retry { reason } => format!("retry ({reason})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operations_and_replies_read_as_words() {
        let cas = ClientOp::Cas {
            key: "color".into(),
            expected: None,
            value: "green".into(),
        };
        assert_eq!(client_op(&cas), "cas color absent to green");
        let put = ClientOp::Put {
            key: "color".into(),
            value: "blue".into(),
        };
        assert_eq!(client_op(&put), "put color=blue");
        let read = ClientReply::Value {
            value: Some("blue".into()),
            version: 2,
        };
        assert_eq!(client_reply(&read), "value blue at v2");
    }
}
