//! The highest `seq` a connection delivered per session: what makes live delivery and resume
//! replay never duplicate, and what shows a gap to fill. A customer follows one session, so
//! its tracker is a single number (an idle customer socket allocates nothing for it); an
//! agent's is a map by session.

use crate::ids::SessionId;
use std::collections::HashMap;

/// Highest delivered `seq`, per session.
pub(super) enum DeliveredSeqs {
    /// A customer connection: its own session (the only one it is given).
    Own(Option<i64>),
    /// An agent connection: every session it follows.
    PerSession(HashMap<SessionId, i64>),
}

impl DeliveredSeqs {
    /// The tracker of a customer (`true`) or an agent connection.
    pub(super) fn new(customer: bool) -> Self {
        if customer {
            DeliveredSeqs::Own(None)
        } else {
            DeliveredSeqs::PerSession(HashMap::new())
        }
    }

    /// The last `seq` delivered for `session`, when one is known.
    pub(super) fn last(&self, session: &SessionId) -> Option<i64> {
        match self {
            DeliveredSeqs::Own(last) => *last,
            DeliveredSeqs::PerSession(map) => map.get(session).copied(),
        }
    }

    /// Everything up to `seq` counts as delivered for `session`.
    pub(super) fn set(&mut self, session: &SessionId, seq: i64) {
        match self {
            DeliveredSeqs::Own(last) => *last = Some(seq),
            DeliveredSeqs::PerSession(map) => {
                map.insert(session.clone(), seq);
            }
        }
    }

    /// Like [`set`](Self::set), unless something is known for `session` already.
    pub(super) fn set_if_unknown(&mut self, session: &SessionId, seq: i64) {
        if self.last(session).is_none() {
            self.set(session, seq);
        }
    }

    /// Records `seq` as delivered; `false` when it (or a later one) already was.
    pub(super) fn advance(&mut self, session: &SessionId, seq: i64) -> bool {
        if self.last(session).is_some_and(|last| seq <= last) {
            return false;
        }
        self.set(session, seq);
        true
    }

    /// Forgets `session` (unsubscribed).
    pub(super) fn forget(&mut self, session: &SessionId) {
        match self {
            DeliveredSeqs::Own(last) => *last = None,
            DeliveredSeqs::PerSession(map) => {
                map.remove(session);
            }
        }
    }

    /// Forgets every session (after lost events: the client resumes each).
    pub(super) fn forget_all(&mut self) {
        match self {
            DeliveredSeqs::Own(last) => *last = None,
            DeliveredSeqs::PerSession(map) => map.clear(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seq_is_delivered_once_and_never_an_earlier_one_after_it() {
        for customer in [true, false] {
            let mut seqs = DeliveredSeqs::new(customer);
            let s = SessionId::new("ses_1");
            assert_eq!(seqs.last(&s), None);
            assert!(seqs.advance(&s, 3));
            assert!(!seqs.advance(&s, 3));
            assert!(!seqs.advance(&s, 2));
            seqs.set_if_unknown(&s, 1);
            assert_eq!(seqs.last(&s), Some(3));
            seqs.forget_all();
            assert_eq!(seqs.last(&s), None);
            seqs.set(&s, 7);
            seqs.forget(&s);
            assert!(seqs.advance(&s, 1));
        }
    }
}
