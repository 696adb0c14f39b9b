//! The notifier conformance suite on the in-process `LocalNotifier` (one node: every node of
//! the bus is the same instance, and there is no bus connection to break).

tms_chat_core::notifier_conformance!(async {
    Some(tms_chat_core::notify::conformance::LocalBus::default())
});
