//! What a widget's options change for customers and agents: the colour theme (stored,
//! validated, in the public configuration) and the typing preview (the customer's draft
//! reaches the session's agents only when the widget allows it, bounded, never stored).

use super::*;

/// `theme` is `auto` by default, takes `light` or `dark`, refuses anything else with 422
/// `invalid_input` naming `theme`, and the public configuration carries it.
pub async fn the_widget_theme_is_stored_validated_and_sent_to_customers(f: &Fixture) {
    let t = &f.a;
    let path = format!("/v1/chat/widgets/{}", t.widget_id);
    let public_theme = || async {
        let reply = f.public(t, "GET", "", Some(t.origin), None, None).await;
        reply.expect_status(200)["theme"].clone()
    };
    assert_eq!(
        f.get(&t.agent, &path).await.expect_status(200)["theme"],
        "auto"
    );
    assert_eq!(public_theme().await, "auto");

    let updated = f
        .call("PUT", &t.admin, &path, Some(json!({"theme": "dark"})))
        .await;
    assert_eq!(updated.expect_status(200)["theme"], "dark");
    assert_eq!(f.get(&t.agent, &path).await["theme"], "dark", "stored");
    assert_eq!(public_theme().await, "dark");

    for bad in ["night", "Dark", "", "system"] {
        let refused = f
            .call("PUT", &t.admin, &path, Some(json!({"theme": bad})))
            .await;
        refused.expect_error(422, "invalid_input");
        assert_eq!(refused.json["error"]["field"], "theme", "{bad}");
    }
    // Not a string: the body does not parse (as for every field of the wrong JSON type).
    f.call("PUT", &t.admin, &path, Some(json!({"theme": 1})))
        .await
        .expect_error(400, "invalid_input");
    assert_eq!(
        public_theme().await,
        "dark",
        "a refused change changes nothing"
    );

    let created = f
        .post(
            &t.admin,
            "/v1/chat/widgets",
            json!({"name": "Light", "domain": "light.example.com", "theme": "light"}),
        )
        .await;
    assert_eq!(created.expect_status(201)["theme"], "light");
    let refused = f
        .post(
            &t.admin,
            "/v1/chat/widgets",
            json!({"name": "Bad", "domain": "bad.example.com", "theme": "sepia"}),
        )
        .await;
    refused.expect_error(422, "invalid_input");
    assert_eq!(refused.json["error"]["field"], "theme");
}
