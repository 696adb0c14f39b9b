//! The session search's rule for message text, shared by every store: which words a query
//! asks for and which message content a full-text index may hold.
//!
//! A query's words are its runs of letters and digits, lowercased (at most [`MAX_WORDS`]);
//! a session matches by message text when one of its messages contains every word as a
//! whole word. Sealed content (encryption at rest, [`crate::encryption::is_sealed_text`]) is
//! never indexed, so with encryption on only email, name and id match.

/// Most words of a query that are searched for; the rest are ignored.
pub const MAX_WORDS: usize = 8;

/// The words of `query`, lowercased, in order, without repeats.
pub fn words(query: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for word in query.split(|c: char| !c.is_alphanumeric()) {
        let word = word.to_lowercase();
        if !word.is_empty() && !out.contains(&word) && out.len() < MAX_WORDS {
            out.push(word);
        }
    }
    out
}

/// Whether message `content` may be fed to a full-text index (it is not sealed).
pub fn indexable(content: &str) -> bool {
    !crate::encryption::is_sealed_text(content)
}

/// Whether `content` contains every one of `words` (from [`words`]) as a whole word.
pub fn content_matches(content: &str, words: &[String]) -> bool {
    if words.is_empty() || !indexable(content) {
        return false;
    }
    let have = self::words_all(content);
    words.iter().all(|w| have.contains(w))
}

/// Every word of `content`, lowercased (no limit).
fn words_all(content: &str) -> Vec<String> {
    content
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_lowercased_runs_of_letters_and_digits() {
        assert_eq!(
            words("  Refund, order #123-B!"),
            ["refund", "order", "123", "b"]
        );
        assert_eq!(words("a a A"), ["a"]);
        assert!(words("%_\\ ").is_empty());
        assert_eq!(words("1 2 3 4 5 6 7 8 9 10").len(), MAX_WORDS);
    }

    #[test]
    fn content_matches_whole_words_and_never_sealed_text() {
        let w = words("order refund");
        assert!(content_matches("Refund my ORDER please", &w));
        assert!(!content_matches("refunded my order", &w));
        assert!(!content_matches("tmsenc1:k1:order refund", &w));
        assert!(!content_matches("anything", &[]));
    }
}
