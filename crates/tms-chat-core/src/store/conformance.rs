//! The conformance suite every [`crate::store::ChatStore`] must pass (placeholder; filled by
//! the storage task).
