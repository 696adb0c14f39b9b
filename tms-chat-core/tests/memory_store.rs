//! The store conformance suite on [`MemoryStore`], the in-memory store the service and socket
//! tests run on: it must keep the same rules as the SQL stores.

tms_chat_core::chat_store_conformance!(async { tms_chat_core::test_utils::MemoryStore::new() });
